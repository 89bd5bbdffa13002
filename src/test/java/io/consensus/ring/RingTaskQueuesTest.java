package io.consensus.ring;

import io.consensus.testing.LogCapture;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every test runs on a Vert.x instance with a tight blocked-thread checker; {@link #tearDown()} fails
 * the test if the checker logged any warning. {@link #blockedThreadCaptureIsLive()} proves the capture
 * actually sees such warnings, so its silence elsewhere means something.
 */
class RingTaskQueuesTest {

  private static final long DEADLINE_S = 20;
  private static final String BTC_LOGGER = "io.vertx.core.impl.BlockedThreadChecker";

  private Vertx vertx;
  private LogCapture blockedWarnings;

  // Tight enough to catch a task that waits on something (it waits for good), loose enough
  // that a loaded 2-core machine descheduling a thread for 100-300 ms is not taken for one
  // (seen at load average 15-19 with a 100 ms limit).
  static VertxOptions tightChecker() {
    return new VertxOptions()
        .setBlockedThreadCheckInterval(10).setBlockedThreadCheckIntervalUnit(TimeUnit.MILLISECONDS)
        .setMaxEventLoopExecuteTime(500).setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS)
        .setMaxWorkerExecuteTime(1000).setMaxWorkerExecuteTimeUnit(TimeUnit.MILLISECONDS);
  }

  static LogCapture captureBlockedThreadWarnings() {
    return LogCapture.attach(BTC_LOGGER);
  }

  static void stopCapture(LogCapture appender) {
    appender.detach();
  }


  @BeforeEach
  void setUp() {
    blockedWarnings = captureBlockedThreadWarnings();
    vertx = Vertx.vertx(tightChecker());
  }

  @AfterEach
  void tearDown() throws Exception {
    await(vertx.close());
    stopCapture(blockedWarnings);
    assertThat(blockedWarnings.events).as("blocked-thread warnings").isEmpty();
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(DEADLINE_S, TimeUnit.SECONDS);
  }

  static Throwable awaitFailure(Future<?> f) throws Exception {
    CountDownLatch done = new CountDownLatch(1);
    f.onComplete(ar -> done.countDown());
    assertThat(done.await(DEADLINE_S, TimeUnit.SECONDS)).as("completed").isTrue();
    assertThat(f.failed()).as("failed").isTrue();
    return f.cause();
  }

  /** Runs nothing on {@code ctx} and waits for it: every task dispatched to ctx before has run. */
  static void drain(Context ctx) throws Exception {
    Promise<Void> p = Promise.promise();
    ctx.runOnContext(v -> p.complete());
    await(p.future());
  }

  /** A distinct event-loop context (each verticle instance gets its own). */
  Context newEventLoopContext() throws Exception {
    Promise<Context> p = Promise.promise();
    vertx.deployVerticle(new AbstractVerticle() {
      @Override
      public void start() {
        p.complete(context);
      }
    });
    return await(p.future());
  }

  static <V> Function<RingTaskQueues.Slot<V>, Future<V>> read() {
    return slot -> Future.succeededFuture(slot.get());
  }

  static <V> Function<RingTaskQueues.Slot<V>, Future<V>> write(V value) {
    return slot -> {
      V before = slot.get();
      slot.set(value);
      return Future.succeededFuture(before);
    };
  }

  // ---- ported from the Go RingMutexMap tests ----

  @Test
  void keyKeepsItsValueWhileInRingAndEvictedValueIsRecycledThroughInit() throws Exception {
    List<String> initArgs = java.util.Collections.synchronizedList(new ArrayList<>());
    RingTaskQueues<String> q = new RingTaskQueues<>(vertx, 4, prev -> {
      initArgs.add(String.valueOf(prev));
      return "init(" + prev + ")";
    });

    for (long k = 1; k <= 4; k++) {
      assertThat(await(q.submit(k, write("v" + k)))).isEqualTo("init(null)");
    }
    // All four keys are cached.
    for (long k = 1; k <= 4; k++) {
      assertThat(await(q.submit(k, read()))).isEqualTo("v" + k);
    }
    // Key 5 wraps the ring: it takes key 1's slot and init receives key 1's value.
    assertThat(await(q.submit(5L, read()))).isEqualTo("init(v1)");
    assertThat(q.isMapped(1)).isFalse();
    // Key 1 was evicted, so it starts fresh, in the next slot (key 2's).
    assertThat(await(q.submit(1L, read()))).isEqualTo("init(v2)");
    assertThat(q.isMapped(2)).isFalse();
    // Keys still in the ring kept their values.
    assertThat(await(q.submit(3L, read()))).isEqualTo("v3");
    assertThat(await(q.submit(4L, read()))).isEqualTo("v4");
    assertThat(initArgs).containsExactly("null", "null", "null", "null", "v1", "v2");
  }

  @Test
  void secondCallerOnSameKeyWaitsForTheFirst() throws Exception {
    RingTaskQueues<String> q = new RingTaskQueues<>(vertx);
    Context ctx = vertx.getOrCreateContext();
    Promise<String> firstResult = Promise.promise();
    CountDownLatch firstStarted = new CountDownLatch(1);
    AtomicBoolean secondStarted = new AtomicBoolean();

    Future<String> first = q.submit(42L, slot -> {
      slot.set("from-first");
      firstStarted.countDown();
      return firstResult.future();
    });
    Future<String> second = q.submit(42L, slot -> {
      secondStarted.set(true);
      return Future.succeededFuture(slot.get());
    });

    assertThat(firstStarted.await(DEADLINE_S, TimeUnit.SECONDS)).isTrue();
    drain(ctx); // had the second task been dispatched, it would have run by now
    assertThat(secondStarted).isFalse();
    assertThat(second.isComplete()).isFalse();

    firstResult.complete("first-done");
    assertThat(await(first)).isEqualTo("first-done");
    assertThat(await(second)).isEqualTo("from-first");
  }

  // ---- ordering and concurrency ----

  /** One log entry per task: which submitter, its per-submitter sequence number. */
  record Entry(int submitter, int seq) {}

  @Test
  void strictPerKeyOrderUnderManyConcurrentSubmitters() throws Exception {
    int keys = 3;
    int perSubmitter = 1500;
    int eventLoopSubmitters = 4;
    int workerSubmitters = 2;
    int threadSubmitters = 2;
    int submitters = eventLoopSubmitters + workerSubmitters + threadSubmitters;
    int total = submitters * perSubmitter;

    // The value is a plain ArrayList: it also checks visibility across threads between tasks.
    RingTaskQueues<List<Entry>> q = new RingTaskQueues<>(vertx, 16, prev -> new ArrayList<>());
    AtomicInteger[] inFlight = new AtomicInteger[keys];
    for (int k = 0; k < keys; k++) {
      inFlight[k] = new AtomicInteger();
    }
    Queue<String> violations = new ConcurrentLinkedQueue<>();
    CountDownLatch done = new CountDownLatch(total);
    Context elsewhere = vertx.getOrCreateContext(); // completes some tasks from another context

    // Submitter s submits tasks (s, 0..n-1) to pseudo-random keys; completions alternate between
    // synchronous success, asynchronous success from another context, and failure.
    class Submitter {
      final int id;
      int seq;

      Submitter(int id) {
        this.id = id;
      }

      void submitOne() {
        int key = ThreadLocalRandom.current().nextInt(keys);
        int mySeq = seq++;
        q.<Void>submit(key, slot -> {
          if (inFlight[key].incrementAndGet() != 1) {
            violations.add("overlap on key " + key);
          }
          slot.get().add(new Entry(id, mySeq));
          switch (mySeq % 3) {
            case 0:
              inFlight[key].decrementAndGet();
              return Future.succeededFuture();
            case 1: {
              Promise<Void> p = Promise.promise();
              elsewhere.runOnContext(v -> {
                inFlight[key].decrementAndGet();
                p.complete();
              });
              return p.future();
            }
            default:
              inFlight[key].decrementAndGet();
              throw new IllegalStateException("deliberate");
          }
        }).onComplete(ar -> done.countDown());
      }

      /** Submits in bursts, yielding the context between bursts so submitters interleave. */
      void burstsOnContext(Context ctx) {
        for (int i = 0; i < 50 && seq < perSubmitter; i++) {
          submitOne();
        }
        if (seq < perSubmitter) {
          ctx.runOnContext(v -> burstsOnContext(ctx));
        }
      }
    }

    int id = 0;
    for (int i = 0; i < eventLoopSubmitters + workerSubmitters; i++) {
      Submitter s = new Submitter(id++);
      DeploymentOptions options = new DeploymentOptions()
          .setThreadingModel(i < eventLoopSubmitters ? ThreadingModel.EVENT_LOOP : ThreadingModel.WORKER);
      vertx.deployVerticle(new AbstractVerticle() {
        @Override
        public void start() {
          context.runOnContext(v -> s.burstsOnContext(context));
        }
      }, options);
    }
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < threadSubmitters; i++) {
      Submitter s = new Submitter(id++);
      Thread t = new Thread(() -> {
        while (s.seq < perSubmitter) {
          s.submitOne();
        }
      }, "plain-submitter-" + i);
      threads.add(t);
      t.start();
    }

    assertThat(done.await(DEADLINE_S * 2, TimeUnit.SECONDS)).as("all tasks completed").isTrue();
    for (Thread t : threads) {
      t.join(TimeUnit.SECONDS.toMillis(DEADLINE_S));
    }
    assertThat(violations).isEmpty();

    int logged = 0;
    for (int k = 0; k < keys; k++) {
      List<Entry> log = await(q.submit(k, slot -> Future.succeededFuture(new ArrayList<>(slot.get()))));
      logged += log.size();
      // Each submitter's tasks for a key ran in the order it submitted them.
      Map<Integer, Integer> lastSeq = new HashMap<>();
      for (Entry e : log) {
        Integer prev = lastSeq.put(e.submitter(), e.seq());
        if (prev != null) {
          assertThat(e.seq()).as("submitter %d on key %d", e.submitter(), k).isGreaterThan(prev);
        }
      }
    }
    assertThat(logged).isEqualTo(total);
  }

  @Test
  void pendingTaskOnOneKeyDoesNotDelayAnother() throws Exception {
    RingTaskQueues<String> q = new RingTaskQueues<>(vertx);
    Promise<String> never = Promise.promise();
    CountDownLatch aStarted = new CountDownLatch(1);
    Future<String> a = q.submit(1L, slot -> {
      aStarted.countDown();
      return never.future();
    });
    assertThat(aStarted.await(DEADLINE_S, TimeUnit.SECONDS)).isTrue();

    Future<String> b = q.submit(2L, slot -> Future.succeededFuture("b"));
    assertThat(await(b)).isEqualTo("b");
    assertThat(a.isComplete()).isFalse();
    never.complete("a");
    assertThat(await(a)).isEqualTo("a");
  }

  // ---- failure isolation ----

  @Test
  void failingTasksFailOnlyThemselvesAndDoNotStallTheKey() throws Exception {
    RingTaskQueues<String> q = new RingTaskQueues<>(vertx);
    Future<String> thrown = q.submit(7L, slot -> {
      slot.set("set-before-throwing");
      throw new IllegalStateException("boom");
    });
    Future<String> failed = q.submit(7L, slot -> Future.failedFuture(new IllegalArgumentException("bad")));
    Future<String> nulled = q.submit(7L, slot -> null);
    Future<String> after = q.submit(7L, read());

    assertThat(awaitFailure(thrown)).isInstanceOf(IllegalStateException.class).hasMessage("boom");
    assertThat(awaitFailure(failed)).isInstanceOf(IllegalArgumentException.class).hasMessage("bad");
    assertThat(awaitFailure(nulled)).isInstanceOf(NullPointerException.class);
    // Changes made before a failure are kept: the value is the key's state, not a transaction.
    assertThat(await(after)).isEqualTo("set-before-throwing");
  }

  @Test
  void initFailureFailsThatTaskAndIsRetriedByTheNext() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    RingTaskQueues<String> q = new RingTaskQueues<>(vertx, 2, prev -> {
      if (calls.incrementAndGet() == 1) {
        throw new IllegalStateException("init failed");
      }
      return "ok";
    });
    Future<String> first = q.submit(1L, read());
    Future<String> second = q.submit(1L, read());
    assertThat(awaitFailure(first)).hasMessage("init failed");
    assertThat(await(second)).isEqualTo("ok");
    assertThat(calls).hasValue(2);
  }

  // ---- eviction ----

  @Test
  void busySlotIsSkippedNotHandedOver() throws Exception {
    RingTaskQueues<String> q = new RingTaskQueues<>(vertx, 4, prev -> "init(" + prev + ")");
    for (long k = 1; k <= 4; k++) {
      await(q.submit(k, write("v" + k)));
    }
    // The next slot in ring order belongs to key 1; keep it busy.
    Promise<String> hold = Promise.promise();
    CountDownLatch holding = new CountDownLatch(1);
    Future<String> busy = q.submit(1L, slot -> {
      holding.countDown();
      return hold.future();
    });
    assertThat(holding.await(DEADLINE_S, TimeUnit.SECONDS)).isTrue();

    // Key 5 skips key 1's busy slot and takes key 2's.
    assertThat(await(q.submit(5L, read()))).isEqualTo("init(v2)");
    assertThat(q.isMapped(1)).isTrue();
    assertThat(q.isMapped(2)).isFalse();
    assertThat(q.capacity()).isEqualTo(4);

    hold.complete("released");
    await(busy);
    assertThat(await(q.submit(1L, read()))).isEqualTo("v1");
  }

  @Test
  void ringGrowsWhenEverySlotIsBusy() throws Exception {
    RingTaskQueues<String> q = new RingTaskQueues<>(vertx, 2, prev -> "fresh");
    List<Promise<String>> holds = List.of(Promise.promise(), Promise.promise());
    List<Future<String>> busy = new ArrayList<>();
    for (int k = 0; k < 2; k++) {
      Promise<String> hold = holds.get(k);
      busy.add(q.submit(k, slot -> {
        slot.set("busy");
        return hold.future();
      }));
    }
    // A third key cannot take a busy slot and must not wait for one: the ring doubles.
    assertThat(await(q.submit(2L, read()))).isEqualTo("fresh");
    assertThat(q.capacity()).isEqualTo(4);
    assertThat(q.isMapped(0)).isTrue();
    assertThat(q.isMapped(1)).isTrue();

    holds.forEach(h -> h.complete("done"));
    for (Future<String> f : busy) {
      await(f);
    }
    assertThat(await(q.submit(0L, read()))).isEqualTo("busy");
    assertThat(await(q.submit(1L, read()))).isEqualTo("busy");
  }

  /** A value object that notices being shared by two keys, or by two tasks at once. */
  static final class Holder {
    long owner = Long.MIN_VALUE;
    boolean inUse;
    int uses;
  }

  @Test
  void ringWrapsAroundUnderLoadWithoutSharingBusyValues() throws Exception {
    int capacity = 8;
    int distinctKeys = 400;
    int rounds = 3;
    int submitters = 4;
    AtomicInteger created = new AtomicInteger();
    AtomicInteger recycled = new AtomicInteger();
    RingTaskQueues<Holder> q = new RingTaskQueues<>(vertx, capacity, prev -> {
      if (prev == null) {
        created.incrementAndGet();
        return new Holder();
      }
      recycled.incrementAndGet();
      prev.owner = Long.MIN_VALUE; // reuse the object for the new key
      prev.uses = 0;
      return prev;
    });
    Queue<String> violations = new ConcurrentLinkedQueue<>();
    int total = distinctKeys * rounds;
    CountDownLatch done = new CountDownLatch(total);
    Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
    Context elsewhere = vertx.getOrCreateContext();

    Function<RingTaskQueues.Slot<Holder>, Future<Void>> task = slot -> {
      Holder h = slot.get();
      if (h.inUse) {
        violations.add("value in use by another task, key " + slot.key());
      }
      if (h.owner == Long.MIN_VALUE) {
        h.owner = slot.key();
      } else if (h.owner != slot.key()) {
        violations.add("key " + slot.key() + " saw value of key " + h.owner);
      }
      h.inUse = true;
      h.uses++;
      if (slot.key() % 2 == 0) {
        h.inUse = false;
        return Future.succeededFuture();
      }
      Promise<Void> p = Promise.promise();
      elsewhere.runOnContext(v -> {
        h.inUse = false;
        p.complete();
      });
      return p.future();
    };

    // Each submitter keeps at most `window` tasks in flight, so few slots are busy at once and the
    // ring wraps many times over the distinct keys instead of growing to hold them all.
    int window = 2;
    for (int s = 0; s < submitters; s++) {
      List<Long> mine = new ArrayList<>();
      for (int r = 0; r < rounds; r++) {
        for (long k = s; k < distinctKeys; k += submitters) {
          mine.add(k);
        }
      }
      vertx.deployVerticle(new AbstractVerticle() {
        int nextIndex;
        int inFlightHere;

        @Override
        public void start() {
          pump();
        }

        // Runs on this verticle's context only: results complete on the submitting context.
        void pump() {
          while (inFlightHere < window && nextIndex < mine.size()) {
            inFlightHere++;
            q.submit(mine.get(nextIndex++), task).onComplete(ar -> {
              if (ar.failed()) {
                failures.add(ar.cause());
              }
              if (Vertx.currentContext() != context) {
                violations.add("result completed off the submitting context");
              }
              inFlightHere--;
              done.countDown();
              pump();
            });
          }
        }
      });
    }

    assertThat(done.await(DEADLINE_S, TimeUnit.SECONDS)).as("all tasks completed").isTrue();
    assertThat(failures).isEmpty();
    assertThat(violations).isEmpty();
    assertThat(recycled.get()).as("ring wrapped and recycled values").isGreaterThan(0);
    assertThat(created.get()).isLessThanOrEqualTo(q.capacity());
    // At most submitters * window keys are busy at once, so the ring grows at most once.
    assertThat(q.capacity()).isBetween(capacity, 2 * capacity);
  }

  // ---- contexts and threads ----

  @Test
  void taskAndResultRunOnTheSubmittersEventLoopContext() throws Exception {
    RingTaskQueues<String> q = new RingTaskQueues<>(vertx);
    Context submitter = newEventLoopContext();
    Context other = newEventLoopContext();
    assertThat(other).isNotSameAs(submitter);
    AtomicReference<Context> taskCtx = new AtomicReference<>();
    AtomicReference<Context> resultCtx = new AtomicReference<>();
    Promise<String> done = Promise.promise();
    // The task completes its future from another context, yet the caller's continuation still runs
    // on the submitting context.
    submitter.runOnContext(v -> {
      q.submit(9L, slot -> {
        taskCtx.set(Vertx.currentContext());
        Promise<String> p = Promise.promise();
        other.runOnContext(x -> p.complete("x"));
        return p.future();
      }).onComplete(ar -> {
        resultCtx.set(Vertx.currentContext());
        done.handle(ar);
      });
    });
    assertThat(await(done.future())).isEqualTo("x");
    assertThat(taskCtx.get()).isSameAs(submitter);
    assertThat(resultCtx.get()).isSameAs(submitter);
  }

  @Test
  void taskRunsOnSubmittingWorkerContext() throws Exception {
    RingTaskQueues<String> q = new RingTaskQueues<>(vertx);
    AtomicReference<Context> deployed = new AtomicReference<>();
    Promise<Context> ran = Promise.promise();
    vertx.deployVerticle(new AbstractVerticle() {
      @Override
      public void start() {
        deployed.set(context);
        q.submit(3L, slot -> Future.succeededFuture(Vertx.currentContext())).onComplete(ar -> ran.handle(ar));
      }
    }, new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER));
    Context ctx = await(ran.future());
    assertThat(ctx).isSameAs(deployed.get());
    assertThat(ctx.isWorkerContext()).isTrue();
  }

  @Test
  void submissionFromPlainThreadRunsOnThatThreadsStickyEventLoopContext() throws Exception {
    RingTaskQueues<String> q = new RingTaskQueues<>(vertx);
    Context sticky = vertx.getOrCreateContext(); // Vert.x reuses this for later calls from this thread
    Context ctx = await(q.submit(5L, slot -> Future.succeededFuture(Vertx.currentContext())));
    assertThat(ctx).isSameAs(sticky);
    assertThat(ctx.isEventLoopContext()).isTrue();
  }

  @Test
  void slotHandleIsInvalidOnceTheTaskCompleted() throws Exception {
    RingTaskQueues<String> q = new RingTaskQueues<>(vertx);
    AtomicReference<RingTaskQueues.Slot<String>> leaked = new AtomicReference<>();
    await(q.submit(1L, slot -> {
      leaked.set(slot);
      return Future.succeededFuture();
    }));
    assertThat(leaked.get().key()).isEqualTo(1L);
    assertThatThrownBy(() -> leaked.get().set("late")).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> leaked.get().get()).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void stringKeysShareAQueueAndValuePerString() throws Exception {
    RingTaskQueues<String> q = new RingTaskQueues<>(vertx);
    await(q.submit("item-17", write("state")));
    assertThat(await(q.submit("item-17", read()))).isEqualTo("state");
    assertThat(await(q.submit("item-18", read()))).isNull();
    // "Aa" and "BB" collide under String.hashCode but not under hash64.
    assertThat("Aa".hashCode()).isEqualTo("BB".hashCode());
    assertThat(RingTaskQueues.hash64("Aa")).isNotEqualTo(RingTaskQueues.hash64("BB"));
  }

  // ---- construction ----

  @ParameterizedTest
  @ValueSource(ints = {0, -1, 3, 6, 1000, Integer.MIN_VALUE, (1 << 30) + 1})
  void capacityMustBeAPowerOfTwo(int capacity) {
    assertThatThrownBy(() -> new RingTaskQueues<String>(vertx, capacity, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("power of two");
  }

  @Test
  void defaultCapacity() {
    assertThat(new RingTaskQueues<String>(vertx).capacity()).isEqualTo(RingTaskQueues.DEFAULT_CAPACITY);
    assertThat(new RingTaskQueues<String>(vertx, 1, null).capacity()).isEqualTo(1);
  }

  // ---- the no-blocking guard itself ----

  /** Positive control: a genuinely blocked event loop is reported to the capture used above. */
  @Test
  void blockedThreadCaptureIsLive() throws Exception {
    LogCapture own = captureBlockedThreadWarnings();
    Vertx blocking = Vertx.vertx(tightChecker());
    try {
      Promise<Boolean> seen = Promise.promise();
      blocking.runOnContext(v -> {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_S);
        // Deliberately hog the event loop until the checker reports it (or the deadline passes).
        while (own.events.isEmpty() && System.nanoTime() < deadline) {
          Thread.onSpinWait();
        }
        seen.complete(!own.events.isEmpty());
      });
      assertThat(await(seen.future())).as("blocked-thread warning captured").isTrue();
    } finally {
      await(blocking.close());
      stopCapture(own);
      // The shared capture saw this deliberate block too; the shared instance itself stayed idle.
      blockedWarnings.events.clear();
    }
  }
}
