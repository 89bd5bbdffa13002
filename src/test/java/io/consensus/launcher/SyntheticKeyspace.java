package io.consensus.launcher;

import static io.consensus.internal.etcd.EtcdKeys.bytes;

import io.consensus.internal.etcd.EtcdConnection;
import io.consensus.testing.Await;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.RequestOp;
import io.etcd.jetcd.api.TxnRequest;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The status-page benchmarks' keyspace, written straight to etcd: member keys with host, port and
 * zone, and every item's R+1 entries, "ready", item i on members i..i+R (mod the member count).
 */
final class SyntheticKeyspace {
  private SyntheticKeyspace() {
  }

  /** The puts for {@code members} member keys, then {@code items} items named by {@code itemFormat}. */
  static List<RequestOp> fleet(String root, int members, int items, int replicas, String itemFormat) {
    List<RequestOp> ops = new ArrayList<>();
    for (int m = 0; m < members; m++) {
      ops.add(put(root + "/members/m" + m, "{\"host\":\"10.0.0." + m + "\",\"port\":8080,\"zone\":\"z" + (m % 3) + "\"}"));
    }
    for (int i = 0; i < items; i++) {
      String item = String.format(itemFormat, i);
      for (int k = 0; k <= replicas; k++) {
        ops.add(put(root + "/items/" + item + "/m" + ((i + k) % members), "ready"));
      }
    }
    return ops;
  }

  /** Writes {@code ops} in transactions of 128 (etcd's default --max-txn-ops), on {@code ctx}. */
  static void write(Context ctx, EtcdConnection conn, List<RequestOp> ops) {
    for (int from = 0; from < ops.size(); from += 128) {
      TxnRequest txn = TxnRequest.newBuilder().addAllSuccess(ops.subList(from, Math.min(ops.size(), from + 128))).build();
      Await.result(onContext(ctx, () -> conn.unary(KVGrpc.getTxnMethod(), txn)), Duration.ofSeconds(60));
    }
  }

  static RequestOp put(String key, String value) {
    return RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(bytes(key)).setValue(bytes(value))).build();
  }

  static <T> T onContext(Context ctx, Supplier<T> fn) {
    Promise<T> p = Promise.promise();
    ctx.runOnContext(v -> p.complete(fn.get()));
    return Await.result(p.future(), Duration.ofSeconds(30));
  }
}
