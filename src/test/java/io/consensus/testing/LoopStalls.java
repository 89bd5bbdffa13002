package io.consensus.testing;

import io.vertx.core.Context;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * Test helper: stalls an event loop on purpose (what seconds of work on it do), from a test
 * thread, returning once the stall is over. Use a Vert.x with a lenient blocked-thread checker.
 */
public final class LoopStalls {
  private LoopStalls() {
  }

  /** Blocks {@code ctx}'s event loop for {@code millis}. */
  public static void block(Context ctx, long millis) {
    blockUntil(ctx, Duration.ofMillis(millis), () -> false);
  }

  /** Blocks {@code ctx}'s event loop until {@code stop} holds (checked every 20 ms) or {@code max} passed. */
  public static void blockUntil(Context ctx, Duration max, BooleanSupplier stop) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    ctx.runOnContext(v -> {
      long until = System.nanoTime() + max.toNanos();
      try {
        while (!stop.getAsBoolean() && System.nanoTime() - until < 0) {
          Thread.sleep(Math.max(1, Math.min(20, (until - System.nanoTime()) / 1_000_000)));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      done.complete(null);
    });
    done.join();
  }
}
