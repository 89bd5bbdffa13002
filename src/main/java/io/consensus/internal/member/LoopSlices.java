package io.consensus.internal.member;

import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a member's work on its event loop in bounded slices: jobs run one after another, in
 * the order submitted, each as a series of small steps; once a slice has used its budget the
 * runner yields and continues on a 1 ms timer, so that timers, network input and other
 * handlers run between slices. Work that fits in one budget (the usual watch update) runs at
 * once, on the caller's stack.
 *
 * <p>Why a timer and not {@code runOnContext}: netty runs queued tasks back to back (it looks at
 * the clock only every 64 tasks) and fetches due timers only before such a batch, so a chain of
 * {@code runOnContext} continuations could hold timers and network input for 64 slices.
 *
 * <p>An urgent job ({@link #submitUrgent}) runs before the rest, suspending the job in progress
 * between two of its steps. Used on one context only.
 */
public final class LoopSlices {
  private static final Logger LOG = LoggerFactory.getLogger(LoopSlices.class);
  /** Slices this long are slow, for the sink to count and log (the loop's goal: no stall over 50 ms). */
  public static final long SLOW_SLICE_NANOS = 50_000_000L;
  // A single step using this much CPU is logged with its job (a step cannot be cut by the budget).
  private static final long SLOW_STEP_CPU_NANOS = 10_000_000L;

  /** One piece of sliced work. */
  public interface Job {
    /** Does a small, bounded amount of the work (well under a millisecond); true when finished. */
    boolean step();

    /** Whether decisions must wait until this job finished (it changes the member's view). */
    default boolean blocksDecisions() {
      return true;
    }

    /** Called once the job finished and left the queue (decisions no longer wait for it). */
    default void finished() {
    }
  }

  private final Vertx vertx;
  private final long budgetNanos;

  /** Told the wall time and the thread's CPU time (-1 when unknown) of every slice, nanoseconds. */
  public interface SliceSink {
    void slice(long wallNanos, long cpuNanos);
  }

  private final SliceSink sliceSink;
  private final ArrayDeque<Job> urgent = new ArrayDeque<>();
  private final ArrayDeque<Job> jobs = new ArrayDeque<>();
  private int blocking;
  private boolean running;
  private long timer = -1;
  private boolean closed;
  private long slices;

  /**
   * @param budgetNanos how long one slice may run before yielding
   * @param sliceSink   told the duration of every slice (wall and CPU: on a crowded machine the
   *                    wall time of a slice also holds the time the OS gave other threads)
   */
  public LoopSlices(Vertx vertx, long budgetNanos, SliceSink sliceSink) {
    this.vertx = vertx;
    this.budgetNanos = budgetNanos;
    this.sliceSink = sliceSink;
  }

  /** Queues {@code job} behind every job queued before; starts at once when the runner is idle. */
  public void submit(Job job) {
    add(jobs, job);
  }

  /** Queues {@code job} ahead of every ordinary job, the one in progress included. */
  public void submitUrgent(Job job) {
    add(urgent, job); // urgent jobs keep their own order among themselves
  }

  private void add(ArrayDeque<Job> queue, Job job) {
    if (closed) {
      return;
    }
    queue.addLast(job);
    if (job.blocksDecisions()) {
      blocking++;
    }
    if (!running && timer < 0) {
      run();
    }
  }

  /** Whether a job that changes the view is queued or in progress: decisions wait. */
  public boolean blocksDecisions() {
    return blocking > 0;
  }

  /** Whether any job is queued or in progress. */
  public boolean busy() {
    return !jobs.isEmpty() || !urgent.isEmpty();
  }

  /** Slices run so far (for tests: a large job takes several). */
  public long slices() {
    return slices;
  }

  /** Whether {@link #close} was called: jobs submitted now never run. */
  public boolean isClosed() {
    return closed;
  }

  /** Drops every queued job; nothing runs afterwards. */
  public void close() {
    closed = true;
    jobs.clear();
    urgent.clear();
    blocking = 0;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  private void run() {
    running = true;
    long start = System.nanoTime();
    long cpuStart = LoopWorkMeter.cpuNow();
    try {
      while (!closed) {
        ArrayDeque<Job> queue = !urgent.isEmpty() ? urgent : jobs;
        Job job = queue.peekFirst();
        if (job == null) {
          return;
        }
        boolean done;
        long stepCpu = LoopWorkMeter.cpuNow();
        try {
          done = job.step();
        } catch (RuntimeException e) {
          LOG.error("sliced job {} failed; dropped", job, e);
          done = true;
        }
        boolean finished = false;
        if (done && queue.peekFirst() == job) {
          queue.pollFirst();
          if (job.blocksDecisions()) {
            blocking--;
          }
          finished = true;
          try {
            job.finished();
          } catch (RuntimeException e) {
            LOG.error("completion of sliced job {} failed", job, e);
          }
        }
        // The completion counts with the last step: it runs inside the slice as well (it may
        // decide), and the budget is checked only after it.
        stepCpu = stepCpu < 0 ? -1 : LoopWorkMeter.cpuNow() - stepCpu;
        if (stepCpu >= SLOW_STEP_CPU_NANOS) {
          // A step should take well under a millisecond: name the job whose step did not.
          LOG.info("one step of {}{} used {} ms of CPU", job, finished ? " (its last, with its completion)" : "",
              stepCpu / 1_000_000);
        }
        if (busy() && System.nanoTime() - start >= budgetNanos) {
          timer = vertx.setTimer(1, t -> {
            timer = -1;
            run();
          });
          return;
        }
      }
    } finally {
      running = false;
      long took = System.nanoTime() - start;
      long cpu = cpuStart >= 0 ? LoopWorkMeter.cpuNow() - cpuStart : -1;
      slices++;
      sliceSink.slice(took, cpu); // which logs slow slices
    }
  }
}
