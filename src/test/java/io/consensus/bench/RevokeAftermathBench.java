package io.consensus.bench;

import static io.consensus.internal.etcd.EtcdKeys.bytes;

import io.consensus.chaos.ScaleRun;
import io.consensus.internal.etcd.EtcdConnection;
import io.consensus.internal.member.EtcdBufferRelief;
import io.consensus.tree.KeyEvent;
import io.consensus.tree.WatchUpdate;
import io.consensus.testing.ContextCalls;
import io.consensus.testing.EtcdServer;
import io.etcd.jetcd.api.Compare;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.LeaseGrantRequest;
import io.etcd.jetcd.api.LeaseGrpc;
import io.etcd.jetcd.api.LeaseRevokeRequest;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.RequestOp;
import io.etcd.jetcd.api.TxnRequest;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * What etcd 3.4 pays per transaction after it revoked a lease holding many keys. Its backend
 * keeps the writes not yet committed in a read buffer, and every read transaction (each Txn's
 * compares, each Range) copies that buffer whole, at its capacity, not its use
 * ({@code bucketBuffer.Copy} in {@code mvcc/backend/tx_buffer.go}). The revoke's deletions grow the
 * key bucket's buffer to hold them all; the buffer is dropped only at a backend commit (every
 * 100 ms when something is pending) in whose interval nothing was written to the key bucket.
 * While members keep writing, every transaction copies it. Rounds, each with etcd's CPU per
 * transaction of guarded 64-put transactions: before the revoke; right after it; after
 * {@link EtcdBufferRelief} (a throwaway lease granted and revoked: writes outside the key bucket)
 * in a quiet moment, as every member does on seeing such a revision.
 *
 * <pre>
 *   mvn -B -o -q test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.consensus.bench.RevokeAftermathBench -Dexec.args="75000 300"
 * </pre>
 * Arguments (optional): keys on the revoked lease, transactions per phase.
 */
public final class RevokeAftermathBench {
  private static final String ROOT = "/r/";

  private RevokeAftermathBench() {
  }

  public static void main(String[] args) throws Exception {
    BenchEnv.quietLogs();
    int keys = args.length > 0 ? Integer.parseInt(args[0]) : 75_000;
    int txns = args.length > 1 ? Integer.parseInt(args[1]) : 300;
    try (BenchEtcd b = BenchEtcd.start("aftermath-bench")) {
      EtcdServer etcd = b.etcd();
      Context ctx = b.ctx();
      EtcdConnection conn = b.conn();
      System.out.printf(Locale.ROOT, "etcd %s, data on tmpfs; %,d keys on the revoked lease; %d transactions of "
          + "64 guarded puts per phase; load average %s%n%n", etcd.endpoint(), keys, txns, ScaleRun.loadAverage());
      System.out.println("| round | phase | etcd CPU ms per transaction | wall ms per transaction |");
      System.out.println("|---|---|---:|---:|");
      long live = call(ctx, () -> conn.unary(LeaseGrpc.getLeaseGrantMethod(),
          LeaseGrantRequest.newBuilder().setTTL(600).build())).getID();
      int[] seq = {0};
      EtcdBufferRelief relief = ContextCalls.call(ctx, () -> new EtcdBufferRelief(conn), Duration.ofSeconds(10));
      for (String round : new String[] {"1: no remedy", "2: EtcdBufferRelief after the revoke"}) {
        phase(round, "before the revoke", ctx, conn, etcd, live, txns, seq);
        long dead = call(ctx, () -> conn.unary(LeaseGrpc.getLeaseGrantMethod(),
            LeaseGrantRequest.newBuilder().setTTL(600).build())).getID();
        for (int i = 0; i < keys; i += 128) {
          TxnRequest.Builder t = TxnRequest.newBuilder();
          for (int j = i; j < Math.min(keys, i + 128); j++) {
            t.addSuccess(RequestOp.newBuilder().setRequestPut(put(ROOT + "dead/" + round.charAt(0) + "/" + j, dead)));
          }
          TxnRequest req = t.build();
          call(ctx, () -> conn.unary(KVGrpc.getTxnMethod(), req));
        }
        phase(round, "keys written, before the revoke", ctx, conn, etcd, live, txns, seq);
        call(ctx, () -> conn.unary(LeaseGrpc.getLeaseRevokeMethod(), LeaseRevokeRequest.newBuilder().setID(dead).build()));
        if (round.startsWith("2")) {
          // What a member does on seeing the revoke's revision: writes outside the key bucket with
          // no key written meanwhile, so that etcd's next backend commit drops the grown buffer.
          // (The next phase's first write follows within the commit interval: wait it out, as
          // a fleet applying the revision would.)
          WatchUpdate.Changes revoked = new WatchUpdate.Changes(0, java.util.Collections.nCopies(keys,
              KeyEvent.delete(ROOT + "dead", 0)));
          call(ctx, () -> relief.seen(revoked));
          Thread.sleep(300);
        }
        phase(round, "after the revoke", ctx, conn, etcd, live, txns, seq);
        phase(round, "after the revoke, again", ctx, conn, etcd, live, txns, seq);
      }
    }
    System.exit(0);
  }

  private static void phase(String round, String phase, Context ctx, EtcdConnection conn, EtcdServer etcd, long lease,
      int txns, int[] seq) throws Exception {
    double cpu0 = etcdCpu(etcd);
    long t0 = System.nanoTime();
    for (int i = 0; i < txns; i++) {
      TxnRequest.Builder t = TxnRequest.newBuilder();
      for (int j = 0; j < 64; j++) {
        String key = ROOT + "live/" + (seq[0]++);
        t.addCompare(Compare.newBuilder().setKey(bytes(key)).setTarget(Compare.CompareTarget.CREATE)
            .setResult(Compare.CompareResult.EQUAL).setCreateRevision(0));
        t.addSuccess(RequestOp.newBuilder().setRequestPut(put(key, lease)));
      }
      TxnRequest req = t.build();
      call(ctx, () -> conn.unary(KVGrpc.getTxnMethod(), req));
    }
    double cpu = etcdCpu(etcd) - cpu0;
    System.out.printf(Locale.ROOT, "| %s | %s | %.2f | %.2f |%n", round, phase, 1000 * cpu / txns,
        (System.nanoTime() - t0) / 1e6 / txns);
  }

  private static double etcdCpu(EtcdServer etcd) throws Exception {
    return LeaseRevokeBench.metrics(etcd).getOrDefault("process_cpu_seconds_total", Double.NaN);
  }

  private static <T> T call(Context ctx, Supplier<Future<T>> fn) {
    return ContextCalls.callAsync(ctx, fn, Duration.ofSeconds(300));
  }

  private static PutRequest put(String key, long lease) {
    return PutRequest.newBuilder().setKey(bytes(key)).setValue(bytes("{\"state\":\"ready\"}")).setLease(lease).build();
  }
}
