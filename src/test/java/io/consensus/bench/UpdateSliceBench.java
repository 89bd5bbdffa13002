package io.consensus.bench;

import static io.consensus.internal.etcd.EtcdKeys.bytes;

import io.consensus.verticle.AllocatorOptions;
import io.consensus.verticle.AllocatorVerticle;
import io.consensus.verticle.Crashes;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.LeaseGrantRequest;
import io.etcd.jetcd.api.LeaseGrpc;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.RequestOp;
import io.etcd.jetcd.api.TxnRequest;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How long one member's update work holds its event loop at scale: 100,000 items x R=2 whose
 * entries three idle fake members hold (375,000 keys), one real member joining (its first
 * snapshot), then one fake member's lease revoked (75,000 entries and its member key deleted
 * in one revision), then one request for its whole route table. Prints the longest slice of
 * update work, slices of 50 ms or more, and the
 * lateness of a 10 ms timer on the member's own event loop (what a keep-alive on that loop
 * would have suffered). Figures, not a test:
 *
 * <pre>
 *   mvn -B -o -q test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.consensus.bench.UpdateSliceBench [-Dexec.args="100000"]
 * </pre>
 */
public final class UpdateSliceBench {
  private UpdateSliceBench() {
  }

  public static void main(String[] args) throws Exception {
    BenchEnv.quietLogs();
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    String root = "/slices";
    try (BenchEnv env = new BenchEnv()) {
      long[] leases = new long[3];
      for (int i = 0; i < 3; i++) {
        leases[i] = env.callAsync(() -> env.conn.unary(LeaseGrpc.getLeaseGrantMethod(),
            LeaseGrantRequest.newBuilder().setTTL(3600).build())).getID();
      }
      List<PutRequest> puts = new ArrayList<>();
      for (int f = 0; f < 3; f++) {
        puts.add(put(root + "/members/x" + (f + 1), leases[f]));
      }
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        String item = root + "/items/" + String.format("item-%06d", i);
        puts.add(put(item, 0));
        if (i % 4 != 0) {
          puts.add(put(item + "/x1", leases[0]));
        }
        puts.add(put(item + "/x2", leases[1]));
        puts.add(put(item + "/x3", leases[2]));
        if (puts.size() >= 124) {
          flush(env, puts);
        }
      }
      flush(env, puts);
      long keys = 3 + n + (n - (n + 3) / 4) + 2L * n;
      System.out.printf("keyspace: %,d items, %,d keys written in %.1f s%n", n, keys, (System.nanoTime() - t0) / 1e9);

      AllocatorOptions o = new AllocatorOptions().setEndpoints(env.etcd.endpoints()).setRoot(root).setMember("m")
          .setReplicas(2).setMaxBatch(64).setLeaseTtlSeconds(5);
      AllocatorVerticle m = new AllocatorVerticle(o);
      long joinStart = System.nanoTime();
      BenchEnv.await(env.vertx.deployVerticle(m));
      double joinSeconds = (System.nanoTime() - joinStart) / 1e9;
      Context mctx = BenchEnv.await(m.inspect(t -> Vertx.currentContext()));
      AtomicLong maxLateNanos = new AtomicLong();
      long[] last = {System.nanoTime()};
      mctx.runOnContext(v -> env.vertx.setPeriodic(10, id -> {
        long now = System.nanoTime();
        maxLateNanos.accumulateAndGet(now - last[0] - 10_000_000L, Math::max);
        last[0] = now;
      }));
      System.out.printf("join (first snapshot of %,d keys applied): %.2f s; slices %d, longest %.1f ms "
          + "(%.1f ms of CPU), slices >= 50 ms: %d, lease losses %d%n", keys + 1, joinSeconds, m.stats().slices(),
          m.stats().longestSliceMillis(), m.stats().longestSliceCpuMillis(), m.stats().slowSlices(),
          m.stats().leaseLosses());

      Thread.sleep(1000);
      long slicesBefore = m.stats().slices();
      long slowBefore = m.stats().slowSlices();
      maxLateNanos.set(0);
      long revokeStart = System.nanoTime();
      env.revoke(leases[0]);
      long target = env.etcd.currentRevision();
      while (BenchEnv.await(m.inspect(t -> t.revision())) < target) {
        Thread.sleep(5);
      }
      double applySeconds = (System.nanoTime() - revokeStart) / 1e9;
      Thread.sleep(2000); // the member now takes the lost copies: its writes and their revisions
      System.out.printf("revision deleting %,d entries and a member key: in the view after %.2f s; "
          + "slices since %d, longest slice overall %.1f ms (most CPU in one slice %.1f ms), slices >= 50 ms "
          + "since %d%n", n - (n + 3) / 4, applySeconds, m.stats().slices() - slicesBefore,
          m.stats().longestSliceMillis(), m.stats().longestSliceCpuMillis(), m.stats().slowSlices() - slowBefore);
      System.out.printf("10 ms timer on the member's loop: at most %.1f ms late (revision + 2 s of taking copies); "
          + "lease losses %d; heap used %d MiB; GC time in the whole run %d ms%n", maxLateNanos.get() / 1e6,
          m.stats().leaseLosses(), (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20,
          java.lang.management.ManagementFactory.getGarbageCollectorMXBeans().stream()
              .mapToLong(java.lang.management.GarbageCollectorMXBean::getCollectionTime).sum());
      // The whole-table request (A.table.M): built in slices, answered once complete.
      long tableSlicesBefore = m.stats().slices();
      maxLateNanos.set(0);
      long tableStart = System.nanoTime();
      io.vertx.core.json.JsonObject table = BenchEnv.await(env.vertx.eventBus()
          .<io.vertx.core.json.JsonObject>request(o.getAddress() + ".table.m", null,
              new io.vertx.core.eventbus.DeliveryOptions().setSendTimeout(120_000))).body();
      System.out.printf("table request: %,d routes answered after %.2f s in %d slices; 10 ms timer on the "
          + "member's loop at most %.1f ms late meanwhile; longest slice overall %.1f ms (CPU %.1f ms)%n",
          table.getJsonArray("routes").size(), (System.nanoTime() - tableStart) / 1e9,
          m.stats().slices() - tableSlicesBefore, maxLateNanos.get() / 1e6, m.stats().longestSliceMillis(),
          m.stats().longestSliceCpuMillis());
      BenchEnv.await(Crashes.crash(m));
    }
    System.exit(0);
  }

  private static PutRequest put(String key, long lease) {
    return PutRequest.newBuilder().setKey(bytes(key)).setValue(bytes("")).setLease(lease).build();
  }

  private static void flush(BenchEnv env, List<PutRequest> puts) {
    if (puts.isEmpty()) {
      return;
    }
    TxnRequest.Builder txn = TxnRequest.newBuilder();
    puts.forEach(p -> txn.addSuccess(RequestOp.newBuilder().setRequestPut(p)));
    TxnRequest req = txn.build();
    env.callAsync(() -> env.conn.unary(KVGrpc.getTxnMethod(), req));
    puts.clear();
  }
}
