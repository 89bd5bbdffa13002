package io.consensus.bench;

import io.consensus.ring.RingTaskQueues;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongUnaryOperator;

/**
 * Rough throughput of {@link RingTaskQueues#submit(long, java.util.function.Function)} with trivial
 * synchronous tasks, i.e. the queueing overhead itself. Each submitter is an event-loop verticle that
 * keeps a fixed window of submissions in flight and submits again as each completes.
 *
 * <ul>
 *   <li>uncontended: every submission uses a key never seen before, so each one claims a slot,
 *       evicts the previous key and runs init (the ring wraps continually);</li>
 *   <li>contended: many submitters share a few keys, so most submissions queue behind others.</li>
 * </ul>
 * Not a JMH benchmark: figures are indicative (about 20 s in total).
 */
public final class RingTaskQueuesBenchmark {

  private static final int WINDOW = 64;
  private static final long WARMUP_MS = 3_000;
  private static final long MEASURE_MS = 5_000;

  public static void main(String[] args) throws Exception {
    // Logback's default configuration logs Netty at DEBUG; keep the figures readable.
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
        .setLevel(ch.qos.logback.classic.Level.INFO);
    System.out.printf("RingTaskQueues benchmark: %d CPUs, Java %s, window %d per submitter, warm-up %d ms, measure %d ms%n",
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), WINDOW, WARMUP_MS, MEASURE_MS);
    Vertx vertx = Vertx.vertx();
    try {
      // Distinct keys: submitter s uses s, s + n, s + 2n, ... so no key is ever reused.
      int n = 4;
      run(vertx, "uncontended (distinct keys)", n, s -> new LongUnaryOperator() {
        long next = s;

        @Override
        public long applyAsLong(long ignored) {
          long k = next;
          next += n;
          return k;
        }
      });
      // Contended: 8 submitters over 4 keys.
      run(vertx, "contended (4 keys)", 8, s -> new LongUnaryOperator() {
        final SplittableRandom random = new SplittableRandom(s);

        @Override
        public long applyAsLong(long ignored) {
          return random.nextInt(4);
        }
      });
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  interface KeySource {
    LongUnaryOperator forSubmitter(int submitter);
  }

  private static void run(Vertx vertx, String name, int submitters, KeySource keys) throws Exception {
    RingTaskQueues<long[]> queues = new RingTaskQueues<>(vertx, RingTaskQueues.DEFAULT_CAPACITY,
        prev -> prev != null ? prev : new long[1]);
    LongAdder completed = new LongAdder();
    List<Submitter> all = new ArrayList<>();
    List<Future<?>> deployed = new ArrayList<>();
    for (int s = 0; s < submitters; s++) {
      Submitter sub = new Submitter(queues, keys.forSubmitter(s), completed);
      all.add(sub);
      deployed.add(vertx.deployVerticle(sub));
    }
    await(Future.all(deployed));

    Thread.sleep(WARMUP_MS); // benchmark phase timing, not a synchronisation
    long c0 = completed.sum();
    long t0 = System.nanoTime();
    Thread.sleep(MEASURE_MS);
    long c1 = completed.sum();
    long t1 = System.nanoTime();

    List<Future<?>> stopped = new ArrayList<>();
    for (Submitter sub : all) {
      stopped.add(sub.drain());
    }
    await(Future.all(stopped));
    for (Submitter sub : all) {
      await(vertx.undeploy(sub.deploymentID()));
    }
    double opsPerSec = (c1 - c0) / ((t1 - t0) / 1e9);
    System.out.printf("%-28s submitters=%d  %,12.0f ops/s  (ring capacity %d)%n",
        name, submitters, opsPerSec, queues.capacity());
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** Keeps {@link #WINDOW} submissions in flight from its own event-loop context. */
  private static final class Submitter extends AbstractVerticle {
    private final RingTaskQueues<long[]> queues;
    private final LongUnaryOperator keys;
    private final LongAdder completed;
    private final Promise<Void> drained = Promise.promise();
    private boolean stopping; // touched on this verticle's context only
    private int inFlight;

    Submitter(RingTaskQueues<long[]> queues, LongUnaryOperator keys, LongAdder completed) {
      this.queues = queues;
      this.keys = keys;
      this.completed = completed;
    }

    @Override
    public void start() {
      for (int i = 0; i < WINDOW; i++) {
        submitOne();
      }
    }

    Future<Void> drain() {
      context.runOnContext(v -> {
        stopping = true;
        if (inFlight == 0) {
          drained.tryComplete();
        }
      });
      return drained.future();
    }

    private void submitOne() {
      inFlight++;
      queues.<Void>submit(keys.applyAsLong(0), slot -> {
        slot.get()[0]++;
        return Future.succeededFuture();
      }).onComplete(ar -> {
        // Runs on this context: submit completes results on the submitter's context.
        inFlight--;
        completed.increment();
        if (!stopping) {
          submitOne();
        } else if (inFlight == 0) {
          drained.tryComplete();
        }
      });
    }
  }
}
