package io.consensus.bench;

import io.consensus.examples.ItemServer;
import io.consensus.internal.route.Keys;
import io.consensus.tree.KeyValue;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The loading throttle ({@code maxLoadingEntries}) with the example application, whose loads
 * take {@code warmupMillis} each: peak entries not yet ready per member and time to converge
 * (every item R+1 ready entries, masters within one), for a cold start of 4 members and then the
 * join of a fifth, with and without the throttle. One JVM, one etcd; the states are sampled from
 * etcd every 20 ms.
 *
 * <p>{@code mvn -B -o -q test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=io.consensus.bench.LoadingThrottleBench -Dexec.args="ITEMS WARMUP_MS LIMIT..."}
 */
public final class LoadingThrottleBench {
  static final String ROOT = "/bench/loading";
  static final int REPLICAS = 2;

  public static void main(String[] args) throws Exception {
    int items = args.length > 0 ? Integer.parseInt(args[0]) : 600;
    long warmup = args.length > 1 ? Long.parseLong(args[1]) : 100;
    List<Integer> limits = new ArrayList<>();
    limits.add(null);
    for (int i = 2; i < args.length; i++) {
      limits.add(Integer.parseInt(args[i]));
    }
    System.out.printf(Locale.ROOT, "%d items x R=%d, loads of %d ms each (example ItemServer)%n", items, REPLICAS,
        warmup);
    System.out.println("| maxLoadingEntries | phase | converge ms | peak loading per member |");
    System.out.println("| --- | --- | ---: | --- |");
    for (Integer limit : limits) {
      run(items, warmup, limit);
    }
    System.exit(0);
  }

  static void run(int n, long warmup, Integer limit) {
    BenchEnv env = new BenchEnv();
    Vertx vertx = Vertx.vertx();
    try {
      List<String> items = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        items.add(String.format(Locale.ROOT, "i%05d", i));
      }
      long t0 = System.nanoTime();
      for (int m = 1; m <= 4; m++) {
        deploy(env, vertx, "m" + m, items, warmup, limit);
      }
      Map<String, Integer> peak = awaitConverged(env, n, 4);
      print(limit, "cold start of 4", t0, peak);
      t0 = System.nanoTime();
      deploy(env, vertx, "m5", items, warmup, limit);
      peak = awaitConverged(env, n, 5);
      print(limit, "join of a 5th", t0, peak);
    } finally {
      BenchEnv.await(vertx.close());
      env.close();
    }
  }

  static void deploy(BenchEnv env, Vertx vertx, String member, List<String> items, long warmup, Integer limit) {
    io.consensus.verticle.AllocatorOptions o = new io.consensus.verticle.AllocatorOptions()
        .setEndpoints(env.etcd.endpoints()).setRoot(ROOT).setMember(member).setReplicas(REPLICAS).setItems(items)
        .setStateCheckMillis(50).setHandoffTimeoutSeconds(0).setMaxLoadingEntries(limit);
    BenchEnv.await(vertx.deployVerticle(new ItemServer(o, warmup)));
  }

  static void print(Integer limit, String phase, long t0, Map<String, Integer> peak) {
    System.out.printf(Locale.ROOT, "| %s | %s | %d | %s |%n", limit == null ? "unlimited" : limit, phase,
        (System.nanoTime() - t0) / 1_000_000, new TreeMap<>(peak));
  }

  /** Samples etcd until converged: the peak count of entries not "ready" per member. */
  static Map<String, Integer> awaitConverged(BenchEnv env, int n, int members) {
    Keys keys = new Keys(ROOT);
    Map<String, Integer> peak = new HashMap<>();
    long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
    while (System.nanoTime() < deadline) {
      Map<String, Integer> loading = new HashMap<>();
      Map<String, Integer> masters = new HashMap<>();
      Map<String, List<KeyValue>> byItem = new HashMap<>();
      Map<String, KeyValue> firstOf = new HashMap<>();
      Map<String, String> masterOf = new HashMap<>();
      for (KeyValue kv : env.range(keys.itemsPrefix())) {
        String[] p = kv.key().substring(keys.itemsPrefix().length()).split("/");
        if (p.length < 2) {
          continue;
        }
        byItem.computeIfAbsent(p[0], k -> new ArrayList<>()).add(kv);
        loading.merge(p[1], "ready".equals(kv.value()) ? 0 : 1, Integer::sum);
        KeyValue first = firstOf.get(p[0]);
        if (first == null || kv.createRevision() < first.createRevision()) {
          firstOf.put(p[0], kv);
          masterOf.put(p[0], p[1]);
        }
      }
      loading.forEach((m, c) -> peak.merge(m, c, Math::max));
      boolean done = byItem.size() == n;
      for (List<KeyValue> entries : byItem.values()) {
        done &= entries.size() == REPLICAS + 1 && entries.stream().allMatch(e -> "ready".equals(e.value()));
      }
      masterOf.values().forEach(m -> masters.merge(m, 1, Integer::sum));
      done &= masters.size() == members
          && masters.values().stream().mapToInt(i -> i).max().orElse(0)
          - masters.values().stream().mapToInt(i -> i).min().orElse(0) <= 1;
      if (done) {
        return peak;
      }
      try {
        Thread.sleep(20); // the sampling period: time itself is what is measured here
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    throw new IllegalStateException("no convergence within 10 minutes");
  }
}
