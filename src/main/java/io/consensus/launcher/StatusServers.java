package io.consensus.launcher;

import io.consensus.admin.AdminClient;
import io.consensus.verticle.AllocatorOptions;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import org.slf4j.Logger;

/** Builds the status server of a launcher process from its config. */
final class StatusServers {
  private StatusServers() {
  }

  /**
   * A status server for {@code view}; with {@code http.adminToken} set it also serves the
   * admin API over its own etcd connection (opened on the caller's context).
   */
  static StatusServer create(Vertx vertx, MemberConfig config, FleetView view, PrometheusMeterRegistry registry) {
    AdminClient admin = null;
    if (config.adminToken() != null) {
      AllocatorOptions o = config.allocator();
      admin = AdminClient.create(vertx, o.getEtcdClientOptions(), o.getRoot(), o.getItems(), o.getReplicas(),
          o.getItemReplicas());
    }
    return new StatusServer(vertx, view, registry, admin, config.adminToken());
  }

  /** The start-up line (tests read its port); says whether admin is on, never the token. */
  static void logListening(Logger log, String name, MemberConfig config, int port) {
    log.info("{} {}: HTTP status on port {} at {} (GET /, /routes, /health, /livez, /readyz, /metrics; admin API {})",
        config.role(), name, port, config.httpHost(), config.adminToken() != null ? "on" : "off");
  }
}
