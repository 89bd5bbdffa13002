package io.consensus.internal.etcdprocess;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * An etcd child process on free loopback ports with a temporary data directory: what the
 * launcher's embedded etcd runs, and what the test kit's {@code EtcdServer} and
 * {@code EtcdCluster} are built on. Its output goes to {@link #logFile()}, not to the console.
 *
 * <p>The binary comes from the environment variable {@code ETCD_BIN}, else from
 * {@code PATH}. Methods block (they wait for the process): never call them from an event loop.
 * Instances are thread-safe.
 */
public final class EtcdProcess implements AutoCloseable {
  private static final int START_ATTEMPTS = 3;
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(2))
      .version(HttpClient.Version.HTTP_1_1)
      .build();

  private final Path binary;
  private final String name;
  private final int clientPort;
  private final int peerPort;
  private final String initialCluster;
  private final List<String> flags;
  private final Duration startTimeout;
  private final boolean ownSession;
  private final Path baseDir;
  private Process process;
  private boolean closed;

  public EtcdProcess(Path binary, String name, int clientPort, int peerPort, String initialCluster,
             List<String> flags, Duration startTimeout, boolean ownSession) {
    this.binary = binary;
    this.name = name;
    this.clientPort = clientPort;
    this.peerPort = peerPort;
    this.initialCluster = initialCluster;
    this.flags = List.copyOf(flags);
    this.startTimeout = startTimeout;
    this.ownSession = ownSession;
    try {
      this.baseDir = Files.createTempDirectory("etcd-" + name + "-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create etcd data dir", e);
    }
  }

  /** Starts a single-member etcd with default settings and waits until it is healthy. */
  public static EtcdProcess start() {
    return builder().start();
  }

  /** A builder for a single-member etcd with extra flags or another binary. */
  public static Builder builder() {
    return new Builder();
  }

  /** Client URL, e.g. {@code http://127.0.0.1:41234}. */
  public String endpoint() {
    return "http://127.0.0.1:" + clientPort;
  }

  /** The client URLs (a single one). */
  public List<String> endpoints() {
    return List.of(endpoint());
  }

  /** The client port on 127.0.0.1. */
  public int clientPort() {
    return clientPort;
  }

  /** The peer port on 127.0.0.1. */
  public int peerPort() {
    return peerPort;
  }

  /** The member name. */
  public String name() {
    return name;
  }

  /** etcd's data directory (kept across {@link #stop()} / {@link #launch()}). */
  public Path dataDir() {
    return baseDir.resolve("data");
  }

  /** The file receiving etcd's stdout and stderr. */
  public Path logFile() {
    return baseDir.resolve("etcd.log");
  }

  /** The process id of the running etcd, or -1 when it is not running. */
  public synchronized long pid() {
    return process != null && process.isAlive() ? process.pid() : -1;
  }

  /** Whether the etcd process is running. */
  public synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  /**
   * Starts the process again on the same data dir and ports (after {@link #stop()}) and
   * waits until it is healthy. No-op when already running.
   */
  public synchronized EtcdProcess launch() {
    spawn();
    awaitHealthy();
    return this;
  }

  /** Stops the process with SIGTERM and waits for it to exit; keeps the data. Idempotent. */
  public synchronized void stop() {
    if (process == null) {
      return;
    }
    process.destroy(); // SIGTERM: lets etcd shut down cleanly
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    process = null;
  }

  /** Stops the process and deletes the data directory. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    stop();
    deleteRecursively(baseDir);
  }

  @Override
  public String toString() {
    return "etcd[" + name + " " + endpoint() + "]";
  }

  /** Launches the process without waiting (cluster members must all start before any is healthy). */
  public synchronized void spawn() {
    if (closed) {
      throw new IllegalStateException(this + " is closed");
    }
    if (isRunning()) {
      return;
    }
    String peerUrl = "http://127.0.0.1:" + peerPort;
    List<String> cmd = new ArrayList<>();
    Path setsid = ownSession ? EtcdBinary.onPath("setsid", System.getenv()) : null;
    if (setsid != null) {
      // A new session: Ctrl-C in the launcher's terminal must not kill etcd before the
      // launcher has handed its items off. setsid execs etcd in place (same pid).
      cmd.add(setsid.toString());
    }
    cmd.addAll(List.of(
        binary.toString(),
        "--name", name,
        "--data-dir", dataDir().toString(),
        "--listen-client-urls", endpoint(),
        "--advertise-client-urls", endpoint(),
        "--listen-peer-urls", peerUrl,
        "--initial-advertise-peer-urls", peerUrl,
        "--initial-cluster", initialCluster,
        "--initial-cluster-state", "new"));
    cmd.addAll(flags);
    ProcessBuilder pb = new ProcessBuilder(cmd)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()));
    // etcd reads ETCD_* variables as flags: keep the caller's (e.g. ETCD_BIN) away from it.
    pb.environment().keySet().removeIf(k -> k.startsWith("ETCD_"));
    try {
      process = pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + binary, e);
    }
  }

  /** Polls {@code /health} until it answers true, the process dies, or the deadline passes. */
  public void awaitHealthy() {
    long deadline = System.nanoTime() + startTimeout.toNanos();
    while (System.nanoTime() < deadline) {
      Process p;
      synchronized (this) {
        p = process;
      }
      if (p == null || !p.isAlive()) {
        throw new IllegalStateException(this + " exited during start-up; log tail:\n" + logTail());
      }
      if (healthy(clientPort)) {
        return;
      }
      try {
        Thread.sleep(50); // polling interval of the health probe, not a stand-in for a condition
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for " + this, e);
      }
    }
    throw new IllegalStateException(this + " not healthy after " + startTimeout + "; log tail:\n" + logTail());
  }

  private String logTail() {
    try {
      List<String> lines = Files.readAllLines(logFile(), StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException | RuntimeException e) {
      return "(no log: " + e + ")";
    }
  }

  /** Whether {@code /health} answers {@code "health":"true"}. Never throws. */
  public static boolean healthy(int clientPort) {
    try {
      HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + clientPort + "/health"))
          .timeout(Duration.ofSeconds(2)).GET().build();
      HttpResponse<String> resp = HTTP.send(req, HttpResponse.BodyHandlers.ofString());
      return resp.statusCode() == 200 && "true".equals(new JsonObject(resp.body()).getString("health"));
    } catch (IOException | RuntimeException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // Best effort: a leftover temp dir must not fail a test.
    }
  }

  /** Configures a single-member etcd. */
  public static final class Builder {
    private Path binary;
    private String name = "etcd";
    private final List<String> flags = new ArrayList<>();
    private Duration startTimeout = Duration.ofSeconds(15);
    private Map<String, String> env = System.getenv();
    private boolean ownSession;

    private Builder() {
    }

    /** The etcd executable; default: {@code ETCD_BIN}, then {@code PATH}. */
    public Builder binary(Path binary) {
      this.binary = Objects.requireNonNull(binary);
      return this;
    }

    /** Member name (default {@code etcd}). */
    public Builder name(String name) {
      this.name = Objects.requireNonNull(name);
      return this;
    }

    /**
     * Adds raw command-line arguments, e.g.
     * {@code flag("--experimental-watch-progress-notify-interval=1s")}.
     */
    public Builder flag(String... args) {
      flags.addAll(List.of(args));
      return this;
    }

    /** How long to wait for {@code /health} (default 15 s). */
    public Builder startTimeout(Duration timeout) {
      this.startTimeout = Objects.requireNonNull(timeout);
      return this;
    }

    /**
     * Runs etcd in its own session (through {@code setsid} when it is on {@code PATH}), so
     * that a terminal's SIGINT reaches only the parent process, which then stops etcd itself.
     */
    public Builder ownSession() {
      this.ownSession = true;
      return this;
    }

    /** The environment the binary is looked up in (default: this process's). */
    public Builder environment(Map<String, String> env) {
      this.env = Map.copyOf(env);
      return this;
    }

    /** Launches etcd and waits until it is healthy. */
    public EtcdProcess start() {
      Path bin = EtcdBinary.resolve(binary, env);
      IllegalStateException last = null;
      // A free port can be taken by someone else before etcd binds it: retry with new ports.
      for (int attempt = 0; attempt < START_ATTEMPTS; attempt++) {
        int client = FreePorts.next();
        int peer = FreePorts.next();
        EtcdProcess server = new EtcdProcess(bin, name, client, peer,
            name + "=http://127.0.0.1:" + peer, flags, startTimeout, ownSession);
        try {
          server.launch();
          return server;
        } catch (IllegalStateException e) {
          server.close();
          last = e;
        }
      }
      throw last;
    }
  }
}
