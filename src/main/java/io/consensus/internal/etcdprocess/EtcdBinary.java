package io.consensus.internal.etcdprocess;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Locates the etcd executable: {@code ETCD_BIN} first, then {@code PATH}. */
public final class EtcdBinary {
  static final String ENV = "ETCD_BIN";
  private static final String HOW_TO_INSTALL =
      "Install etcd (Debian/Ubuntu: 'apt-get install etcd-server', or download a release from "
          + "https://github.com/etcd-io/etcd/releases) or set " + ENV + " to the etcd executable.";

  private EtcdBinary() {
  }

  /** Resolves the binary from an explicit path, else from the given environment. */
  public static Path resolve(Path explicit, Map<String, String> env) {
    if (explicit != null) {
      return requireExecutable(explicit, "configured path");
    }
    String fromEnv = env.get(ENV);
    if (fromEnv != null && !fromEnv.isBlank()) {
      return requireExecutable(Path.of(fromEnv), ENV);
    }
    Path found = onPath("etcd", env);
    if (found != null) {
      return found;
    }
    throw new EtcdBinaryNotFoundException("etcd executable not found on PATH. " + HOW_TO_INSTALL);
  }

  /** The executable {@code name} on the environment's {@code PATH}, or null. */
  static Path onPath(String name, Map<String, String> env) {
    String path = env.getOrDefault("PATH", "");
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir, name);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return null;
  }

  private static Path requireExecutable(Path p, String source) {
    if (!Files.isRegularFile(p) || !Files.isExecutable(p)) {
      throw new EtcdBinaryNotFoundException(
          "etcd executable not found at " + p + " (" + source + "). " + HOW_TO_INSTALL);
    }
    return p;
  }
}
