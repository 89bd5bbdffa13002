package io.consensus.launcher;

import static io.consensus.launcher.SyntheticKeyspace.onContext;
import static io.consensus.launcher.SyntheticKeyspace.put;

import io.consensus.internal.etcd.EtcdConnection;
import io.consensus.route.RoutingTable;
import io.consensus.spectator.RoutingTableOptions;
import io.consensus.spectator.RoutingTableVerticle;
import io.consensus.testing.Await;
import io.consensus.testing.EtcdServer;
import io.etcd.jetcd.api.RequestOp;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Supplier;

/**
 * Spectator and route page at scale: a real etcd holding N items x (R+1) entries over M
 * members (written directly, no allocators), then
 * <ul>
 *   <li>spectator catch-up: deploy to full table (one paginated snapshot);</li>
 *   <li>spectator lag: an etcd write until the spectator published the change;</li>
 *   <li>{@code GET /fleet}: size and time of the page's snapshot;</li>
 *   <li>page load in headless Chromium: process start to a rendered grid with every counter;</li>
 *   <li>live update: an etcd write until the open page's DOM shows it.</li>
 * </ul>
 * Prints figures, asserts nothing. {@code mvn -B -q -DskipTests test-compile exec:java
 * -Dexec.classpathScope=test -Dexec.mainClass=io.consensus.launcher.RoutePageBenchmark
 * [-Dexec.args="10000 10 2"]}.
 */
public final class RoutePageBenchmark {
  private RoutePageBenchmark() {
  }

  public static void main(String[] args) throws Exception {
    int items = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int members = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    int replicas = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    String root = "/bench/page";
    Vertx vertx = Vertx.vertx();
    try (EtcdServer etcd = EtcdServer.start()) {
      var ctx = vertx.getOrCreateContext();
      Supplier<EtcdConnection> mk = () -> new EtcdConnection(vertx, etcd.endpoints(), Duration.ofSeconds(30));
      EtcdConnection conn = onContext(ctx, mk);
      List<RequestOp> ops = SyntheticKeyspace.fleet(root, members, items, replicas, "item-%05d");
      SyntheticKeyspace.write(ctx, conn, ops);
      System.out.printf("keyspace: %,d items x %d entries over %d members, %,d keys, revision %d%n",
          items, replicas + 1, members, ops.size(), etcd.currentRevision());

      long t0 = System.nanoTime();
      RoutingTableVerticle spectator = new RoutingTableVerticle(new RoutingTableOptions()
          .setEndpoints(etcd.endpoints()).setRoot(root).setReplicas(replicas).setName("bench"));
      Await.result(vertx.deployVerticle(spectator), Duration.ofSeconds(120));
      double catchUp = ms(t0);
      RoutingTable t = spectator.table();
      System.out.printf("spectator catch-up (deploy to full table): %.0f ms, %,d items%n", catchUp, t.items().size());

      List<Double> lags = new ArrayList<>();
      for (int n = 0; n < 50; n++) {
        String key = root + "/items/item-" + String.format("%05d", n * 7 % items) + "/m0";
        String state = "s" + n;
        Promise<Void> seen = Promise.promise();
        spectator.onChange(c -> {
          if (c.route().entries().stream().anyMatch(e -> e.state().equals(state))) {
            seen.tryComplete();
          }
        });
        long s = System.nanoTime();
        etcd.put(key, state);
        Await.result(seen.future(), Duration.ofSeconds(30));
        lags.add(ms(s));
      }
      System.out.printf("spectator lag, etcd put to published change (50 puts): median %.1f ms, max %.1f ms%n",
          median(lags), Collections.max(lags));

      StatusServer server = new StatusServer(vertx, FleetView.of(spectator),
          new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), null, null);
      int port = Await.result(onContext(ctx, () -> server.listen("127.0.0.1", 0)), Duration.ofSeconds(10)).actualPort();
      String base = "http://127.0.0.1:" + port;
      HttpClient http = HttpClient.newHttpClient();
      List<Double> fleetMs = new ArrayList<>();
      int bytes = 0;
      for (int n = 0; n < 5; n++) {
        long s = System.nanoTime();
        bytes = http.send(HttpRequest.newBuilder(URI.create(base + "/fleet")).build(),
            HttpResponse.BodyHandlers.ofByteArray()).body().length;
        fleetMs.add(ms(s));
      }
      System.out.printf("GET /fleet: %,d bytes, median %.0f ms of 5%n", bytes, median(fleetMs));

      long s = System.nanoTime();
      try (HeadlessChromium page = HeadlessChromium.open(base + "/")) {
        double opened = ms(s);
        Await.until("grid rendered", Duration.ofSeconds(120), () -> Boolean.TRUE.equals(page.eval(
            "(document.getElementById('c-items') || {}).textContent === '" + items + "'"
                + " && document.querySelectorAll('#rows tr[data-item]').length === 100")));
        System.out.printf("page load in headless Chromium: %.0f ms to a rendered grid (%.0f ms of it starting"
            + " Chromium and reaching the page target)%n", ms(s), opened);
        List<Double> live = new ArrayList<>();
        for (int n = 0; n < 20; n++) {
          String state = "w" + n;
          long w = System.nanoTime();
          etcd.put(root + "/items/item-00000/m0", state);
          Await.until("page shows " + state, Duration.ofSeconds(30), () -> Boolean.TRUE.equals(page.eval(
              "(document.querySelector('tr[data-item=\"item-00000\"] td[data-member=\"m0\"] .state') || {})"
                  + ".textContent === '" + state + "'")));
          live.add(ms(w));
        }
        System.out.printf("live update, etcd put to the open page's DOM (20 puts, SSE flush every %d ms):"
            + " median %.0f ms, max %.0f ms%n", RouteStream.FLUSH_MILLIS, median(live), Collections.max(live));
      }
      Await.result(onContext(ctx, conn::close), Duration.ofSeconds(10));
    } finally {
      Await.result(vertx.close(), Duration.ofSeconds(30));
    }
  }

  private static double ms(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e6;
  }

  private static double median(List<Double> xs) {
    List<Double> s = new ArrayList<>(xs);
    Collections.sort(s);
    return s.get(s.size() / 2);
  }
}
