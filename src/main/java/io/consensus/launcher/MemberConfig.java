package io.consensus.launcher;

import io.consensus.verticle.AllocatorOptions;
import io.consensus.verticle.ConfigException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The launcher's configuration: every key of {@link AllocatorOptions} plus {@code http}
 * ({@code {"port": N}}, 0 = a free port; absent = no HTTP server) and {@code demo}
 * ({@code {"members": N}}: run N members in this process and print the route table).
 *
 * <p>Overrides, strongest first: system properties {@code allocator.<key>}, then environment
 * variables {@code ALLOCATOR_<KEY>}, then the config file. {@code <key>} is the dotted path
 * ({@code replicas}, {@code etcd.endpoints}, {@code http.port}, {@code leaseTtlSeconds});
 * {@code <KEY>} is the same path in upper snake case ({@code REPLICAS}, {@code ETCD_ENDPOINTS},
 * {@code HTTP_PORT}, {@code LEASE_TTL_SECONDS}). Lists are comma-separated, {@code metadata}
 * is inline JSON. An unknown {@code ALLOCATOR_*} variable or {@code allocator.*} property is
 * an error, as an unknown key in the file is.
 */
public final class MemberConfig {
  /** Prefix of environment variables that override config keys. */
  public static final String ENV_PREFIX = "ALLOCATOR_";
  /** Prefix of system properties that override config keys. */
  public static final String SYS_PREFIX = "allocator.";

  private final AllocatorOptions allocator;
  private final Integer httpPort;
  private final int demoMembers;
  private String servingLog;

  private MemberConfig(AllocatorOptions allocator, Integer httpPort, int demoMembers) {
    this.allocator = allocator;
    this.httpPort = httpPort;
    this.demoMembers = demoMembers;
  }

  /**
   * Reads a merged config (overrides already applied) strictly.
   *
   * @throws ConfigException naming the first bad key
   */
  public static MemberConfig fromJson(JsonObject json) {
    JsonObject rest = json.copy();
    Object http = rest.remove("http");
    Object demo = rest.remove("demo");
    Object servingLog = rest.remove("servingLog");
    if (servingLog != null && !(servingLog instanceof String s && !s.isBlank())) {
      throw new ConfigException("servingLog", "must be a file path, was " + servingLog);
    }
    Integer port = null;
    if (http != null) {
      JsonObject h = object("http", http, Set.of("port"));
      port = integer("http.port", h.getValue("port"), 0, 65535);
    }
    int members = 0;
    if (demo != null) {
      JsonObject d = object("demo", demo, Set.of("members"));
      Object m = d.getValue("members");
      members = m == null ? 3 : integer("demo.members", m, 1, 20);
      if (port != null) {
        throw new ConfigException("http", "not supported together with demo (the demo prints its table instead)");
      }
    }
    AllocatorOptions options = AllocatorOptions.fromJson(rest);
    MemberConfig c = new MemberConfig(options, port, members);
    c.servingLog = (String) servingLog;
    return c;
  }

  /** The allocator's options (endpoints may still be empty: embedded etcd). */
  public AllocatorOptions allocator() {
    return allocator;
  }

  /** The HTTP port (0 = any free port), or null for no HTTP server. */
  public Integer httpPort() {
    return httpPort;
  }

  /** How many members the demo runs, 0 when this is not a demo. */
  public int demoMembers() {
    return demoMembers;
  }

  /**
   * File to which the member appends what its application serves (JSON lines, see
   * {@code ServingLog}), or null. For fault-injection runs that check fencing.
   */
  public String servingLog() {
    return servingLog;
  }

  /** Whether etcd must be embedded (no endpoints configured). */
  public boolean embedEtcd() {
    return allocator.getEndpoints().isEmpty();
  }

  // ---------------------------------------------------------------- overrides

  /** Every dotted key path that an environment variable or system property may set. */
  public static Set<String> overridablePaths() {
    Set<String> out = new TreeSet<>();
    for (String k : AllocatorOptions.keys()) {
      if (k.equals("etcd")) {
        out.addAll(List.of("etcd.endpoints", "etcd.user", "etcd.password", "etcd.tls.caFile", "etcd.tls.certFile",
            "etcd.tls.keyFile"));
      } else {
        out.add(k);
      }
    }
    out.add("http.port");
    out.add("demo.members");
    out.add("servingLog");
    return out;
  }

  /** {@code etcd.endpoints} -> {@code ALLOCATOR_ETCD_ENDPOINTS}, {@code leaseTtlSeconds} -> {@code ALLOCATOR_LEASE_TTL_SECONDS}. */
  public static String envName(String path) {
    return ENV_PREFIX + path.replace('.', '_').replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase();
  }

  /**
   * Returns {@code base} with overrides applied: {@code env} entries named
   * {@code ALLOCATOR_*}, then {@code sys} entries named {@code allocator.*}; other entries are
   * ignored.
   *
   * @throws ConfigException for an unknown override name or an unreadable {@code metadata}
   */
  public static JsonObject applyOverrides(JsonObject base, Map<String, ?> env, Map<String, ?> sys) {
    Map<String, String> byEnvName = new TreeMap<>();
    overridablePaths().forEach(p -> byEnvName.put(envName(p), p));
    JsonObject out = base.copy();
    for (Map.Entry<String, ?> e : new TreeMap<>(env).entrySet()) {
      if (!e.getKey().startsWith(ENV_PREFIX)) {
        continue;
      }
      String path = byEnvName.get(e.getKey());
      if (path == null) {
        throw new ConfigException(e.getKey(), "unknown environment override (known: " + byEnvName.keySet() + ")");
      }
      set(out, path, e.getKey(), String.valueOf(e.getValue()));
    }
    Set<String> paths = overridablePaths();
    for (Map.Entry<String, ?> e : new TreeMap<>(sys).entrySet()) {
      if (!e.getKey().startsWith(SYS_PREFIX)) {
        continue;
      }
      String path = e.getKey().substring(SYS_PREFIX.length());
      if (!paths.contains(path)) {
        throw new ConfigException(e.getKey(), "unknown system property override (known: allocator." + paths + ")");
      }
      set(out, path, e.getKey(), String.valueOf(e.getValue()));
    }
    return out;
  }

  private static void set(JsonObject json, String path, String source, String value) {
    Object v = value;
    if (path.equals("metadata")) {
      try {
        v = new JsonObject(value);
      } catch (DecodeException e) {
        throw new ConfigException(source, "must be a JSON object, was " + value);
      }
    }
    String[] parts = path.split("\\.");
    JsonObject at = json;
    for (int i = 0; i < parts.length - 1; i++) {
      Object child = at.getValue(parts[i]);
      if (!(child instanceof JsonObject)) {
        // A non-object here is reported by fromJson; an override replaces it.
        child = new JsonObject();
        at.put(parts[i], child);
      }
      at = (JsonObject) child;
    }
    at.put(parts[parts.length - 1], v);
  }

  // ---------------------------------------------------------------- typed reads

  private static JsonObject object(String key, Object v, Set<String> known) {
    if (!(v instanceof JsonObject o)) {
      throw new ConfigException(key, "must be a JSON object, was " + v);
    }
    for (String k : o.fieldNames()) {
      if (!known.contains(k)) {
        throw new ConfigException(key + "." + k, "unknown key (known: " + new TreeSet<>(known) + ")");
      }
    }
    return o;
  }

  private static int integer(String key, Object v, int min, int max) {
    long n;
    if (v instanceof String s && s.matches("-?\\d{1,9}")) {
      n = Long.parseLong(s); // overrides arrive as strings
    } else if (v instanceof Number num && num.doubleValue() == Math.rint(num.doubleValue())) {
      n = num.longValue();
    } else {
      throw new ConfigException(key, "must be an integer, was " + v);
    }
    if (n < min || n > max) {
      throw new ConfigException(key, "must be " + min + ".." + max + ", was " + n);
    }
    return (int) n;
  }

  @Override
  public String toString() {
    List<String> parts = new ArrayList<>();
    parts.add(allocator.toString());
    if (httpPort != null) {
      parts.add("http.port=" + httpPort);
    }
    if (demoMembers > 0) {
      parts.add("demo.members=" + demoMembers);
    }
    return String.join(", ", parts);
  }
}
