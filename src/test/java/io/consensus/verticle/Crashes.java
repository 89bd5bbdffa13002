package io.consensus.verticle;

import io.vertx.core.Future;

/** Test support: stops allocators as a crashed process would, for tests and benchmarks elsewhere. */
public final class Crashes {
  private Crashes() {
  }

  /**
   * Stops {@code allocator} at once without cancelling or revoking its lease: its entries stay
   * in etcd until the lease expires, then fail over. Undeploy afterwards to release the verticle.
   */
  public static Future<Void> crash(AllocatorVerticle allocator) {
    return allocator.kill();
  }
}
