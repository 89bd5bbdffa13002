package io.consensus.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits for a condition that has no event to wait on (state in etcd, a child process), by
 * polling it until a deadline. For test threads only: it blocks.
 */
public final class Await {
  private static final long POLL_MILLIS = 25;

  private Await() {
  }

  /** Polls {@code condition} until it holds; throws {@link AssertionError} after {@code timeout}. */
  public static void until(String what, Duration timeout, BooleanSupplier condition) {
    until(what, timeout, condition, () -> "");
  }

  /**
   * Polls {@code condition} until it holds; after {@code timeout} throws an
   * {@link AssertionError} naming {@code what} and the {@code detail} at that moment.
   */
  public static void until(String what, Duration timeout, BooleanSupplier condition, Supplier<String> detail) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        String d = detail.get();
        throw new AssertionError("timed out after " + timeout + " waiting for: " + what
            + (d.isEmpty() ? "" : "; " + d));
      }
      try {
        Thread.sleep(POLL_MILLIS); // the poll interval; the condition decides
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted waiting for: " + what, e);
      }
    }
  }
}
