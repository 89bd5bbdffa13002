package io.consensus.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * CI smoke run of the benchmark suite at the quick size: it completes and prints every
 * section. Figures are not asserted (the machine is shared and noisy).
 */
class BenchmarkSmokeTest {

  @Test
  @Timeout(value = 110)
  void quickSuiteCompletesWithEverySection() {
    BenchmarkSuite.Config cfg = BenchmarkSuite.parse("--size", "quick", "--idle-seconds", "2", "--cap-seconds", "30");
    long t0 = System.nanoTime();
    String report = new BenchmarkSuite(cfg).run();
    System.out.println(report);
    System.out.printf("quick suite took %s%n", Duration.ofNanos(System.nanoTime() - t0));
    for (String heading : BenchmarkSuite.HEADINGS) {
      assertThat(report).contains(heading);
    }
    // Each section produced at least one data row (a row starts with "| " followed by a figure or mode).
    assertThat(report).contains("| one per round (maxBatch=1) | 100 | 3 |");
    assertThat(report).contains("| batched (maxBatch=64) | 100 | 3 |");
    assertThat(report).containsPattern("(?m)^\\| 100 \\| 3 \\| 2 \\| \\d+ \\|"); // idle row
    assertThat(report).containsPattern("(?m)^\\| 100 \\| 3 \\| 3 \\| \\d+ \\|"); // failover row
    assertThat(report).containsPattern("(?m)^\\| 100,000 \\| 400,010 \\|"); // decision cost row
    assertThat(report).contains("| idle writes = 0");
  }
}
