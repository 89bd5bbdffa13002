package io.consensus.launcher;

import static io.consensus.verticle.TestFleet.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.consensus.testing.Await;
import io.consensus.testing.EtcdExtension;
import io.consensus.testing.LoopStalls;
import io.consensus.verticle.AllocatorVerticle;
import io.consensus.verticle.TestFleet;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A member's event-loop lag in its metrics and in {@code GET /health}, against real etcd. */
class EventLoopLagExposureTest {
  @RegisterExtension
  static EtcdExtension etcd = new EtcdExtension();

  @Test
  void aStallOfTheAllocatorsLoopShowsInTheMetricsAndTheHealthDetail() throws Exception {
    VertxOptions lenient = new VertxOptions().setMaxEventLoopExecuteTime(60)
        .setMaxEventLoopExecuteTimeUnit(TimeUnit.SECONDS);
    try (TestFleet fleet = new TestFleet(etcd.server(), "/test/lagExposure", lenient)) {
      AllocatorVerticle m = fleet.deploy("m1", 0, List.of("a", "b"));
      PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      AllocatorMetrics metrics = AllocatorMetrics.register(registry, m);
      StatusServer status = new StatusServer(fleet.vertx, FleetView.of(fleet.vertx, m), registry, null, null);
      HttpServer server = await(fleet.onContext(() -> status.listen("127.0.0.1", 0)));
      long blockMillis = 700;

      Context allocator = await(m.inspect(t -> Vertx.currentContext()));
      LoopStalls.block(allocator, blockMillis);

      Await.until("the stall in the health snapshot", Duration.ofSeconds(10),
          () -> m.health().allocatorLoopLag().maxMillis() >= blockMillis * 8 / 10);
      JsonObject health = get(server.actualPort(), "/health");
      JsonObject lag = health.getJsonObject("eventLoopLag");
      assertThat(lag.fieldNames()).containsExactlyInAnyOrder("allocator", "keeper");
      assertThat(lag.getJsonObject("allocator").getLong("maxMillis")).isGreaterThanOrEqualTo(blockMillis * 8 / 10);
      assertThat(lag.getJsonObject("allocator").fieldNames())
          .containsExactlyInAnyOrder("maxMillis", "p99Millis", "recentMaxMillis", "runningMaxMillis");
      assertThat(lag.getJsonObject("keeper").getLong("maxMillis")).isNotNull();

      // Our own work beside the lag: the member decided (its two items), each decision timed.
      JsonObject work = health.getJsonObject("loopWork");
      assertThat(work.fieldNames()).containsExactlyInAnyOrder("maxMillis", "maxCpuMillis", "longest", "slowCount");
      assertThat(work.getDouble("maxMillis")).isPositive();
      assertThat(work.getString("longest")).isIn(AllocatorVerticle.WORK_SLICE, AllocatorVerticle.WORK_DECISION,
          AllocatorVerticle.WORK_ANSWER);
      // The stall was a test's, not ours: it is no piece of our work.
      assertThat(work.getDouble("maxMillis")).isLessThan(blockMillis * 0.8);

      String text = registry.scrape();
      assertThat(text).contains("allocator_event_loop_lag_seconds_count{loop=\"allocator\",member=\"m1\",}")
          .contains("allocator_event_loop_lag_seconds_count{loop=\"keeper\",member=\"m1\",}")
          .contains("allocator_event_loop_lag_seconds_bucket{loop=\"allocator\",member=\"m1\",le=\"0.5\",}")
          .contains("allocator_event_loop_lag_peak_seconds{loop=\"allocator\",member=\"m1\",}")
          .contains("allocator_loop_work_seconds_count{kind=\"decision\",member=\"m1\",}")
          .contains("allocator_loop_work_seconds_bucket{kind=\"slice\",member=\"m1\",le=\"0.05\",}")
          .contains("allocator_loop_work_peak_seconds{member=\"m1\",}")
          .contains("allocator_loop_work_cpu_peak_seconds{member=\"m1\",}");
      assertThat(registry.get("allocator.loop.work").tags("kind", "decision").timer().count()).isPositive();
      assertThat(registry.get("allocator.loop.work.peak").gauge().value()).isPositive();
      double max = registry.get("allocator.event.loop.lag").tags("loop", "allocator").timer().max(TimeUnit.MILLISECONDS);
      assertThat(max).isGreaterThanOrEqualTo(blockMillis * 0.8);
      double peak = registry.get("allocator.event.loop.lag.peak").tags("loop", "allocator").gauge().value();
      assertThat(peak).isGreaterThanOrEqualTo(blockMillis * 0.8 / 1000);
      metrics.close();
      assertThat(registry.find("allocator.event.loop.lag").meters()).isEmpty();
    }
  }

  private static JsonObject get(int port, String path) throws Exception {
    HttpResponse<String> resp = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    return new JsonObject(resp.body());
  }
}
