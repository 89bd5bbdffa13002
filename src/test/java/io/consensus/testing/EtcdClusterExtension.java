package io.consensus.testing;

import io.consensus.testing.EtcdCluster;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Test helper: a 3-node etcd cluster per test class, with short elections (heartbeat 50 ms,
 * election timeout 500 ms: losing the leader costs ~0.5 s instead of ~1 s).
 */
public final class EtcdClusterExtension implements BeforeAllCallback, AfterAllCallback {
  private EtcdCluster cluster;

  @Override
  public void beforeAll(ExtensionContext context) {
    cluster = EtcdCluster.start(3, List.of("--heartbeat-interval=50", "--election-timeout=500"));
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** The running cluster (after the class's set-up started it). */
  public EtcdCluster cluster() {
    return cluster;
  }
}
