package io.consensus.bench;

import static io.consensus.bench.BenchEnv.await;

import io.consensus.internal.route.Items;
import io.consensus.route.Route;
import io.consensus.tree.KeyTree;
import io.consensus.verticle.AllocatorEvent;
import io.consensus.verticle.AllocatorOptions;
import io.consensus.verticle.AllocatorVerticle;
import io.consensus.verticle.Crashes;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;

/**
 * M allocator members (real {@link AllocatorVerticle}s on the shared Vert.x) over N item
 * markers under a fresh root, with the last event of every member time-stamped so that the
 * moment of the fixpoint is known without depending on the polling interval.
 */
final class BenchFleet implements AutoCloseable {
  record Stamp(AllocatorEvent event, long nanos) {
  }

  private record Live(AllocatorVerticle verticle, String deployment) {
  }

  final BenchEnv env;
  final String root;
  final int items;
  final int replicas;
  final int maxBatch;
  final int leaseTtl;
  final int graceSeconds;
  final List<String> memberNames;
  private final Map<String, Live> live = new LinkedHashMap<>();
  /** Every verticle ever deployed (departed ones too): their counters stay part of the totals. */
  private final List<AllocatorVerticle> everyone = new CopyOnWriteArrayList<>();
  private final Map<AllocatorVerticle, Stamp> last = new ConcurrentHashMap<>();

  BenchFleet(BenchEnv env, String root, int items, int replicas, int members, int maxBatch, int leaseTtl,
      int graceSeconds) {
    this.graceSeconds = graceSeconds;
    this.env = env;
    this.root = root;
    this.items = items;
    this.replicas = replicas;
    this.maxBatch = maxBatch;
    this.leaseTtl = leaseTtl;
    this.memberNames = IntStream.range(0, members).mapToObj(i -> String.format("m%02d", i)).toList();
  }

  /** Puts the N item markers in bulk (before any member starts). */
  void putMarkers() {
    List<String> keys = IntStream.range(0, items).mapToObj(i -> root + "/items/" + String.format("item-%05d", i)).toList();
    env.bulkPut(keys, "");
  }

  /** The zone of each member (null: none); set before the members start. */
  java.util.function.Function<String, String> zoneOf = m -> null;

  AllocatorOptions options(String member) {
    return new AllocatorOptions().setZone(zoneOf.apply(member)).setEndpoints(env.etcd.endpoints()).setRoot(root).setMember(member)
        .setReplicas(replicas).setMaxBatch(maxBatch).setLeaseTtlSeconds(leaseTtl).setHandoffTimeoutSeconds(120)
        .setRestartGraceSeconds(graceSeconds);
  }

  /** Deploys every member at once and waits until all have joined. */
  void startAll() {
    List<Future<?>> all = new ArrayList<>();
    for (String m : memberNames) {
      all.add(deployAsync(m));
    }
    await(Future.all(all));
  }

  AllocatorVerticle deploy(String member) {
    return await(deployAsync(member));
  }

  private Future<AllocatorVerticle> deployAsync(String member) {
    AllocatorVerticle v = new AllocatorVerticle(options(member));
    v.onEvent(e -> last.put(v, new Stamp(e, System.nanoTime())));
    everyone.add(v);
    return env.vertx.deployVerticle(v).map(id -> {
      synchronized (live) {
        live.put(member, new Live(v, id));
      }
      return v;
    });
  }

  AllocatorVerticle member(String name) {
    synchronized (live) {
      return live.get(name).verticle();
    }
  }

  private List<Live> liveList() {
    synchronized (live) {
      return new ArrayList<>(live.values());
    }
  }

  /** Graceful exit of {@code member}: cancel, wait for its hand-off to finish, undeploy. */
  AllocatorVerticle cancelAndUndeploy(String member) {
    Live l;
    synchronized (live) {
      l = live.get(member);
    }
    // With a restart grace the member stops for a restart (its replicas wait for it), else it leaves.
    await(graceSeconds > 0 ? l.verticle().restart() : l.verticle().cancel());
    await(env.vertx.undeploy(l.deployment()));
    synchronized (live) {
      live.remove(member);
    }
    return l.verticle();
  }

  /** Crash of {@code member}: stops it without revoking its lease. */
  AllocatorVerticle kill(String member) {
    Live l;
    synchronized (live) {
      l = live.remove(member);
    }
    await(Crashes.crash(l.verticle()));
    env.vertx.undeploy(l.deployment());
    return l.verticle();
  }

  long actions() {
    return everyone.stream().mapToLong(v -> v.stats().actions()).sum();
  }

  long transactions() {
    return everyone.stream().mapToLong(v -> v.stats().transactions()).sum();
  }

  /** {@code stat} summed over every member ever deployed. */
  long sum(java.util.function.ToLongFunction<io.consensus.verticle.AllocatorStats> stat) {
    return everyone.stream().mapToLong(v -> stat.applyAsLong(v.stats())).sum();
  }

  /**
   * The longest piece of work on any member's allocator loop since its start, as its health last
   * showed: "wall ms (CPU ms, kind); allocator loop lag max ms".
   */
  String longestWork() {
    io.consensus.verticle.LoopWork w = io.consensus.verticle.LoopWork.NONE;
    long lag = 0;
    for (AllocatorVerticle v : everyone) {
      io.consensus.verticle.AllocatorHealth h = v.health();
      if (h.loopWork().maxMillis() > w.maxMillis()) {
        w = h.loopWork();
      }
      lag = Math.max(lag, h.allocatorLoopLag().maxMillis());
    }
    return String.format("%.1f ms (%.1f ms CPU, %s); lag max %d ms", w.maxMillis(), w.maxCpuMillis(), w.longest(), lag);
  }

  long lostRaces() {
    return everyone.stream().mapToLong(v -> v.stats().lostRaces()).sum();
  }

  /** Whether every live member's last event is IDLE at etcd's current revision. */
  boolean quiet() {
    long rev = env.etcd.currentRevision();
    for (Live l : liveList()) {
      Stamp s = last.get(l.verticle());
      if (s == null || s.event().kind() != AllocatorEvent.Kind.IDLE || s.event().revision() != rev) {
        return false;
      }
    }
    return true;
  }

  /** The latest event time of any live member (the fixpoint moment once {@link #quiet()}). */
  long lastEventNanos() {
    long max = 0;
    for (Live l : liveList()) {
      Stamp s = last.get(l.verticle());
      if (s != null) {
        max = Math.max(max, s.nanos());
      }
    }
    return max;
  }

  /** The truth: every item's route as etcd holds it now. */
  Map<String, Route> routes() {
    KeyTree t = KeyTree.fromSnapshot(root, 0, env.range(root + "/"));
    Map<String, Route> out = new TreeMap<>();
    Items.walk(t, List.of(), out::put);
    return out;
  }

  /** Entries {@code member} holds in etcd now. */
  int entriesOf(String member) {
    return (int) routes().values().stream().filter(r -> r.index(member) >= 0).count();
  }

  /** Masters per live member, max - min, at the last {@link #isFixpoint} check. */
  volatile int masterSpread = -1;

  /** Entries and masters per member and the items short of entries, for diagnostics. */
  String describe() {
    Map<String, Route> routes = routes();
    Map<String, int[]> per = new TreeMap<>();
    List<String> shortItems = new ArrayList<>();
    int wanted = Math.min(replicas + 1, liveList().size());
    for (Route r : routes.values()) {
      for (int i = 0; i < r.size(); i++) {
        int[] c = per.computeIfAbsent(r.entries().get(i).member(), k -> new int[2]);
        c[1]++;
        if (i == 0) {
          c[0]++;
        }
      }
      if (r.size() != wanted && shortItems.size() < 20) {
        shortItems.add(r.item() + r.entries().stream().map(e -> e.member()).toList());
      }
    }
    StringBuilder b = new StringBuilder("masters/entries per member:");
    per.forEach((m, c) -> b.append(' ').append(m).append('=').append(c[0]).append('/').append(c[1]));
    return b.append("; items not at ").append(wanted).append(" entries: ").append(shortItems).toString();
  }

  /**
   * Every item has R+1 entries (or one per member when fewer members are left). The spread of masters per live member is recorded in
   * {@link #masterSpread} rather than required: the protocol's targets are ceil(N/M) for every
   * member, so e.g. 100 items over 3 members may settle at 34/34/32 (nobody above target, no
   * item without a master) and no rule moves a master from there.
   */
  boolean isFixpoint(Map<String, Route> routes) {
    if (routes.size() != items) {
      return false;
    }
    Map<String, Integer> masters = new TreeMap<>();
    List<Live> members = liveList();
    members.forEach(l -> masters.put(l.verticle().member(), 0));
    int wanted = Math.min(replicas + 1, members.size());
    for (Route r : routes.values()) {
      if (r.size() != wanted) {
        return false;
      }
      masters.merge(r.master().member(), 1, Integer::sum);
    }
    int min = masters.values().stream().mapToInt(i -> i).min().orElse(0);
    int max = masters.values().stream().mapToInt(i -> i).max().orElse(0);
    masterSpread = max - min;
    return true;
  }

  /**
   * Waits (polling every 25 ms) until the fleet is quiet and etcd's routes are a fixpoint;
   * false when {@code deadlineNanos} passes first.
   */
  boolean awaitFixpoint(long deadlineNanos) {
    while (System.nanoTime() < deadlineNanos) {
      if (quiet() && isFixpoint(routes()) && quiet()) {
        return true;
      }
      sleep(25);
    }
    return false;
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Tears down fast: kill every member, revoke their leases, delete the root, compact. */
  @Override
  public void close() {
    for (Live l : liveList()) {
      try {
        await(Crashes.crash(l.verticle()));
      } catch (RuntimeException e) {
        // best effort
      }
    }
    for (AllocatorVerticle v : everyone) {
      env.revoke(v.leaseId());
    }
    for (Live l : liveList()) {
      try {
        await(env.vertx.undeploy(l.deployment()));
      } catch (RuntimeException e) {
        // already stopped
      }
    }
    synchronized (live) {
      live.clear();
    }
    env.etcd.deletePrefix(root + "/");
    try {
      env.etcd.compact();
    } catch (java.io.UncheckedIOException e) {
      // Only keeps etcd small between fleets; at 100,000 items it can outlast the gateway's timeout.
      System.err.println("[bench] compaction after " + root + " failed (" + e.getMessage() + "); going on");
    }
  }
}
