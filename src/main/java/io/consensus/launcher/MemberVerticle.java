package io.consensus.launcher;

import io.consensus.verticle.AllocatorVerticle;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.micrometer.backends.BackendRegistries;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One runnable member: an {@link AllocatorVerticle} (a child deployment), its
 * {@link AllocatorMetrics}, and, when {@code http.port} is set, a {@link StatusServer} (bound to
 * {@code http.host}, loopback by default).
 *
 * <p>Undeploying it undeploys the allocator first (Vert.x undeploys children before calling
 * {@code stop}), i.e. a graceful cancel with hand-off; the HTTP server is this verticle's and
 * keeps answering (health 503, "phase cancelling") until the hand-off is over.
 *
 * <p>The no-argument constructor makes it the jar's {@code Main-Verticle}: it reads
 * {@link MemberConfig} from {@link #config()} (endpoints required) and uses the Vert.x
 * Prometheus registry when metrics are enabled, else its own.
 */
public class MemberVerticle extends AbstractVerticle {
  private static final Logger LOG = LoggerFactory.getLogger(MemberVerticle.class);

  private MemberConfig config;
  private PrometheusMeterRegistry registry;
  private volatile AllocatorVerticle allocator;
  private AllocatorMetrics metrics;
  private StatusServer status;
  private volatile int httpPort = -1;
  private ServingLog servingLog;

  /** Configured from {@link #config()}. */
  public MemberVerticle() {
  }

  /** Configured by the launcher; meters go to {@code registry}. */
  public MemberVerticle(MemberConfig config, PrometheusMeterRegistry registry) {
    this.config = config;
    this.registry = registry;
  }

  @Override
  public void start(Promise<Void> startPromise) {
    try {
      if (config == null) {
        config = MemberConfig.fromJson(config());
      }
      if (registry == null) {
        MeterRegistry r = BackendRegistries.getDefaultNow();
        registry = r instanceof PrometheusMeterRegistry p ? p : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      }
    } catch (RuntimeException e) {
      startPromise.fail(e);
      return;
    }
    allocator = new AllocatorVerticle(config.allocator());
    Future<Void> logOpened = config.servingLog() == null ? Future.succeededFuture()
        : ServingLog.open(vertx, config.servingLog(), config.allocator().getMember(), config.allocator().getAddress())
            .map(log -> {
              servingLog = log;
              return null;
            });
    // The serving log follows the routes before the allocator publishes its first.
    logOpened.compose(x -> vertx.deployVerticle(allocator)).compose(id -> {
      metrics = AllocatorMetrics.register(registry, allocator);
      if (config.httpPort() == null) {
        return Future.<Void>succeededFuture();
      }
      status = StatusServers.create(vertx, config, FleetView.of(vertx, allocator), registry);
      return status.listen(config.httpHost(), config.httpPort()).map(server -> {
        httpPort = server.actualPort();
        StatusServers.logListening(LOG, allocator.member(), config, httpPort);
        return null;
      });
    }).onComplete(startPromise);
  }

  @Override
  public void stop() {
    if (metrics != null) {
      metrics.close();
    }
    if (status != null) {
      status.close();
    }
    if (servingLog != null) {
      servingLog.close();
    }
  }

  /** Abandons the allocator's start if still in progress, revoking its lease (see {@link AllocatorVerticle#abortStart()}). */
  public Future<Void> abortStart() {
    AllocatorVerticle a = allocator;
    return a == null ? Future.succeededFuture() : a.abortStart();
  }

  /** The allocator (null before start). */
  public AllocatorVerticle allocator() {
    return allocator;
  }

  /** The bound HTTP port, -1 when there is no HTTP server. */
  public int httpPort() {
    return httpPort;
  }
}
