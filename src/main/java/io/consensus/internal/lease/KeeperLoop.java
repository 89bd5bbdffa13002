package io.consensus.internal.lease;

import io.consensus.internal.etcd.EtcdConnection;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.impl.ContextInternal;
import io.vertx.core.impl.VertxInternal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a member's {@link LeaseKeeper} runs: an event-loop context on another event loop than
 * the one it keeps the lease for (the allocator's), with an {@link EtcdConnection} of its own,
 * so that seconds of work on the allocator's loop delay neither a keep-alive nor the
 * lease-lost decision.
 *
 * <p>The connection must be its own too: vertx-grpc-client makes an HTTP/2 connection on the
 * event loop of the context that first uses it and runs all its I/O there, so a keeper sharing
 * the allocator's connection would still wait for the allocator's loop.
 *
 * <p>How the loop is guaranteed to differ: Vert.x hands out event loops round-robin; the
 * context is taken from {@code VertxInternal.createEventLoopContext()} (the next loop of the
 * instance's own pool) until its Netty event loop is not the avoided one, and, should concurrent
 * callers keep landing on it, from the first other loop of the pool explicitly. Only a Vert.x
 * whose pool has a single event loop ({@code VertxOptions.setEventLoopPoolSize(1)}) leaves no
 * choice: the keeper then shares the loop, {@link #ownLoop()} says so and a warning is logged.
 * The default pool has two loops per core.
 */
public final class KeeperLoop {
  private static final Logger LOG = LoggerFactory.getLogger(KeeperLoop.class);

  private final Context context;
  private final EtcdConnection conn;
  private final boolean ownLoop;

  private KeeperLoop(Context context, EtcdConnection conn, boolean ownLoop) {
    this.context = context;
    this.conn = conn;
    this.ownLoop = ownLoop;
  }

  /**
   * A keeper loop on another event loop than {@code avoid}'s, with a duplicate of
   * {@code template} (same endpoints, timeout and security) as its connection.
   */
  public static KeeperLoop besides(Context avoid, EtcdConnection template) {
    VertxInternal vertx = (VertxInternal) avoid.owner();
    EventLoop avoided = ((ContextInternal) avoid).nettyEventLoop();
    int loops = 0;
    EventLoop other = null;
    for (EventExecutor e : vertx.getEventLoopGroup()) {
      loops++;
      if (other == null && e != avoided && e instanceof EventLoop l) {
        other = l;
      }
    }
    ContextInternal ctx = vertx.createEventLoopContext();
    for (int i = 1; i < loops && ctx.nettyEventLoop() == avoided; i++) {
      ctx = vertx.createEventLoopContext();
    }
    if (ctx.nettyEventLoop() == avoided && other != null) {
      ctx = vertx.createEventLoopContext(other, null, Thread.currentThread().getContextClassLoader());
    }
    boolean own = ctx.nettyEventLoop() != avoided;
    if (!own) {
      LOG.warn("Vert.x has a single event loop: the lease keeper shares it with the allocator, whose long work "
          + "can then delay keep-alives (use an event-loop pool of at least 2)");
    }
    return new KeeperLoop(ctx, template.duplicate(), own);
  }

  /** The keeper's context. */
  public Context context() {
    return context;
  }

  /** The keeper's own connection to etcd, used only from {@link #context()}. */
  public EtcdConnection connection() {
    return conn;
  }

  /** Whether the keeper has an event loop to itself, apart from the avoided one. */
  public boolean ownLoop() {
    return ownLoop;
  }

  /**
   * Closes the keeper's connection (on the keeper's context). Idempotent. Completes on the
   * caller's context.
   */
  public Future<Void> close() {
    Context caller = Vertx.currentContext();
    Promise<Void> p = Promise.promise();
    context.runOnContext(v -> conn.close().onComplete(ar -> {
      if (caller == null || caller == context) {
        p.handle(ar);
      } else {
        caller.runOnContext(x -> p.handle(ar));
      }
    }));
    return p.future();
  }
}
