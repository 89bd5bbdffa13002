package io.consensus.testing;

import io.consensus.internal.etcdprocess.EtcdProcess;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EtcdClusterTest {

  @Test
  void memberStopsAndRejoins() {
    try (EtcdCluster cluster = EtcdCluster.start(3)) {
      assertThat(cluster.endpoints()).hasSize(3).doesNotHaveDuplicates();
      long rev = cluster.member(0).put("/k", "v"); // a write commits: the cluster has a leader
      int leader = cluster.leader();
      assertThat(leader).isBetween(0, 2);
      for (int i = 0; i < 3; i++) {
        assertThat(cluster.member(i).isLeader()).as("member %d leads", i).isEqualTo(i == leader);
      }

      cluster.stop(0);
      assertThat(cluster.member(0).isRunning()).isFalse();
      // The remaining quorum accepts writes.
      long rev2 = cluster.member(1).put("/k", "w");
      assertThat(rev2).isGreaterThan(rev);

      cluster.launch(0);
      assertThat(EtcdProcess.healthy(cluster.member(0).clientPort())).isTrue();
      assertThat(EtcdServerTest.get(cluster.member(0), "/k")).isEqualTo("w");
    }
  }
}
