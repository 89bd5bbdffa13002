package io.consensus.bench;

import static io.consensus.internal.etcd.EtcdKeys.bytes;

import io.consensus.internal.etcd.EtcdConnection;
import io.consensus.internal.etcd.EtcdKeys;
import io.consensus.internal.etcd.EtcdValues;
import io.consensus.testing.EtcdServer;
import io.consensus.testing.ContextCalls;
import io.consensus.tree.KeyValue;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.LeaseGrpc;
import io.etcd.jetcd.api.LeaseRevokeRequest;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.RequestOp;
import io.etcd.jetcd.api.TxnRequest;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * What every benchmark shares: one real etcd child process, one Vert.x for the members, and a
 * harness connection to etcd on a context of its own. Blocking helpers for the main thread.
 */
final class BenchEnv implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(300);
  private static final int TXN_OPS = 128;

  /** Warnings only from everything but {@code io.consensus} (its level is set on its own): a benchmark prints figures. */
  static void quietLogs() {
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
        .setLevel(ch.qos.logback.classic.Level.WARN);
  }

  final EtcdServer etcd;
  final Vertx vertx;
  final Context ctx;
  final EtcdConnection conn;
  private final ProcessHandle etcdProcess;
  private final long clockTicks = clockTicks();

  BenchEnv() {
    etcd = EtcdServer.start();
    vertx = Vertx.vertx();
    ctx = vertx.getOrCreateContext();
    conn = call(() -> new EtcdConnection(vertx, etcd.endpoints(), Duration.ofSeconds(30)));
    String dataDir = etcd.dataDir().toString();
    etcdProcess = ProcessHandle.current().children()
        .filter(p -> p.info().arguments().map(a -> Arrays.asList(a).contains(dataDir)).orElse(false))
        .findFirst().orElse(null);
  }

  /** Runs {@code fn} on the harness context and waits for its value. */
  <T> T call(Supplier<T> fn) {
    return ContextCalls.call(ctx, fn, WAIT);
  }

  /** Runs the asynchronous {@code fn} on the harness context and waits for its result. */
  <T> T callAsync(Supplier<Future<T>> fn) {
    return ContextCalls.callAsync(ctx, fn, WAIT);
  }

  static <T> T await(Future<T> f) {
    return io.consensus.testing.Await.result(f, WAIT);
  }

  /** Puts every key with {@code value}, {@value #TXN_OPS} puts per transaction. */
  void bulkPut(List<String> keys, String value) {
    for (int i = 0; i < keys.size(); i += TXN_OPS) {
      TxnRequest.Builder txn = TxnRequest.newBuilder();
      for (String k : keys.subList(i, Math.min(keys.size(), i + TXN_OPS))) {
        txn.addSuccess(RequestOp.newBuilder().setRequestPut(
            PutRequest.newBuilder().setKey(bytes(k)).setValue(bytes(value))));
      }
      TxnRequest req = txn.build();
      callAsync(() -> conn.unary(KVGrpc.getTxnMethod(), req));
    }
  }

  /**
   * Every key-value under {@code prefix}, read in pages of 1,000 at one revision (a gRPC message
   * of vertx-grpc-client may not exceed 256 KiB by default).
   */
  List<KeyValue> range(String prefix) {
    List<KeyValue> out = new ArrayList<>();
    com.google.protobuf.ByteString from = bytes(prefix);
    com.google.protobuf.ByteString end = EtcdKeys.prefixEnd(prefix);
    long rev = 0;
    while (true) {
      RangeRequest req = RangeRequest.newBuilder().setKey(from).setRangeEnd(end).setLimit(1000)
          .setRevision(rev).build();
      var resp = callAsync(() -> conn.unary(KVGrpc.getRangeMethod(), req));
      rev = resp.getHeader().getRevision();
      resp.getKvsList().forEach(kv -> out.add(EtcdValues.keyValue(kv)));
      if (!resp.getMore() || resp.getKvsCount() == 0) {
        return out;
      }
      from = resp.getKvs(resp.getKvsCount() - 1).getKey().concat(com.google.protobuf.ByteString.copyFrom(new byte[] {0}));
    }
  }

  /** Revokes {@code lease} (its keys vanish in one revision); ignores an unknown lease. */
  void revoke(long lease) {
    if (lease == 0) {
      return;
    }
    try {
      callAsync(() -> conn.unary(LeaseGrpc.getLeaseRevokeMethod(), LeaseRevokeRequest.newBuilder().setID(lease).build()));
    } catch (RuntimeException e) {
      // already expired or revoked
    }
  }

  /** etcd's CPU time so far (user + system), milliseconds; -1 when unknown. */
  long etcdCpuMillis() {
    if (etcdProcess == null) {
      return -1;
    }
    try {
      String stat = Files.readString(Path.of("/proc/" + etcdProcess.pid() + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      // after "pid (comm) ": state=0 ... utime=11, stime=12
      long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
      return ticks * 1000 / clockTicks;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** This JVM's CPU time so far (all threads), milliseconds. */
  static long jvmCpuMillis() {
    var os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      return sun.getProcessCpuTime() / 1_000_000;
    }
    return -1;
  }

  private static long clockTicks() {
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes()).trim();
      p.waitFor(5, TimeUnit.SECONDS);
      return Long.parseLong(out);
    } catch (IOException | RuntimeException e) {
      return 100;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 100;
    }
  }

  @Override
  public void close() {
    try {
      call(conn::close);
    } catch (RuntimeException e) {
      // best effort
    }
    try {
      await(vertx.close());
    } finally {
      etcd.close();
    }
  }
}
