package io.consensus.internal.member;

import static org.assertj.core.api.Assertions.assertThat;

import io.consensus.testing.Await;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LoopSlicesTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private final Vertx vertx = Vertx.vertx();
  private final Context ctx = vertx.getOrCreateContext();

  @AfterEach
  void close() {
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  /** A job of {@code steps} steps of about 0.2 ms each, noting what it saw at each step. */
  private static final class Spin implements LoopSlices.Job {
    final int steps;
    final List<String> log;
    final String name;
    final boolean blocks;
    int done;

    Spin(String name, int steps, List<String> log, boolean blocks) {
      this.name = name;
      this.steps = steps;
      this.log = log;
      this.blocks = blocks;
    }

    @Override
    public boolean step() {
      long until = System.nanoTime() + 200_000;
      while (System.nanoTime() < until) {
        Thread.onSpinWait();
      }
      done++;
      log.add(name);
      return done >= steps;
    }

    @Override
    public boolean blocksDecisions() {
      return blocks;
    }

    @Override
    public void finished() {
      log.add(name + " finished");
    }
  }

  @Test
  void aLargeJobYieldsToTimersBetweenSlicesAndDecisionsWaitUntilItFinished() {
    List<String> log = new CopyOnWriteArrayList<>();
    AtomicInteger ticksDuringJob = new AtomicInteger();
    List<Boolean> blockedAtTicks = new CopyOnWriteArrayList<>();
    LoopSlices[] slices = new LoopSlices[1];
    List<Long> sliceNanos = new CopyOnWriteArrayList<>();
    ctx.runOnContext(v -> {
      slices[0] = new LoopSlices(vertx, 5_000_000L, (wall, cpu) -> sliceNanos.add(wall));
      Spin job = new Spin("update", 500, log, true); // ~100 ms of work in all
      vertx.setPeriodic(2, id -> {
        if (job.done > 0 && job.done < job.steps) {
          ticksDuringJob.incrementAndGet();
          blockedAtTicks.add(slices[0].blocksDecisions());
        }
      });
      slices[0].submit(job);
      // It started at once, on this stack, and stopped at its budget.
      log.add("after submit: " + job.done + " of " + job.steps);
    });
    Await.until("the job finished", WAIT, () -> log.contains("update finished"));
    assertThat(log.stream().filter(s -> s.startsWith("after submit")).findFirst().orElseThrow())
        .isNotEqualTo("after submit: 0 of 500").isNotEqualTo("after submit: 500 of 500");
    assertThat(ticksDuringJob.get()).as("timer ticks between slices of one job").isGreaterThan(0);
    assertThat(blockedAtTicks).as("decisions wait while the job is half done").containsOnly(true);
    assertThat(sliceNanos.size()).isGreaterThan(1);
    Boolean after = onContext(() -> slices[0].blocksDecisions());
    assertThat(after).isFalse();
  }

  @Test
  void anUrgentJobRunsBeforeTheRestOfTheJobInProgressAndJobsKeepTheirOrder() {
    List<String> log = new CopyOnWriteArrayList<>();
    ctx.runOnContext(v -> {
      LoopSlices slices = new LoopSlices(vertx, 1_000_000L, (wall, cpu) -> { });
      slices.submit(new Spin("a", 100, log, true));
      slices.submit(new Spin("b", 3, log, false));
      // Between two slices of a: an urgent job (a lease loss told to the application).
      vertx.setTimer(1, t -> slices.submitUrgent(new Spin("urgent", 3, log, true)));
    });
    Await.until("all finished", WAIT, () -> log.contains("b finished"));
    int firstUrgent = log.indexOf("urgent");
    int aFinished = log.indexOf("a finished");
    assertThat(firstUrgent).isPositive().isLessThan(aFinished);
    assertThat(log.subList(firstUrgent, firstUrgent + 4)).containsExactly("urgent", "urgent", "urgent",
        "urgent finished");
    assertThat(log.indexOf("b")).isGreaterThan(aFinished);
  }

  @Test
  void aSmallJobRunsAtOnceAndNothingRunsAfterClose() {
    List<String> log = new CopyOnWriteArrayList<>();
    String seen = onContext(() -> {
      LoopSlices slices = new LoopSlices(vertx, 10_000_000L, (wall, cpu) -> { });
      slices.submit(new Spin("small", 2, log, true));
      String now = String.join(",", log);
      slices.close();
      slices.submit(new Spin("late", 1, log, true));
      return now;
    });
    assertThat(seen).isEqualTo("small,small,small finished");
    assertThat(log).doesNotContain("late");
  }

  private <T> T onContext(java.util.function.Supplier<T> fn) {
    java.util.concurrent.CompletableFuture<T> f = new java.util.concurrent.CompletableFuture<>();
    ctx.runOnContext(v -> f.complete(fn.get()));
    return f.join();
  }
}
