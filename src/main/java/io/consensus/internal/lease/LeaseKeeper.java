package io.consensus.internal.lease;

import io.consensus.internal.etcd.Backoff;
import io.consensus.internal.etcd.Retries;
import io.consensus.etcd.EtcdCallException;
import io.consensus.internal.etcd.EtcdConnection;
import io.consensus.internal.etcd.EtcdStream;
import io.etcd.jetcd.api.LeaseGrpc;
import io.etcd.jetcd.api.LeaseKeepAliveRequest;
import io.etcd.jetcd.api.LeaseKeepAliveResponse;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.grpc.client.GrpcClientResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One member's etcd lease, kept alive from the caller's own Vert.x context through etcd's
 * LeaseKeepAlive bidirectional stream (no jetcd threads).
 *
 * <h2>When is the lease lost?</h2>
 * Every keep-alive request remembers when it was sent. An answer with TTL &gt; 0 proves etcd
 * renewed the lease at some moment after that send time, so etcd cannot expire it before
 * {@code sendTime + TTL}: the keeper counts the renewal as of the <em>send</em> time, never the
 * receive time. The lease is declared lost
 * <ul>
 *   <li>when {@code lastAcknowledgedAt() + TTL - safetyMargin} passes without a newer
 *       acknowledged renewal: the member steps down before etcd can possibly expire the lease
 *       and let another member take over, or</li>
 *   <li>at once, when etcd answers a keep-alive with TTL &lt;= 0 (the lease expired or was
 *       revoked by someone else).</li>
 * </ul>
 * On loss the keeper stops renewing and calls the lost handler exactly once with a reason.
 * The owner must then treat everything attached to the lease as void and
 * {@link #grant grant} a new keeper. A broken stream (etcd restart, endpoint down) is not a
 * loss by itself: the keeper reopens it with bounded backoff, rotating endpoints, and keeps
 * renewing; only the deadline decides.
 *
 * <h2>Threading</h2>
 * Two contexts: the keeper's, where the keep-alive stream, the timers, the deadline and the
 * lease-lost decision run, and the owner's (the context that called {@link #grant}), where the
 * returned futures complete and the lost handler runs. {@link #grant(KeeperLoop, LeaseOptions,
 * Handler)} puts the keeper on a {@link KeeperLoop}: another event loop and its own
 * connection, so that long work of the owner cannot starve it; the lost handler then hops to
 * the owner's context, and {@link #isLost()} (volatile) says "lost" from the moment of the
 * decision, before the hop. {@link #grant(Vertx, EtcdConnection, LeaseOptions, Handler)} keeps
 * both on the caller's context. {@link #revoke()} and {@link #close()} may be called from any
 * thread; the getters are safe to read from any thread (e.g. by metrics).
 */
public final class LeaseKeeper {
  private static final Logger LOG = LoggerFactory.getLogger(LeaseKeeper.class);
  private static final Duration REVOKE_RETRY_BASE = Duration.ofMillis(250);
  // Capped low: the old lease's member key blocks the rejoin until the revoke lands. Attempts
  // uniform in [0, 375] ms leave etcd's return waiting 125 ms on average for the next one, as
  // the fixed 250 ms before jitter did (cap / 3 against period / 2).
  private static final Duration REVOKE_RETRY_CAP = Duration.ofMillis(375);
  private static final Duration REVOKE_ATTEMPT_TIMEOUT = Duration.ofSeconds(1);

  private enum State { ACTIVE, LOST, CLOSED }

  private final Vertx vertx;
  private final Context context; // the keeper's: all its work runs here
  private final Context owner; // the caller's: futures complete and the lost handler runs here
  private final EtcdConnection conn;
  private final long id;
  private final long ttlSeconds;
  private final long intervalMs;
  private final long marginNanos;
  private final long answerTimeoutNanos;
  private final Duration revokeAttemptTimeout; // a retried revoke's attempts: min(1 s, call timeout)
  private final Handler<String> lostHandler;

  // Written only on the context; volatile so that metrics and tests may read them anywhere.
  private volatile State state = State.ACTIVE;
  private volatile long lastAckSendNanos;
  private volatile long deadlineNanos;
  private volatile long keepAlivesSent;
  private volatile long keepAlivesAcknowledged;
  private volatile long keepAliveFailures;

  // Context-confined.
  private EtcdStream<LeaseKeepAliveRequest, LeaseKeepAliveResponse> stream; // null while (re)connecting
  private boolean opening;
  private final ArrayDeque<Long> inFlight = new ArrayDeque<>(); // send times on the current stream, oldest first
  private final Backoff backoff; // of the stream's reconnects
  private final Retries reconnects; // stopped when renewal stops
  private final Retries revokeRetries; // not stopped by a revoke: they are its attempts
  private long periodicTimer = -1;
  private long deadlineTimer = -1;
  private long reconnectTimer = -1;
  private String lastFailure;
  private Future<Void> revoking;

  private LeaseKeeper(Vertx vertx, Context context, Context owner, EtcdConnection conn, LeaseOptions options,
                      long id, long ttlSeconds, long grantSendNanos, Handler<String> lostHandler) {
    this.vertx = vertx;
    this.context = context;
    this.owner = owner;
    this.conn = conn;
    this.id = id;
    this.ttlSeconds = ttlSeconds;
    this.intervalMs = options.keepAliveInterval().toMillis();
    this.marginNanos = options.safetyMargin().toNanos();
    Duration maxBackoff = options.maxReconnectBackoff();
    this.backoff = new Backoff(LeaseOptions.MIN_RECONNECT_BACKOFF,
        maxBackoff.compareTo(LeaseOptions.MIN_RECONNECT_BACKOFF) < 0 ? LeaseOptions.MIN_RECONNECT_BACKOFF : maxBackoff);
    this.reconnects = new Retries(vertx);
    this.revokeRetries = new Retries(vertx);
    this.answerTimeoutNanos = conn.callTimeout().toNanos();
    this.revokeAttemptTimeout = conn.callTimeout().compareTo(REVOKE_ATTEMPT_TIMEOUT) < 0 ? conn.callTimeout()
        : REVOKE_ATTEMPT_TIMEOUT;
    this.lostHandler = lostHandler;
    this.lastAckSendNanos = grantSendNanos; // the grant itself is the first renewal
    this.deadlineNanos = grantSendNanos + TimeUnit.SECONDS.toNanos(ttlSeconds) - marginNanos;
  }

  /**
   * Grants a lease of {@link LeaseOptions#getTtlSeconds()} and keeps it alive on the caller's
   * own context (see {@link #grant(KeeperLoop, LeaseOptions, Handler)} for a keeper that the
   * caller's work cannot starve).
   *
   * <p>Must be called on a Vert.x context (e.g. in a verticle); the returned future and
   * {@code lostHandler} run on that context. A failed grant is not retried (a retried grant
   * could leave an orphan lease behind, harmless but wasteful): the caller decides.
   *
   * @param lostHandler called once, with a human-readable reason, when the lease is lost
   *     (never after {@link #revoke()} or {@link #close()})
   * @return the running keeper, or a failure ({@link EtcdCallException} when etcd refused or
   *     could not be reached)
   * @throws IllegalStateException    when not called on a Vert.x context
   * @throws IllegalArgumentException when the options cannot work (see {@link LeaseOptions})
   */
  public static Future<LeaseKeeper> grant(Vertx vertx, EtcdConnection conn, LeaseOptions options,
                                          Handler<String> lostHandler) {
    Objects.requireNonNull(vertx, "vertx");
    Context ctx = Vertx.currentContext();
    if (ctx == null || ctx.owner() != vertx) {
      throw new IllegalStateException("LeaseKeeper.grant must be called on a context of the given Vert.x instance");
    }
    return grant(ctx, ctx, conn, options, lostHandler);
  }

  /**
   * Grants a lease of {@link LeaseOptions#getTtlSeconds()} and keeps it alive on
   * {@code loop}'s context through {@code loop}'s connection: the keep-alives, the deadline
   * timer and the lease-lost decision run there, however long the caller's context is busy.
   *
   * <p>Must be called on a Vert.x context (the owner, e.g. an allocator verticle's); the
   * returned future, the futures of {@link #revoke()}, {@link #revokeRetrying(Duration)} and
   * {@link #close()}, and {@code lostHandler} complete and run on that context. The keeper
   * decides the loss {@link LeaseOptions#safetyMargin()} before etcd could expire the lease;
   * the hop of {@code lostHandler} to the owner's context comes out of that margin.
   *
   * @throws IllegalStateException when not called on a context of {@code loop}'s Vert.x instance
   */
  public static Future<LeaseKeeper> grant(KeeperLoop loop, LeaseOptions options, Handler<String> lostHandler) {
    Context ctx = Vertx.currentContext();
    if (ctx == null || ctx.owner() != loop.context().owner()) {
      throw new IllegalStateException("LeaseKeeper.grant must be called on a context of the keeper loop's Vert.x");
    }
    return grant(ctx, loop.context(), loop.connection(), options, lostHandler);
  }

  private static Future<LeaseKeeper> grant(Context owner, Context keeperContext, EtcdConnection conn,
                                           LeaseOptions options, Handler<String> lostHandler) {
    Objects.requireNonNull(conn, "conn");
    Objects.requireNonNull(lostHandler, "lostHandler");
    Vertx vertx = owner.owner();
    LeaseOptions opts = new LeaseOptions(options);
    opts.validate(opts.getTtlSeconds());
    Promise<LeaseKeeper> result = Promise.promise();
    runOn(keeperContext, () -> {
      long sendNanos = System.nanoTime();
      LeaseCalls.grant(conn, opts.getTtlSeconds())
          .onComplete(ar -> runOn(keeperContext, () -> {
            if (ar.failed()) {
              runOn(owner, () -> result.fail(ar.cause()));
              return;
            }
            var resp = ar.result();
            // etcd may raise a short TTL to its minimum; the granted TTL is the one it enforces.
            LeaseKeeper keeper = new LeaseKeeper(vertx, keeperContext, owner, conn, opts, resp.getID(),
                resp.getTTL(), sendNanos, lostHandler);
            LOG.info("etcd lease {} granted: TTL {} s, keep-alive every {} ms, safety margin {} ms{}",
                keeper.id, keeper.ttlSeconds, keeper.intervalMs, TimeUnit.NANOSECONDS.toMillis(keeper.marginNanos),
                keeperContext == owner ? "" : ", kept on its own event loop");
            keeper.start(); // a loss found here reaches the owner before the keeper does
            runOn(owner, () -> result.complete(keeper));
          }));
    });
    return result.future();
  }

  /** The lease id. */
  public long id() {
    return id;
  }

  /** The TTL etcd granted, in seconds (at least the requested one). */
  public long ttlSeconds() {
    return ttlSeconds;
  }

  /**
   * When the newest acknowledged renewal was <em>sent</em> (initially: when the grant was
   * sent), in milliseconds on the {@link System#nanoTime()} scale. etcd cannot expire the
   * lease before this plus the TTL.
   */
  public long lastAcknowledgedAt() {
    return TimeUnit.NANOSECONDS.toMillis(lastAckSendNanos);
  }

  /**
   * Milliseconds left until the keeper declares the lease lost unless a renewal is
   * acknowledged ({@code lastAcknowledgedAt() + TTL - safetyMargin - now}); negative once
   * passed. Meaningless after loss, revoke or close.
   */
  public long millisUntilDeadline() {
    return TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
  }

  /** Keep-alive requests written so far. */
  public long keepAlivesSent() {
    return keepAlivesSent;
  }

  /** Keep-alive answers with TTL &gt; 0 received so far. */
  public long keepAlivesAcknowledged() {
    return keepAlivesAcknowledged;
  }

  /** Times the keep-alive stream broke, went silent, or could not be opened. */
  public long keepAliveFailures() {
    return keepAliveFailures;
  }

  /** Whether the lease was lost (the lost handler has been called or is on its way to the owner's context). */
  public boolean isLost() {
    return state == State.LOST;
  }

  /**
   * Stops renewing and revokes the lease, which deletes every key attached to it. Idempotent:
   * later calls return the same outcome; a failed revoke is tried again by the next call.
   * Revoking a lease that is already gone on the server succeeds. The lost handler is not
   * called.
   *
   * @return completes on the owner's context; fails when etcd could not be told (the lease
   *     then expires within its TTL, renewal has stopped either way; after a loss the failure
   *     is logged at debug level only)
   * @see #revokeRetrying(Duration)
   */
  public Future<Void> revoke() {
    return onContext(() -> revokeHere(conn.callTimeout()));
  }

  /** Revokes from the keeper's context; completes there. */
  private Future<Void> revokeHere(Duration attemptTimeout) {
    if (revoking != null && !revoking.failed()) {
      return revoking;
    }
    if (state == State.ACTIVE) {
      state = State.CLOSED;
      stopRenewing();
    }
    boolean quiet = state == State.LOST;
    revoking = LeaseCalls.revoke(conn, id, attemptTimeout) // already gone counts as revoked
        .recover(err -> {
          if (quiet) {
            LOG.debug("etcd lease {}: revoke after loss failed: {}", id, err.toString());
          } else {
            LOG.warn("etcd lease {}: revoke failed: {}", id, err.toString());
          }
          return Future.failedFuture(err);
        });
    return revoking;
  }

  /**
   * {@link #revoke()}, retried after each failed attempt (a jittered back-off from 250 ms up to
   * 375 ms, see {@link Backoff}), for up to {@code patience};
   * an attempt waits at most 1 s (or the call timeout if shorter): a request sent while etcd
   * has no leader may never be answered, and a revoke is safe to repeat. A lease given up during an outage (etcd restarting, electing a leader,
   * frozen) is then revoked as soon as etcd answers again instead of living on for a TTL, which
   * etcd restarts from scratch after a restart or a leader change: its keys (a member key, the
   * entries of a member that has stopped acting) would block a rejoin and keep items
   * understaffed for that long.
   *
   * @param patience how long to keep trying; past that the lease is left to expire
   * @return completes on the owner's context: succeeded when revoked (or already gone), failed
   *     with the last error when patience ran out
   */
  public Future<Void> revokeRetrying(Duration patience) {
    long untilNanos = System.nanoTime() + patience.toNanos();
    // On the keeper's context, attempts and retry timers included.
    return onContext(() -> revokeRetries.retry(new Backoff(REVOKE_RETRY_BASE, REVOKE_RETRY_CAP),
        attempt -> revokeHere(revokeAttemptTimeout).onSuccess(v -> {
          if (attempt > 1) {
            LOG.info("etcd lease {} revoked at attempt {}", id, attempt);
          }
        }), (err, attempt, delay) -> {
          if (System.nanoTime() - untilNanos >= 0) {
            LOG.warn("etcd lease {}: revoke failed {} times, leaving it to expire within {} s: {}", id, attempt,
                ttlSeconds, err.toString());
            return false;
          }
          if (attempt == 1) {
            LOG.info("etcd lease {}: revoke failed ({}); retrying until etcd answers", id, err.toString());
          }
          return true;
        }));
  }

  /**
   * Stops renewing without revoking: the lease (and its keys) expire within the TTL. Idempotent.
   * The lost handler is not called.
   */
  public Future<Void> close() {
    return onContext(() -> {
      if (state == State.ACTIVE) {
        state = State.CLOSED;
        stopRenewing();
        LOG.debug("etcd lease {}: keeper closed without revoking", id);
      }
      return Future.succeededFuture();
    });
  }

  @Override
  public String toString() {
    return "LeaseKeeper[" + id + " ttl=" + ttlSeconds + "s " + state + "]";
  }

  // ---- keep-alive loop (all on the context) ----

  private void start() {
    if (System.nanoTime() - deadlineNanos >= 0) {
      // The grant was answered after the deadline (etcd or this process stalled): etcd may
      // have expired the lease already. Lost before anyone can attach a key to it.
      lose(deadlineReason());
      return;
    }
    armDeadline();
    periodicTimer = vertx.setPeriodic(intervalMs, t -> tick());
    openStream();
  }

  private void tick() {
    if (state != State.ACTIVE) {
      return;
    }
    if (System.nanoTime() - deadlineNanos >= 0) { // the deadline timer may be late on a busy loop
      lose(deadlineReason());
      return;
    }
    if (stream == null) {
      return; // reconnecting; the first request goes out as soon as the stream is open
    }
    Long oldest = inFlight.peekFirst();
    if (oldest != null && System.nanoTime() - oldest > answerTimeoutNanos) {
      // A half-open connection or a stuck server: do not wait for TCP to notice.
      streamFailed(stream, "no keep-alive answer within " + TimeUnit.NANOSECONDS.toMillis(answerTimeoutNanos) + " ms");
      return;
    }
    sendKeepAlive();
  }

  private void sendKeepAlive() {
    EtcdStream<LeaseKeepAliveRequest, LeaseKeepAliveResponse> s = stream;
    inFlight.addLast(System.nanoTime());
    keepAlivesSent++;
    s.request().write(LeaseKeepAliveRequest.newBuilder().setID(id).build())
        .onFailure(err -> runOn(context, () -> streamFailed(s, "write failed: " + err)));
  }

  private void openStream() {
    if (state != State.ACTIVE || stream != null || opening) {
      return;
    }
    opening = true;
    conn.openStream(LeaseGrpc.getLeaseKeepAliveMethod()).onComplete(ar -> runOn(context, () -> {
      opening = false;
      if (ar.failed()) {
        noteFailure("cannot open keep-alive stream: " + ar.cause().getMessage());
        scheduleReconnect();
        return;
      }
      EtcdStream<LeaseKeepAliveRequest, LeaseKeepAliveResponse> s = ar.result();
      if (state != State.ACTIVE) {
        cancelQuietly(s);
        return;
      }
      stream = s;
      inFlight.clear();
      s.request().exceptionHandler(err -> runOn(context, () -> streamFailed(s, "stream error: " + err)));
      // Write before asking for the response: etcd sends headers only with its first answer.
      sendKeepAlive(); // at once: after a failure the lease may be close to its deadline
      s.request().response().onComplete(rar -> runOn(context, () -> attach(s, rar)));
      LOG.debug("etcd lease {}: keep-alive stream open on {}", id, s.endpoint());
    }));
  }

  private void attach(EtcdStream<LeaseKeepAliveRequest, LeaseKeepAliveResponse> s,
                      AsyncResult<GrpcClientResponse<LeaseKeepAliveRequest, LeaseKeepAliveResponse>> rar) {
    if (rar.failed()) {
      streamFailed(s, "stream failed: " + rar.cause());
      return;
    }
    GrpcClientResponse<LeaseKeepAliveRequest, LeaseKeepAliveResponse> resp = rar.result();
    resp.handler(msg -> runOn(context, () -> onAnswer(s, msg)));
    resp.exceptionHandler(err -> runOn(context, () -> streamFailed(s, "stream error: " + err)));
    resp.endHandler(v -> runOn(context, () -> streamFailed(s,
        "stream ended by etcd: " + resp.status() + " " + resp.statusMessage())));
  }

  private void onAnswer(EtcdStream<LeaseKeepAliveRequest, LeaseKeepAliveResponse> s, LeaseKeepAliveResponse msg) {
    if (s != stream || state != State.ACTIVE) {
      return;
    }
    // etcd answers the requests of one stream in order, so the oldest pending send time is
    // the one answered; were an answer ever missing, we would only credit an older send time.
    Long sentAt = inFlight.pollFirst();
    if (sentAt == null) {
      LOG.debug("etcd lease {}: unsolicited keep-alive answer ignored", id);
      return;
    }
    if (msg.getTTL() <= 0) {
      lose("etcd answered the keep-alive with TTL " + msg.getTTL() + ": the lease expired or was revoked");
      return;
    }
    keepAlivesAcknowledged++;
    backoff.reset(); // the stream works again
    if (sentAt - lastAckSendNanos > 0) {
      long ttlNanos = TimeUnit.SECONDS.toNanos(Math.min(msg.getTTL(), ttlSeconds));
      lastAckSendNanos = sentAt;
      deadlineNanos = sentAt + ttlNanos - marginNanos;
      armDeadline();
    }
  }

  private void streamFailed(EtcdStream<LeaseKeepAliveRequest, LeaseKeepAliveResponse> s, String reason) {
    if (s != stream) {
      return; // an old stream's last words, or our own cancel
    }
    stream = null;
    inFlight.clear(); // answers to these can no longer arrive
    conn.rotateFrom(s.endpoint());
    cancelQuietly(s);
    if (state != State.ACTIVE) {
      return;
    }
    noteFailure(reason);
    scheduleReconnect();
  }

  private void noteFailure(String reason) {
    keepAliveFailures++;
    lastFailure = reason;
    LOG.info("etcd lease {}: {}; retrying, {} ms until the loss deadline", id, reason, millisUntilDeadline());
  }

  private void scheduleReconnect() {
    if (state != State.ACTIVE || reconnectTimer != -1) {
      return;
    }
    // Jittered: after an etcd restart the fleet's keepers do not reconnect in lockstep; never
    // longer than the un-jittered schedule, so the loss deadline is no nearer than before.
    reconnectTimer = reconnects.after(backoff.nextDelayMillis(), () -> {
      reconnectTimer = -1;
      openStream();
    });
  }

  private void armDeadline() {
    if (deadlineTimer != -1) {
      vertx.cancelTimer(deadlineTimer);
    }
    long expected = deadlineNanos;
    // Rounded down: firing a little early is safe, firing late eats into the margin.
    long delayMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(expected - System.nanoTime()));
    deadlineTimer = vertx.setTimer(delayMs, t -> {
      deadlineTimer = -1;
      if (state != State.ACTIVE || deadlineNanos != expected) {
        return;
      }
      if (System.nanoTime() - expected >= 0) {
        lose(deadlineReason());
      } else {
        armDeadline(); // woke up a fraction of a millisecond early
      }
    });
  }

  private String deadlineReason() {
    return "no keep-alive acknowledged for " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastAckSendNanos)
        + " ms (TTL " + ttlSeconds + " s, safety margin " + TimeUnit.NANOSECONDS.toMillis(marginNanos) + " ms)"
        + (lastFailure != null ? "; last failure: " + lastFailure : "");
  }

  private void lose(String reason) {
    if (state != State.ACTIVE) {
      return;
    }
    state = State.LOST;
    stopRenewing();
    LOG.warn("etcd lease {} lost: {}; last acknowledged keep-alive sent {} ms ago", id, reason,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastAckSendNanos));
    // From here isLost() is true for the owner too; the handler follows on its context.
    runOn(owner, () -> {
      try {
        lostHandler.handle(reason);
      } catch (RuntimeException e) {
        LOG.error("etcd lease {}: lost handler failed", id, e);
      }
    });
  }

  private void stopRenewing() {
    for (long timer : new long[] {periodicTimer, deadlineTimer}) {
      if (timer != -1) {
        vertx.cancelTimer(timer);
      }
    }
    reconnects.stop();
    periodicTimer = deadlineTimer = reconnectTimer = -1;
    EtcdStream<LeaseKeepAliveRequest, LeaseKeepAliveResponse> s = stream;
    stream = null;
    inFlight.clear();
    if (s != null) {
      cancelQuietly(s);
    }
  }

  private static void cancelQuietly(EtcdStream<?, ?> s) {
    try {
      s.request().cancel();
    } catch (RuntimeException e) {
      LOG.trace("cancel of a keep-alive stream failed", e);
    }
  }

  /** Runs {@code call} on the keeper's context and completes the result on the owner's. */
  private <T> Future<T> onContext(Supplier<Future<T>> call) {
    Promise<T> result = Promise.promise();
    runOn(context, () -> {
      Future<T> f;
      try {
        f = call.get();
      } catch (RuntimeException e) {
        f = Future.failedFuture(e);
      }
      f.onComplete(ar -> runOn(owner, () -> result.handle(ar)));
    });
    return result.future();
  }

  /**
   * Runs {@code action} now when already on {@code ctx}, else hops there. vertx-grpc answers
   * on the calling context, so the hop is insurance, not the normal path.
   */
  private static void runOn(Context ctx, Runnable action) {
    if (Vertx.currentContext() == ctx) {
      action.run();
    } else {
      ctx.runOnContext(v -> action.run());
    }
  }
}
