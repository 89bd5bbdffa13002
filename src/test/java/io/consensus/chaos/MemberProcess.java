package io.consensus.chaos;

import io.consensus.internal.watch.TcpProxy;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * One member name run as successive processes of the real jar ({@code java -jar}), each
 * reaching etcd through this member's own TCP proxies (one per etcd node) so that it can be
 * cut off alone. Records every incarnation's life time for the serving-log analysis.
 */
final class MemberProcess {
  /** One process of this member: monotonic µs of its start and end (-1 while alive). */
  static final class Incarnation {
    final long startMicros;
    volatile long endMicros = -1;
    volatile boolean killed;
    volatile boolean exitExpected;

    Incarnation(long startMicros) {
      this.startMicros = startMicros;
    }
  }

  final String name;
  final List<TcpProxy> proxies;
  final Path servingLog;
  private final Path dir;
  private final JsonObject conf;
  private final BiConsumer<MemberProcess, Integer> unexpectedExit;
  final List<Incarnation> incarnations = new ArrayList<>();
  final List<long[]> pauses = new ArrayList<>(); // [from, to] µs
  private Process process;
  private int started;
  private List<String> jvmOptions = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
      "-Xmx" + System.getProperty("chaos.memberHeap", "160m"));

  MemberProcess(String name, List<TcpProxy> proxies, Path dir, JsonObject baseConf,
      BiConsumer<MemberProcess, Integer> unexpectedExit) {
    this(name, proxies, proxies.stream().map(TcpProxy::endpoint).toList(), dir, baseConf, unexpectedExit);
  }

  /** A member that reaches etcd at {@code endpoints} (its proxies, or etcd itself when there are none). */
  MemberProcess(String name, List<TcpProxy> proxies, List<String> endpoints, Path dir, JsonObject baseConf,
      BiConsumer<MemberProcess, Integer> unexpectedExit) {
    this.name = name;
    this.proxies = proxies;
    this.dir = dir;
    this.servingLog = dir.resolve(name + ".serving.jsonl");
    this.unexpectedExit = unexpectedExit;
    JsonArray eps = new JsonArray(new ArrayList<>(endpoints));
    this.conf = baseConf.copy().put("member", name).put("servingLog", servingLog.toString());
    conf.getJsonObject("etcd").put("endpoints", eps);
  }

  synchronized void start() {
    if (alive()) {
      throw new IllegalStateException(name + " already runs");
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-jar", ChaosRun.jar().toString(), "-conf", confArgument()));
    Path log = log(++started);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("ALLOCATOR_") || k.equals("ETCD_BIN"));
    Incarnation inc = new Incarnation(ChaosProcesses.monoMicros());
    try {
      process = pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    incarnations.add(inc);
    Process p = process;
    p.onExit().thenAccept(x -> {
      if (inc.endMicros < 0) {
        inc.endMicros = ChaosProcesses.monoMicros();
      }
      if (!inc.exitExpected) {
        unexpectedExit.accept(this, p.exitValue());
      }
    });
  }

  /**
   * The JVM's options instead of the chaos defaults (C1 only, serial GC, {@code -Xmx} from
   * {@code chaos.memberHeap}); applies from the next {@link #start()}.
   */
  synchronized MemberProcess jvmOptions(List<String> options) {
    this.jvmOptions = List.copyOf(options);
    return this;
  }

  /** Every incarnation's stdout and stderr, oldest first. */
  synchronized List<Path> logs() {
    List<Path> out = new ArrayList<>();
    for (int i = 1; i <= started; i++) {
      out.add(log(i));
    }
    return out;
  }

  /** Whether the current incarnation exited without being asked to (a crash or a failed start). */
  synchronized boolean exitedUnasked() {
    return process != null && !process.isAlive() && !current().exitExpected;
  }

  private Path log(int incarnation) {
    return dir.resolve(name + "-" + incarnation + ".log");
  }

  /**
   * The config inline, or in a file when it is too large for one argument (Linux allows
   * 128 KiB per argument: 100,000 fixed items are more).
   */
  private String confArgument() {
    String json = conf.encode();
    if (json.length() < 64 * 1024) {
      return json;
    }
    Path file = dir.resolve(name + ".conf.json");
    try {
      java.nio.file.Files.writeString(file, json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file.toAbsolutePath().toString();
  }

  private Incarnation current() {
    return incarnations.get(incarnations.size() - 1);
  }

  synchronized boolean alive() {
    return process != null && process.isAlive();
  }

  synchronized long pid() {
    return alive() ? process.pid() : -1;
  }

  /** SIGKILL: a crash. The incarnation ends now. */
  synchronized void kill() {
    Incarnation inc = incarnations.get(incarnations.size() - 1);
    inc.exitExpected = true;
    inc.killed = true;
    inc.endMicros = ChaosProcesses.monoMicros();
    ChaosProcesses.signal(pid(), "KILL");
    waitExit(10);
  }

  /** SIGTERM: a graceful stop with hand-off; returns the exit code (-1 if still running). */
  int terminate(long timeoutSeconds) {
    Process p;
    synchronized (this) {
      current().exitExpected = true;
      p = process;
    }
    ChaosProcesses.signal(p.pid(), "TERM");
    return waitExit(timeoutSeconds);
  }

  void pause() {
    ChaosProcesses.signal(pid(), "STOP");
    pauses.add(new long[] {ChaosProcesses.monoMicros(), Long.MAX_VALUE});
  }

  void resume() {
    ChaosProcesses.signal(pid(), "CONT");
    pauses.get(pauses.size() - 1)[1] = ChaosProcesses.monoMicros();
  }

  void cut() {
    proxies.forEach(TcpProxy::down);
  }

  void reconnect() {
    proxies.forEach(TcpProxy::up);
  }

  private int waitExit(long seconds) {
    Process p;
    synchronized (this) {
      p = process;
    }
    try {
      if (p.waitFor(seconds, TimeUnit.SECONDS)) {
        return p.exitValue();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return -1;
  }

  /** Kills whatever still runs (end of run, or a failed run). */
  void destroy() {
    Process p;
    synchronized (this) {
      if (!incarnations.isEmpty()) {
        current().exitExpected = true;
      }
      p = process;
    }
    if (p != null && p.isAlive()) {
      ChaosProcesses.signal(p.pid(), "CONT");
      p.destroyForcibly();
      try {
        p.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
