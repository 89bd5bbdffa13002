package io.consensus.launcher;

import io.consensus.spectator.RoutingTableOptions;
import io.consensus.spectator.RoutingTableVerticle;
import io.consensus.verticle.AllocatorOptions;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A launcher process with {@code "role": "spectator"}: a {@link RoutingTableVerticle} (a child
 * deployment) following the fleet of the config's {@code root}, and, when {@code http.port} is
 * set, the same {@link StatusServer} a member has (route page, {@code /routes}, {@code /health}
 * = the watch is live, {@code /livez}, {@code /readyz} = the watch is live and the table caught
 * up, {@code /metrics}, admin API). Member-only keys are ignored.
 */
final class SpectatorVerticle extends AbstractVerticle {
  private static final Logger LOG = LoggerFactory.getLogger(SpectatorVerticle.class);

  private final MemberConfig config;
  private final PrometheusMeterRegistry registry;
  private RoutingTableVerticle spectator;
  private StatusServer status;

  SpectatorVerticle(MemberConfig config, PrometheusMeterRegistry registry) {
    this.config = config;
    this.registry = registry;
  }

  /** The spectator's options from the members' config: same root, etcd client options (endpoints, TLS, credentials), R, items, address. */
  static RoutingTableOptions options(AllocatorOptions o) {
    RoutingTableOptions r = new RoutingTableOptions().setEtcdClientOptions(o.getEtcdClientOptions())
        .setRoot(o.getRoot()).setName(o.getMember()).setReplicas(o.getReplicas()).setItems(o.getItems())
        .setAddress(o.getAddress());
    o.getItemReplicas().forEach(r::addItem);
    return r;
  }

  @Override
  public void start(Promise<Void> startPromise) {
    spectator = new RoutingTableVerticle(options(config.allocator()));
    vertx.deployVerticle(spectator).compose(id -> {
      if (config.httpPort() == null) {
        return Future.<Void>succeededFuture();
      }
      status = StatusServers.create(vertx, config, FleetView.of(spectator), registry);
      return status.listen(config.httpHost(), config.httpPort()).map(server -> {
        StatusServers.logListening(LOG, config.allocator().getMember(), config, server.actualPort());
        return null;
      });
    }).onComplete(startPromise);
  }

  @Override
  public void stop() {
    if (status != null) {
      status.close();
    }
  }
}
