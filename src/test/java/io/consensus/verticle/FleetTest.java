package io.consensus.verticle;

import io.consensus.testing.EtcdExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Base of the verticle tests against real etcd: one etcd per test class, and per test a
 * {@link TestFleet} under a root named after the test, closed after it (a subclass's own
 * {@code @BeforeEach} runs after the fleet exists, its {@code @AfterEach} before it closes).
 */
abstract class FleetTest {
  @RegisterExtension
  static EtcdExtension etcd = new EtcdExtension();

  TestFleet fleet;

  @BeforeEach
  void startFleet(TestInfo info) {
    fleet = new TestFleet(etcd.server(), "/test/" + info.getTestMethod().orElseThrow().getName());
  }

  @AfterEach
  void closeFleet() {
    fleet.close();
  }
}
