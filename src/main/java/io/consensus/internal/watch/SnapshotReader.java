package io.consensus.internal.watch;

import com.google.protobuf.ByteString;
import io.consensus.internal.etcd.EtcdConnection;
import io.consensus.internal.etcd.EtcdKeys;
import io.consensus.internal.etcd.EtcdValues;
import io.consensus.tree.WatchUpdate;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.RangeResponse;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads everything under a prefix as one consistent {@link WatchUpdate.Snapshot}: pages of
 * {@code pageSize} keys, every page after the first pinned to the first page's revision. The
 * pages are kept as etcd sent them and converted when the snapshot's reader reads them (in its
 * slices), so no response handler here does more than look at a page's last key.
 */
public final class SnapshotReader {
  private final EtcdConnection conn;
  private final ByteString prefix;
  private final ByteString end;
  private final int pageSize;

  public SnapshotReader(EtcdConnection conn, String prefix, int pageSize) {
    this.conn = conn;
    this.prefix = EtcdKeys.bytes(prefix);
    this.end = EtcdKeys.prefixEnd(this.prefix);
    this.pageSize = pageSize;
  }

  /** Reads the whole prefix at one revision. */
  public Future<WatchUpdate.Snapshot> read() {
    return page(prefix, 0, new ArrayList<>());
  }

  private Future<WatchUpdate.Snapshot> page(ByteString from, long revision,
      List<List<io.etcd.jetcd.api.KeyValue>> acc) {
    RangeRequest req = RangeRequest.newBuilder()
        .setKey(from).setRangeEnd(end).setLimit(pageSize).setRevision(revision)
        .setSortOrder(RangeRequest.SortOrder.ASCEND).setSortTarget(RangeRequest.SortTarget.KEY)
        .build();
    return conn.unary(KVGrpc.getRangeMethod(), req).compose(resp -> {
      long rev = revision == 0 ? resp.getHeader().getRevision() : revision;
      acc.add(resp.getKvsList());
      if (resp.getMore() && resp.getKvsCount() > 0) {
        return page(after(resp), rev, acc);
      }
      return Future.succeededFuture(new WatchUpdate.Snapshot(rev, new ConvertedOnDemand<>(acc, EtcdValues::keyValue)));
    });
  }

  /** The smallest key after the page's last key. */
  private static ByteString after(RangeResponse resp) {
    return resp.getKvs(resp.getKvsCount() - 1).getKey().concat(ByteString.copyFrom(new byte[] {0}));
  }
}
