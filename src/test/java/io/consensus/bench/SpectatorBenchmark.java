package io.consensus.bench;

import static io.consensus.internal.etcd.EtcdKeys.bytes;

import io.consensus.route.RoutingTable;
import io.consensus.spectator.RoutingTableOptions;
import io.consensus.spectator.RoutingTableVerticle;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.LeaseGrantRequest;
import io.etcd.jetcd.api.LeaseGrpc;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.RequestOp;
import io.etcd.jetcd.api.TxnRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A spectator ({@link RoutingTableVerticle}) following a fleet of N items x (R+1) entries over
 * four members written straight to a real etcd: its catch-up time from the first snapshot, the
 * time to apply the revision in which one member's lease is revoked (N/2 entries deleted at
 * once, as after a crash), the time to publish a member's metadata change to its N/2 items,
 * the cost of {@code mastersOf}/{@code itemsOf}, the most its event loop was late throughout
 * (a 5 ms timer on the spectator's only event loop; over 50 ms is a stall) and the most CPU one
 * slice of the spectator's work took (what the spectator itself adds to that lag; the rest is
 * the watch's decoding, GC and the machine's other load).
 *
 * <p>{@code MAVEN_OPTS=-Xmx1g mvn -B -o -q -DskipTests test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=io.consensus.bench.SpectatorBenchmark [-Dexec.args=100000]}
 */
public final class SpectatorBenchmark {
  private static final int MEMBERS = 4;
  private static final int TXN_OPS = 128;
  private static final String ROOT = "/bench/spectator";

  public static void main(String[] args) throws Exception {
    BenchEnv.quietLogs();
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    System.out.printf("spectator benchmark: %,d items x 2 entries over %d members, %d CPUs, -Xmx %d MiB%n",
        n, MEMBERS, Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
    try (BenchEnv env = new BenchEnv()) {
      long[] leases = new long[MEMBERS];
      for (int m = 0; m < MEMBERS; m++) {
        leases[m] = env.callAsync(() -> env.conn.unary(LeaseGrpc.getLeaseGrantMethod(),
            LeaseGrantRequest.newBuilder().setTTL(3600).build())).getID();
        env.bulkPut(List.of(ROOT + "/members/m" + m), "{\"host\":\"10.0.0." + m + "\",\"port\":9000}");
      }
      long writeStart = System.nanoTime();
      List<String[]> batch = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        String item = String.format("item-%07d", i);
        batch.add(new String[] {ROOT + "/items/" + item + "/m" + i % MEMBERS, Integer.toString(i % MEMBERS)});
        batch.add(new String[] {ROOT + "/items/" + item + "/m" + (i + 1) % MEMBERS, Integer.toString((i + 1) % MEMBERS)});
        if (batch.size() >= TXN_OPS) {
          putOnLeases(env, batch, leases);
          batch.clear();
        }
      }
      putOnLeases(env, batch, leases);
      System.out.printf("wrote %,d entries in %.1f s%n", 2L * n, (System.nanoTime() - writeStart) / 1e9);

      // One event loop: the spectator and the lag probe share it.
      Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
      AtomicLong maxLagMillis = new AtomicLong();
      AtomicLong lateTicks = new AtomicLong();
      long[] last = {System.nanoTime()};
      vertx.runOnContext(v -> vertx.setPeriodic(5, t -> {
        long now = System.nanoTime();
        long lag = (now - last[0]) / 1_000_000 - 5;
        last[0] = now;
        maxLagMillis.accumulateAndGet(lag, Math::max);
        if (lag > 50) {
          lateTicks.incrementAndGet();
        }
      }));
      AtomicInteger published = new AtomicInteger();
      RoutingTableVerticle spectator = new RoutingTableVerticle(new RoutingTableOptions()
          .setEndpoints(env.etcd.endpoints()).setRoot(ROOT).setReplicas(1));
      spectator.onChange(c -> published.incrementAndGet());

      long t0 = System.nanoTime();
      await(vertx.deployVerticle(spectator));
      awaitCaughtUp(spectator);
      RoutingTable t = spectator.table();
      report("catch-up (snapshot)", t0, maxLagMillis, published, spectator);
      System.out.printf("  table at revision %d: %s%n", t.revision(), t.counters().toJson().encode());

      maxLagMillis.set(0);
      published.set(0);
      long t1 = System.nanoTime();
      env.revoke(leases[0]); // one revision: every entry of m0 deleted
      long rev = env.etcd.currentRevision();
      t = await(spectator.awaitRevision(rev));
      awaitCaughtUp(spectator);
      report("lease revoked (" + (n / 2) + " deletes in 1 revision)", t1, maxLagMillis, published, spectator);
      System.out.printf("  counters: %s%n", t.counters().toJson().encode());

      maxLagMillis.set(0);
      published.set(0);
      long t2 = System.nanoTime();
      env.bulkPut(List.of(ROOT + "/members/m1"), "{\"host\":\"10.0.1.1\",\"port\":9000}");
      t = await(spectator.awaitRevision(env.etcd.currentRevision()));
      awaitCaughtUp(spectator);
      report("metadata of m1 changed", t2, maxLagMillis, published, spectator);

      long t3 = System.nanoTime();
      int calls = 10_000;
      long sum = 0;
      for (int i = 0; i < calls; i++) {
        sum += t.mastersOf("m" + (1 + i % 3)).size() + t.itemsOf("m" + (1 + i % 3)).size();
      }
      System.out.printf("mastersOf + itemsOf: %.2f us per pair of calls (sizes sum %d)%n",
          (System.nanoTime() - t3) / 1e3 / calls, sum / calls);
      System.out.printf("total ticks over 50 ms late: %d%n", lateTicks.get());
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  private static void report(String what, long startNanos, AtomicLong maxLag, AtomicInteger published,
      RoutingTableVerticle spectator) {
    System.out.printf("%-45s %7.0f ms, max loop lag %4d ms, longest slice so far %.1f ms CPU, route changes published %,d%n",
        what, (System.nanoTime() - startNanos) / 1e6, maxLag.get(), spectator.maxSliceCpuMillis(), published.get());
  }

  private static void putOnLeases(BenchEnv env, List<String[]> batch, long[] leases) {
    if (batch.isEmpty()) {
      return;
    }
    TxnRequest.Builder txn = TxnRequest.newBuilder();
    for (String[] kv : batch) {
      txn.addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(bytes(kv[0]))
          .setValue(bytes("ready")).setLease(leases[Integer.parseInt(kv[1])])));
    }
    TxnRequest req = txn.build();
    env.callAsync(() -> env.conn.unary(KVGrpc.getTxnMethod(), req));
  }

  /** Polls until the spectator has applied and published everything its watch delivered. */
  private static void awaitCaughtUp(RoutingTableVerticle spectator) throws InterruptedException {
    while (!spectator.isCaughtUp()) {
      Thread.sleep(1); // a benchmark's poll: 1 ms of resolution on the figures
    }
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(600, TimeUnit.SECONDS);
  }
}
