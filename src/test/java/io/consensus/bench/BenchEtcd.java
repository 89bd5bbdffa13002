package io.consensus.bench;

import io.consensus.internal.etcd.EtcdConnection;
import io.consensus.testing.ContextCalls;
import io.consensus.testing.EtcdServer;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One etcd with its data on tmpfs, a Vert.x, a context and a connection to the etcd on it: what
 * the etcd-only benchmarks ({@link LeaseRevokeBench}, {@link RevokeAftermathBench}) start with.
 */
record BenchEtcd(Path data, EtcdServer etcd, Vertx vertx, Context ctx, EtcdConnection conn) implements AutoCloseable {

  static BenchEtcd start(String name) throws IOException {
    Path data = Files.createTempDirectory(Path.of("/dev/shm"), name + "-");
    EtcdServer etcd = EtcdServer.builder().flag("--data-dir", data.resolve("data").toString()).start();
    Vertx vertx = Vertx.vertx();
    Context ctx = vertx.getOrCreateContext();
    EtcdConnection conn = ContextCalls.call(ctx, () -> new EtcdConnection(vertx, etcd.endpoints(),
        Duration.ofSeconds(60)), Duration.ofSeconds(30));
    return new BenchEtcd(data, etcd, vertx, ctx, conn);
  }

  @Override
  public void close() {
    ContextCalls.callAsync(ctx, conn::close, Duration.ofSeconds(30));
    io.consensus.testing.Await.result(vertx.close(), Duration.ofSeconds(30));
    etcd.close();
    LeaseRevokeBench.deleteTree(data);
  }
}
