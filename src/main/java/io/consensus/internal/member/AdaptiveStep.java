package io.consensus.internal.member;

/**
 * How many items the next step of a sliced job should take, from the CPU its last step used:
 * doubles (up to the most) while steps stay cheap and halves (down to 1) when one was dear. A
 * slice's budget is checked only between steps, so a step's cost is the loop's stall: code that
 * still runs cold (a member's first snapshot, with ten JVMs starting on two cores) took 60 ms of
 * CPU for 256 items where a warm step takes 1-3 ms.
 */
public final class AdaptiveStep {
  /** A step under this much CPU lets the next one grow. */
  static final long CHEAP_NANOS = 2_000_000L;
  /** A step over this much CPU makes the next one shrink. */
  static final long DEAR_NANOS = 8_000_000L;

  private final int most;
  private int size;

  /**
   * @param first the first step's size (small: the code may still be cold)
   * @param most  the largest step
   */
  public AdaptiveStep(int first, int most) {
    if (first < 1 || most < first) {
      throw new IllegalArgumentException("need 1 <= first <= most, was " + first + ", " + most);
    }
    this.most = most;
    this.size = first;
  }

  /** Items for the next step. */
  public int size() {
    return size;
  }

  /** Told the CPU the last step used ({@code < 0}: unknown, nothing changes). */
  public void took(long cpuNanos) {
    if (cpuNanos < 0) {
      return;
    }
    if (cpuNanos > DEAR_NANOS) {
      size = Math.max(1, size / 2);
    } else if (cpuNanos < CHEAP_NANOS) {
      size = Math.min(most, size * 2);
    }
  }
}
