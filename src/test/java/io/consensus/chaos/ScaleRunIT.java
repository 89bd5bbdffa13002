package io.consensus.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The scale benchmark's quick path in the suite ({@code bench/scale --quick}: 200 items x R=1
 * over 3 member processes of the real jar, TTL 3 s, one SIGKILL): it runs to the end, the fleet
 * converges and fails over, and every figure the report promises is there. Times are printed,
 * not asserted.
 */
class ScaleRunIT {
  @Test
  @Timeout(120)
  void quickRunConvergesFailsOverAndReportsEveryFigure() throws Exception {
    ScaleRun.Result r = ScaleRun.run(ScaleRun.Options.parse("--quick"));
    System.out.println(r.markdown());
    assertThat(r.sizes()).hasSize(1);
    ScaleRun.SizeResult s = r.sizes().get(0);
    assertThat(s.converged()).as(r.markdown()).isTrue();
    assertThat(s.revisions()).isPositive();
    assertThat(s.writes()).as("entry writes from the members' /metrics").isGreaterThanOrEqualTo(400);
    assertThat(s.members()).hasSize(3).allSatisfy(m -> {
      assertThat(m.liveHeapMb()).as("live heap of %s", m.name()).isPositive();
      assertThat(m.placements()).as("placements of %s", m.name()).isNotNaN();
    });
    assertThat(s.members().stream().mapToInt(ScaleRun.MemberFigures::masters).sum()).isEqualTo(200);
    assertThat(s.mastered()).as("items the victim mastered").isPositive();
    assertThat(s.newMastersSeconds()).as("new masters after the kill").isNotNaN();
    assertThat(s.staffedSeconds()).as("fully staffed after the kill").isNotNaN();
    assertThat(r.markdown()).contains("SIGKILL of m1", "| survivor |", "live heap MB");
  }
}
