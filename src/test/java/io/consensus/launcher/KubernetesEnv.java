package io.consensus.launcher;

import java.util.Map;
import java.util.TreeMap;

/**
 * The environment variables the kubelet injects into every pod of a namespace for a Service
 * (Docker-links style "service links", on unless {@code enableServiceLinks: false}).
 */
final class KubernetesEnv {
  private KubernetesEnv() {
  }

  /** The variables of Service {@code name} with one TCP port {@code port} named {@code http}. */
  static Map<String, String> serviceLinks(String name, int port) {
    String p = name.toUpperCase().replace('-', '_');
    String ip = "10.96.12.34";
    String url = "tcp://" + ip + ":" + port;
    Map<String, String> env = new TreeMap<>();
    env.put(p + "_SERVICE_HOST", ip);
    env.put(p + "_SERVICE_PORT", Integer.toString(port));
    env.put(p + "_SERVICE_PORT_HTTP", Integer.toString(port));
    env.put(p + "_PORT", url);
    env.put(p + "_PORT_" + port + "_TCP", url);
    env.put(p + "_PORT_" + port + "_TCP_PROTO", "tcp");
    env.put(p + "_PORT_" + port + "_TCP_PORT", Integer.toString(port));
    env.put(p + "_PORT_" + port + "_TCP_ADDR", ip);
    return env;
  }
}
