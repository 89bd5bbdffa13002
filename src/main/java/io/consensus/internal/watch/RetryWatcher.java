package io.consensus.internal.watch;

import com.google.protobuf.UnknownFieldSet;
import io.consensus.internal.etcd.Backoff;
import io.consensus.internal.etcd.Retries;
import io.consensus.internal.etcd.EtcdConnection;
import io.consensus.internal.etcd.EtcdKeys;
import io.consensus.internal.etcd.EtcdStream;
import io.consensus.tree.KeyEvent;
import io.consensus.tree.WatchUpdate;
import io.etcd.jetcd.api.WatchCreateRequest;
import io.etcd.jetcd.api.WatchRequest;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a consistent view of an etcd key prefix: a {@link WatchUpdate.Snapshot} first, then
 * one {@link WatchUpdate.Changes} per revision and {@link WatchUpdate.Progress} when the
 * store moved on without touching the prefix. Recovers from broken streams, compaction and
 * endpoint failures by itself, can re-snapshot periodically, and lets callers wait for a
 * revision ({@link #awaitRevision(long)}).
 *
 * <p>Every update and every future completes on the context that called
 * {@link #start}, in revision order, and never twice for a revision. The watcher survives
 * everything etcd can do to it: a broken stream or stopped member (rotate endpoint, back
 * off, resume after the last delivered revision), a compaction or cancelled watch (new
 * snapshot), and optionally re-snapshots periodically.
 *
 * <p>Not thread-safe except for the getters; call it from its context.
 */
public final class RetryWatcher {
  private static final Logger LOG = LoggerFactory.getLogger(RetryWatcher.class);

  /**
   * etcd's {@code WatchCreateRequest.fragment} (field 8), which jetcd's protobuf stubs lack: set
   * as an unknown field ({@link WatchFrame} reads the response's, field 7).
   */
  private static final UnknownFieldSet FRAGMENT_REQUESTED = UnknownFieldSet.newBuilder()
      .addField(8, UnknownFieldSet.Field.newBuilder().addVarint(1).build()).build();

  private final Vertx vertx;
  private final Context ctx;
  private final EtcdConnection conn;
  private final RetryWatcherOptions opts;
  private final Handler<WatchUpdate> handler;
  private final SnapshotReader snapshots;
  // When set, snapshots stream into it page by page; the Snapshot delivered then has no key-values.
  private SnapshotReader.PageSink snapshotPages;
  private long streamedKeys;
  private final Backoff backoff;
  private final Retries retries; // the reconnect timer; stopped on close
  private final RevisionWaiters waiters = new RevisionWaiters();
  private final Promise<Void> firstSnapshot = Promise.promise();

  // Written on ctx only; volatile so metrics and health checks may read them anywhere.
  private volatile long delivered;
  private volatile boolean live;
  private Handler<Boolean> livenessHandler = b -> { };
  private volatile long snapshotCount;
  private volatile long eventCount;
  private volatile long reconnectCount;
  private volatile long fragmentCount;

  /** Bumped on every (re)connection: callbacks of an abandoned attempt carry an old value. */
  private long generation;
  private boolean needSnapshot = true;
  /** The events of a revision whose last fragment has not come yet; dropped with the stream. */
  private final List<List<WatchFrame.Raw>> pending = new ArrayList<>();
  private long pendingRevision = -1;
  private EtcdStream<WatchRequest, WatchFrame> stream;
  private long retryTimer = -1;
  private long refreshTimer = -1;
  private long createTimer = -1;
  private boolean closed;
  private Future<Void> closing;

  private RetryWatcher(Vertx vertx, Context ctx, EtcdConnection conn, RetryWatcherOptions opts,
                       Handler<WatchUpdate> handler) {
    this.vertx = vertx;
    this.ctx = ctx;
    this.conn = conn;
    this.opts = new RetryWatcherOptions(opts).validate();
    this.handler = handler;
    this.snapshots = new SnapshotReader(conn, this.opts.getPrefix(), this.opts.getPageSize());
    this.backoff = new Backoff(Duration.ofMillis(this.opts.getMinBackoffMillis()), Duration.ofMillis(this.opts.getMaxBackoffMillis()));
    this.retries = new Retries(vertx);
  }

  /**
   * Starts watching; updates go to {@code handler} on {@code vertx.getOrCreateContext()}
   * (the caller's context when called from one).
   */
  public static RetryWatcher start(Vertx vertx, EtcdConnection conn, RetryWatcherOptions opts,
                                   Handler<WatchUpdate> handler) {
    RetryWatcher w = new RetryWatcher(Objects.requireNonNull(vertx), vertx.getOrCreateContext(),
        Objects.requireNonNull(conn), Objects.requireNonNull(opts), Objects.requireNonNull(handler));
    w.ctx.runOnContext(v -> {
      w.connect(++w.generation);
      w.scheduleRefresh();
    });
    return w;
  }

  /**
   * Streams every snapshot into {@code sink} page by page as etcd sends it, instead of holding
   * the whole keyspace as key-values until its reader has built a view of it (at a million items
   * that copy weighs as much as the view): the {@link WatchUpdate.Snapshot} delivered after the
   * last page then carries no key-values ({@code kvs()} is empty) and only marks the revision at
   * which the pages' view is complete. {@link SnapshotReader.PageSink#begin} starts every
   * snapshot, an abandoned one included. Call right after {@link #start}, on its context.
   */
  public RetryWatcher snapshotPages(SnapshotReader.PageSink sink) {
    snapshotPages = Objects.requireNonNull(sink);
    return this;
  }

  /** Completes once the first snapshot has been delivered; fails if closed before. */
  public Future<Void> firstSnapshot() {
    return firstSnapshot.future();
  }

  /** The revision of the last delivered update, 0 before the first snapshot. */
  public long revision() {
    return delivered;
  }

  /**
   * Completes, on the watcher's context, with the delivered revision once it is at least
   * {@code rev} (at once if already there; progress notifications count). Fails when the
   * watcher is closed first.
   */
  public Future<Long> awaitRevision(long rev) {
    Promise<Long> result = Promise.promise();
    ctx.runOnContext(v -> {
      if (delivered >= rev) {
        result.complete(delivered);
      } else if (closed) {
        result.fail(new IllegalStateException("watcher closed"));
      } else {
        waiters.await(rev).onComplete(result);
      }
    });
    return result.future();
  }

  /** Whether the watch stream is established and healthy (for health checks). */
  public boolean isLive() {
    return live;
  }

  /**
   * Calls {@code handler} on the watcher's context whenever {@link #isLive()} changes (with the
   * new value), e.g. to publish health without polling.
   */
  public RetryWatcher livenessHandler(Handler<Boolean> handler) {
    livenessHandler = handler == null ? b -> { } : handler;
    return this;
  }

  private void setLive(boolean now) {
    if (live != now) {
      live = now;
      livenessHandler.handle(now);
    }
  }

  /** Number of snapshots delivered. */
  public long snapshotsTaken() {
    return snapshotCount;
  }

  /** Number of watch events delivered in {@link WatchUpdate.Changes}. */
  public long eventsDelivered() {
    return eventCount;
  }

  /** Number of watch responses that were a fragment of a larger one (all but its last piece). */
  public long fragmentsReceived() {
    return fragmentCount;
  }

  /** Number of times the watch was re-established after a failure, compaction or cancel. */
  public long reconnects() {
    return reconnectCount;
  }

  /**
   * Stops watching: cancels the stream and timers, fails pending waiters. Nothing is
   * delivered after the returned future completes. Idempotent. Does not close the
   * connection, which the caller owns.
   */
  public Future<Void> close() {
    Promise<Void> p = Promise.promise();
    ctx.runOnContext(v -> {
      if (closing == null) {
        closed = true;
        setLive(false);
        generation++;
        retries.stop();
        cancelTimer(refreshTimer);
        cancelTimer(createTimer);
        retryTimer = refreshTimer = createTimer = -1;
        cancelStream();
        IllegalStateException cause = new IllegalStateException("watcher closed");
        waiters.failAll(cause);
        firstSnapshot.tryFail(cause);
        closing = Future.succeededFuture();
        LOG.debug("watcher {} closed at revision {}", opts.getPrefix(), delivered);
      }
      closing.onComplete(p);
    });
    return p.future();
  }

  // ---- connection cycle -------------------------------------------------------------------

  private void connect(long gen) {
    if (gen != generation || closed) {
      return;
    }
    LOG.debug("connecting watch of {} to {} ({})", opts.getPrefix(), conn.currentEndpoint(),
        needSnapshot ? "snapshot first" : "resume after " + delivered);
    Future<Long> from;
    if (needSnapshot) {
      Future<WatchUpdate.Snapshot> read = snapshotPages == null ? snapshots.read()
          : snapshots.read(current(gen, snapshotPages)).map(rev -> new WatchUpdate.Snapshot(rev, List.of()));
      from = read.map(snap -> {
        if (gen == generation && !closed) {
          deliverSnapshot(snap);
        }
        return snap.revision() + 1;
      });
    } else {
      from = Future.succeededFuture(delivered + 1);
    }
    from.compose(start -> gen == generation && !closed ? openWatch(gen, start) : Future.succeededFuture())
        .onFailure(err -> failed(gen, "connect", err, false));
  }

  /** {@code sink} while attempt {@code gen} is current; the pages of an abandoned attempt stop there. */
  private SnapshotReader.PageSink current(long gen, SnapshotReader.PageSink sink) {
    return new SnapshotReader.PageSink() {
      @Override
      public void begin(long revision) {
        if (gen == generation && !closed) {
          streamedKeys = 0;
          sink.begin(revision);
        }
      }

      @Override
      public Future<Void> page(List<io.consensus.tree.KeyValue> kvs) {
        if (gen != generation || closed) {
          return Future.failedFuture(new IllegalStateException("snapshot abandoned"));
        }
        streamedKeys += kvs.size();
        return sink.page(kvs);
      }
    };
  }

  private Future<Void> openWatch(long gen, long startRevision) {
    return conn.openStream(WatchFrame.METHOD).compose(s -> {
      if (gen != generation || closed) {
        s.request().cancel();
        return Future.succeededFuture();
      }
      stream = s;
      armCreateTimeout(gen, s);
      s.request().exceptionHandler(err -> failed(gen, "watch stream", err, true));
      WatchCreateRequest.Builder create = WatchCreateRequest.newBuilder()
          .setKey(EtcdKeys.bytes(opts.getPrefix()))
          .setRangeEnd(EtcdKeys.prefixEnd(opts.getPrefix()))
          .setStartRevision(startRevision)
          .setProgressNotify(true)
          .setPrevKv(opts.isPrevKv());
      if (opts.isFragments()) {
        // Off by default: etcd 3.4's fragmenting is quadratic (RetryWatcherOptions).
        create.setUnknownFields(FRAGMENT_REQUESTED);
      }
      s.request().write(WatchRequest.newBuilder().setCreateRequest(create).build());
      return s.request().response().map(resp -> {
        resp.handler(msg -> onResponse(gen, msg));
        resp.exceptionHandler(err -> failed(gen, "watch stream", err, true));
        resp.endHandler(v -> failed(gen, "watch stream",
            new IllegalStateException("ended by " + s.endpoint() + ": " + resp.status() + " "
                + resp.statusMessage()), true));
        return null;
      });
    });
  }

  /** A stream etcd accepted but never confirmed (e.g. a member still starting) must not stall us. */
  private void armCreateTimeout(long gen, EtcdStream<WatchRequest, WatchFrame> s) {
    cancelTimer(createTimer);
    createTimer = vertx.setTimer(conn.callTimeout().toMillis(), t -> {
      createTimer = -1;
      if (!live) {
        failed(gen, "watch creation", new IllegalStateException("no answer from " + s.endpoint() + " within "
            + conn.callTimeout().toMillis() + " ms"), true);
      }
    });
  }

  private void onResponse(long gen, WatchFrame resp) {
    if (gen != generation || closed) {
      return;
    }
    if (resp.canceled) {
      if (resp.compactRevision > 0) {
        LOG.warn("watch of {} compacted at revision {} (delivered {}): taking a new snapshot",
            opts.getPrefix(), resp.compactRevision, delivered);
      } else {
        LOG.warn("watch of {} cancelled by etcd: {}", opts.getPrefix(), resp.cancelReason);
      }
      reconnectCount++;
      restart(true, 0);
      return;
    }
    if (resp.created) {
      // The header of a creation is the store's current revision, yet events before it may
      // still be on their way: it is no progress.
      setLive(true);
      backoff.reset();
      cancelTimer(createTimer);
      createTimer = -1;
      LOG.info("watching {} on {} from revision {}", opts.getPrefix(), stream.endpoint(), delivered + 1);
      return;
    }
    if (resp.eventCount() == 0) {
      if (!pending.isEmpty()) {
        return; // no progress while a revision is still arriving in fragments
      }
      long rev = resp.revision;
      if (rev > delivered) {
        deliver(new WatchUpdate.Progress(rev));
      }
      return;
    }
    boolean fragment = resp.fragment;
    if (fragment) {
      fragmentCount++;
    }
    deliverEvents(resp, fragment);
  }

  /**
   * One Changes per revision; a response may carry several, an old replay some at or below
   * delivered, and a revision larger than etcd's request limit comes in fragments (several
   * responses, all but the last flagged): its events are gathered until the revision is
   * complete. Only the revisions are looked at here; the events are converted when the handler
   * reads them (in its own slices), so this handler's work is bounded by one response.
   */
  private void deliverEvents(WatchFrame frame, boolean moreFragments) {
    int i = 0;
    int n = frame.eventCount();
    while (i < n && !closed) {
      long rev = frame.modRevision(i);
      int from = i;
      while (i < n && frame.modRevision(i) == rev) {
        i++;
      }
      if (rev != pendingRevision) {
        flushPending();
        pendingRevision = rev;
      }
      pending.add(frame.events(from, i));
    }
    if (!moreFragments) {
      flushPending();
    }
  }

  /** Delivers the revision gathered so far (unless already delivered before a resume). */
  private void flushPending() {
    if (pending.isEmpty()) {
      return;
    }
    long rev = pendingRevision;
    List<KeyEvent> group = new ConvertedOnDemand<>(pending, WatchFrame.Raw::toKeyEvent);
    pending.clear();
    pendingRevision = -1;
    if (rev > delivered && !closed) {
      eventCount += group.size();
      deliver(new WatchUpdate.Changes(rev, group));
    }
  }

  private void deliverSnapshot(WatchUpdate.Snapshot snap) {
    if (snap.revision() < delivered) {
      // A lagging member answered; its view is older than what the handler already has.
      throw new IllegalStateException("snapshot at " + snap.revision() + " is older than delivered " + delivered);
    }
    snapshotCount++;
    LOG.info("snapshot of {}: {} keys at revision {}", opts.getPrefix(),
        snapshotPages == null ? snap.kvs().size() : streamedKeys, snap.revision());
    needSnapshot = false;
    deliver(snap);
    firstSnapshot.tryComplete();
  }

  private void deliver(WatchUpdate update) {
    delivered = update.revision();
    try {
      handler.handle(update);
    } catch (RuntimeException e) {
      LOG.error("watch handler of {} failed on {}", opts.getPrefix(), update.getClass().getSimpleName(), e);
    }
    waiters.reached(delivered);
  }

  /** A failure of attempt {@code gen}: abandon it, back off, connect again. */
  private void failed(long gen, String what, Throwable err, boolean brokenStream) {
    if (gen != generation || closed) {
      return;
    }
    if (brokenStream && stream != null) {
      conn.rotateFrom(stream.endpoint()); // unary failures rotated already inside the connection
    }
    long delay = backoff.nextDelayMillis();
    LOG.warn("{} of {} failed ({}); retrying in {} ms on {}", what, opts.getPrefix(), err.toString(), delay,
        conn.currentEndpoint());
    reconnectCount++;
    restart(opts.isResnapshotOnReconnect(), delay);
  }

  /** Abandons the current attempt and connects again after {@code delayMillis}. */
  private void restart(boolean snapshot, long delayMillis) {
    setLive(false);
    long gen = ++generation;
    cancelStream();
    needSnapshot |= snapshot || delivered == 0;
    retries.cancel(retryTimer);
    if (delayMillis <= 0) {
      retryTimer = -1;
      connect(gen);
    } else {
      retryTimer = retries.after(delayMillis, () -> {
        retryTimer = -1;
        connect(gen);
      });
    }
  }

  /**
   * Drops the watch and delivers a fresh {@link WatchUpdate.Snapshot}, then resumes: for a
   * caller whose view no longer fits the events (e.g. a patch was rejected).
   */
  public void resnapshot() {
    ctx.runOnContext(v -> {
      if (!closed) {
        LOG.info("re-snapshot of {} requested", opts.getPrefix());
        restart(true, 0);
      }
    });
  }

  private void scheduleRefresh() {
    if (opts.getRefreshIntervalMillis() == 0 || closed) {
      return;
    }
    refreshTimer = vertx.setPeriodic(opts.getRefreshIntervalMillis(), t -> {
      if (live) { // a failing watch is being re-established anyway
        LOG.info("periodic refresh of {}", opts.getPrefix());
        restart(true, 0);
      }
    });
  }

  private void cancelStream() {
    pending.clear(); // a revision cut short is read again from the resume point
    pendingRevision = -1;
    if (stream != null) {
      stream.request().cancel();
      stream = null;
    }
  }

  private void cancelTimer(long id) {
    if (id >= 0) {
      vertx.cancelTimer(id);
    }
  }
}
