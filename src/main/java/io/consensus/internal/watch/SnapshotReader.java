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
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads everything under a prefix as one consistent {@link WatchUpdate.Snapshot}: pages of
 * {@code pageSize} keys, every page after the first pinned to the first page's revision. The
 * pages are kept as etcd sent them and converted when the snapshot's reader reads them (in its
 * slices), so no response handler here does more than look at a page's last key.
 *
 * <p>{@link #read(PageSink)} streams instead: each page goes to a sink as it arrives and is
 * dropped once the sink has taken it, the next page being read meanwhile (at most two pages held
 * at a time), so that a reader building its own view of a million keys never holds the whole
 * keyspace a second time beside it.
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

  /** Takes a snapshot page by page, in key order. */
  public interface PageSink {
    /** A snapshot at {@code revision} begins (called once, before its first page). */
    void begin(long revision);

    /**
     * The next page, converted as it is read; the page after it is handed over once the
     * returned future completes (the reader's back-pressure).
     */
    Future<Void> page(List<io.consensus.tree.KeyValue> kvs);
  }

  /**
   * Reads the whole prefix at one revision into {@code sink}, page by page; completes with the
   * revision once the sink has taken the last page.
   */
  public Future<Long> read(PageSink sink) {
    Promise<Long> done = Promise.promise();
    new Streaming(sink, done).fetch(prefix);
    return done.future();
  }

  /**
   * One streamed read. An explicit state machine rather than a chain of composed futures: a
   * composed future keeps its function (and the page it captured) until the whole chain
   * completes, which held every page of the snapshot to the end.
   */
  private final class Streaming {
    private final PageSink sink;
    private final Promise<Long> done;
    private long revision;
    /** The sink's answer for the last page handed over (or about to be). */
    private Future<Void> lastTaken = Future.succeededFuture();

    Streaming(PageSink sink, Promise<Long> done) {
      this.sink = sink;
      this.done = done;
    }

    void fetch(ByteString from) {
      RangeRequest req = RangeRequest.newBuilder()
          .setKey(from).setRangeEnd(end).setLimit(pageSize).setRevision(revision).build();
      conn.unary(KVGrpc.getRangeMethod(), req).onComplete(ar -> {
        if (ar.failed()) {
          done.tryFail(ar.cause());
          return;
        }
        RangeResponse resp = ar.result();
        if (revision == 0) {
          revision = resp.getHeader().getRevision();
          sink.begin(revision);
        }
        boolean more = resp.getMore() && resp.getKvsCount() > 0;
        ByteString next = more ? after(resp) : null;
        List<io.consensus.tree.KeyValue> page =
            new ConvertedOnDemand<>(List.of(resp.getKvsList()), EtcdValues::keyValue);
        Future<Void> previous = lastTaken;
        Promise<Void> taken = Promise.promise();
        lastTaken = taken.future();
        // This page goes to the sink once it took the previous one; the next page is read once
        // the previous one was taken, so that at most two pages are held.
        previous.onComplete(p -> {
          if (p.failed()) {
            taken.tryFail(p.cause());
            return;
          }
          sink.page(page).onComplete(taken);
        });
        if (!more) {
          taken.future().onComplete(t -> {
            if (t.failed()) {
              done.tryFail(t.cause());
            } else {
              done.tryComplete(revision);
            }
          });
          return;
        }
        previous.onComplete(p -> {
          if (p.failed()) {
            done.tryFail(p.cause());
          } else {
            fetch(next);
          }
        });
      });
    }
  }

  /**
   * Reads the whole prefix at one revision. No sort order is requested: etcd returns a range in
   * ascending key order anyway, and etcd 3.4 ignores the limit of a sorted request (it reads and
   * sorts every key up to the range end, then truncates), so that each page of a sorted read
   * cost as much as the whole rest of the keyspace: at 4M keys a page took longer than the call
   * timeout and etcd grew to 13 GB resident.
   */
  public Future<WatchUpdate.Snapshot> read() {
    return page(prefix, 0, new ArrayList<>());
  }

  private Future<WatchUpdate.Snapshot> page(ByteString from, long revision,
      List<List<io.etcd.jetcd.api.KeyValue>> acc) {
    RangeRequest req = RangeRequest.newBuilder()
        .setKey(from).setRangeEnd(end).setLimit(pageSize).setRevision(revision).build();
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
