package io.consensus.bench;

import io.etcd.jetcd.api.LeaseGrpc;
import io.etcd.jetcd.api.LeaseTimeToLiveRequest;

import io.consensus.internal.member.LoopSlices;
import io.consensus.route.Route;
import io.consensus.verticle.AllocatorVerticle;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The allocator's benchmark suite: real etcd on loopback, members as real
 * {@link AllocatorVerticle}s in this JVM. Prints a markdown report; figures only, no
 * assertions on time.
 *
 * <pre>
 *   bench/run quick | full [--only converge,roll,idle,failover,decide,zones] [--out FILE]
 *   options: --size quick|full  --idle-seconds N  --ttl N  --seed-max-items N  --cap-seconds N
 *            --batch N (the batched mode's maxBatch; the default)  --fleet NxM (the idle / failover fleet)
 * </pre>
 *
 * Sections: converge (N items, R = 2, M members started together from an empty root, until the
 * fixpoint), rolling restart (each member cancels and rejoins in turn, watched by an
 * independent observer), idle (a converged fleet left alone), failover (a member killed
 * without revoking its lease), decision cost (pure logic on a synthetic tree).
 */
public final class BenchmarkSuite {
  static final String[] SECTIONS = {"converge", "restart", "roll", "idle", "failover", "decide"};
  /** Sections run only when named in --only. */
  static final String[] OPT_IN = {"zones"};
  static final List<String> HEADINGS = List.of("## Converge", "## Seed-faithful vs batched",
      "## Rolling restart", "## Idle", "## Failover", "## Decision cost", "## Targets");
  static final int R = 2;

  /** Benchmark parameters; see {@link #parse}. */
  static final class Config {
    String size = "quick";
    Set<String> only = new LinkedHashSet<>(List.of(SECTIONS));
    Path out;
    List<int[]> convergeSizes;
    List<int[]> rollSizes;
    List<int[]> restartSizes;
    int graceSeconds;
    int[] idleFleet;
    int idleSeconds;
    int ttl;
    int seedMaxItems;
    int capSeconds;
    int[] decideSizes;
    int decideWarmup;
    int decideEvents;
    long decideMaxMillis;
    int zoneItems;
    int zoneMembers = 12;
    int zoneCount = 3;
    int batch = io.consensus.verticle.AllocatorOptions.DEFAULT_MAX_BATCH;

    boolean has(String section) {
      return only.contains(section);
    }
  }

  static Config parse(String... args) {
    Config c = new Config();
    Map<String, String> opts = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--")) {
        opts.put("size", a);
        continue;
      }
      String k = a.substring(2);
      String v;
      int eq = k.indexOf('=');
      if (eq >= 0) {
        v = k.substring(eq + 1);
        k = k.substring(0, eq);
      } else if (i + 1 < args.length) {
        v = args[++i];
      } else {
        throw new IllegalArgumentException("missing value of --" + k);
      }
      opts.put(k, v);
    }
    c.size = opts.getOrDefault("size", "quick");
    switch (c.size) {
      case "quick" -> {
        c.convergeSizes = List.of(new int[] {100, 3});
        c.rollSizes = List.of(new int[] {100, 3});
        c.restartSizes = List.of(new int[] {240, 4});
        c.idleFleet = new int[] {100, 3};
        c.idleSeconds = 5;
        c.ttl = 3;
        c.seedMaxItems = 100;
        c.capSeconds = 40;
        c.decideSizes = new int[] {10_000, 100_000};
        c.decideWarmup = 2_000;
        c.decideEvents = 20_000;
        c.decideMaxMillis = 1_000;
        c.zoneItems = 1_000;
      }
      case "full" -> {
        c.convergeSizes = List.of(new int[] {100, 3}, new int[] {100, 10}, new int[] {1_000, 3},
            new int[] {1_000, 10}, new int[] {10_000, 3}, new int[] {10_000, 10});
        c.rollSizes = List.of(new int[] {100, 3}, new int[] {1_000, 3}, new int[] {1_000, 10});
        c.restartSizes = List.of(new int[] {240, 4});
        c.idleFleet = new int[] {10_000, 10};
        c.idleSeconds = 60;
        c.ttl = 5;
        c.seedMaxItems = 1_000;
        c.capSeconds = 180;
        c.decideSizes = new int[] {10_000, 100_000};
        c.decideWarmup = 20_000;
        c.decideEvents = 200_000;
        c.decideMaxMillis = 5_000;
        c.zoneItems = 10_000;
      }
      default -> throw new IllegalArgumentException("--size must be quick or full, was " + c.size);
    }
    if (opts.containsKey("only")) {
      c.only = new LinkedHashSet<>(List.of(opts.get("only").split(",")));
      for (String s : c.only) {
        if (!List.of(SECTIONS).contains(s) && !List.of(OPT_IN).contains(s)) {
          throw new IllegalArgumentException("unknown section " + s + "; known: " + String.join(",", SECTIONS)
              + "," + String.join(",", OPT_IN));
        }
      }
    }
    if (opts.containsKey("out")) {
      c.out = Path.of(opts.get("out"));
    }
    if (opts.containsKey("idle-seconds")) {
      c.idleSeconds = Integer.parseInt(opts.get("idle-seconds"));
    }
    if (opts.containsKey("ttl")) {
      c.ttl = Integer.parseInt(opts.get("ttl"));
    }
    if (opts.containsKey("seed-max-items")) {
      c.seedMaxItems = Integer.parseInt(opts.get("seed-max-items"));
    }
    if (opts.containsKey("grace")) {
      c.graceSeconds = Integer.parseInt(opts.get("grace"));
    }
    if (opts.containsKey("sizes")) {
      // e.g. --sizes 1000x10,240x4: the converge sizes; limits restart / roll to these fleets
      List<int[]> only = new ArrayList<>();
      for (String t : opts.get("sizes").split(",")) {
        String[] nm = t.split("x");
        only.add(new int[] {Integer.parseInt(nm[0]), Integer.parseInt(nm[1])});
      }
      // Converge runs any size asked for (100000x4 in one JVM for profiling); the others only their own sizes.
      c.convergeSizes = List.copyOf(only);
      c.rollSizes = c.rollSizes.stream().filter(x -> contains(only, x)).toList();
      c.restartSizes = c.restartSizes.stream().filter(x -> contains(only, x)).toList();
    }
    if (opts.containsKey("cap-seconds")) {
      c.capSeconds = Integer.parseInt(opts.get("cap-seconds"));
    }
    if (opts.containsKey("batch")) {
      c.batch = Integer.parseInt(opts.get("batch"));
    }
    if (opts.containsKey("fleet")) {
      String[] nm = opts.get("fleet").split("x");
      c.idleFleet = new int[] {Integer.parseInt(nm[0]), Integer.parseInt(nm[1])};
    }
    if (opts.containsKey("zone-items")) {
      c.zoneItems = Integer.parseInt(opts.get("zone-items"));
    }
    return c;
  }

  public static void main(String[] args) throws Exception {
    BenchEnv.quietLogs();
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.consensus"))
        .setLevel(ch.qos.logback.classic.Level.WARN);
    // A slice step that used 10 ms of CPU or more is logged with its job: rare, and it names a lag's cause.
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(LoopSlices.class))
        .setLevel(ch.qos.logback.classic.Level.INFO);
    Config c = parse(args);
    String report = new BenchmarkSuite(c).run();
    System.out.println(report);
    if (c.out != null) {
      if (c.out.getParent() != null) {
        Files.createDirectories(c.out.getParent());
      }
      Files.writeString(c.out, report, StandardCharsets.UTF_8);
      System.out.println("written to " + c.out);
    }
    System.exit(0);
  }

  // ------------------------------------------------------------------------ results

  record ConvergeRow(String mode, int items, int members, boolean finished, double seconds, long transactions,
                     long writes, long lostRaces, long revisions, double jvmCpu, double etcdCpu,
                     int masterSpread) {
    int slots() {
      return items * (R + 1);
    }

    double writesPerSlot() {
      return (double) writes / slots();
    }
  }

  record RollRow(String mode, int items, int members, boolean finished, double seconds, double maxMemberSeconds,
                 long writes, long handoffMaxMs, int minEntries, long masterless, long revisionsChecked,
                 List<String> masterlessSamples, int restarted, long entriesHeld, TreeWatcher.Movement movement,
                 double maxPlacedRatio, long maxKeyWritesPerMember, int graceSeconds) {
  }

  /** What the members did while converging (sums over the members), and the CPU of the event loops. */
  record WorkRow(String mode, int items, int members, long watchUpdates, long slices, long itemsRederived,
                 long decisions, double loopCpu, double gcPause, long gcCount, long loopBytes) {
  }

  record IdleRow(int items, int members, int seconds, long revisions, long transactions, double jvmCpu,
                 double etcdCpu) {
  }

  record ZoneRow(boolean declared, int items, int members, int zones, boolean converged, double convergeSeconds, long transactions,
                 long writes, long lostRaces, long spread, int masterSpread, int killed, double revokedSeconds,
                 double newMastersSeconds, int minEntries, long masterlessRevisions,
                 double restaffSeconds, long writesAfterLoss, long spreadAfterLoss, int zonesLeft) {
  }

  record FailoverRow(int items, int members, int ttl, int mastered, long leaseLeftSeconds, double revokedSeconds,
                     double firstSeconds, double failoverSeconds, double restaffSeconds, long writes) {
  }

  private final Config cfg;
  private final List<ConvergeRow> converge = new ArrayList<>();
  private final List<String> notRun = new ArrayList<>();
  private final List<WorkRow> work = new ArrayList<>();
  private final List<RollRow> rolls = new ArrayList<>();
  private final List<RollRow> restarts = new ArrayList<>();
  private final List<IdleRow> idles = new ArrayList<>();
  private final List<FailoverRow> failovers = new ArrayList<>();
  private final List<RefillRow> refills = new ArrayList<>();

  /**
   * The survivors' work from the kill until fully staffed: what paces the refill (each survivor
   * writes one transaction at a time and decides again once its view holds that revision).
   */
  record RefillRow(int items, int members, int batch, double seconds, long revisions, long transactions,
                   double txnMillisMean, long writes, long lostRaces, long decisions, long watchUpdates, long slices,
                   double loopCpu, double jvmCpu, double etcdCpu) {
  }
  private final List<DecisionCost.Result> decisions = new ArrayList<>();
  private final List<ZoneRow> zoneRows = new ArrayList<>();
  private int runCounter;

  BenchmarkSuite(Config cfg) {
    this.cfg = cfg;
  }

  /** Runs the selected sections and returns the markdown report. */
  String run() {
    Machine machine = Machine.describe();
    long started = System.nanoTime();
    if (cfg.has("decide")) {
      for (int n : cfg.decideSizes) {
        progress("decision cost, " + n + " items");
        decisions.add(DecisionCost.run(n, cfg.decideWarmup, cfg.decideEvents, cfg.decideMaxMillis));
      }
    }
    List<int[]> fleets = new ArrayList<>();
    if (cfg.has("converge")) {
      fleets.addAll(cfg.convergeSizes);
    }
    if (cfg.has("roll")) {
      cfg.rollSizes.stream().filter(s -> !contains(fleets, s)).forEach(fleets::add);
    }
    if (cfg.has("restart")) {
      cfg.restartSizes.stream().filter(s -> !contains(fleets, s)).forEach(fleets::add);
    }
    if ((cfg.has("idle") || cfg.has("failover")) && !contains(fleets, cfg.idleFleet)) {
      fleets.add(cfg.idleFleet);
    }
    if (!fleets.isEmpty()) {
      try (BenchEnv env = new BenchEnv()) {
        for (int[] s : fleets) {
          for (int maxBatch : new int[] {1, cfg.batch}) {
            runFleet(env, s[0], s[1], maxBatch);
          }
        }
      }
    }
    if (cfg.has("zones")) {
      try (BenchEnv env = new BenchEnv()) {
        zones(env, true);
        zones(env, false); // the same fleet without declaring zones: what spread happens by chance
      }
    }
    double total = (System.nanoTime() - started) / 1e9;
    return report(machine, total);
  }

  private static boolean contains(List<int[]> list, int[] s) {
    return list.stream().anyMatch(x -> x[0] == s[0] && x[1] == s[1]);
  }

  private static String mode(int maxBatch) {
    return maxBatch == 1 ? "one per round (maxBatch=1)" : "batched (maxBatch=" + maxBatch + ")";
  }

  private void runFleet(BenchEnv env, int n, int m, int maxBatch) {
    int[] size = {n, m};
    boolean seed = maxBatch == 1;
    boolean doRoll = cfg.has("roll") && contains(cfg.rollSizes, size);
    boolean doRestart = cfg.has("restart") && contains(cfg.restartSizes, size);
    boolean doIdleFailover = !seed && n == cfg.idleFleet[0] && m == cfg.idleFleet[1];
    boolean needed = (cfg.has("converge") && contains(cfg.convergeSizes, size)) || doRoll || doRestart
        || (doIdleFailover && (cfg.has("idle") || cfg.has("failover")));
    if (!needed) {
      return;
    }
    if (seed && n > cfg.seedMaxItems) {
      notRun.add(String.format("seed mode at %,d items x %d members: not run (capped at %,d items at size %s)",
          n, m, cfg.seedMaxItems, cfg.size));
      return;
    }
    String root = String.format("/bench/r%02d-%s-%dx%d", ++runCounter, seed ? "seed" : "batched", n, m);
    progress("converge " + mode(maxBatch) + " " + n + " items x " + m + " members");
    try (BenchFleet fleet = new BenchFleet(env, root, n, R, m, maxBatch, cfg.ttl, cfg.graceSeconds)) {
      fleet.putMarkers();
      long rev0 = env.etcd.currentRevision();
      long cpu0 = BenchEnv.jvmCpuMillis();
      long etcd0 = env.etcdCpuMillis();
      long loops0 = eventLoopCpuNanos();
      long bytes0 = eventLoopAllocatedBytes();
      long gc0 = gcMillis();
      long gcs0 = gcCount();
      long t0 = System.nanoTime();
      fleet.startAll();
      boolean reached = fleet.awaitFixpoint(t0 + TimeUnit.SECONDS.toNanos(cfg.capSeconds));
      long t1 = reached ? fleet.lastEventNanos() : System.nanoTime();
      ConvergeRow row = new ConvergeRow(mode(maxBatch), n, m, reached, (t1 - t0) / 1e9, fleet.transactions(),
          fleet.actions(), fleet.lostRaces(), env.etcd.currentRevision() - rev0,
          (BenchEnv.jvmCpuMillis() - cpu0) / 1e3, cpuSeconds(env.etcdCpuMillis(), etcd0),
          reached ? fleet.masterSpread : -1);
      converge.add(row);
      work.add(new WorkRow(mode(maxBatch), n, m, fleet.sum(s -> s.watchUpdates()), fleet.sum(s -> s.slices()),
          fleet.sum(s -> s.itemsReclassified()), fleet.sum(s -> s.decisions()),
          (eventLoopCpuNanos() - loops0) / 1e9, (gcMillis() - gc0) / 1e3, gcCount() - gcs0,
          eventLoopAllocatedBytes() - bytes0));
      progress(String.format("  %s in %.2f s, %d writes, %d txns; longest loop work %s", reached ? "converged"
          : "NOT converged", row.seconds(), row.writes(), row.transactions(), fleet.longestWork()));
      if (!reached) {
        return;
      }
      if (doRestart) {
        restarts.add(roll(env, fleet, mode(maxBatch), fleet.memberNames.subList(0, 1)));
      }
      if (doRoll) {
        rolls.add(roll(env, fleet, mode(maxBatch), fleet.memberNames));
      }
      if (doIdleFailover && cfg.has("idle")) {
        idle(env, fleet);
      }
      if (doIdleFailover && cfg.has("failover")) {
        failover(env, fleet);
      }
    }
  }

  /** CPU time of this JVM's Vert.x event-loop threads so far, nanoseconds. */
  static long eventLoopCpuNanos() {
    return overEventLoops(java.lang.management.ManagementFactory.getThreadMXBean()::getThreadCpuTime);
  }

  /**
   * Bytes allocated so far by this JVM's Vert.x event-loop threads (HotSpot's per-thread TLAB accounting): what the
   * members' update path hands the garbage collector.
   */
  static long eventLoopAllocatedBytes() {
    var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    return overEventLoops(threads::getThreadAllocatedBytes);
  }

  /** {@code perThread} (of a thread id; negative, unknown, counts 0) summed over the Vert.x event-loop threads. */
  private static long overEventLoops(java.util.function.LongUnaryOperator perThread) {
    var threads = java.lang.management.ManagementFactory.getThreadMXBean();
    long sum = 0;
    for (var info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info != null && info.getThreadName().startsWith("vert.x-eventloop-thread")) {
        sum += Math.max(0, perThread.applyAsLong(info.getThreadId()));
      }
    }
    return sum;
  }

  static long gcCount() {
    return java.lang.management.ManagementFactory.getGarbageCollectorMXBeans().stream()
        .mapToLong(java.lang.management.GarbageCollectorMXBean::getCollectionCount).sum();
  }

  static long gcMillis() {
    return java.lang.management.ManagementFactory.getGarbageCollectorMXBeans().stream()
        .mapToLong(java.lang.management.GarbageCollectorMXBean::getCollectionTime).sum();
  }

  /** Items whose entries are all in distinct zones, and those spanning at least {@code min} zones. */
  private static long[] zoneSpread(Map<String, Route> routes, java.util.function.Function<String, String> zoneOf,
      int min) {
    long distinct = 0;
    long spanning = 0;
    for (Route r : routes.values()) {
      long zs = r.entries().stream().map(e -> zoneOf.apply(e.member())).distinct().count();
      if (zs == r.size()) {
        distinct++;
      }
      if (zs >= min) {
        spanning++;
      }
    }
    return new long[] {distinct, spanning};
  }

  /**
   * Zones: N items x R over M members in Z zones (member i in zone i mod Z) started together until
   * the fixpoint; then every member of zone 0 is killed at once (no revoke) and the fleet fails
   * over and re-staffs in the zones left.
   */
  private void zones(BenchEnv env, boolean declared) {
    int n = cfg.zoneItems;
    int m = cfg.zoneMembers;
    int z = cfg.zoneCount;
    String root = String.format("/bench/r%02d-zones-%dx%d", ++runCounter, n, m);
    progress("zones: " + n + " items x " + m + " members in " + z + " zones" + (declared ? "" : " (not declared)"));
    try (BenchFleet fleet = new BenchFleet(env, root, n, R, m, 64, cfg.ttl, 0)) {
      java.util.function.Function<String, String> zoneOf = name -> "zone-" + (Integer.parseInt(name.substring(1)) % z);
      fleet.zoneOf = declared ? zoneOf : x -> null;
      fleet.putMarkers();
      long t0 = System.nanoTime();
      fleet.startAll();
      boolean reached = fleet.awaitFixpoint(t0 + TimeUnit.SECONDS.toNanos(cfg.capSeconds));
      long t1 = reached ? fleet.lastEventNanos() : System.nanoTime();
      long tx = fleet.transactions();
      long writes = fleet.actions();
      long lost = fleet.lostRaces();
      Map<String, Route> routes = fleet.routes();
      long spread = zoneSpread(routes, zoneOf, R + 1)[0];
      int masterSpread = fleet.masterSpread;
      progress(String.format("  %s in %.2f s, %d writes; %d of %d items with every copy in its own zone",
          reached ? "converged" : "NOT converged", (t1 - t0) / 1e9, writes, spread, routes.size()));
      List<String> doomed = fleet.memberNames.stream().filter(x -> zoneOf.apply(x).equals("zone-0")).toList();
      double revoked;
      double newMasters;
      int minEntries;
      long masterless;
      long k0;
      long a0 = fleet.actions();
      try (TreeWatcher watcher = TreeWatcher.start(env, fleet.root)) {
        watcher.catchUp(env.etcd.currentRevision());
        watcher.arm();
        watcher.expectFailover(java.util.Set.copyOf(doomed));
        k0 = System.nanoTime();
        for (String d : doomed) {
          fleet.kill(d);
        }
        long deadline = k0 + TimeUnit.SECONDS.toNanos(cfg.ttl * 4L + 60);
        while (watcher.failoverDoneNanos < 0 && System.nanoTime() < deadline) {
          BenchFleet.sleep(5);
        }
        revoked = watcher.victimGoneNanos < 0 ? Double.NaN : (watcher.victimGoneNanos - k0) / 1e9;
        newMasters = watcher.failoverDoneNanos < 0 ? Double.NaN : (watcher.failoverDoneNanos - k0) / 1e9;
        fleet.awaitFixpoint(k0 + TimeUnit.SECONDS.toNanos(cfg.capSeconds));
        watcher.catchUp(env.etcd.currentRevision());
        minEntries = watcher.minEntries;
        masterless = watcher.masterlessRevisions;
      }
      boolean restaffed = fleet.awaitFixpoint(k0 + TimeUnit.SECONDS.toNanos(cfg.capSeconds));
      double restaff = restaffed ? (fleet.lastEventNanos() - k0) / 1e9 : Double.NaN;
      long spreadAfter = zoneSpread(fleet.routes(), zoneOf, Math.min(R + 1, z - 1))[1];
      ZoneRow row = new ZoneRow(declared, n, m, z, reached, (t1 - t0) / 1e9, tx, writes, lost, spread, masterSpread,
          doomed.size(), revoked, newMasters, minEntries, masterless, restaff, fleet.actions() - a0, spreadAfter,
          z - 1);
      zoneRows.add(row);
      progress(String.format("  zone-0 killed (%d members): leases expired after %.2f s, every item mastered "
          + "outside it after %.2f s (min entries %d, masterless revisions %d), fully staffed after %.2f s, %d "
          + "writes; %d items over the %d zones left", doomed.size(), revoked, newMasters, minEntries, masterless,
          restaff,
          row.writesAfterLoss(), spreadAfter, z - 1));
    }
  }

  private static double cpuSeconds(long now, long before) {
    return now < 0 || before < 0 ? Double.NaN : (now - before) / 1e3;
  }

  /** Restarts {@code who} one after another (cancel, undeploy, deploy, fixpoint), watched revision by revision. */
  private RollRow roll(BenchEnv env, BenchFleet fleet, String mode, List<String> who) {
    progress((who.size() == 1 ? "restart of " + who.get(0) + " " : "rolling restart ") + mode);
    try (TreeWatcher watcher = TreeWatcher.start(env, fleet.root)) {
      watcher.catchUp(env.etcd.currentRevision());
      watcher.arm();
      long a0 = fleet.actions();
      TreeWatcher.Movement mv0 = watcher.movement();
      long t0 = System.nanoTime();
      double maxMember = 0;
      long handoffMax = 0;
      boolean finished = true;
      long held = 0;
      double maxPlacedRatio = 0;
      long maxWrites = 0;
      for (String m : who) {
        long tm = System.nanoTime();
        int holds = fleet.entriesOf(m);
        held += holds;
        watcher.catchUp(env.etcd.currentRevision());
        TreeWatcher.Movement before = watcher.movement();
        AllocatorVerticle old = fleet.cancelAndUndeploy(m);
        handoffMax = Math.max(handoffMax, old.stats().handoffMillis());
        fleet.deploy(m);
        if (!fleet.awaitFixpoint(tm + TimeUnit.SECONDS.toNanos(cfg.capSeconds))) {
          finished = false;
          break;
        }
        watcher.catchUp(env.etcd.currentRevision());
        TreeWatcher.Movement d = watcher.movement().minus(before);
        maxPlacedRatio = Math.max(maxPlacedRatio, holds == 0 ? 0 : (double) d.placements() / holds);
        maxWrites = Math.max(maxWrites, d.keyWrites());
        maxMember = Math.max(maxMember, (fleet.lastEventNanos() - tm) / 1e9);
      }
      long t1 = finished ? fleet.lastEventNanos() : System.nanoTime();
      watcher.catchUp(env.etcd.currentRevision());
      TreeWatcher.Movement mv = watcher.movement().minus(mv0);
      RollRow row = new RollRow(mode, fleet.items, fleet.memberNames.size(), finished, (t1 - t0) / 1e9, maxMember,
          fleet.actions() - a0, handoffMax, watcher.minEntries, watcher.masterlessRevisions,
          watcher.revisionsChecked, watcher.masterlessSamples(), who.size(), held, mv, maxPlacedRatio, maxWrites,
          cfg.graceSeconds);
      progress(String.format("  %s in %.2f s, %d writes, min entries %d, masterless revisions %d; %d entries held, "
              + "%d placements, %d releases, %d mastership changes, %d key writes",
          finished ? "rolled" : "NOT finished", row.seconds(), row.writes(), row.minEntries(), row.masterless(),
          held, mv.placements(), mv.releases(), mv.masterChanges(), mv.keyWrites()));
      return row;
    }
  }

  private void idle(BenchEnv env, BenchFleet fleet) {
    progress("idle " + cfg.idleSeconds + " s");
    long rev0 = env.etcd.currentRevision();
    long tx0 = fleet.transactions();
    long cpu0 = BenchEnv.jvmCpuMillis();
    long etcd0 = env.etcdCpuMillis();
    BenchFleet.sleep(cfg.idleSeconds * 1000L);
    IdleRow row = new IdleRow(fleet.items, fleet.memberNames.size(), cfg.idleSeconds,
        env.etcd.currentRevision() - rev0, fleet.transactions() - tx0, (BenchEnv.jvmCpuMillis() - cpu0) / 1e3,
        cpuSeconds(env.etcdCpuMillis(), etcd0));
    idles.add(row);
    progress(String.format("  %d revisions, %.2f s JVM CPU", row.revisions(), row.jvmCpu()));
  }

  private void failover(BenchEnv env, BenchFleet fleet) {
    progress("failover, lease TTL " + cfg.ttl + " s");
    try (TreeWatcher watcher = TreeWatcher.start(env, fleet.root)) {
      watcher.catchUp(env.etcd.currentRevision());
      String victim = fleet.memberNames.get(0);
      int mastered = watcher.expectFailover(victim);
      long a0 = fleet.actions();
      long rev0 = env.etcd.currentRevision();
      long tx0 = fleet.transactions();
      long txNanos0 = fleet.sum(st -> st.transactionNanos());
      long lost0 = fleet.lostRaces();
      long dec0 = fleet.sum(st -> st.decisions());
      long wu0 = fleet.sum(st -> st.watchUpdates());
      long sl0 = fleet.sum(st -> st.slices());
      long loops0 = eventLoopCpuNanos();
      long cpu0 = BenchEnv.jvmCpuMillis();
      long etcd0 = env.etcdCpuMillis();
      long t0 = System.nanoTime();
      long leaseId = fleet.kill(victim).leaseId();
      // What etcd still grants the victim's lease: failover cannot come sooner than that.
      long leaseLeft = env.callAsync(() -> env.conn.unary(LeaseGrpc.getLeaseTimeToLiveMethod(),
          LeaseTimeToLiveRequest.newBuilder().setID(leaseId).build())).getTTL();
      long deadline = t0 + TimeUnit.SECONDS.toNanos(cfg.ttl * 4L + 20);
      while (watcher.failoverDoneNanos < 0 && System.nanoTime() < deadline) {
        BenchFleet.sleep(5);
      }
      double revoked = watcher.victimGoneNanos < 0 ? Double.NaN : (watcher.victimGoneNanos - t0) / 1e9;
      double first = watcher.failoverFirstNanos < 0 ? Double.NaN : (watcher.failoverFirstNanos - t0) / 1e9;
      double failover = watcher.failoverDoneNanos < 0 ? Double.NaN : (watcher.failoverDoneNanos - t0) / 1e9;
      boolean restaffed = fleet.awaitFixpoint(t0 + TimeUnit.SECONDS.toNanos(cfg.capSeconds));
      double restaff = restaffed ? (fleet.lastEventNanos() - t0) / 1e9 : Double.NaN;
      if (!restaffed) {
        progress("  not restaffed: " + fleet.describe());
      }
      FailoverRow row = new FailoverRow(fleet.items, fleet.memberNames.size(), cfg.ttl, mastered, leaseLeft, revoked,
          first, failover, restaff,
          fleet.actions() - a0);
      failovers.add(row);
      if (restaffed) {
        // The victim's counters stop at the kill: the deltas are the survivors'.
        long txns = fleet.transactions() - tx0;
        refills.add(new RefillRow(fleet.items, fleet.memberNames.size(), cfg.batch, restaff - revoked,
            env.etcd.currentRevision() - rev0, txns,
            (fleet.sum(st -> st.transactionNanos()) - txNanos0) / 1e6 / Math.max(1, txns), fleet.actions() - a0,
            fleet.lostRaces() - lost0, fleet.sum(st -> st.decisions()) - dec0,
            fleet.sum(st -> st.watchUpdates()) - wu0, fleet.sum(st -> st.slices()) - sl0,
            (eventLoopCpuNanos() - loops0) / 1e9, (BenchEnv.jvmCpuMillis() - cpu0) / 1e3,
            cpuSeconds(env.etcdCpuMillis(), etcd0)));
      }
      progress(String.format("  new masters after %.2f s, fully staffed after %.2f s; longest loop work %s", failover,
          restaff, fleet.longestWork()));
    }
  }

  private static void progress(String s) {
    System.err.println("[bench] " + s);
  }

  // ------------------------------------------------------------------------ report

  private String report(Machine machine, double totalSeconds) {
    StringBuilder b = new StringBuilder();
    b.append("# etcd-allocator benchmark results (").append(cfg.size).append(")\n\n");
    b.append(machine.markdown());
    b.append(String.format("- sections: %s; suite wall time %.0f s%n", String.join(", ", cfg.only), totalSeconds));
    b.append(String.format("- R = %d; lease TTL %d s; members on one Vert.x in one JVM; etcd a child process on "
        + "loopback; item markers bulk-put beforehand (128 puts per txn)%n", R, cfg.ttl));
    b.append("- the machine is shared with other work (2 cores): figures are noisy, compare ratios and orders of "
        + "magnitude rather than single digits\n\n");

    b.append("## Converge\n\n");
    b.append("M members started together on an empty root with N item markers, until the fixpoint (every item R+1 "
        + "entries and every member's last event IDLE at etcd's current revision). Master spread = max - min "
        + "masters per member at the fixpoint (the design asks for <= 1). "
        + "Wall time = start of deployment to the last member event. Key writes = successful actions (creates + "
        + "updates + releases); etcd revisions also count the M member keys. CPU: this JVM (members + harness) "
        + "and the etcd process.\n\n");
    b.append("| mode | items | members | slots | wall s | txns | key writes | writes/slot | lost races "
        + "| etcd revisions | master spread | JVM CPU s | etcd CPU s |\n");
    b.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (ConvergeRow r : converge) {
      b.append(String.format("| %s | %,d | %d | %,d | %s | %,d | %,d | %.3f | %,d | %,d | %d | %.2f | %.2f |%n",
          r.mode(), r.items(), r.members(), r.slots(),
          r.finished() ? String.format("%.2f", r.seconds()) : String.format("did not finish in %.0f", r.seconds()),
          r.transactions(), r.writes(), r.writesPerSlot(), r.lostRaces(), r.revisions(), r.masterSpread(),
          r.jvmCpu(), r.etcdCpu()));
    }
    notRun.forEach(s -> b.append("\n- ").append(s));
    b.append("\n\nMember work while converging, summed over the members: watch updates applied (about revisions x "
        + "members), slices of update work, items re-derived (index and route of a touched item), decisions; "
        + "event-loop CPU = CPU time of this JVM's Vert.x event-loop threads (the members' work; the harness's own "
        + "context shares them and does little), GC = collection time and count of this JVM, loop MB = bytes the "
        + "event-loop threads allocated (ThreadMXBean#getThreadAllocatedBytes).\n\n");
    b.append("| mode | items | members | watch updates | slices | items re-derived | decisions | event-loop CPU s "
        + "| GC s | GCs | loop MB | loop CPU per watch update ms | loop CPU per item re-derived us "
        + "| loop bytes per item re-derived |\n");
    b.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (WorkRow w : work) {
      b.append(String.format("| %s | %,d | %d | %,d | %,d | %,d | %,d | %.2f | %.2f | %d | %,.0f | %.3f | %.1f | %,.0f |%n",
          w.mode(), w.items(), w.members(), w.watchUpdates(), w.slices(), w.itemsRederived(), w.decisions(),
          w.loopCpu(), w.gcPause(), w.gcCount(), w.loopBytes() / 1e6, w.loopCpu() * 1e3 / Math.max(1, w.watchUpdates()),
          w.loopCpu() * 1e6 / Math.max(1, w.itemsRederived()), (double) w.loopBytes() / Math.max(1, w.itemsRederived())));
    }
    b.append("\n## Seed-faithful vs batched\n\n");
    b.append("Ratios seed / batched for the same size (converge; rolling restart where run).\n\n");
    b.append("| phase | items | members | wall time | txns | key writes | JVM CPU |\n");
    b.append("|---|---:|---:|---:|---:|---:|---:|\n");
    for (ConvergeRow s : converge) {
      if (!s.mode().startsWith("seed")) {
        continue;
      }
      converge.stream().filter(x -> !x.mode().startsWith("seed") && x.items() == s.items()
          && x.members() == s.members()).findFirst().ifPresent(x -> b.append(String.format(
          "| converge | %,d | %d | %s | %s | %s | %s |%n", s.items(), s.members(),
          ratio(s.seconds(), x.seconds(), s.finished() && x.finished()),
          ratio(s.transactions(), x.transactions(), true), ratio(s.writes(), x.writes(), true),
          ratio(s.jvmCpu(), x.jvmCpu(), true))));
    }
    for (RollRow s : rolls) {
      if (!s.mode().startsWith("seed")) {
        continue;
      }
      rolls.stream().filter(x -> !x.mode().startsWith("seed") && x.items() == s.items()
          && x.members() == s.members()).findFirst().ifPresent(x -> b.append(String.format(
          "| rolling restart | %,d | %d | %s | - | %s | - |%n", s.items(), s.members(),
          ratio(s.seconds(), x.seconds(), s.finished() && x.finished()), ratio(s.writes(), x.writes(), true))));
    }

    b.append("\n## Rolling restart\n\n");
    b.append("From the converged fleet, each member in turn cancels (graceful hand-off), is undeployed and "
        + "rejoins; the next one starts once the fleet is back at the fixpoint. An independent watcher "
        + "(RetryWatcher + KeyTree + Items) checks every revision. Must hold: min entries >= R = " + R
        + ", no revision with a masterless item.\n\n");
    b.append("| mode | items | members | wall s | max s per member | key writes | writes per member "
        + "| longest hand-off ms | min entries | masterless revisions | revisions checked |\n");
    b.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (RollRow r : rolls) {
      b.append(String.format("| %s | %,d | %d | %s | %.2f | %,d | %.0f | %,d | %d | %d%s | %,d |%n", r.mode(),
          r.items(), r.members(), r.finished() ? String.format("%.2f", r.seconds())
              : String.format("did not finish in %.0f", r.seconds()),
          r.maxMemberSeconds(), r.writes(), (double) r.writes() / r.members(), r.handoffMaxMs(), r.minEntries(),
          r.masterless(), r.masterlessSamples().isEmpty() ? "" : " " + r.masterlessSamples(),
          r.revisionsChecked()));
    }

    b.append("\n## Movement\n\n");
    b.append("Restart of one member (cancel, undeploy, deploy again, fixpoint) and rolling restarts, counted from "
        + "etcd's own history by the independent watcher: placements = (item, member) pairs going from no entry "
        + "to an entry (a copy the application must load), releases = the reverse, mastership changes = items "
        + "whose first entry changed member, key writes = item key events. Held = entries the restarted member(s) "
        + "held before stopping; the physical minimum of placements for a restart without grace is the entries "
        + "held (they must come back), with grace 0; of mastership changes 2 x the masters held.\n\n");
    b.append("| phase | mode | items | members | grace s | held | placements | releases | mastership changes "
        + "| key writes | max placements / held per member | max key writes per member | min entries "
        + "| masterless revisions |\n");
    b.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    List<RollRow> moves = new ArrayList<>(restarts);
    moves.addAll(rolls);
    for (RollRow r : moves) {
      b.append(String.format("| %s | %s | %,d | %d | %d | %,d | %,d | %,d | %,d | %,d | %.2f | %,d | %d | %d |%n",
          r.restarted() == 1 ? "restart of one member" : "rolling restart", r.mode(), r.items(), r.members(),
          r.graceSeconds(), r.entriesHeld(), r.movement().placements(), r.movement().releases(),
          r.movement().masterChanges(), r.movement().keyWrites(), r.maxPlacedRatio(), r.maxKeyWritesPerMember(),
          r.minEntries(), r.masterless()));
    }

    b.append("\n## Idle\n\n");
    b.append("A converged fleet left alone (batched mode). Writes = etcd revisions during the window (target 0; "
        + "lease keep-alives do not write). CPU includes the harness JVM's own idle cost.\n\n");
    b.append("| items | members | seconds | etcd revisions | txns | JVM CPU s | JVM CPU % of one core "
        + "| etcd CPU s |\n");
    b.append("|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (IdleRow r : idles) {
      b.append(String.format("| %,d | %d | %d | %d | %d | %.2f | %.1f | %.2f |%n", r.items(), r.members(),
          r.seconds(), r.revisions(), r.transactions(), r.jvmCpu(), 100 * r.jvmCpu() / r.seconds(), r.etcdCpu()));
    }

    b.append("\n## Failover\n\n");
    b.append("One member killed without cancelling (kill(): lease left to expire). Time from the kill until "
        + "every item it mastered has another master (seen by an independent watcher), and until the fleet "
        + "is back at the fixpoint (all items min(R+1, members left) entries again). Lease left = the TTL etcd "
        + "still granted the victim's lease right after the kill; revoked = when etcd deleted the lease's keys "
        + "(the victim's member key vanished): failover needs no write, so new masters can only follow that.\n\n");
    b.append("| items | members | lease TTL s | items mastered by victim | lease left s | revoked after s "
        + "| first new master after s | all new masters after s | ratio to TTL | fully staffed after s "
        + "| writes to restaff |\n");
    b.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (FailoverRow r : failovers) {
      b.append(String.format("| %,d | %d | %d | %,d | %d | %.2f | %.2f | %.2f | %.2f | %.2f | %,d |%n", r.items(),
          r.members(), r.ttl(), r.mastered(), r.leaseLeftSeconds(), r.revokedSeconds(), r.firstSeconds(),
          r.failoverSeconds(), r.failoverSeconds() / r.ttl(), r.restaffSeconds(), r.writes()));
    }

    if (!refills.isEmpty()) {
      b.append("\nThe refill (the survivors' counters from the kill until fully staffed; seconds = from etcd "
          + "dropping the victim's lease until fully staffed, when the survivors work). Txn ms = mean time from sending a transaction to its answer; cycle ms = the window "
          + "divided by each survivor's transactions (one in flight at a time).\n\n");
      b.append("| items | members | maxBatch | seconds after the revoke | revisions | txns | txn ms | cycle ms per survivor "
          + "| writes | writes per txn | lost races | decisions | watch updates | slices | event-loop CPU s "
          + "| JVM CPU s | etcd CPU s |\n");
      b.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
      for (RefillRow r : refills) {
        double perSurvivor = (double) r.transactions() / Math.max(1, r.members() - 1);
        b.append(String.format("| %,d | %d | %d | %.2f | %,d | %,d | %.1f | %.1f | %,d | %.1f | %,d | %,d | %,d "
            + "| %,d | %.2f | %.2f | %.2f |%n", r.items(), r.members(), r.batch(), r.seconds(), r.revisions(),
            r.transactions(), r.txnMillisMean(), r.seconds() * 1e3 / Math.max(1, perSurvivor), r.writes(),
            (double) r.writes() / Math.max(1, r.transactions()), r.lostRaces(), r.decisions(), r.watchUpdates(),
            r.slices(), r.loopCpu(), r.jvmCpu(), r.etcdCpu()));
      }
    }

    b.append("\n## Decision cost\n\n");
    b.append("Pure logic, no etcd: a synthetic tree of N items x 3 entries (+ markers, 10 member keys) seen by "
        + "one member holding 3N/10 entries. One watch event = one Changes of 1 key touching 1 item: "
        + "KeyTree.apply + AllocationIndex.apply + AllocationDecider.decide (maxBatch 64; stale-state rules "
        + "over the changed items, as the verticle does). State-check tick = one decide that re-reads every "
        + "held item's local state (once per stateCheckMillis, default 1 s). Heap: used heap "
        + "after System.gc() before/after building (best effort).\n\n");
    b.append("| items | keys | tree heap MB | index heap MB | snapshot build ms | index rebuild ms | events "
        + "| tree us/event | index us/event | decide us/event | total us/event | state-check tick us |\n");
    b.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (DecisionCost.Result r : decisions) {
      b.append(String.format("| %,d | %,d | %.1f | %.1f | %.0f | %.0f | %,d | %.2f | %.2f | %.2f | %.2f | %.0f |%n",
          r.items(), r.keys(), r.treeMb(), r.indexMb(), r.snapshotMs(), r.rebuildMs(), r.events(), r.treeUs(),
          r.indexUs(), r.decideUs(), r.totalUs(), r.fullCheckUs()));
    }
    if (decisions.size() >= 2) {
      DecisionCost.Result small = decisions.get(0);
      DecisionCost.Result big = decisions.get(decisions.size() - 1);
      b.append(String.format("%nPer-event cost at %,d items / at %,d items: %.2f (items ratio %.0f; a full "
          + "rebuild scales %.1fx).%n", big.items(), small.items(), big.totalUs() / small.totalUs(),
          (double) big.items() / small.items(), big.rebuildMs() / small.rebuildMs()));
    }

    if (!zoneRows.isEmpty()) {
      b.append("\n## Zones\n\n");
      b.append("N items x R = ").append(R).append(" over M members in Z zones (member i in zone i mod Z), batched "
          + "(maxBatch=64), started together until the fixpoint. Spread = items with every copy in its own zone. "
          + "Then every member of zone-0 is killed at once (no revoke), watched by an independent watcher: expired "
          + "= until etcd deleted their member keys (lease expiry), new masters = until every item they mastered "
          + "has another master (failover itself needs no write), min entries / masterless revisions = the fewest "
          + "entries of any item and the revisions with an item without entries, from the kill to the fixpoint, "
          + "re-staffed = until the fixpoint "
          + "(every item R+1 entries, every member idle); 'over the zones left' = items spanning all Z-1 zones. "
          + "Zones 'not declared' = the same fleet with no zone in its config: the spread of chance.\n\n");
      b.append("| zones in config | items | members | zones | converge s | txns | key writes | lost races | spread | master spread "
          + "| killed | expired s | new masters s | min entries | masterless revisions | re-staffed s | writes after loss | over the zones left |\n");
      b.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
      for (ZoneRow r : zoneRows) {
        b.append(String.format("| %s | %,d | %d | %d | %s | %,d | %,d | %,d | %,d of %,d | %d | %d | %.2f | %.2f | %d | %,d | %.2f "
                + "| %,d | %,d of %,d |%n", r.declared() ? "declared" : "not declared", r.items(), r.members(), r.zones(),
            r.converged() ? String.format("%.2f", r.convergeSeconds()) : "did not finish",
            r.transactions(), r.writes(), r.lostRaces(), r.spread(), r.items(), r.masterSpread(), r.killed(),
            r.revokedSeconds(), r.newMastersSeconds(), r.minEntries(), r.masterlessRevisions(), r.restaffSeconds(), r.writesAfterLoss(), r.spreadAfterLoss(), r.items()));
      }
    }
    b.append("\n## Targets\n\n");
    b.append("Reported, not asserted.\n\n| target | figure | met |\n|---|---|---|\n");
    ConvergeRow big = converge.stream().filter(r -> !r.mode().startsWith("seed") && r.items() == 10_000
        && r.members() == 10).findFirst().orElse(null);
    if (big == null) {
      b.append("| converge 10,000 items x R=2 over 10 members: <= 1.2 writes/slot | not run at this size | - |\n");
      b.append("| converge 10,000 items x R=2 over 10 members: <= 10 s | not run at this size | - |\n");
    } else {
      b.append(String.format("| converge 10,000 x R=2 x 10 members: <= 1.2 writes/slot | %.3f | %s |%n",
          big.writesPerSlot(), yes(big.finished() && big.writesPerSlot() <= 1.2)));
      b.append(String.format("| converge 10,000 x R=2 x 10 members: <= 10 s | %.2f s | %s |%n",
          big.seconds(), yes(big.finished() && big.seconds() <= 10)));
    }
    for (IdleRow r : idles) {
      b.append(String.format("| idle writes = 0 (%,d items, %d s) | %d | %s |%n", r.items(), r.seconds(),
          r.revisions(), yes(r.revisions() == 0)));
    }
    for (FailoverRow r : failovers) {
      b.append(String.format("| failover <= TTL + 1 s (TTL %d s) | %.2f s | %s |%n", r.ttl(), r.failoverSeconds(),
          yes(r.failoverSeconds() <= r.ttl() + 1)));
    }
    for (RollRow r : rolls) {
      b.append(String.format("| rolling restart %s %,d x %d: min entries >= R, no masterless revision "
          + "| min %d, masterless %d | %s |%n", r.mode(), r.items(), r.members(), r.minEntries(), r.masterless(),
          yes(r.minEntries() >= R && r.masterless() == 0)));
    }
    decisions.stream().filter(r -> r.items() == 100_000).findFirst().ifPresent(r -> b.append(String.format(
        "| tree of 100k items x 3 entries <= 100 MB heap | %.1f MB (+ %.1f MB index) | %s |%n", r.treeMb(),
        r.indexMb(), yes(r.treeMb() <= 100))));
    if (decisions.size() >= 2) {
      DecisionCost.Result small = decisions.get(0);
      DecisionCost.Result large = decisions.get(decisions.size() - 1);
      double ratio = large.totalUs() / small.totalUs();
      b.append(String.format("| watch event work proportional to touched items (1 item per event) "
          + "| %.2fx per-event time for %.0fx items | %s |%n", ratio, (double) large.items() / small.items(),
          yes(ratio <= 3)));
    }
    return b.toString();
  }

  private static String yes(boolean b) {
    return b ? "yes" : "**no**";
  }

  private static String ratio(double a, double b, boolean valid) {
    if (!valid || b <= 0) {
      return "n/a";
    }
    return String.format(Locale.ROOT, "%.2f", a / b);
  }

  /** Machine, versions, date and commit for the report header. */
  record Machine(String date, int cpus, String memory, String java, String etcd, String os, String commit,
                 String load) {
    static Machine describe() {
      return new Machine(ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME),
          Runtime.getRuntime().availableProcessors(), memTotal(),
          System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"),
          firstLine(exec(etcdBinary(), "--version")), firstLine(exec("uname", "-srm")), gitCommit(),
          read("/proc/loadavg"));
    }

    String markdown() {
      return String.format("- date: %s%n- commit: %s%n- machine: %d CPUs (nproc), %s memory, %s%n- java: %s%n"
          + "- etcd: %s%n- load average at start: %s%n", date, commit, cpus, memory, os, java, etcd, load);
    }

    private static String etcdBinary() {
      String env = System.getenv("ETCD_BIN");
      return env != null && !env.isBlank() ? env : "etcd";
    }

    private static String gitCommit() {
      String head = exec("git", "rev-parse", "--short", "HEAD").trim();
      String dirty = exec("git", "status", "--porcelain", "--untracked-files=no").trim();
      return head.isEmpty() ? "unknown" : head + (dirty.isEmpty() ? "" : " (with uncommitted changes)");
    }

    private static String memTotal() {
      for (String l : read("/proc/meminfo").split("\n")) {
        if (l.startsWith("MemTotal:")) {
          long kb = Long.parseLong(l.replaceAll("[^0-9]", ""));
          return String.format("%.1f GiB", kb / 1024.0 / 1024.0);
        }
      }
      return "unknown";
    }

    private static String read(String file) {
      try {
        return Files.readString(Path.of(file)).trim();
      } catch (IOException e) {
        return "unknown";
      }
    }

    private static String firstLine(String s) {
      return s.lines().findFirst().orElse("unknown");
    }

    private static String exec(String... cmd) {
      try {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(10, TimeUnit.SECONDS);
        return p.exitValue() == 0 ? out : "";
      } catch (IOException | RuntimeException e) {
        return "";
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return "";
      }
    }
  }
}
