package io.consensus.internal.member;

import static org.assertj.core.api.Assertions.assertThat;

import io.consensus.testing.Await;
import io.consensus.testing.LoopStalls;
import io.consensus.verticle.EventLoopLag;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LoopLagMeterTest {
  // The loop is blocked on purpose: the checker's warnings do not matter here.
  private final Vertx vertx = Vertx.vertx(new VertxOptions().setMaxEventLoopExecuteTime(60)
      .setMaxEventLoopExecuteTimeUnit(TimeUnit.SECONDS));

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }


  @Test
  void aBlockedLoopShowsInTheMaxTheRecentMaxAndTheSamples() {
    Context ctx = vertx.getOrCreateContext();
    AtomicLong largestSample = new AtomicLong();
    LoopLagMeter meter = LoopLagMeter.start(ctx, "test", nanos -> largestSample.accumulateAndGet(nanos, Math::max));
    Await.until("a few samples", Duration.ofSeconds(10), () -> meter.figures().samples() >= 3);
    long blockMillis = 600;

    LoopStalls.block(ctx, blockMillis);

    Await.until("the stall measured", Duration.ofSeconds(10), () -> meter.figures().maxMillis() >= blockMillis * 8 / 10);
    EventLoopLag f = meter.figures();
    assertThat(f.recentMaxMillis()).isGreaterThanOrEqualTo(blockMillis * 8 / 10);
    assertThat(f.p99Millis()).isLessThanOrEqualTo(f.maxMillis());
    assertThat(TimeUnit.NANOSECONDS.toMillis(largestSample.get())).isEqualTo(f.maxMillis());
    assertThat(f.toJson().fieldNames()).containsExactlyInAnyOrder("maxMillis", "p99Millis", "recentMaxMillis",
        "runningMaxMillis");
    assertThat(f.runningMaxMillis()).isZero(); // not marked running yet

    meter.stop();
    LoopStalls.block(ctx, 10); // runs after the stop
    long stoppedAt = meter.figures().samples();
    LoopStalls.block(ctx, 300); // a stall after the stop is not measured: no timer is due any more
    LoopStalls.block(ctx, 10);
    assertThat(meter.figures().samples()).isEqualTo(stoppedAt);
    assertThat(meter.figures().maxMillis()).isEqualTo(f.maxMillis());
  }

  @Test
  void aStallAfterTheMarkShowsInTheRunningMaxAndOneBeforeDoesNot() {
    Context ctx = vertx.getOrCreateContext();
    LoopLagMeter meter = LoopLagMeter.start(ctx, "test", nanos -> { });
    Await.until("a sample", Duration.ofSeconds(10), () -> meter.figures().samples() >= 1);
    LoopStalls.block(ctx, 500); // a start-up stall
    Await.until("the first stall measured", Duration.ofSeconds(10), () -> meter.figures().maxMillis() >= 400);
    assertThat(meter.figures().runningMaxMillis()).isZero();

    meter.markRunning();
    long before = meter.figures().samples();
    Await.until("a sample while running", Duration.ofSeconds(10), () -> meter.figures().samples() > before + 1);
    assertThat(meter.figures().runningMaxMillis()).isLessThan(400); // the start-up stall is not in it
    LoopStalls.block(ctx, 450); // a timer due within its first 100 ms runs >= 350 ms late

    Await.until("the running stall measured", Duration.ofSeconds(10),
        () -> meter.figures().runningMaxMillis() >= 350);
    assertThat(meter.figures().maxMillis()).isGreaterThanOrEqualTo(400);
  }

  @Test
  void theHistogramIsExactBelow128MsAndPowerOfTwoAbove() {
    assertThat(LoopLagMeter.bucket(0)).isZero();
    assertThat(LoopLagMeter.bucket(127)).isEqualTo(127);
    assertThat(LoopLagMeter.upperBound(LoopLagMeter.bucket(127))).isEqualTo(127);
    assertThat(LoopLagMeter.upperBound(LoopLagMeter.bucket(128))).isEqualTo(255);
    assertThat(LoopLagMeter.upperBound(LoopLagMeter.bucket(255))).isEqualTo(255);
    assertThat(LoopLagMeter.upperBound(LoopLagMeter.bucket(256))).isEqualTo(511);
    assertThat(LoopLagMeter.upperBound(LoopLagMeter.bucket(5000))).isEqualTo(8191);
    assertThat(LoopLagMeter.bucket(Long.MAX_VALUE)).isLessThan(LoopLagMeter.EXACT + 64);
  }
}
