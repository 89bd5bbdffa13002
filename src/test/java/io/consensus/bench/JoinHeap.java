package io.consensus.bench;

import static io.consensus.internal.etcd.EtcdKeys.bytes;

import com.sun.management.GarbageCollectionNotificationInfo;
import io.consensus.chaos.ScaleRun;
import io.consensus.verticle.AllocatorOptions;
import io.consensus.verticle.AllocatorVerticle;
import io.consensus.verticle.Crashes;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.LeaseGrantRequest;
import io.etcd.jetcd.api.LeaseGrpc;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.RequestOp;
import io.etcd.jetcd.api.TxnRequest;
import io.vertx.core.Future;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * The heap a real member needs to join a large fleet: N items x R=2 whose entries ten idle fake
 * members hold (N markers + 3N entries in etcd), one {@link AllocatorVerticle} deploying until its
 * first snapshot is applied (tree, index, route table). Prints the largest live heap sampled
 * during the join (a full GC every {@code sampleMillis}, 0: none; the join's peak), the largest
 * heap in use right after any GC, the GC count and time of the join, and the live heap once joined. Run it with the {@code -Xmx} under test: the
 * join must finish without an OutOfMemoryError or GC thrash. Figures, not a test:
 *
 * <pre>
 *   java -Xmx1g -cp target/test-classes:target/classes:&lt;deps&gt; io.consensus.bench.JoinHeap 1000000
 * </pre>
 */
public final class JoinHeap {
  private static final int MEMBERS = 10;

  private JoinHeap() {
  }

  public static void main(String[] args) throws Exception {
    BenchEnv.quietLogs();
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    long sampleMillis = args.length > 1 ? Long.parseLong(args[1]) : 0;
    String root = "/join";
    System.out.printf("JoinHeap: %,d items x R=2, -Xmx%dm, load average %s%n", n,
        Runtime.getRuntime().maxMemory() >> 20, ScaleRun.loadAverage());
    try (BenchEnv env = new BenchEnv()) {
      long[] leases = new long[MEMBERS];
      for (int i = 0; i < MEMBERS; i++) {
        leases[i] = env.callAsync(() -> env.conn.unary(LeaseGrpc.getLeaseGrantMethod(),
            LeaseGrantRequest.newBuilder().setTTL(3600).build())).getID();
      }
      long t0 = System.nanoTime();
      List<PutRequest> puts = new ArrayList<>();
      List<TxnRequest> batch = new ArrayList<>();
      for (int m = 0; m < MEMBERS; m++) {
        puts.add(put(root + "/members/" + member(m), "{}", leases[m]));
      }
      for (int i = 0; i < n; i++) {
        String item = root + "/items/" + String.format("item-%07d", i);
        puts.add(put(item, "", 0));
        for (int j = 0; j <= 2; j++) {
          int m = (i + j) % MEMBERS;
          puts.add(put(item + "/" + member(m), "ready", leases[m]));
        }
        if (puts.size() >= 124) {
          batch.add(txn(puts));
          if (batch.size() == 16) { // 16 transactions in flight at a time
            writeAll(env, batch);
          }
        }
      }
      if (!puts.isEmpty()) {
        batch.add(txn(puts));
      }
      writeAll(env, batch);
      long keys = MEMBERS + 4L * n;
      System.out.printf("keyspace: %,d keys written in %.1f s%n", keys, (System.nanoTime() - t0) / 1e9);

      DecisionCost.usedHeapAfterGc();
      AtomicLong peakAfterGc = new AtomicLong();
      AtomicLong gcs = new AtomicLong();
      watchGcs(peakAfterGc, gcs);
      long gcMillis0 = gcMillis();
      long cpu0 = BenchEnv.jvmCpuMillis();
      AllocatorOptions o = new AllocatorOptions().setEndpoints(env.etcd.endpoints()).setRoot(root).setMember("m")
          .setReplicas(2).setMaxBatch(64).setLeaseTtlSeconds(10);
      AllocatorVerticle v = new AllocatorVerticle(o);
      AtomicLong livePeak = new AtomicLong();
      java.util.concurrent.atomic.AtomicBoolean joining = new java.util.concurrent.atomic.AtomicBoolean(true);
      Thread sampler = new Thread(() -> {
        while (sampleMillis > 0 && joining.get()) {
          System.gc();
          livePeak.accumulateAndGet(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Math::max);
          BenchFleet.sleep(sampleMillis);
        }
      });
      sampler.setDaemon(true);
      long joinStart = System.nanoTime();
      sampler.start();
      BenchEnv.await(env.vertx.deployVerticle(v));
      double joinSeconds = (System.nanoTime() - joinStart) / 1e9;
      joining.set(false);
      sampler.join();
      long gcCount = gcs.get();
      long peak = peakAfterGc.get();
      long gcMillis = gcMillis() - gcMillis0;
      long cpu = BenchEnv.jvmCpuMillis() - cpu0;
      long live = DecisionCost.usedHeapAfterGc();
      System.out.printf("join (first snapshot of %,d keys applied): %.1f s wall, JVM CPU %.1f s; GCs during the "
          + "join %d, GC time %.1f s; largest live heap sampled during the join (full GC every %d ms) %.1f MB; "
          + "largest heap in use after a GC during the join %.1f MB; live heap once "
          + "joined %.1f MB (%.0f B per item); slices %d, longest %.1f ms (CPU %.1f ms); lease losses %d; "
          + "load average %s%n", keys, joinSeconds, cpu / 1e3, gcCount, gcMillis / 1e3, sampleMillis,
          livePeak.get() / 1e6, peak / 1e6, live / 1e6,
          (double) live / n, v.stats().slices(), v.stats().longestSliceMillis(), v.stats().longestSliceCpuMillis(),
          v.stats().leaseLosses(), ScaleRun.loadAverage());
      BenchEnv.await(Crashes.crash(v));
    }
    System.exit(0);
  }

  private static String member(int m) {
    return String.format("x%02d", m);
  }

  private static PutRequest put(String key, String value, long lease) {
    return PutRequest.newBuilder().setKey(bytes(key)).setValue(bytes(value)).setLease(lease).build();
  }

  private static TxnRequest txn(List<PutRequest> puts) {
    TxnRequest.Builder txn = TxnRequest.newBuilder();
    puts.forEach(p -> txn.addSuccess(RequestOp.newBuilder().setRequestPut(p)));
    puts.clear();
    return txn.build();
  }

  private static void writeAll(BenchEnv env, List<TxnRequest> batch) {
    List<TxnRequest> copy = List.copyOf(batch);
    batch.clear();
    env.callAsync(() -> Future.all(copy.stream().map(t -> env.conn.unary(KVGrpc.getTxnMethod(), t)).toList()));
  }

  private static long gcMillis() {
    return ManagementFactory.getGarbageCollectorMXBeans().stream()
        .mapToLong(GarbageCollectorMXBean::getCollectionTime).sum();
  }

  /** Keeps the largest heap in use right after any GC, and counts the GCs. */
  private static void watchGcs(AtomicLong peak, AtomicLong count) {
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      ((NotificationEmitter) gc).addNotificationListener((note, hb) -> {
        if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(note.getType())) {
          return;
        }
        var info = GarbageCollectionNotificationInfo.from((CompositeData) note.getUserData());
        long used = info.getGcInfo().getMemoryUsageAfterGc().values().stream().mapToLong(MemoryUsage::getUsed).sum();
        peak.accumulateAndGet(used, Math::max);
        count.incrementAndGet();
      }, null, null);
    }
  }
}
