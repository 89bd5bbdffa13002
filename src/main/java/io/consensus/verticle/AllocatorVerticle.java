package io.consensus.verticle;

import io.consensus.internal.member.AdaptiveStep;
import io.consensus.internal.member.EntryWriter;
import io.consensus.internal.member.EtcdBufferRelief;
import io.consensus.internal.member.FleetControl;
import io.consensus.internal.member.GraceLease;
import io.consensus.internal.member.HeldItemStates;
import io.consensus.internal.member.JsonSpecReader;
import io.consensus.internal.member.HandedOverJson;
import io.consensus.internal.member.LoopSlices;
import io.consensus.internal.member.MemberRegistration;
import io.consensus.internal.member.FleetNotices;
import io.consensus.internal.member.RestartExit;
import io.consensus.internal.member.LiveRoutingTable;
import io.consensus.internal.member.PublishedRoutes;
import io.consensus.internal.route.TreePatch;
import io.consensus.route.RoutingTable;
import io.consensus.internal.allocation.AllocationDecider;
import io.consensus.internal.allocation.AllocationIndex;
import io.consensus.internal.allocation.Reclassified;
import io.consensus.internal.allocation.Decision;
import io.consensus.internal.allocation.Rule;
import io.consensus.internal.etcd.Backoff;
import io.consensus.etcd.EtcdCallException;
import io.consensus.internal.etcd.EtcdConnection;
import io.consensus.internal.etcd.Retries;
import io.consensus.internal.lease.KeeperLoop;
import io.consensus.internal.lease.LeaseKeeper;
import io.consensus.internal.member.LoopLagMeter;
import io.consensus.internal.member.LoopWorkMeter;
import io.consensus.internal.route.Keys;
import io.consensus.internal.route.MemberDirectory;
import io.consensus.internal.route.Names;
import io.consensus.tree.KeyEvent;
import io.consensus.tree.KeyTree;
import io.consensus.tree.TreePatchException;
import io.consensus.internal.watch.RetryWatcher;
import io.consensus.internal.watch.RetryWatcherOptions;
import io.consensus.internal.watch.SnapshotReader;
import io.consensus.tree.KeyValue;
import io.consensus.tree.WatchUpdate;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.ObjLongConsumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One allocator member as a non-blocking verticle: joins the fleet, allocates, hands off on
 * exit.
 *
 * <p>On start it grants a lease, creates its member key {@code ROOT/members/<member>} (failing
 * with {@link MemberExistsException} when it exists, or waiting up to
 * {@code waitForMemberSeconds} for it to expire), then watches {@code ROOT/} and runs the
 * allocation protocol: after every change it decides with {@link AllocationDecider}, writes
 * with compare-guarded transactions, and waits for its own write to come back through the
 * watch before deciding again. On undeploy (or {@link #cancel()}) it deletes its member
 * key, hands masters off to ready replicas, drops replicas, revokes its lease and only then
 * completes; {@code handoffTimeoutSeconds} bounds this.
 *
 * <p>Everything runs on the verticle's context: etcd traffic goes through vertx-grpc-client
 * on this event loop, so no foreign thread ever touches the state below. The one exception is
 * the lease: its keeper runs on another event loop with its own etcd connection, so that long
 * work here cannot delay a keep-alive; it tells this context when the lease is lost.
 *
 * <p>Event bus (A = {@code address}, M = member name):
 * <ul>
 *   <li>{@code A}: published {@link RouteChange} JSON whenever a route changes;</li>
 *   <li>{@code A.events}: published {@link AllocatorEvent} JSON;</li>
 *   <li>{@code A.table.M}: request/reply, answers the full route table;</li>
 *   <li>{@code A.state.M}: send {@code {"item": ..., "state": ...}} to report an item's local
 *       state; it is written promptly and takes precedence over {@link ItemHandler#itemState}.</li>
 * </ul>
 */
public class AllocatorVerticle extends AbstractVerticle {
  private static final Logger LOG = LoggerFactory.getLogger(AllocatorVerticle.class);
  // Lease remaining, keep-alive and watch counts change without telling the verticle.
  private static final long HEALTH_REFRESH_MILLIS = 1000;
  // How long one slice of update work may hold the event loop before yielding to it.
  static final long SLICE_BUDGET_NANOS = 10_000_000L;
  // Keys patched, or items re-classified and published, between two looks at the clock.
  private static final int STEP = 256;
  // Items per re-classify-and-publish step: starts small, as the first snapshot runs cold code.
  private final AdaptiveStep reclassifyStep = new AdaptiveStep(32, STEP);
  /** The loop name of {@link #onEventLoopLag} samples measured on the allocator's event loop. */
  public static final String LOOP_ALLOCATOR = "allocator";
  /** The loop name of {@link #onEventLoopLag} samples measured on the lease keeper's event loop. */
  public static final String LOOP_KEEPER = "keeper";
  /** The kind of {@link #onLoopWork} samples that are one slice of update work. */
  public static final String WORK_SLICE = "slice";
  /** The kind of {@link #onLoopWork} samples that are one decision round (and the transaction it sends). */
  public static final String WORK_DECISION = "decision";
  /** The kind of {@link #onLoopWork} samples that are the handling of one transaction answer. */
  public static final String WORK_ANSWER = "answer";

  private enum Phase { STARTING, RUNNING, REJOINING, CANCELLING, EXITED }

  // Configured at deploy (or start, from config()), never changed after start: run-time state
  // lives in the fields below, so that options() can hand out a copy from any thread.
  private volatile AllocatorOptions options;
  // Whether the member key carries the reserved "drained" field: the configured value until
  // undrain() clears it (on the context); read from any thread.
  private volatile boolean memberKeyDrained;
  // The hand-off timeout of the next graceful exit when set by handoffTimeoutSeconds(int); -1:
  // as configured.
  private volatile int handoffTimeoutSeconds = -1;
  private final ItemHandler handler;
  private final Random rnd = new Random();
  private final List<Handler<AllocatorEvent>> listeners = new CopyOnWriteArrayList<>();
  private final List<ObjLongConsumer<String>> lagListeners = new CopyOnWriteArrayList<>();
  private final List<ObjLongConsumer<String>> workListeners = new CopyOnWriteArrayList<>();
  // Times our own pieces of work on the allocator's loop (slices, decisions, answers).
  private LoopWorkMeter work;
  private final AllocatorStats stats = new AllocatorStats();
  private final Promise<Long> exited = Promise.promise();
  private final Promise<Void> startSettled = Promise.promise();
  private volatile boolean abortRequested;

  private Keys keys;
  private String member;
  private EtcdConnection conn;
  private EtcdBufferRelief bufferRelief;
  private EntryWriter writer;
  private MemberRegistration registration;
  private RetryWatcher watcher;
  private LeaseKeeper lease;
  private KeeperLoop keeperLoop;
  private LoopLagMeter allocatorLag;
  private LoopLagMeter keeperLag;
  private AllocationDecider decider;
  private AllocationIndex index;
  private KeyTree tree;
  private volatile Phase phase = Phase.STARTING;
  // What this member knows about itself, for health checks and metrics on other threads.
  private volatile AllocatorHealth health = AllocatorHealth.STARTING;
  private long healthTimer = -1;
  // Keep-alive counts of the leases before the current one (a rejoin starts a new lease).
  private long pastKeepAlives;
  private long pastKeepAliveFailures;
  private PublishedRoutes table;
  // The fleet's routes as this member's view shows them (for the status page and users).
  private LiveRoutingTable routingTable;
  private final MemberDirectory memberDirectory = new MemberDirectory();
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();

  private long memberCreatedRevision;
  private long awaitRevision;
  private boolean inFlight;
  private long backoffTimer = -1;
  // Every retry of this member (join, rejoin, member key delete, failed transactions): jittered,
  // and none scheduled once it exited.
  private Retries retries;
  private final Backoff joinBackoff = new Backoff(Duration.ofMillis(250), Duration.ofSeconds(2));
  private final Backoff rejoinBackoff = new Backoff(Duration.ofMillis(250), Duration.ofSeconds(5));
  private final Backoff deleteBackoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1));
  // Short: it was 200-500 ms; the stateCheckMillis tick decides again anyway.
  private final Backoff transactionBackoff = new Backoff(Duration.ofMillis(250), Duration.ofMillis(500));
  private Object backoffRoot;
  private long tickTimer = -1;
  private long handoffTimer = -1;
  private long cancelStartedNanos;
  // Stopping for a restart (null otherwise): masters handed off in place, replicas left for the
  // next incarnation.
  private RestartExit restartExit;
  // The previous incarnation's grace lease once revoked (after adopting its entries).
  private long graceLeaseRevoked;
  private boolean restartExiting;
  private long lastIdleRevision = -1;
  // Local states of held items: reported ones, and which need a look (the state rules).
  private HeldItemStates states;
  private JsonSpecReader specReader;
  // Drain, maintenance and shortfall as this member's view shows them.
  private FleetNotices placementNotes;
  // Watch updates, rebuilds, route publication and state sweeps, run in bounded slices.
  private LoopSlices slices;
  private boolean sweepQueued;
  // The view a snapshot streamed page by page is building aside (null when none), and the
  // revision it is taken at: the Snapshot update that follows its last page installs it.
  private KeyTree streamed;
  private long streamedRevision = -1;
  // Bumped by every snapshot that begins: the pages of an abandoned one, still queued, are dropped.
  private long streamedAttempt;
  // Completes once the first snapshot is fully applied (start completes after it).
  private final Promise<Void> firstApplied = Promise.promise();

  /** A verticle configured from {@link #config()} (JSON keys of {@link AllocatorOptions}). */
  public AllocatorVerticle() {
    this(null, ItemHandler.DEFAULT);
  }

  /** A verticle with default item handling. */
  public AllocatorVerticle(AllocatorOptions options) {
    this(options, ItemHandler.DEFAULT);
  }

  /** A verticle whose application side is {@code handler}. */
  public AllocatorVerticle(AllocatorOptions options, ItemHandler handler) {
    this.options = options == null ? null : new AllocatorOptions(options);
    this.handler = handler == null ? ItemHandler.DEFAULT : handler;
  }

  @Override
  public void start(Promise<Void> startPromise) {
    retries = new Retries(vertx);
    if (abortRequested) {
      enter(Phase.EXITED);
      startPromise.fail(new IllegalStateException("start aborted before it began"));
      return;
    }
    AllocatorOptions given = options;
    JsonObject json = config();
    // What grows with the fixed items (their validation, the empty routing table, the first
    // index: ~0.25 s at 100,000 items, seconds at 1,000,000 or while ten JVMs start on two cores)
    // is built on a worker, not on this event loop.
    offLoop(() -> Prepared.of(given != null ? given : new AllocatorOptions(json), handler))
        .onComplete(prepared -> {
          if (prepared.succeeded() && phase == Phase.STARTING) {
            startPrepared(prepared.result(), startPromise);
            return;
          }
          enter(Phase.EXITED);
          startSettled.tryComplete(); // an abortStart() meanwhile waits for it
          startPromise.fail(prepared.failed() ? prepared.cause()
              : new IllegalStateException("start aborted before it began"));
        });
  }

  /** The start's pieces that grow with the fixed items, built off the event loop. */
  private record Prepared(AllocatorOptions options, RoutingTable emptyTable, AllocationIndex firstIndex) {
    static Prepared of(AllocatorOptions options, ItemHandler handler) {
      options.validate(true);
      Keys keys = new Keys(options.getRoot());
      return new Prepared(options, RoutingTable.empty(keys.root(), options.getItems(), options.getReplicas(),
          options.getItemReplicas()), bareIndex(options, handler, 0));
    }
  }

  private void startPrepared(Prepared prepared, Promise<Void> startPromise) {
    options = prepared.options();
    keys = new Keys(options.getRoot());
    member = options.getMember();
    specReader = new JsonSpecReader(keys.root(), memberDirectory); // reads the directory's decoded values
    placementNotes = new FleetNotices(member, keys, n -> stats.unattainableSlots = n);
    states = new HeldItemStates(handler, options.getInitialState());
    decider = new AllocationDecider(options.getMaxBatch());
    if (options.getMaxLoadingEntries() != null) {
      decider = decider.withMaxLoadingEntries(options.getMaxLoadingEntries());
    }
    conn = EtcdConnection.open(vertx, options.getEtcdClientOptions());
    writer = new EntryWriter(conn, keys, member);
    bufferRelief = new EtcdBufferRelief(conn);
    keeperLoop = KeeperLoop.besides(context, conn);
    memberKeyDrained = options.isDrained();
    registration = new MemberRegistration(keeperLoop, writer, keys.member(member), options,
        () -> memberKeyDrained);
    work = new LoopWorkMeter("member " + member, (kind, nanos) -> {
      for (ObjLongConsumer<String> l : workListeners) {
        l.accept(kind, nanos);
      }
    });
    allocatorLag = LoopLagMeter.start(context, "member " + member + ", " + LOOP_ALLOCATOR,
        nanos -> lagSample(LOOP_ALLOCATOR, nanos));
    keeperLag = LoopLagMeter.start(keeperLoop.context(), "member " + member + ", " + LOOP_KEEPER,
        nanos -> lagSample(LOOP_KEEPER, nanos));
    tree = KeyTree.empty(keys.root());
    index = prepared.firstIndex().specs(specReader);
    slices = new LoopSlices(vertx, SLICE_BUDGET_NANOS, (wall, cpu) -> {
      stats.slice(wall, cpu);
      work.record(WORK_SLICE, wall, cpu);
    });
    table = new PublishedRoutes(member, options.getAddress(), handler, vertx, memberDirectory,
        stats.mastershipChanges::increment);
    routingTable = new LiveRoutingTable(prepared.emptyTable());
    registerConsumers();
    healthTimer = vertx.setPeriodic(HEALTH_REFRESH_MILLIS, id -> publishHealth());
    LOG.info("member {} joining {} (R={}, fixed items {}, etcd {})", member, keys.root(), options.getReplicas(),
        options.getItems().size(), options.getEndpoints());
    long now = System.nanoTime();
    // A busy machine or an etcd election can make the first calls time out although etcd is
    // fine: transient failures are retried for a few call timeouts before giving up.
    long retryUntil = now + Math.max(Duration.ofSeconds(options.getWaitForMemberSeconds()).toNanos(),
        Duration.ofMillis(3 * options.getCallTimeoutMillis()).toNanos());
    joinAtStart(now + Duration.ofSeconds(options.getWaitForMemberSeconds()).toNanos(), retryUntil)
        .compose(v -> indexForLease())
        .compose(fresh -> {
          index = fresh;
          // No previous key-values: the tree needs none, and etcd would read one per event and
          // watcher, seconds for the thousands of deletions of a dead member's lease.
          watcher = RetryWatcher.start(vertx, conn,
              new RetryWatcherOptions().setPrefix(keys.rootPrefix()).setPrevKv(false), this::onUpdate)
              .snapshotPages(new SnapshotPages())
              .livenessHandler(live -> publishHealth());
          return watcher.firstSnapshot().compose(x -> firstApplied.future());
        })
        .onSuccess(v -> {
          if (phase == Phase.EXITED) {
            // abortStart() came first: its revoke waits for this.
            startSettled.tryComplete();
            cleanup().onComplete(x -> startPromise.fail(new IllegalStateException("start of member " + member
                + " aborted")));
            return;
          }
          startSettled.tryComplete();
          enter(Phase.RUNNING);
          tickTimer = vertx.setPeriodic(options.getStateCheckMillis(), id -> {
            if (states.statesChangeUnseen()) {
              states.checkAll(); // re-read every held item's local state, in slices
              sweepStates();
            }
            maybeDecide();
          });
          emit(AllocatorEvent.Kind.JOINED, tree.revision(), "lease " + lease.id());
          startPromise.complete();
          if (lease.isLost()) {
            relinquish("lease lost while starting"); // the keeper's report came before RUNNING
          } else {
            maybeDecide();
          }
        })
        .onFailure(err -> {
          enter(Phase.EXITED);
          startSettled.tryComplete();
          cleanup().onComplete(x -> startPromise.fail(err));
        });
  }

  /**
   * Abandons a start still in progress (a SIGTERM while the member waits for its old key to
   * expire, or before its first snapshot) and revokes whatever lease it granted, so that a
   * stop during start-up leaves no member key or entry behind. Vert.x does not stop a
   * verticle whose start has not completed. Does nothing once started.
   */
  public Future<Void> abortStart() {
    abortRequested = true; // before Vert.x has even initialised us: start() sees it
    if (context == null) {
      return Future.succeededFuture();
    }
    return onContext(() -> {
      if (phase != Phase.STARTING) {
        return Future.<Void>succeededFuture();
      }
      LOG.info("member {}: start aborted", member);
      enter(Phase.EXITED);
      return startSettled.future().transform(x -> lease != null ? lease.revoke() : Future.<Void>succeededFuture());
    }).compose(f -> f);
  }

  @Override
  public void stop(Promise<Void> stopPromise) {
    if (phase == Phase.STARTING) {
      abortStart().onComplete(x -> cleanup().onComplete(y -> stopPromise.complete()));
      return;
    }
    if (phase == Phase.EXITED) {
      cleanup().onComplete(x -> stopPromise.complete());
      return;
    }
    if (options.getRestartGraceSeconds() > 0) {
      restart(); // a stop with a restart grace is a restart; cancel() first to leave for good
    } else {
      cancel();
    }
    exited.future().onComplete(x -> cleanup().onComplete(y -> stopPromise.complete()));
  }

  // ---------------------------------------------------------------- public API

  /**
   * A copy of the effective options, as configured: changing it changes nothing in this member.
   * State that changes at run time is read from the verticle: {@link #isDrained()},
   * {@link #health()}; the hand-off timeout is changed with {@link #handoffTimeoutSeconds(int)}.
   * Null before the verticle started when deployed without options.
   */
  public AllocatorOptions options() {
    AllocatorOptions o = options;
    return o == null ? null : new AllocatorOptions(o);
  }

  /**
   * Sets the hand-off timeout of this member's next graceful exit (one already waiting keeps its
   * timer), e.g. 0 when no member is left to hand off to. Safe from any thread.
   *
   * @param seconds at most the configured {@code handoffTimeoutSeconds}, so that a declared
   *                restart's grace lease (granted for grace + the configured timeout) outlives it
   */
  public AllocatorVerticle handoffTimeoutSeconds(int seconds) {
    AllocatorOptions o = options;
    if (seconds < 0 || (o != null && seconds > o.getHandoffTimeoutSeconds())) {
      throw new IllegalArgumentException("handoffTimeoutSeconds must be in 0.."
          + (o == null ? "" : o.getHandoffTimeoutSeconds()) + ", was " + seconds);
    }
    handoffTimeoutSeconds = seconds;
    return this;
  }

  /** This member's name. */
  public String member() {
    return member;
  }

  /** Counters for metrics and benchmarks. */
  public AllocatorStats stats() {
    return stats;
  }

  /** Adds a listener for milestones; called on the allocator's context. */
  public AllocatorVerticle onEvent(Handler<AllocatorEvent> listener) {
    listeners.add(listener);
    return this;
  }

  /**
   * Adds a listener for event-loop lag samples (e.g. to feed a histogram meter): called every
   * 100 ms with the loop ({@link #LOOP_ALLOCATOR} or {@link #LOOP_KEEPER}) and how late a timer
   * ran on it, in nanoseconds, on that loop's thread; it must be quick and thread-safe.
   * {@link AllocatorHealth#allocatorLoopLag()} and {@link AllocatorHealth#keeperLoopLag()} hold
   * the figures.
   */
  public AllocatorVerticle onEventLoopLag(ObjLongConsumer<String> listener) {
    lagListeners.add(Objects.requireNonNull(listener));
    return this;
  }

  /**
   * Adds a listener for the pieces of this library's own work on the allocator's event loop
   * (e.g. to feed a histogram meter): called on that loop with the kind ({@link #WORK_SLICE},
   * {@link #WORK_DECISION}, {@link #WORK_ANSWER}) and the wall time of each, in nanoseconds; it
   * must be quick and thread-safe. {@link AllocatorHealth#loopWork()} holds the longest.
   */
  public AllocatorVerticle onLoopWork(ObjLongConsumer<String> listener) {
    workListeners.add(Objects.requireNonNull(listener));
    return this;
  }

  private void lagSample(String loop, long nanos) {
    for (ObjLongConsumer<String> l : lagListeners) {
      l.accept(loop, nanos);
    }
  }

  /**
   * Starts a graceful exit: deletes the member key; the
   * allocator hands off and drops its entries, revokes its lease and completes
   * {@link #exited()}. Undeploying does the same.
   */
  public Future<Long> cancel() {
    context.runOnContext(v -> startCancel(false));
    return exited.future();
  }

  /**
   * Starts a stop for a restart (static membership): with {@code restartGraceSeconds} > 0 the
   * member deletes its member key, hands its masters off in place (keeping their copies as
   * replicas), then leaves its replica entries on a lease of the grace's length, declares the
   * restart ({@code ROOT/restarts/<member>}) and completes {@link #exited()}. A process with the
   * same member name that starts within the grace adopts those entries without placing them
   * anew; otherwise they expire and are re-placed as after a crash. With a grace of 0 this is
   * {@link #cancel()}. Undeploying a member whose grace is set does the same.
   */
  public Future<Long> restart() {
    context.runOnContext(v -> startCancel(options.getRestartGraceSeconds() > 0));
    return exited.future();
  }

  /**
   * Stops at once without cancelling or revoking, as a crashed process would: entries stay in
   * etcd until the lease expires (TTL), then fail over. A test hook, not public API (tests and
   * benchmarks in other packages reach it through the test support {@code Crashes}); undeploy
   * afterwards to release the verticle.
   */
  Future<Void> kill() {
    return onContext(() -> {
      LOG.warn("member {} killed: lease {} left to expire", member, leaseId());
      enter(Phase.EXITED);
      exited.tryComplete(tree.revision());
      return cleanup();
    }).compose(f -> f);
  }

  /** Completes with the revision at which the allocator exited. */
  public Future<Long> exited() {
    return exited.future();
  }

  /**
   * Drops this member's entry of {@code item}, e.g.
   * after an unrecoverable local error; the protocol may take the item again later.
   */
  public Future<Long> cancelItem(String item) {
    return onContext(() -> writer.deleteEntry(item)).compose(f -> f);
  }

  /**
   * Reports the local state of {@code item} (like a message to {@code <address>.state.<member>}):
   * written to this member's entry promptly, taking precedence over
   * {@link ItemHandler#itemState}.
   */
  public Future<Void> reportState(String item, String state) {
    return onContext(() -> {
      states.report(Names.check("item", item), Objects.requireNonNull(state));
      maybeDecide();
      return null;
    });
  }

  /**
   * Runs {@code fn} on the allocator's context against its current tree. Trees are immutable: the result may keep references.
   */
  public <T> Future<T> inspect(Function<KeyTree, T> fn) {
    return onContext(() -> fn.apply(tree));
  }

  /**
   * The whole fleet's routes as this member's view shows them: an immutable snapshot, readable
   * from any thread, kept per watch update (per touched item) on the allocator's context. Empty
   * (revision 0) before the first snapshot is applied.
   */
  public RoutingTable routingTable() {
    LiveRoutingTable t = routingTable;
    return t != null ? t.current()
        : RoutingTable.empty(options.getRoot(), options.getItems(), options.getReplicas(), options.getItemReplicas());
  }

  /**
   * This member's published route table ({@code {"member", "revision", "routes": [RouteChange
   * JSON...]}}, as answered on {@code A.table.M}), built on the allocator's context in slices;
   * completes on that context.
   */
  public Future<JsonObject> tableJson() {
    Promise<JsonObject> p = Promise.promise();
    context.runOnContext(v -> {
      if (slices == null || slices.isClosed()) {
        p.fail(new IllegalStateException("member " + member + " is stopping"));
        return;
      }
      slices.submit(table.readJson(STEP, () -> tree.revision(), p::complete));
    });
    return p.future();
  }

  /** The current route table as this member publishes it, keyed by item. */
  public Future<Map<String, RouteChange>> routes() {
    Promise<Map<String, RouteChange>> p = Promise.promise();
    context.runOnContext(v -> {
      if (slices == null || slices.isClosed()) {
        p.complete(table == null ? Map.of() : table.copy()); // stopped: nothing else runs on the loop for it
        return;
      }
      // Read in slices (a large table is no single long handler), as it is when the read starts.
      Map<String, RouteChange> copy = new java.util.TreeMap<>();
      slices.submit(table.read(STEP, c -> copy.put(c.item(), c), () -> p.complete(copy)));
    });
    return p.future();
  }

  /**
   * What this member last published about itself (lease, watch, view counts, health): an
   * immutable snapshot, refreshed on its context on every watch update, lease event and phase
   * change and at least once a second; readable from any thread.
   */
  public AllocatorHealth health() {
    return health;
  }

  /**
   * Whether the member holds its key with a live lease and its watch is live (for health
   * checks), as {@link #health()} last showed.
   */
  public boolean isHealthy() {
    return health.healthy();
  }

  /**
   * Drains this member: writes {@code ROOT/drained/<member>} (no lease, it outlives this process),
   * after which the member takes nothing and hands off what it holds (masters in place first,
   * then replicas) while staying up and healthy ({@link #healthReason()} "drained"). Completes
   * once the key is written, not when the member is empty.
   */
  public Future<Void> drain() {
    return onContext(() -> FleetControl.drain(conn, keys.root(), member)).compose(f -> f).mapEmpty();
  }

  /**
   * Ends a drain: deletes {@code ROOT/drained/<member>} and, when the member started drained
   * ({@code drained} in its options), rewrites its member key without the drain.
   */
  public Future<Void> undrain() {
    return onContext(() -> {
      Future<Long> deleted = FleetControl.undrain(conn, keys.root(), member);
      if (!memberKeyDrained) {
        return deleted;
      }
      memberKeyDrained = false;
      if (lease == null || phase != Phase.RUNNING) {
        return deleted; // the next join writes the member key without the drain
      }
      return Future.all(deleted, writer.updateMember(memberCreatedRevision, lease.id(),
          MemberRegistration.memberValue(options, false).encode())).map(cf -> 0L);
    }).compose(f -> f).mapEmpty();
  }

  /** Whether this member is drained, as its last view showed ({@link #health()}). */
  public boolean isDrained() {
    return health.drained();
  }

  /**
   * Why {@link #isHealthy()} is false; while healthy "ok", or "drained", or the unattainable
   * slots ("unattainable slots: N") when item limits leave no room for them.
   */
  public String healthReason() {
    return health.reason();
  }

  /** The current lease id (0 before joining), from the published {@link #health()} snapshot. */
  public long leaseId() {
    return health.leaseId();
  }

  /** The live lease keeper, for tests in this package (may be null). */
  LeaseKeeper leaseKeeper() {
    return lease;
  }

  /** The context the lease keeper runs on, for tests in this package (null before start). */
  Context keeperContext() {
    return keeperLoop == null ? null : keeperLoop.context();
  }

  /** Counts of the member's current view, computed on its context. */
  public Future<JsonObject> summary() {
    return onContext(() -> new JsonObject()
        .put("member", member).put("revision", tree.revision()).put("phase", phase.name())
        .put("items", index.itemCount()).put("members", index.memberCount())
        .put("masters", index.mastersHeld()).put("replicas", index.replicasHeld())
        .put("itemsWithoutMaster", index.itemsWithoutMaster())
        .put("itemsShortOfReplicas", index.itemsShortOfReplicas())
        .put("unattainableSlots", index.unattainableSlots()).put("drained", index.drained())
        .put("maintenance", index.maintenance()));
  }

  // ---------------------------------------------------------------- health

  private void enter(Phase next) {
    phase = next;
    if (next == Phase.RUNNING && allocatorLag != null) {
      // Lag from here on is told apart from the JVM's start and the first snapshot.
      allocatorLag.markRunning();
      keeperLag.markRunning();
    }
    if (next == Phase.EXITED && retries != null) {
      retries.stop(); // an exited member retries nothing
    }
    publishHealth();
  }

  /** Publishes what this member knows about itself now, for readers on other threads. */
  private void publishHealth() {
    health = AllocatorHealth.of(phase.name(), phase == Phase.RUNNING,
        placementNotes != null && placementNotes.drained(), stats.unattainableSlots, tree, index, lease,
        pastKeepAlives, pastKeepAliveFailures, watcher,
        allocatorLag == null ? EventLoopLag.NONE : allocatorLag.figures(),
        keeperLag == null ? EventLoopLag.NONE : keeperLag.figures(), work == null ? LoopWork.NONE : work.figures());
  }

  // ---------------------------------------------------------------- joining

  /** Grants a lease and creates the member key, retrying while it exists until {@code deadline}. */
  private Future<Void> join(long deadlineNanos) {
    return registration.join(retries, deadlineNanos, () -> phase == Phase.EXITED, this::onLeaseLost).map(joined -> {
      if (lease != null && lease != joined.lease()) {
        pastKeepAlives += lease.keepAlivesAcknowledged();
        pastKeepAliveFailures += lease.keepAliveFailures();
      }
      lease = joined.lease();
      // The watch must reach our create before a missing member key can mean "vanished".
      memberCreatedRevision = joined.revision();
      publishHealth();
      return null;
    });
  }

  private Future<Void> joinAtStart(long memberDeadline, long retryUntil) {
    return retries.retry(joinBackoff, attempt -> join(memberDeadline), (err, attempt, delay) -> {
      // A refused connection is definite once every endpoint refused; a timeout or an
      // UNAVAILABLE answer (election, overload) may pass.
      boolean refused = err instanceof EtcdCallException e && e.getCause() instanceof java.net.ConnectException;
      boolean transientFailure = err instanceof MemberRegistration.LeaseLostException
          || err instanceof EtcdCallException e && e.isTransportFailure()
          && (!refused || attempt < options.getEndpoints().size());
      if (!transientFailure || phase == Phase.EXITED || System.nanoTime() - retryUntil >= 0) {
        return false;
      }
      LOG.warn("member {}: join attempt {} failed ({}); retrying in {} ms", member, attempt, err.getMessage(), delay);
      return true;
    });
  }

  /**
   * A new, empty index for {@code leaseId}, without the spec reader (set on the loop). It copies
   * and checks every fixed item: build it off the loop ({@link #offLoop}).
   */
  private static AllocationIndex bareIndex(AllocatorOptions options, ItemHandler handler, long leaseId) {
    return new AllocationIndex(options.getMember(), leaseId, options.getReplicas(), options.getItems(),
        handler::isReadyForPromotion).fixedReplicas(options.getItemReplicas());
  }

  /** A new, empty index for the current lease with this member's spec reader, built off the loop. */
  private Future<AllocationIndex> indexForLease() {
    AllocatorOptions o = options; // read here, on the loop, not on the worker
    long leaseId = lease.id();
    return offLoop(() -> bareIndex(o, handler, leaseId)).map(ix -> ix.specs(specReader));
  }

  /** Runs {@code work} on a worker (it grows with the fixed items); completes on this context. */
  private <T> Future<T> offLoop(java.util.concurrent.Callable<T> work) {
    return vertx.executeBlocking(work, false);
  }

  // ---------------------------------------------------------------- the loop

  private void onUpdate(WatchUpdate update) {
    if (phase == Phase.EXITED) {
      firstApplied.tryComplete(); // a start aborted meanwhile must not wait for it
      return;
    }
    // A revision of many keys (a dead member's lease revoked) leaves etcd 3.4 copying a large
    // buffer on every read until it commits with no key written: while every member applies it.
    bufferRelief.seen(update);
    // Applied in order, in slices; decisions wait until it is applied in full.
    slices.submit(new ApplyUpdate(update));
  }

  /**
   * A snapshot's pages patched into a tree aside as they arrive, in slices, each page dropped once
   * applied: the member never holds the snapshot's key-values beside the tree built from them (at
   * 1M items they weigh about as much as the tree). The next page is read meanwhile.
   */
  private final class SnapshotPages implements SnapshotReader.PageSink {
    @Override
    public void begin(long revision) {
      streamed = KeyTree.empty(keys.root());
      streamedRevision = revision;
      streamedAttempt++;
    }

    @Override
    public Future<Void> page(List<KeyValue> kvs) {
      Promise<Void> taken = Promise.promise();
      long attempt = streamedAttempt;
      slices.submit(new LoopSlices.Job() {
        private int pos;
        private RuntimeException failure;

        @Override
        public String toString() {
          return "member " + member + "'s snapshot page of " + kvs.size() + " keys";
        }

        @Override
        public boolean step() {
          if (attempt != streamedAttempt || streamed == null) {
            return true; // a later snapshot began: this page belongs to none
          }
          int end = Math.min(kvs.size(), pos + STEP);
          try {
            for (; pos < end; pos++) {
              streamed = streamed.patch(KeyEvent.put(kvs.get(pos)));
            }
          } catch (RuntimeException e) {
            failure = e; // the watcher reads a new snapshot: never install a tree missing keys
            streamed = null;
            return true;
          }
          return pos >= kvs.size();
        }

        @Override
        public void finished() {
          if (failure != null) {
            taken.tryFail(failure);
          } else {
            taken.tryComplete();
          }
        }
      });
      return taken.future();
    }
  }

  /** Whether this member may claim the entries {@code ix} shows as its own (never on a lease in doubt). */
  private boolean mayHold(AllocationIndex ix) {
    return phase != Phase.REJOINING && lease != null && !lease.isLost() && ix.lease() == lease.id();
  }

  /**
   * One watch update, applied in bounded steps: the tree is patched (a snapshot built) aside and
   * becomes the member's tree only when complete; then the index re-classifies the touched items
   * and their routes are published, a chunk per step.
   */
  private final class ApplyUpdate implements LoopSlices.Job {
    private final WatchUpdate update;
    private final long started = System.nanoTime();
    private TreePatch patch;
    private LoopSlices.Job tableUpdate;
    private AllocationIndex ix;
    private java.util.Iterator<String> work;
    private boolean joining;
    private boolean patched;
    private String part = "patch"; // the part the last step was in, to name a slow one

    ApplyUpdate(WatchUpdate update) {
      this.update = update;
    }

    @Override
    public String toString() {
      return "member " + member + "'s " + (update instanceof WatchUpdate.Snapshot ? "snapshot" : "watch update")
          + " at revision " + update.revision() + " (" + part + ")";
    }

    @Override
    public boolean step() {
      if (phase == Phase.EXITED) {
        firstApplied.tryComplete();
        return true;
      }
      // Each phase ends a step, so that the slice's budget is checked between them: a small
      // update runs them all at once anyway, but the first ones after a join run cold code
      // (35-55 ms of CPU measured for one small update done in a single step).
      if (work == null) {
        if (!patched) {
          part = "patch";
          try {
            patched = patchSome();
          } catch (TreePatchException e) {
            LOG.error("member {}: watch event does not fit the view ({}); re-reading", member, e.getMessage());
            watcher.resnapshot();
            return true;
          }
          return false;
        }
        part = "begin: tree, directory, index";
        begin(); // true: the lease-lost messages go first (an urgent job), then these routes
        return false;
      }
      if (tableUpdate != null) { // the fleet's table reaches this tree before any of its routes is told
        part = "routing table";
        if (tableUpdate.step()) {
          tableUpdate = null;
        }
        return false;
      }
      part = "reclassify and publish";
      long cpu = LoopWorkMeter.cpuNow();
      int size = reclassifyStep.size();
      List<String> chunk = new ArrayList<>(size);
      while (chunk.size() < size && work.hasNext()) {
        chunk.add(work.next());
      }
      stats.itemsReclassified.add(chunk.size());
      Reclassified changed = ix.reclassify(chunk);
      states.forgetReleased(changed);
      if (!(update instanceof WatchUpdate.Snapshot)) {
        states.changed(changed);
      }
      // Never claim a role on a lease declared lost, whatever the phase says.
      table.publish(changed, tree.revision(), mayHold(ix), joining);
      if (chunk.size() == size) { // a short last chunk says nothing about the size
        reclassifyStep.took(cpu < 0 ? -1 : LoopWorkMeter.cpuNow() - cpu);
      }
      if (work.hasNext()) {
        return false;
      }
      part = "end: index, notes, states";
      end();
      return true;
    }

    /** Patches (or builds) up to a step of keys aside; true once the tree is complete. */
    private boolean patchSome() {
      if (patch == null) {
        if (update instanceof WatchUpdate.Snapshot s && s.kvs().isEmpty() && streamed != null
            && streamedRevision == s.revision()) {
          patch = TreePatch.streamed(streamed, s); // built page by page as it arrived (SnapshotPages)
          streamed = null;
        } else {
          patch = new TreePatch(tree, update); // now: the update before it is applied in full
        }
      }
      return patch.step(STEP);
    }

    /**
     * The tree is complete: it becomes the member's view; the index starts to follow it. True
     * when the member key turned out to have vanished (the member relinquished).
     */
    private boolean begin() {
      tree = patch.tree();
      memberDirectory.update(tree); // before publishing: routes carry their members' metadata
      tableUpdate = routingTable.follow(tree, memberDirectory.members(), patch.isSnapshot() ? null : patch.touched());
      stats.watchUpdates.increment();
      ix = index;
      boolean snapshot = update instanceof WatchUpdate.Snapshot;
      joining = snapshot && !firstApplied.future().isComplete();
      work = snapshot ? ix.beginRebuild(tree) : ix.begin(tree, patch.touched());
      if (phase == Phase.RUNNING && !ix.memberPresent() && lease != null && ix.lease() == lease.id()
          && tree.revision() >= memberCreatedRevision) {
        // Our lease is gone (or someone deleted our key): say so before the routes that
        // follow from it, then rejoin.
        relinquish("member key " + keys.member(member) + " vanished");
        return true;
      }
      return false;
    }

    private void end() {
      ix.end();
      placementNotes.observe(ix);
      if (update instanceof WatchUpdate.Snapshot) {
        stats.snapshots.increment();
        states.checkAll();
        sweepStates();
      }
      publishHealth();
      firstApplied.tryComplete();
      long ms = (System.nanoTime() - started) / 1_000_000;
      if (ms >= 100) {
        LOG.info("member {}: watch update at revision {} applied in {} ms (in slices)", member, update.revision(), ms);
      }
    }

    @Override
    public void finished() {
      maybeDecide();
    }
  }

  /** Queues a sliced look at every held item's local state, unless one is queued already. */
  private void sweepStates() {
    if (sweepQueued || !states.sweepDue()) {
      return;
    }
    sweepQueued = true;
    LoopSlices.Job sweep = states.sweep(() -> index, this::maybeDecide);
    slices.submit(new LoopSlices.Job() {
      @Override
      public boolean step() {
        return sweep.step();
      }

      @Override
      public boolean blocksDecisions() {
        return false;
      }

      @Override
      public void finished() {
        sweepQueued = false;
        sweep.finished();
      }
    });
  }

  /**
   * Tells the application it holds nothing, before anything else queued: in slices, as a lease
   * loss at 100,000 items would otherwise stall the loop. Completes once told.
   */
  private Future<Void> tellNothingHeld(String reason) {
    long revision = tree.revision();
    if (slices.isClosed()) {
      table.publishNothingHeld(revision, reason);
      return Future.succeededFuture();
    }
    Promise<Void> told = Promise.promise();
    slices.submitUrgent(new LoopSlices.Job() {
      @Override
      public boolean step() {
        return table.publishNothingHeld(revision, reason, STEP);
      }

      @Override
      public void finished() {
        told.tryComplete();
      }
    });
    return told.future();
  }

  private void maybeDecide() {
    work.time(WORK_DECISION, this::decideNow);
  }

  private void decideNow() {
    if ((phase != Phase.RUNNING && phase != Phase.CANCELLING) || inFlight || restartExiting
        || tree.revision() < awaitRevision || slices.blocksDecisions()) {
      return;
    }
    if (backoffTimer >= 0) {
      if (backoffRoot == tree.root()) {
        return; // nothing changed: let the back-off run out
      }
      vertx.cancelTimer(backoffTimer);
      backoffTimer = -1;
    }
    if (phase == Phase.RUNNING && index.restartAdopted() && graceLeaseRevoked != index.restartLease()) {
      // Every entry our previous incarnation left is adopted: drop its grace lease (and the
      // declaration on it).
      graceLeaseRevoked = index.restartLease();
      LOG.info("member {}: adopted the entries of its previous incarnation; revoking grace lease {}", member,
          graceLeaseRevoked);
      GraceLease.revoke(conn, graceLeaseRevoked).onFailure(err -> LOG.warn("member {}: revoking grace lease {} "
          + "failed ({}); it expires by itself", member, graceLeaseRevoked, err.toString()));
    }
    stats.decisions.increment();
    Decision d = decider.decide(index, states::stateOf, rnd, states.toCheck()); // never all held items
    if (!d.updatesState()) {
      // Every candidate was checked and none is stale (the state rules come first).
      states.checked();
    }
    switch (d.outcome()) {
      case ACT -> execute(d);
      case TAKE_AFTER_BACKOFF -> {
        backoffRoot = tree.root();
        // Not a retry: a deliberately random wait that breaks a deadlock between members.
        backoffTimer = vertx.setTimer(1 + rnd.nextInt((int) options.getDeadlockBackoffMillis()), id -> {
          backoffTimer = -1;
          // CANCELLING too: a leaving member's hand-off waits for a step-aside this way.
          if (backoffRoot == tree.root() && !inFlight && (phase == Phase.RUNNING || phase == Phase.CANCELLING)
              && !slices.blocksDecisions()) {
            execute(d);
          } else {
            maybeDecide();
          }
        });
      }
      case DONE -> {
        if (phase == Phase.CANCELLING && restartExit != null) {
          finishRestart("masters handed off");
        } else if (phase == Phase.CANCELLING) {
          finishExit("handed off");
        }
      }
      case IDLE -> {
        if (phase == Phase.CANCELLING && index.memberCount() == 0) {
          // Entries left that nobody can take: no other member holds a key. Waiting out the
          // hand-off timeout would only delay a fleet that is shutting down as a whole.
          finishExit("no member left to hand off to");
          return;
        }
        if (lastIdleRevision != tree.revision()) {
          lastIdleRevision = tree.revision();
          emit(AllocatorEvent.Kind.IDLE, tree.revision(), "");
        }
      }
      default -> throw new IllegalStateException();
    }
  }

  private void execute(Decision d) {
    inFlight = true;
    long started = System.nanoTime();
    long leaseId = lease.id();
    stats.transactions.increment();
    writer.apply(d.actions(), leaseId).onComplete(ar -> work.time(WORK_ANSWER, () -> {
      inFlight = false;
      stats.transactionNanos.add(System.nanoTime() - started);
      if (ar.failed()) {
        stats.transactionFailures.increment();
        long delay = transactionBackoff.nextDelayMillis();
        LOG.warn("member {}: transaction of rule {} failed: {}; deciding again in {} ms", member, d.rule(),
            ar.cause().toString(), delay);
        retries.after(delay, this::maybeDecide);
        return;
      }
      transactionBackoff.reset();
      EntryWriter.BatchResult r = ar.result();
      for (int i = 0; i < d.actions().size(); i++) {
        if (!r.succeeded().get(i)) {
          stats.lostRaces.increment();
          continue;
        }
        switch (d.actions().get(i).kind()) {
          case CREATE -> stats.creates.increment();
          case UPDATE -> {
            stats.updates.increment();
            if (d.rule() == Rule.ADOPT) {
              stats.adoptions.increment();
            }
          }
          case RELEASE -> stats.releases.increment();
          case MOVE -> stats.moves.increment();
          default -> throw new IllegalStateException();
        }
      }
      awaitRevision = r.revision();
      if (r.successes() == 0) {
        // Every guard failed although our view was current: the view and etcd disagree in a
        // way the next watch event may not resolve. Back off instead of spinning on etcd.
        // (A watch event arriving meanwhile decides at once, as usual.) Not a retry of a
        // failed call: a short random pause before deciding again, so it stays as it is.
        vertx.setTimer(50 + rnd.nextInt(150), t -> maybeDecide());
        return;
      }
      if (r.successes() > 0) {
        LOG.debug("member {}: rule {} wrote {}/{} at revision {}", member, d.rule(), r.successes(),
            d.actions().size(), r.revision());
        emit(AllocatorEvent.Kind.ACTED, r.revision(), "rule " + d.rule() + ": " + r.successes() + " of "
            + d.actions().size());
      }
      maybeDecide();
    }));
  }

  // ---------------------------------------------------------------- lease loss

  private void onLeaseLost(String reason) {
    publishHealth();
    if (phase == Phase.CANCELLING) {
      // Our entries go with the lease: nothing left to hand off.
      tellNothingHeld(RouteChange.LEASE_LOST);
      finishExit("lease lost while cancelling: " + reason);
      return;
    }
    relinquish("lease lost: " + reason);
  }

  /**
   * The member can no longer trust its entries: tell the application at once that it holds
   * nothing, drop the old lease (its entries vanish with it) and join again with a new one.
   */
  private void relinquish(String reason) {
    if (phase != Phase.RUNNING) {
      return;
    }
    LOG.warn("member {}: {}; holding nothing until rejoined", member, reason);
    enter(Phase.REJOINING);
    stats.leaseLosses.increment();
    if (backoffTimer >= 0) {
      vertx.cancelTimer(backoffTimer);
      backoffTimer = -1;
    }
    tellNothingHeld(RouteChange.LEASE_LOST);
    emit(AllocatorEvent.Kind.LEASE_LOST, tree.revision(), reason);
    // Rejoin at once rather than after the revoke, which can take a whole call timeout when
    // the outage that lost the lease goes on (seen in bench/chaos after a leader kill: 5 s
    // holding nothing); the new member key waits for the old one to go. The revoke is retried
    // until etcd answers: etcd restarts a lease's TTL after a restart or a leader change, and
    // until the old lease goes its member key blocks the rejoin and its entries staff nothing.
    lease.revokeRetrying(Duration.ofSeconds(2 * lease.ttlSeconds()));
    rejoinBackoff.reset();
    rejoin(1);
  }

  private void rejoin(int attempt) {
    if (phase != Phase.REJOINING) {
      return;
    }
    // Wait up to a lease TTL for the old member key to expire if the revoke did not reach etcd.
    long deadline = System.nanoTime() + Duration.ofSeconds(options.getLeaseTtlSeconds() + 2L).toNanos();
    join(deadline).compose(v -> indexForLease()).onSuccess(fresh -> {
      if (phase != Phase.REJOINING) {
        lease.revoke();
        return;
      }
      if (lease.isLost()) {
        // Lost between the member key's creation and now: never run on it.
        lease.revoke().onComplete(x -> rejoin(attempt + 1));
        return;
      }
      enter(Phase.RUNNING);
      slices.submit(new Rebuild(fresh));
    }).onFailure(err -> {
      long delay = rejoinBackoff.nextDelayMillis();
      LOG.warn("member {}: rejoin attempt {} failed ({}); retrying in {} ms", member, attempt, err.toString(), delay);
      retries.after(delay, () -> rejoin(attempt + 1));
    });
  }

  /**
   * After a rejoin: a new index for the new lease, built from the tree in slices, its routes
   * published (those giving this member no role only where they changed).
   */
  private final class Rebuild implements LoopSlices.Job {
    private final AllocationIndex fresh;
    private java.util.Iterator<String> work;

    Rebuild(AllocationIndex fresh) {
      this.fresh = fresh;
    }

    @Override
    public boolean step() {
      if (work == null) {
        if (phase != Phase.RUNNING) {
          return true; // lost again meanwhile: the next rejoin rebuilds
        }
        index = fresh;
        work = index.beginRebuild(tree);
        states.checkAll();
      }
      List<String> chunk = new ArrayList<>(STEP);
      while (chunk.size() < STEP && work.hasNext()) {
        chunk.add(work.next());
      }
      stats.itemsReclassified.add(chunk.size());
      table.publish(index.reclassify(chunk), tree.revision(), mayHold(index), true);
      if (work.hasNext()) {
        return false;
      }
      index.end();
      sweepStates();
      publishHealth();
      LOG.info("member {} rejoined with lease {}", member, lease.id());
      emit(AllocatorEvent.Kind.JOINED, tree.revision(), "lease " + lease.id());
      return true;
    }

    @Override
    public void finished() {
      maybeDecide();
    }
  }

  // ---------------------------------------------------------------- exit

  private void startCancel(boolean restart) {
    if (phase == Phase.CANCELLING || phase == Phase.EXITED) {
      return;
    }
    if (restart && phase == Phase.RUNNING) {
      decider = decider.forRestart();
      // Declare the restart at once, so that the fleet does not move copies around while this
      // member is away; its entries move onto the declared lease only once it stopped acting.
      restartExit = RestartExit.declare(conn, writer, member, options);
    }
    if (phase != Phase.RUNNING) {
      // Not (or no longer) joined: nothing to hand off.
      finishExit("cancelled while " + phase.name().toLowerCase());
      return;
    }
    enter(Phase.CANCELLING);
    cancelStartedNanos = System.nanoTime();
    int timeout = handoffTimeoutSeconds >= 0 ? handoffTimeoutSeconds : options.getHandoffTimeoutSeconds();
    LOG.info("member {} cancelling: handing off {} masters and {} replicas (timeout {} s)", member,
        index.mastersHeld(), index.replicasHeld(), timeout);
    handoffTimer = vertx.setTimer(Math.max(1, timeout * 1000L), t -> {
      handoffTimer = -1;
      LOG.warn("member {}: hand-off timeout after {} s with {} entries held; leaving anyway", member,
          timeout, index.entriesHeld());
      if (restartExit != null) {
        finishRestart("hand-off timeout");
      } else {
        finishExit("hand-off timeout");
      }
    });
    deleteBackoff.reset();
    deleteMemberKey(1);
  }

  /** Deletes the member key, retrying while cancelling: until it is gone nobody takes over. */
  private void deleteMemberKey(int attempt) {
    writer.deleteMember().onComplete(ar -> {
      if (ar.failed() && phase == Phase.CANCELLING) {
        long delay = deleteBackoff.nextDelayMillis();
        LOG.warn("member {}: deleting the member key failed ({}); retrying in {} ms", member,
            ar.cause().toString(), delay);
        retries.after(delay, () -> deleteMemberKey(attempt + 1));
        return;
      }
      maybeDecide();
    });
  }

  /**
   * The exit of a restart: replica entries move onto a grace lease (same keys, same create
   * revisions: nothing is placed anew), the restart is declared on that lease, then the member
   * exits as {@link #finishExit} does. Masters still held (hand-off timeout) are not kept: they go
   * with the member's lease, as on any exit. Any failure here degrades to a plain exit.
   */
  private void finishRestart(String why) {
    if (phase != Phase.CANCELLING || restartExiting) {
      return;
    }
    restartExiting = true; // no more decisions
    if (handoffTimer >= 0) {
      vertx.cancelTimer(handoffTimer);
      handoffTimer = -1;
    }
    restartExit.keepReplicas(index, why).onComplete(ar -> {
      if (ar.failed()) {
        LOG.warn("member {}: keeping entries for the restart failed ({}); exiting as a leave", member,
            ar.cause().toString());
      }
      finishExit("restart: " + why);
    });
  }

  private void finishExit(String why) {
    if (phase == Phase.EXITED) {
      return;
    }
    enter(Phase.EXITED);
    if (handoffTimer >= 0) {
      vertx.cancelTimer(handoffTimer);
    }
    if (cancelStartedNanos > 0) {
      stats.handoffMillis = Duration.ofNanos(System.nanoTime() - cancelStartedNanos).toMillis();
    }
    // Retried (etcd just back from an outage, connection not yet re-established) until the
    // lease would have expired anyway, so that a graceful stop leaves no member key behind.
    Future<Void> revoked = lease != null
        ? lease.revokeRetrying(Duration.ofSeconds(lease.ttlSeconds())).recover(err -> Future.succeededFuture())
        : Future.succeededFuture();
    revoked.compose(ar -> tellNothingHeld(RouteChange.ROUTE)).onComplete(ar -> {
      long rev = tree.revision();
      LOG.info("member {} exited at revision {} ({})", member, rev, why);
      emit(AllocatorEvent.Kind.EXITED, rev, why);
      exited.tryComplete(rev);
    });
  }

  private Future<Void> cleanup() {
    if (retries != null) {
      retries.stop();
    }
    if (slices != null) {
      slices.close();
    }
    if (tickTimer >= 0) {
      vertx.cancelTimer(tickTimer);
      tickTimer = -1;
    }
    if (healthTimer >= 0) {
      vertx.cancelTimer(healthTimer);
      healthTimer = -1;
    }
    if (backoffTimer >= 0) {
      vertx.cancelTimer(backoffTimer);
      backoffTimer = -1;
    }
    if (allocatorLag != null) {
      allocatorLag.stop();
      keeperLag.stop();
    }
    consumers.forEach(MessageConsumer::unregister);
    consumers.clear();
    exited.tryComplete(tree == null ? 0 : tree.revision());
    Future<Void> w = watcher != null ? watcher.close() : Future.succeededFuture();
    Future<Void> l = lease != null ? lease.close() : Future.succeededFuture();
    return Future.join(w, l).transform(x -> {
      publishHealth();
      return Future.join(conn != null ? conn.close() : Future.succeededFuture(),
          keeperLoop != null ? keeperLoop.close() : Future.succeededFuture()).mapEmpty();
    });
  }

  // ---------------------------------------------------------------- event bus

  private void registerConsumers() {
    String a = options.getAddress();
    HandedOverJson.registerOn(vertx.eventBus());
    consumers.add(vertx.eventBus().<JsonObject>consumer(a + ".table." + member, msg -> {
      if (slices.isClosed()) {
        msg.fail(503, "member " + member + " is stopping");
        return;
      }
      // Built in slices (100,000 routes are far more than one handler's worth), then answered.
      // Handed over without Vert.x's deep copy (built for this reply only, never touched again).
      slices.submit(table.readJson(STEP, () -> tree.revision(),
          json -> msg.reply(json, new DeliveryOptions().setCodecName(HandedOverJson.NAME))));
    }));
    consumers.add(vertx.eventBus().<JsonObject>consumer(a + ".state." + member, msg -> {
      JsonObject body = msg.body();
      String item = body == null ? null : body.getString("item");
      String state = body == null ? null : body.getString("state");
      if (item == null || state == null) {
        msg.fail(400, "expected {\"item\": ..., \"state\": ...}");
        return;
      }
      if (!Names.isValid(item)) {
        msg.fail(400, "invalid item name '" + item + "': " + Names.problem(item));
        return;
      }
      states.report(item, state);
      msg.reply(new JsonObject().put("ok", true));
      maybeDecide();
    }));
  }

  private void emit(AllocatorEvent.Kind kind, long revision, String detail) {
    AllocatorEvent e = new AllocatorEvent(member, kind, revision, detail);
    for (Handler<AllocatorEvent> l : listeners) {
      try {
        l.handle(e);
      } catch (RuntimeException ex) {
        LOG.error("member {}: event listener failed", member, ex);
      }
    }
    // Local consumers only, like route changes: other nodes of a clustered bus have their own members.
    vertx.eventBus().publish(options.getAddress() + ".events", e.toJson(), new DeliveryOptions().setLocalOnly(true));
  }

  private <T> Future<T> onContext(Supplier<T> fn) {
    Promise<T> p = Promise.promise();
    context.runOnContext(v -> {
      try {
        p.complete(fn.get());
      } catch (RuntimeException e) {
        p.fail(e);
      }
    });
    return p.future();
  }
}
