package io.consensus.internal.member;

import static org.assertj.core.api.Assertions.assertThat;

import io.consensus.verticle.LoopWork;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LoopWorkMeterTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** Keeps the CPU busy for {@code millis} of wall time (no sleep: the thread's CPU time grows too). */
  private static void spin(long millis) {
    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    long x = 0;
    while (System.nanoTime() - until < 0) {
      x += System.identityHashCode(x);
    }
    if (x == 42) {
      System.out.print("");
    }
  }

  private static <T> T onContext(Context ctx, java.util.function.Supplier<T> work) {
    CompletableFuture<T> f = new CompletableFuture<>();
    ctx.runOnContext(v -> f.complete(work.get()));
    return f.join();
  }

  @Test
  void aPieceOfWorkOfNMillisecondsShowsAsTheLongestWithItsKind() {
    Context ctx = vertx.getOrCreateContext();
    List<String> seen = new CopyOnWriteArrayList<>();
    LoopWorkMeter meter = new LoopWorkMeter("test", (kind, nanos) -> seen.add(kind + ":" + nanos / 1_000_000));

    onContext(ctx, () -> {
      meter.time("decision", () -> spin(5));
      meter.time("slice", () -> spin(60));
      meter.time("answer", () -> spin(2));
      return null;
    });

    LoopWork f = meter.figures();
    assertThat(f.maxMillis()).isGreaterThanOrEqualTo(60);
    assertThat(f.longest()).isEqualTo("slice");
    assertThat(f.slowCount()).isEqualTo(1); // only the 60 ms piece reached 50 ms
    if (f.maxCpuMillis() >= 0) { // the JVM measures thread CPU time: a busy loop uses it
      assertThat(f.maxCpuMillis()).isGreaterThan(0).isLessThanOrEqualTo(f.maxMillis() + 1);
    }
    assertThat(seen).hasSize(3);
    assertThat(seen.get(0)).startsWith("decision:");
    assertThat(Long.parseLong(seen.get(1).substring("slice:".length()))).isGreaterThanOrEqualTo(60);
    assertThat(f.toJson().fieldNames()).containsExactlyInAnyOrder("maxMillis", "maxCpuMillis", "longest",
        "slowCount");
  }

  @Test
  void recordedSlicesCountAndAShorterPieceKeepsTheLongest() {
    LoopWorkMeter meter = new LoopWorkMeter("test", (kind, nanos) -> { });
    meter.record("slice", 12_000_000L, 11_000_000L);
    LoopWork first = meter.figures();
    meter.record("decision", 3_000_000L, 3_000_000L);

    assertThat(meter.figures()).isSameAs(first); // nothing changed: no new snapshot
    assertThat(first.maxMillis()).isEqualTo(12.0);
    assertThat(first.maxCpuMillis()).isEqualTo(11.0);
    assertThat(first.longest()).isEqualTo("slice");
    assertThat(first.slowCount()).isZero();
  }
}
