package io.consensus.testing;

import io.consensus.internal.etcd.EtcdKeys;
import io.consensus.internal.etcdprocess.EtcdProcess;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A real etcd process for tests, listening on free loopback ports with a temporary data
 * directory. Its output goes to {@link #logFile()}, not to the console. Besides starting and
 * stopping it offers fault injection ({@link #signal}) and small key-value conveniences over
 * etcd's JSON gateway (no gRPC client needed).
 *
 * <pre>{@code
 * try (EtcdServer etcd = EtcdServer.start()) {
 *   connect(etcd.endpoints());
 * }
 * }</pre>
 *
 * <p>The binary comes from the environment variable {@code ETCD_BIN}, else from
 * {@code PATH}. Methods block (they wait for the process): call them from test threads,
 * never from an event loop. Instances are thread-safe.
 */
public final class EtcdServer implements AutoCloseable {
  private final EtcdProcess process;

  EtcdServer(EtcdProcess process) {
    this.process = process;
  }

  /** Starts a single-member etcd with default settings and waits until it is healthy. */
  public static EtcdServer start() {
    return builder().start();
  }

  /** A builder for a single-member etcd with extra flags or another binary. */
  public static Builder builder() {
    return new Builder();
  }

  /** Client URL, e.g. {@code http://127.0.0.1:41234}. */
  public String endpoint() {
    return process.endpoint();
  }

  /** The client URLs (a single one). */
  public List<String> endpoints() {
    return process.endpoints();
  }

  /** The client port on 127.0.0.1. */
  public int clientPort() {
    return process.clientPort();
  }

  /** The peer port on 127.0.0.1. */
  public int peerPort() {
    return process.peerPort();
  }

  /** The member name. */
  public String name() {
    return process.name();
  }

  /** etcd's data directory (kept across {@link #stop()} / {@link #launch()}). */
  public Path dataDir() {
    return process.dataDir();
  }

  /** The file receiving etcd's stdout and stderr. */
  public Path logFile() {
    return process.logFile();
  }

  /** The process id of the running etcd, or -1 when it is not running. */
  public long pid() {
    return process.pid();
  }

  /** Whether the etcd process is running. */
  public boolean isRunning() {
    return process.isRunning();
  }

  /**
   * Starts the process again on the same data dir and ports (after {@link #stop()}) and
   * waits until it is healthy. No-op when already running.
   */
  public EtcdServer launch() {
    process.launch();
    return this;
  }

  /** Stops the process with SIGTERM and waits for it to exit; keeps the data. Idempotent. */
  public void stop() {
    process.stop();
  }

  /**
   * Sends a signal to the running etcd process, for fault injection: {@code "STOP"} freezes it
   * (connections are still accepted, nothing is answered), {@code "CONT"} resumes it,
   * {@code "KILL"} crashes it ({@link #launch()} starts it again). No-op when not running.
   *
   * @param name the signal's name without {@code SIG}
   */
  public void signal(String name) {
    synchronized (process) { // the process's own lock: no stop or launch in between
      long pid = process.pid();
      if (pid < 0) {
        return;
      }
      try {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid))
            .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
          throw new IllegalStateException("kill -" + name + " " + pid + " failed");
        }
        if (name.equals("KILL")) {
          ProcessHandle.of(pid).ifPresent(h -> h.onExit().completeOnTimeout(h, 5, TimeUnit.SECONDS).join());
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }
  }

  /** {@link #stop()} then {@link #launch()}: same ports, same data. */
  public EtcdServer restart() {
    synchronized (process) {
      stop();
      return launch();
    }
  }

  /**
   * Whether this process says it leads its cluster (a single node leads itself); false when it
   * is not running or does not answer within 2 s.
   */
  public boolean isLeader() {
    if (!isRunning()) {
      return false;
    }
    try {
      JsonObject status = EtcdGateway.post(clientPort(), "/v3/maintenance/status", new JsonObject(),
          Duration.ofSeconds(2));
      String id = status.getJsonObject("header").getString("member_id");
      return id != null && id.equals(status.getString("leader"));
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** The current revision of the key-value store. */
  public long currentRevision() {
    JsonObject resp = EtcdGateway.post(clientPort(), "/v3/kv/range",
        new JsonObject().put("key", EtcdGateway.b64("\0")).put("limit", "1").put("count_only", true));
    return EtcdGateway.revision(resp);
  }

  /**
   * Compacts the store at the current revision (physically, so watches from older
   * revisions are cancelled at once) and returns that revision.
   */
  public long compact() {
    long rev = currentRevision();
    try {
      EtcdGateway.post(clientPort(), "/v3/kv/compaction",
          new JsonObject().put("revision", Long.toString(rev)).put("physical", true));
    } catch (EtcdGateway.EtcdGatewayException e) {
      // Compacting the same revision twice is not an error for a test.
      if (!e.getMessage().contains("compacted")) {
        throw e;
      }
    }
    return rev;
  }

  /** Puts {@code key = value} (test convenience) and returns the revision of the write. */
  public long put(String key, String value) {
    return EtcdGateway.revision(EtcdGateway.post(clientPort(), "/v3/kv/put",
        new JsonObject().put("key", EtcdGateway.b64(key)).put("value", EtcdGateway.b64(value))));
  }

  /** Deletes {@code key} (test convenience) and returns the store revision after the call. */
  public long delete(String key) {
    return EtcdGateway.revision(EtcdGateway.post(clientPort(), "/v3/kv/deleterange",
        new JsonObject().put("key", EtcdGateway.b64(key))));
  }

  /** Deletes every key starting with {@code prefix} (test convenience); returns the store revision after. */
  public long deletePrefix(String prefix) {
    String end = EtcdKeys.prefixEnd(prefix).toStringUtf8();
    return EtcdGateway.revision(EtcdGateway.post(clientPort(), "/v3/kv/deleterange",
        new JsonObject().put("key", EtcdGateway.b64(prefix)).put("range_end", EtcdGateway.b64(end))));
  }

  /** Revokes lease {@code id} (test convenience: simulates an expired lease at once). */
  public void revokeLease(long id) {
    EtcdGateway.post(clientPort(), "/v3/lease/revoke", new JsonObject().put("ID", Long.toString(id)));
  }
  /**
   * The seconds etcd says lease {@code id} has left (etcd truncates to whole seconds), or -1 when
   * etcd no longer has it. Blocking: call from a test thread.
   */
  public long leaseTimeToLive(long id) {
    JsonObject resp = EtcdGateway.post(clientPort(), "/v3/lease/timetolive", new JsonObject().put("ID", Long.toString(id)));
    return Long.parseLong(String.valueOf(resp.getValue("TTL", "-1")));
  }


  /** Stops the process and deletes the data directory. Idempotent. */
  @Override
  public void close() {
    process.close();
  }

  @Override
  public String toString() {
    return "EtcdServer[" + name() + " " + endpoint() + "]";
  }

  /** Configures a single-member etcd. */
  public static final class Builder {
    private final EtcdProcess.Builder process = EtcdProcess.builder();

    private Builder() {
    }

    /** The etcd executable; default: {@code ETCD_BIN}, then {@code PATH}. */
    public Builder binary(Path binary) {
      process.binary(Objects.requireNonNull(binary));
      return this;
    }

    /** Member name (default {@code etcd}). */
    public Builder name(String name) {
      process.name(name);
      return this;
    }

    /**
     * Adds raw command-line arguments, e.g.
     * {@code flag("--experimental-watch-progress-notify-interval=1s")}.
     */
    public Builder flag(String... args) {
      process.flag(args);
      return this;
    }

    /** How long to wait for {@code /health} (default 15 s). */
    public Builder startTimeout(Duration timeout) {
      process.startTimeout(timeout);
      return this;
    }

    Builder environment(java.util.Map<String, String> env) {
      process.environment(env);
      return this;
    }

    /** Launches etcd and waits until it is healthy. */
    public EtcdServer start() {
      return new EtcdServer(process.start());
    }
  }
}
