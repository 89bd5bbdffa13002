package io.consensus.chaos;

import io.consensus.internal.etcd.EtcdConnection;
import io.consensus.testing.ContextCalls;
import io.consensus.testing.EtcdServer;
import io.consensus.testing.Await;
import io.etcd.jetcd.api.LeaseGrpc;
import io.etcd.jetcd.api.LeaseTimeToLiveRequest;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Scale with real member processes: for each size, one local etcd (data on tmpfs when there is
 * one), M members of the packaged jar (each its own JVM with its own {@code -Xmx} and HTTP
 * status port) sharing N fixed items with R replicas, and the independent {@link ChaosWatcher}
 * on etcd. Prints the converge time (every item R+1 entries of live members and masters within
 * one of each other), revisions and entry writes per slot, and per member its lease losses,
 * event-loop lag, blocked-thread warnings and live heap; then SIGKILLs one member and prints
 * when every item it mastered had a new master and when the fleet was fully staffed, from the
 * kill and from the moment etcd dropped its lease, and the survivors' lease losses.
 *
 * <p>{@code bench/scale [--sizes 10000x4,100000x4,100000x10] [--replicas 2] [--ttl 5]
 * [--xmx 1g] [--cap-seconds 300] [--failover-cap-seconds 120] [--no-kill] [--max-batch N] [--out FILE]
 * [--quick]}. Figures are printed, nothing about time is asserted.
 */
public final class ScaleRun {
  private static final HttpFetch HTTP = new HttpFetch(Duration.ofSeconds(5));
  private static final List<Runnable> CLEANUPS = Collections.synchronizedList(new ArrayList<>());

  static {
    // Every child (members, etcd) goes with this JVM, however it ends.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      synchronized (CLEANUPS) {
        new ArrayList<>(CLEANUPS).forEach(ScaleRun::quietly);
      }
    }, "scale-run-cleanup"));
  }

  private ScaleRun() {
  }

  /** Items x members. */
  record Size(int items, int members) {
    static Size parse(String s) {
      String[] p = s.toLowerCase(Locale.ROOT).split("x");
      return new Size(Integer.parseInt(p[0].replace("_", "").replace(",", "")), Integer.parseInt(p[1]));
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%,d x %d", items, members);
    }
  }

  record Options(List<Size> sizes, int replicas, int ttl, String xmx, int capSeconds, int failoverCapSeconds,
                 boolean kill, Path out, List<String> jvmOptions, int maxBatch) {
    static Options parse(String... args) {
      List<Size> sizes = List.of(new Size(10_000, 4), new Size(100_000, 4), new Size(100_000, 10));
      int replicas = 2;
      int ttl = 5;
      String xmx = null;
      int cap = 300;
      int failoverCap = 120;
      boolean kill = true;
      Path out = null;
      List<String> jvm = List.of();
      int maxBatch = 0; // the members' default
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--quick" -> {
            sizes = List.of(new Size(200, 3));
            replicas = 1;
            ttl = 3;
            xmx = "128m";
            cap = 60;
            failoverCap = 30;
            jvm = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");
          }
          case "--sizes" -> sizes = java.util.Arrays.stream(args[++i].split(",")).map(Size::parse).toList();
          case "--replicas" -> replicas = Integer.parseInt(args[++i]);
          case "--ttl" -> ttl = Integer.parseInt(args[++i]);
          case "--xmx" -> xmx = args[++i];
          case "--cap-seconds" -> cap = Integer.parseInt(args[++i]);
          case "--failover-cap-seconds" -> failoverCap = Integer.parseInt(args[++i]);
          case "--no-kill" -> kill = false;
          case "--out" -> out = Path.of(args[++i]);
          case "--jvm" -> jvm = List.of(args[++i].trim().split("\\s+"));
          case "--max-batch" -> maxBatch = Integer.parseInt(args[++i]);
          default -> throw new IllegalArgumentException("unknown argument " + args[i]);
        }
      }
      return new Options(sizes, replicas, ttl, xmx, cap, failoverCap, kill, out, jvm, maxBatch);
    }
  }

  /** The figures of one member process, read from its log, {@code /health}, {@code /metrics} and jcmd. */
  record MemberFigures(String name, long pid, int masters, int entries, LogFigures log, double leaseLossesMetric,
                       double placements, double masteryChanges, double[] actions, LoopLag allocatorLag,
                       LoopLag keeperLag, LoopWorkFigures work, LagSources sources, double liveHeapMb, double rssMb,
                       double cpuSeconds, double[] cpuByThread) {
    /** Keys written: creates, updates and releases once, moves twice. */
    double writes() {
      return actions[0] + actions[1] + actions[2] + 2 * actions[3];
    }

    MemberFigures withLiveHeap(double mb) {
      return new MemberFigures(name, pid, masters, entries, log, leaseLossesMetric, placements, masteryChanges,
          actions, allocatorLag, keeperLag, work, sources, mb, rssMb, cpuSeconds, cpuByThread);
    }
  }

  /** One size's outcome, for callers that check the run did what it says. */
  record SizeResult(Size size, boolean converged, double convergeSeconds, long revisions, double writes,
                    List<MemberFigures> members, int mastered, double newMastersSeconds, double staffedSeconds) {
  }

  record Result(String markdown, List<SizeResult> sizes) {
  }

  public static void main(String[] args) throws Exception {
    Options o = Options.parse(args);
    Result r = run(o);
    System.out.println(r.markdown());
    if (o.out() != null) {
      Files.writeString(o.out(), r.markdown());
    }
    System.exit(0);
  }

  static Result run(Options o) throws Exception {
    StringBuilder md = new StringBuilder("# Scale with real member processes\n\n");
    md.append("- date: ").append(Instant.now()).append("; machine: ").append(Runtime.getRuntime().availableProcessors())
        .append(" cores, shared; JVM ").append(System.getProperty("java.version")).append("\n");
    md.append("- converged = the independent watcher on etcd sees every item with R+1 entries of live members "
        + "and every member's master count within 1 of the others'; settled = then no revision for 3 s; "
        + "writes = `allocator_actions_total` summed over the members (a move counts 2 keys); lease losses = "
        + "'holding nothing until rejoined' lines in the member's log (and `allocator_lease_losses_total`); "
        + "blocked = Vert.x BlockedThreadChecker warnings for an event-loop thread; loop lag from `/health` "
        + "`eventLoopLag` where the member reports it; restarts = a member process that exited unasked (a failed "
        + "start) started again, as a supervisor would; live heap = `jcmd PID GC.run`, then `jstat -gc` "
        + "(S0U+S1U+EU+OU) after that full GC, "
        + "read once nothing more is timed (the victim's just before its kill, the others' after the failover), "
        + "one member at a time\n");
    List<SizeResult> results = new ArrayList<>();
    for (Size s : o.sizes()) {
      results.add(runSize(o, s, md));
    }
    return new Result(md.toString(), results);
  }

  // ---------------------------------------------------------------- one size

  private static SizeResult runSize(Options o, Size size, StringBuilder md) throws Exception {
    String xmx = o.xmx() != null ? o.xmx() : recommendedXmx(size.items());
    Path dir = Files.createDirectories(Path.of("target", "scale-" + System.currentTimeMillis()));
    String root = "/scale";
    int slots = size.items() * (o.replicas() + 1);
    Vertx vertx = Vertx.vertx();
    TmpfsEtcd etcdHome = TmpfsEtcd.start();
    EtcdServer etcd = etcdHome.server();
    Runnable closeEtcd = etcdHome::close;
    CLEANUPS.add(closeEtcd);
    ChaosReport report = new ChaosReport();
    List<MemberProcess> members = new ArrayList<>();
    Map<String, Integer> ports = new TreeMap<>();
    SizeResult result;
    md.append(String.format(Locale.ROOT, "%n## %,d items x R=%d x %d member processes (-Xmx%s%s, TTL %d s)%n%n",
        size.items(), o.replicas(), size.members(), xmx, o.jvmOptions().isEmpty() ? "" : " " + String.join(" ",
            o.jvmOptions()), o.ttl()));
    if (o.maxBatch() > 0) {
      md.append("- members' maxBatch: ").append(o.maxBatch()).append("\n");
    }
    md.append("- load average at start: ").append(loadAverage()).append("; etcd data ")
        .append(etcdHome.onTmpfs() ? "on tmpfs" : "on disk").append("; logs in ").append(dir).append("\n");
    try {
      ChaosWatcher watcher = new ChaosWatcher(vertx, etcd.endpoints(), root, o.replicas(), report);
      List<String> items = new ArrayList<>();
      for (int i = 0; i < size.items(); i++) {
        items.add(String.format(Locale.ROOT, "item-%07d", i));
      }
      watcher.start(items);
      // Lease losses remove entries by design: the graceful checks would report each one; the
      // fencing-token and resurrection checks stay on.
      watcher.disturb();
      JsonObject conf = new JsonObject().put("etcd", new JsonObject().put("endpoints", new JsonArray()))
          .put("root", root).put("replicas", o.replicas()).put("leaseTtlSeconds", o.ttl())
          .put("waitForMemberSeconds", 2 * o.ttl() + 10).put("handoffTimeoutSeconds", 30)
          .put("items", new JsonArray(new ArrayList<>(items)));
      if (o.maxBatch() > 0) {
        conf.put("maxBatch", o.maxBatch());
      }
      List<String> jvm = new ArrayList<>(o.jvmOptions());
      jvm.add("-Xmx" + xmx);
      long rev0 = etcd.currentRevision();
      long t0 = System.nanoTime();
      for (int i = 0; i < size.members(); i++) {
        String name = "m" + (i + 1);
        int port = freePort();
        ports.put(name, port);
        // Every GC pause and safepoint stop, with wall-clock times to match the member's logged lag peaks.
        List<String> memberJvm = new ArrayList<>(jvm);
        memberJvm.add("-Xlog:gc,gc+cpu,safepoint:file=" + dir.toAbsolutePath().resolve(name + "-%p.gc.log")
            + ":time,uptime,level,tags");
        MemberProcess m = new MemberProcess(name, List.of(), etcd.endpoints(), dir,
            conf.copy().put("http", new JsonObject().put("port", port)),
            (mp, code) -> report.note(mp.name + " exited with " + code)).jvmOptions(memberJvm);
        members.add(m);
        CLEANUPS.add(m::destroy);
        m.start();
      }
      List<String> etcdPace = new ArrayList<>();
      long converged = awaitConverged(watcher, members, t0, o.capSeconds(), etcd, etcdPace);
      double convergeS = converged < 0 ? Double.NaN : (converged - t0) / 1e9;
      long revConverged = etcd.currentRevision();
      long settled = converged < 0 ? -1 : awaitQuiet(etcd, Duration.ofSeconds(3), Duration.ofSeconds(30));
      long revs = etcd.currentRevision() - rev0;
      // No forced full GC while the fleet is timed: at 10 member JVMs on 2 cores the GCs starved
      // etcd of CPU and every member lost its lease. Live heaps are read at the end (below).
      List<MemberFigures> figures = figures(members, ports, watcher.holdings(), dir);
      double writes = sum(figures, MemberFigures::writes); // members whose /metrics did not answer are left out
      if (converged < 0) {
        md.append(String.format(Locale.ROOT, "- **did not converge within %d s**: %,d of %,d items not fully "
            + "staffed at the cap; masters %s%n", o.capSeconds(), watcher.unstaffedCount(), size.items(),
            masterSpread(figures)));
      } else {
        md.append(String.format(Locale.ROOT, "- converged in **%.1f s** (JVM starts included; revisions by then "
            + "%,d = %.2f per slot); settled %s%n", convergeS, revConverged - rev0,
            (revConverged - rev0) / (double) slots,
            settled < 0 ? "not within 30 s more" : String.format(Locale.ROOT, "at %.1f s", (settled - t0) / 1e9)));
      }
      md.append(String.format(Locale.ROOT, "- revisions %,d (%.2f per slot of %,d); entry writes %s (%s per slot; "
          + "actions create / update / release / move %s / %s / %s / %s); placements %s; mastership changes %s; "
          + "lease losses in the fleet %d (metric %s); blocked-thread warnings %d; masters %s%n", revs,
          revs / (double) slots, slots, num(writes), Double.isNaN(writes) ? "n/a"
              : String.format(Locale.ROOT, "%.2f", writes / slots),
          num(sum(figures, f -> f.actions()[0])), num(sum(figures, f -> f.actions()[1])),
          num(sum(figures, f -> f.actions()[2])), num(sum(figures, f -> f.actions()[3])),
          num(sum(figures, MemberFigures::placements)), num(sum(figures, MemberFigures::masteryChanges)),
          figures.stream().mapToInt(f -> f.log().leaseLosses()).sum(), num(sum(figures, MemberFigures::leaseLossesMetric)),
          figures.stream().mapToInt(f -> f.log().blockedWarnings()).sum(), masterSpread(figures)));
      double etcdCpu = ProcessCpu.seconds(etcd.pid());
      double membersCpu = sum(figures, MemberFigures::cpuSeconds);
      // The harness shares the cores: its watcher re-derives every route of every revision, as a member does.
      double harnessCpu = ProcessCpu.seconds(ProcessHandle.current().pid());
      md.append(String.format(Locale.ROOT, "- CPU up to here (converged and settled): etcd %s s, members %s s in all "
          + "(%s ms per revision per member); %s revisions per second while converging; this harness (its "
          + "independent watcher, Maven's start included) %s s since it started%n", num(etcdCpu),
          num(membersCpu), num(Math.rint(membersCpu * 1000 / size.members() / Math.max(1, revs) * 100) / 100),
          Double.isNaN(convergeS) ? "n/a" : num(Math.rint((revConverged - rev0) / convergeS)), num(harnessCpu)));
      // etcd runs for this size only: its counters since its start are this converge's.
      md.append("- ").append(EtcdWork.read(etcd.endpoint()).since(null)).append("; etcd's CPU per transaction, ms, "
          + "10 s at a time: ").append(String.join(" ", etcdPace)).append('\n');
      System.err.printf(Locale.ROOT, "[scale] %s: converge %.1f s, lease losses %d%n", size, convergeS,
          figures.stream().mapToInt(f -> f.log().leaseLosses()).sum());
      int mastered = 0;
      double newMasters = Double.NaN;
      double staffed = Double.NaN;
      Map<String, Double> heaps = new TreeMap<>();
      String failoverMd;
      if (o.kill() && converged < 0) {
        failoverMd = "\nNo SIGKILL: the fleet did not converge, so there is no staffed fleet to time a failover of.\n";
      } else if (o.kill()) {
        // The victim's heap just before its kill: one JVM's full GC, and it dies anyway.
        Failover f = failover(o, vertx, etcd, watcher, members, ports,
            victim -> heaps.put(victim.name, JvmHeap.liveMb(victim.pid())));
        mastered = f.mastered;
        newMasters = f.newMastersS;
        staffed = f.staffedS;
        failoverMd = f.markdown;
      } else {
        failoverMd = "";
      }
      // Every figure that needs a live fleet is read: now the full GCs, one member at a time.
      for (MemberProcess m : members) {
        if (!heaps.containsKey(m.name) && m.alive()) {
          heaps.put(m.name, JvmHeap.liveMb(m.pid()));
        }
      }
      figures = figures.stream().map(f -> f.withLiveHeap(heaps.getOrDefault(f.name(), Double.NaN))).toList();
      md.append("\n").append(memberTable(figures)).append("\n").append(lagTable(figures)).append("\n")
          .append(failoverMd);
      md.append("- load average at end: ").append(loadAverage()).append("\n");
      long violations = report.violations().size();
      if (violations > 0) {
        Map<String, Integer> byKind = new TreeMap<>();
        report.violations().forEach(v -> byKind.merge(v.kind(), 1, Integer::sum));
        md.append("- watcher violations (graceful checks off; lease losses expected): ").append(byKind).append("\n");
      }
      result = new SizeResult(size, converged >= 0, convergeS, revs, writes, figures, mastered, newMasters, staffed);
      watcher.close();
    } finally {
      members.forEach(ScaleRun::destroy);
      quietly(closeEtcd);
      CLEANUPS.remove(closeEtcd);
      Await.result(vertx.close(), Duration.ofSeconds(30));
    }
    return result;
  }

  private static void destroy(MemberProcess m) {
    quietly(m::destroy);
  }

  /** Fully staffed and masters within 1: the System.nanoTime when first seen, -1 at the cap. */
  private static long awaitConverged(ChaosWatcher watcher, List<MemberProcess> members, long t0, int capSeconds,
      EtcdServer etcd, List<String> etcdPace) throws InterruptedException {
    List<String> names = members.stream().map(m -> m.name).toList();
    long limit = t0 + TimeUnit.SECONDS.toNanos(capSeconds);
    long nextProgress = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    // etcd's CPU per transaction, 10 s at a time: whether its cost per transaction grows with the keyspace.
    double etcdCpu0 = ProcessCpu.seconds(etcd.pid());
    double etcdTxns0 = EtcdWork.read(etcd.endpoint()).transactions();
    while (System.nanoTime() < limit) {
      restartExited(members);
      if (watcher.staffed() && balanced(watcher.holdings(), names)) {
        return System.nanoTime();
      }
      if (System.nanoTime() > nextProgress) {
        nextProgress += TimeUnit.SECONDS.toNanos(10);
        double etcdCpu = ProcessCpu.seconds(etcd.pid());
        double etcdTxns = EtcdWork.read(etcd.endpoint()).transactions();
        String pace = etcdTxns > etcdTxns0 ? String.format(Locale.ROOT, "%.1f", 1000 * (etcdCpu - etcdCpu0)
            / (etcdTxns - etcdTxns0)) : "-";
        etcdPace.add(pace);
        etcdCpu0 = etcdCpu;
        etcdTxns0 = etcdTxns;
        System.err.printf(Locale.ROOT, "[scale] %.0f s: %,d items not fully staffed, revision %,d; etcd %s ms CPU "
            + "per transaction in the last 10 s%n", (System.nanoTime() - t0) / 1e9, watcher.unstaffedCount(),
            watcher.revision(), pace);
      }
      Thread.sleep(250);
    }
    return -1;
  }

  /**
   * As a supervisor (systemd, Kubernetes) would: a member whose process ended unasked (the
   * launcher exits when its start fails, e.g. the lease was lost while joining) starts again;
   * the tables count these restarts.
   */
  private static void restartExited(List<MemberProcess> members) {
    for (MemberProcess m : members) {
      if (m.exitedUnasked()) {
        System.err.printf(Locale.ROOT, "[scale] %s exited unasked: starting it again%n", m.name);
        m.start();
      }
    }
  }

  private static boolean balanced(Map<String, int[]> holdings, List<String> names) {
    int min = Integer.MAX_VALUE;
    int max = 0;
    for (String n : names) {
      int[] h = holdings.get(n);
      int masters = h == null ? 0 : h[0];
      min = Math.min(min, masters);
      max = Math.max(max, masters);
    }
    return max - min <= 1;
  }

  /** When etcd's revision last moved, once it has not for {@code quiet}; -1 at the cap. */
  private static long awaitQuiet(EtcdServer etcd, Duration quiet, Duration max) throws InterruptedException {
    return awaitQuiet(etcd, quiet, max, () -> true);
  }

  /**
   * When etcd's revision last moved, once it has not for {@code quiet} and {@code also} holds;
   * -1 at the cap.
   */
  static long awaitQuiet(EtcdServer etcd, Duration quiet, Duration max, java.util.function.BooleanSupplier also)
      throws InterruptedException {
    long limit = System.nanoTime() + max.toNanos();
    long lastRev = -1;
    long since = System.nanoTime();
    while (System.nanoTime() < limit) {
      long rev = etcd.currentRevision();
      if (rev != lastRev) {
        lastRev = rev;
        since = System.nanoTime();
      } else if (System.nanoTime() - since > quiet.toNanos() && also.getAsBoolean()) {
        return since;
      }
      Thread.sleep(100);
    }
    return -1;
  }

  // ---------------------------------------------------------------- failover

  private record Failover(String markdown, int mastered, double newMastersS, double staffedS) {
  }

  private static Failover failover(Options o, Vertx vertx, EtcdServer etcd, ChaosWatcher watcher,
      List<MemberProcess> members, Map<String, Integer> ports, Consumer<MemberProcess> beforeKill)
      throws Exception {
    // etcd's view of the lease is asked on a loop and connection of its own: the watcher's loop is
    // busy for seconds with the victim's 75,000-event revision, and would delay the answers.
    Context probeCtx = vertx.getOrCreateContext();
    EtcdConnection probe = ContextCalls.call(probeCtx,
        () -> new EtcdConnection(vertx, etcd.endpoints(), Duration.ofSeconds(5)),
        Duration.ofSeconds(30));
    try {
      return failover(o, etcd, watcher, members.get(0), survivors(members), ports, probeCtx, probe, beforeKill);
    } finally {
      quietly(() -> ContextCalls.callAsync(probeCtx, probe::close, Duration.ofSeconds(10)));
    }
  }

  private static List<MemberProcess> survivors(List<MemberProcess> members) {
    return members.subList(1, members.size());
  }

  private static Failover failover(Options o, EtcdServer etcd, ChaosWatcher watcher, MemberProcess victim,
      List<MemberProcess> survivors, Map<String, Integer> ports, Context probeCtx,
      EtcdConnection probe, Consumer<MemberProcess> beforeKill)
      throws Exception {
    Map<String, LogFigures> logsBefore = new TreeMap<>();
    Map<String, Double> lossesBefore = new TreeMap<>();
    for (MemberProcess m : survivors) {
      logsBefore.put(m.name, LogFigures.read(m.logs()));
      lossesBefore.put(m.name, Metrics.sum(HTTP.get(ports.get(m.name), "/metrics"), "allocator_lease_losses_total"));
    }
    beforeKill.accept(victim);
    int mastered = watcher.expectFailover(victim.name);
    long lease = watcher.memberLease(victim.name);
    RefillWindow window = RefillWindow.open(survivors, ports, etcd.pid(), etcd.endpoint());
    long k0 = System.nanoTime();
    victim.kill();
    long limit = k0 + TimeUnit.SECONDS.toNanos(o.failoverCapSeconds());
    long leaseLeft = leaseTtl(probeCtx, probe, lease);
    long etcdDropped = leaseLeft < 0 ? System.nanoTime() : -1;
    // etcd's own view of the lease (TimeToLive answers -1 once it is gone), apart from when the
    // watchers heard of it; the watcher timestamps the events themselves.
    long nextSample = k0;
    while (System.nanoTime() < limit && (etcdDropped < 0 || watcher.failoverDoneNanos < 0)) {
      restartExited(survivors);
      if (System.nanoTime() >= nextSample) {
        window.sample();
        nextSample = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
      }
      if (etcdDropped < 0 && leaseTtl(probeCtx, probe, lease) < 0) {
        etcdDropped = System.nanoTime();
      }
      Thread.sleep(20);
    }
    while (!(watcher.staffed() && watcher.staffedSinceNanos() > watcher.victimGoneNanos)
        && System.nanoTime() < limit) {
      restartExited(survivors);
      if (System.nanoTime() >= nextSample) {
        window.sample();
        nextSample = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
      }
      Thread.sleep(20);
    }
    String windowMd = window.close((System.nanoTime() - k0) / 1e9);
    double dropped = etcdDropped < 0 ? Double.NaN : (etcdDropped - k0) / 1e9;
    double seen = watcher.victimGoneNanos < 0 ? Double.NaN : (watcher.victimGoneNanos - k0) / 1e9;
    double masters = watcher.failoverDoneNanos < 0 ? Double.NaN : (watcher.failoverDoneNanos - k0) / 1e9;
    boolean staffedNow = watcher.staffed() && watcher.victimGoneNanos > 0
        && watcher.staffedSinceNanos() > watcher.victimGoneNanos;
    double staffed = staffedNow ? (watcher.staffedSinceNanos() - k0) / 1e9 : Double.NaN;
    // Let the survivors' logs and counters catch up with what happened up to here.
    awaitQuiet(etcd, Duration.ofSeconds(3), Duration.ofSeconds(15));
    ToldMasters told = ToldMasters.after(victim, survivors, k0);
    StringBuilder md = new StringBuilder();
    md.append(String.format(Locale.ROOT, "%n**SIGKILL of %s** (it mastered %,d items; its lease had %s s left "
        + "right after the kill): etcd dropped the lease after %s; the watcher saw its member key go after %s; "
        + "new masters for all %,d after **%s** (%s after etcd dropped the lease); fully staffed after **%s** "
        + "(%s after etcd dropped the lease)%s; %s.%n%n", victim.name, mastered, leaseLeft == Long.MAX_VALUE ? "(etcd did not say)" : Long.toString(leaseLeft), secs(dropped), secs(seen),
        mastered, secs(masters), secs(masters - dropped), secs(staffed), secs(staffed - dropped),
        Double.isNaN(staffed) ? String.format(Locale.ROOT, " (**not within %d s**: %,d items not fully staffed)",
            o.failoverCapSeconds(), watcher.unstaffedCount()) : "", told.sentence()));
    md.append(windowMd);
    md.append("| survivor | restarts | lease losses after the kill (log) | metric | blocked-thread warnings "
        + "| max blocked ms | slowest watch update ms |\n|---|---:|---:|---:|---:|---:|---:|\n");
    for (MemberProcess m : survivors) {
      LogFigures d = LogFigures.read(m.logs(), logsBefore.get(m.name));
      double metric = Metrics.sum(HTTP.get(ports.get(m.name), "/metrics"), "allocator_lease_losses_total")
          - lossesBefore.get(m.name);
      md.append(String.format(Locale.ROOT, "| %s | %d | %d | %s | %d | %s | %s |%n", m.name,
          d.logs() - logsBefore.get(m.name).logs(), d.leaseLosses(), num(metric),
          d.blockedWarnings(), d.maxBlockedMs() < 0 ? "-" : Long.toString(d.maxBlockedMs()),
          d.maxSlowUpdateMs() < 0 ? "-" : Long.toString(d.maxSlowUpdateMs())));
    }
    System.err.printf(Locale.ROOT, "[scale] kill: new masters %.2f s (applications told after %.2f s), staffed "
        + "%.2f s after the kill%n", masters, told.lastSeconds(), staffed);
    return new Failover(md.toString(), mastered, masters, staffed);
  }

  /**
   * etcd's TimeToLive of {@code lease} (-1 once gone), or {@link Long#MAX_VALUE} when etcd did not
   * answer: etcd 3.4 fails it ("waiting for the applied index took too long") while it applies a
   * long revision, such as the revoke of the victim's 75,000 keys.
   */
  private static long leaseTtl(Context ctx, EtcdConnection conn, long lease) {
    try {
      return ContextCalls.callAsync(ctx, () -> conn.unary(LeaseGrpc.getLeaseTimeToLiveMethod(),
          LeaseTimeToLiveRequest.newBuilder().setID(lease).build()), Duration.ofSeconds(10)).getTTL();
    } catch (RuntimeException e) {
      return Long.MAX_VALUE;
    }
  }

  // ---------------------------------------------------------------- per member figures

  /** Without the live heap (NaN): that needs a forced full GC, read once the fleet is no longer timed. */
  private static List<MemberFigures> figures(List<MemberProcess> members, Map<String, Integer> ports,
      Map<String, int[]> holdings, Path dir) {
    long readAt = System.currentTimeMillis();
    List<MemberFigures> out = new ArrayList<>();
    List<String[]> http = new ArrayList<>();
    for (MemberProcess m : members) {
      int port = ports.get(m.name);
      http.add(new String[] {HTTP.get(port, "/health"), HTTP.get(port, "/metrics")});
    }
    for (int i = 0; i < members.size(); i++) {
      MemberProcess m = members.get(i);
      long pid = m.pid();
      String health = http.get(i)[0];
      String metrics = http.get(i)[1];
      int[] h = holdings.getOrDefault(m.name, new int[2]);
      JsonObject lag = LoopLag.healthLag(health);
      out.add(new MemberFigures(m.name, pid, h[0], h[1], LogFigures.read(m.logs()),
          Metrics.sum(metrics, "allocator_lease_losses_total"), Metrics.sum(metrics, "allocator_placements_total"),
          Metrics.sum(metrics, "allocator_mastership_changes_total"), actions(metrics), LoopLag.of(lag, "allocator"),
          LoopLag.of(lag, "keeper"), LoopWorkFigures.of(health),
          LagSources.read(gcLogs(dir, m.name), m.logs(), readAt), Double.NaN, JvmHeap.rssMb(pid), ProcessCpu.seconds(pid),
          ProcessCpu.byThreadKind(pid)));
    }
    return out;
  }

  private static List<Path> gcLogs(Path dir, String member) {
    try (java.util.stream.Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().startsWith(member + "-")
          && p.getFileName().toString().endsWith(".gc.log")).sorted().toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  /** {@code allocator_actions_total} by kind: create, update, release, move. */
  private static double[] actions(String metrics) {
    double[] a = new double[4];
    String[] kinds = {"create", "update", "release", "move"};
    for (int i = 0; i < 4; i++) {
      a[i] = Metrics.sum(metrics, "allocator_actions_total", "kind=\"" + kinds[i] + "\"");
    }
    return a;
  }

  private static String memberTable(List<MemberFigures> figures) {
    StringBuilder b = new StringBuilder("| member | masters | entries | restarts | lease losses (log) | metric "
        + "| blocked-thread warnings | max blocked ms | slowest watch update ms | allocator loop lag p99 / max ms "
        + "| keeper loop lag max ms | placements | mastership changes | writes | live heap MB | RSS MB | CPU s |\n"
        + "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (MemberFigures f : figures) {
      b.append(String.format(Locale.ROOT, "| %s | %,d | %,d | %d | %d | %s | %d | %s | %s | %s | %s | %s | %s | %s "
          + "| %s | %s | %s |%n", f.name(), f.masters(), f.entries(), f.log().logs() - 1, f.log().leaseLosses(), num(f.leaseLossesMetric()),
          f.log().blockedWarnings(), f.log().maxBlockedMs() < 0 ? "-" : Long.toString(f.log().maxBlockedMs()),
          f.log().maxSlowUpdateMs() < 0 ? "-" : Long.toString(f.log().maxSlowUpdateMs()),
          f.allocatorLag() == null ? "n/a" : num(f.allocatorLag().p99Millis()) + " / " + num(f.allocatorLag().maxMillis()),
          f.keeperLag() == null ? "n/a" : num(f.keeperLag().maxMillis()), num(f.placements()),
          num(f.masteryChanges()), num(f.writes()), num(f.liveHeapMb()), num(f.rssMb()), num(f.cpuSeconds())));
    }
    return b.toString();
  }

  /** Where each member's lag came from: its own work, its JVM's pauses, and the peaks they explain. */
  private static String lagTable(List<MemberFigures> figures) {
    StringBuilder b = new StringBuilder("Where the lag came from (up to the convergence figures; GC log "
        + "`-Xlog:gc,gc+cpu,safepoint`; each logged lag peak >= 100 ms split into what JVM stops (GC, safepoints) "
        + "covered of it, the CPU our slow work (>= 50 ms, logged) used in it, and other: the loop's thread "
        + "waiting for a core, our shorter pieces):\n\n"
        + "| member | allocator lag max / after start ms | keeper lag max / after start ms | our longest work ms "
        + "(CPU ms, kind) | our work >= 50 ms | GC pauses | max GC pause ms (its CPU ms) | GC pauses total ms "
        + "| longest stop ms (VM op) | stops total ms | allocator lag peaks >= 100 ms | keeper lag peaks >= 100 ms "
        + "| CPU s: event loops / JIT / GC+VM / other / exited threads |\n"
        + "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|\n");
    for (MemberFigures f : figures) {
      LagSources s = f.sources();
      LoopWorkFigures w = f.work();
      double[] c = f.cpuByThread();
      b.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %d | %s | %s | %s | %s | %s | %s | %s |%n", f.name(),
          f.allocatorLag() == null ? "n/a" : num(f.allocatorLag().maxMillis()) + " / "
              + num(f.allocatorLag().runningMaxMillis()),
          f.keeperLag() == null ? "n/a" : num(f.keeperLag().maxMillis()) + " / " + num(f.keeperLag().runningMaxMillis()),
          w == null ? "n/a" : num(w.maxMillis()) + " (" + num(w.maxCpuMillis()) + ", " + w.longest() + ")",
          w == null ? "n/a" : num(w.slowCount()), s.gcPauses(), num(s.gcMaxMs()) + " ("
              + (s.gcMaxCpuMs() < 0 ? "?" : num(s.gcMaxCpuMs())) + ")", num(s.gcTotalMs()),
          num(s.stopMaxMs()) + " (" + s.stopMaxName() + ")", num(s.stopTotalMs()),
          LagSources.peaks(s.allocatorPeaks()), LagSources.peaks(s.keeperPeaks()),
          String.format(Locale.ROOT, "%.1f / %.1f / %.1f / %.1f / %.1f", c[0], c[1], c[2], c[3], c[4])));
    }
    return b.toString();
  }

  private static String masterSpread(List<MemberFigures> figures) {
    int min = figures.stream().mapToInt(MemberFigures::masters).min().orElse(0);
    int max = figures.stream().mapToInt(MemberFigures::masters).max().orElse(0);
    return String.format(Locale.ROOT, "%,d..%,d per member", min, max);
  }

  // ---------------------------------------------------------------- heap sizing

  /**
   * The {@code -Xmx} the README recommends for a member whose fleet has {@code items} items x
   * R=2: 128 MB + 1.25 KB per item, at least 256 MB. The live heap measured by {@code bench/scale
   * memory} is about 0.6 KB per item (tree, index and route table: 571 MB at 1M); a snapshot
   * streams into a new tree page by page, so a join peaks near that live heap, and a re-snapshot
   * (compaction, a reconnect that re-reads) builds the new tree (0.5 KB per item) beside the live
   * view; the young generation needs room on top.
   */
  public static String recommendedXmx(int items) {
    long mb = Math.max(256, 128 + (long) items * 5 / 4 / 1000);
    long rounded = (mb + 127) / 128 * 128;
    return rounded % 1024 == 0 ? rounded / 1024 + "g" : rounded + "m";
  }

  // ---------------------------------------------------------------- plumbing

  public static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static double sum(List<MemberFigures> figures, java.util.function.ToDoubleFunction<MemberFigures> f) {
    double[] known = figures.stream().mapToDouble(f).filter(d -> !Double.isNaN(d)).toArray();
    return known.length == 0 ? Double.NaN : java.util.Arrays.stream(known).sum(); // NaN: no member answered
  }

  static String num(double d) {
    if (Double.isNaN(d)) {
      return "n/a";
    }
    return d == Math.rint(d) ? String.format(Locale.ROOT, "%,.0f", d) : String.format(Locale.ROOT, "%,.1f", d);
  }

  private static String secs(double s) {
    return Double.isNaN(s) ? "n/a" : String.format(Locale.ROOT, "%.2f s", s);
  }

  private static void quietly(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      // best effort at teardown
    }
  }
}
