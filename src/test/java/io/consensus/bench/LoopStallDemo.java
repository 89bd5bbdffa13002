package io.consensus.bench;

import io.consensus.testing.EtcdServer;
import io.consensus.testing.Await;
import io.consensus.testing.LoopStalls;
import io.consensus.verticle.AllocatorEvent;
import io.consensus.verticle.AllocatorOptions;
import io.consensus.verticle.AllocatorVerticle;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * Blocks one member's allocator event loop for 2 x TTL, several times, and counts lease
 * losses: what a 100,000-item snapshot or a 75,000-entry delete did to the lease when the
 * keeper shared that loop. Prints one line per stall and a summary.
 *
 * <pre>
 * mvn -B -o -q test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=io.consensus.bench.LoopStallDemo -Dexec.args="3 4"   # stalls, TTL s
 * </pre>
 */
public final class LoopStallDemo {
  private static final Pattern LAG = Pattern.compile("(allocatorLoopLag|keeperLoopLag)=EventLoopLag\\[maxMillis=(\\d+)");

  public static void main(String[] args) throws Exception {
    int stalls = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    int ttl = args.length > 1 ? Integer.parseInt(args[1]) : 4;
    Vertx vertx = Vertx.vertx(new VertxOptions().setMaxEventLoopExecuteTime(60)
        .setMaxEventLoopExecuteTimeUnit(TimeUnit.SECONDS));
    try (EtcdServer etcd = EtcdServer.start()) {
      List<String> items = IntStream.range(0, 100).mapToObj(i -> "item-" + i).toList();
      AllocatorVerticle m = new AllocatorVerticle(new AllocatorOptions().setEndpoints(etcd.endpoints())
          .setRoot("/demo/stall").setMember("m1").setItems(items).setLeaseTtlSeconds(ttl));
      AtomicInteger lostEvents = new AtomicInteger();
      m.onEvent(e -> {
        if (e.kind() == AllocatorEvent.Kind.LEASE_LOST) {
          lostEvents.incrementAndGet();
        }
      });
      vertx.deployVerticle(m).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      Await.until("m1 masters all", Duration.ofSeconds(60), () -> m.health().masters() == items.size());
      Context ctx = m.inspect(t -> Vertx.currentContext()).toCompletionStage().toCompletableFuture().get();
      long blockMillis = 2L * ttl * 1000;
      for (int i = 1; i <= stalls; i++) {
        long lease = m.leaseId();
        LoopStalls.block(ctx, blockMillis); // the stall: what a huge watch update did
        // After the stall: watch for one TTL (a loss shows within it), then let the member
        // settle (rejoin if it lost its lease) before the next stall.
        Thread.sleep(ttl * 1000L);
        Await.until("m1 healthy and masters all", Duration.ofSeconds(60),
            () -> m.isHealthy() && m.health().masters() == items.size());
        System.out.printf("stall %d: allocator loop blocked %d ms (TTL %d s): lease %s, lease losses so far %d"
            + " (LEASE_LOST events %d)%n", i, blockMillis, ttl, m.leaseId() == lease ? "kept" : "REPLACED",
            m.stats().leaseLosses(), lostEvents.get());
      }
      Thread.sleep(1100); // one health refresh, so the lag figures include the last stall
      StringBuilder lag = new StringBuilder();
      Matcher x = LAG.matcher(m.health().toString());
      while (x.find()) {
        lag.append(' ').append(x.group(1)).append(" max ").append(x.group(2)).append(" ms;");
      }
      System.out.printf("summary: %d stalls of %d ms, TTL %d s: %d lease losses;%s%n", stalls, blockMillis, ttl,
          m.stats().leaseLosses(), lag.length() == 0 ? " (no lag figures in this version)" : lag.toString());
      vertx.undeploy(vertx.deploymentIDs().iterator().next()).toCompletionStage().toCompletableFuture()
          .get(60, TimeUnit.SECONDS);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }
}
