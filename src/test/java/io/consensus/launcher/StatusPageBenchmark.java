package io.consensus.launcher;

import static io.consensus.launcher.SyntheticKeyspace.onContext;
import static io.consensus.launcher.SyntheticKeyspace.put;

import com.sun.management.OperatingSystemMXBean;
import io.consensus.internal.etcd.EtcdConnection;
import io.consensus.spectator.RoutingTableOptions;
import io.consensus.spectator.RoutingTableVerticle;
import io.consensus.testing.Await;
import io.consensus.testing.EtcdServer;
import io.consensus.verticle.AllocatorOptions;
import io.consensus.verticle.AllocatorVerticle;
import io.etcd.jetcd.api.RequestOp;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The status page's requests at scale, for a member's view and a spectator's: a real etcd
 * holding N items x (R+1) entries over 10 members (written directly, maintenance mode on so the
 * benchmark's member makes no moves), one member ({@link AllocatorVerticle}) or spectator, and
 * its {@link StatusServer}, all on ONE event loop (so the loop's lag holds whatever a request
 * costs on any of them). For {@code GET /fleet} (what the page loads) and {@code GET /routes}:
 * latency of 5 requests, the process CPU time per request, and the loop's max lag (a 5 ms
 * periodic timer's lateness) while they ran; then the page's live stream
 * ({@code /fleet/events}) with 20 etcd puts: put to delta event, and the loop's lag.
 * Prints figures, asserts nothing.
 * <pre>
 * MAVEN_OPTS=-Xmx2g mvn -B -o -q test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=io.consensus.launcher.StatusPageBenchmark -Dexec.args="100000 member"
 * </pre>
 */
public final class StatusPageBenchmark {
  private static final OperatingSystemMXBean OS = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  private StatusPageBenchmark() {
  }

  public static void main(String[] args) throws Exception {
    int items = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    boolean member = args.length < 2 || args[1].equals("member");
    int members = 10;
    int replicas = 2;
    String root = "/bench/status";
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    try (EtcdServer etcd = EtcdServer.start()) {
      Context ctx = vertx.getOrCreateContext();
      EtcdConnection conn = onContext(ctx, () -> new EtcdConnection(vertx, etcd.endpoints(), Duration.ofSeconds(30)));
      List<RequestOp> ops = new ArrayList<>();
      ops.add(put(root + "/maintenance", ""));
      ops.addAll(SyntheticKeyspace.fleet(root, members, items, replicas, "item-%06d"));
      SyntheticKeyspace.write(ctx, conn, ops);
      System.out.printf("keyspace: %,d items x %d entries over %d members, %,d keys; view: %s; load average %.2f%n",
          items, replicas + 1, members, ops.size(), member ? "member" : "spectator", OS.getSystemLoadAverage());

      long t0 = System.nanoTime();
      FleetView view;
      if (member) {
        AllocatorVerticle allocator = new AllocatorVerticle(new AllocatorOptions().setEndpoints(etcd.endpoints())
            .setRoot(root).setMember("bench").setReplicas(replicas));
        Await.result(vertx.deployVerticle(allocator), Duration.ofSeconds(300));
        view = FleetView.of(vertx, allocator);
      } else {
        RoutingTableVerticle spectator = new RoutingTableVerticle(new RoutingTableOptions()
            .setEndpoints(etcd.endpoints()).setRoot(root).setReplicas(replicas).setName("bench"));
        Await.result(vertx.deployVerticle(spectator), Duration.ofSeconds(300));
        view = FleetView.of(spectator);
      }
      System.out.printf("deployed and caught up: %.0f ms%n", ms(t0));

      AtomicLong maxLag = new AtomicLong();
      long[] last = {System.nanoTime()};
      onContext(ctx, () -> vertx.setPeriodic(5, id -> {
        long now = System.nanoTime();
        maxLag.accumulateAndGet((now - last[0]) / 1_000_000 - 5, Math::max);
        last[0] = now;
      }));
      StatusServer server = new StatusServer(vertx, view, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), null,
          null);
      int port = Await.result(onContext(ctx, () -> server.listen("127.0.0.1", 0)), Duration.ofSeconds(10)).actualPort();
      String base = "http://127.0.0.1:" + port;
      HttpClient http = HttpClient.newHttpClient();
      System.gc();
      Thread.sleep(500); // the loop's lag probe settles after the GC
      for (String path : List.of("/fleet", "/routes")) {
        maxLag.set(0);
        List<Double> times = new ArrayList<>();
        int bytes = 0;
        long cpu0 = OS.getProcessCpuTime();
        long[] gc0 = gcNow();
        for (int n = 0; n < 5; n++) {
          long s = System.nanoTime();
          HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(base + path)).build(),
              HttpResponse.BodyHandlers.ofByteArray());
          times.add(ms(s));
          bytes = r.body().length;
          if (r.statusCode() != 200) {
            System.out.println(path + " answered " + r.statusCode());
          }
        }
        double cpuMs = (OS.getProcessCpuTime() - cpu0) / 1e6 / 5;
        System.out.printf("GET %-7s %,11d bytes: median %6.0f ms, max %6.0f ms of 5; process CPU %6.0f ms per request;"
            + " max loop lag %5d ms; GC %s; load average %.2f%n", path, bytes, median(times), Collections.max(times), cpuMs,
            maxLag.get(), gc(gc0), OS.getSystemLoadAverage());
      }

      // The open page: its event stream, fed by etcd puts.
      maxLag.set(0);
      List<String> lines = Collections.synchronizedList(new ArrayList<>());
      http.sendAsync(HttpRequest.newBuilder(URI.create(base + "/fleet/events")).build(),
          HttpResponse.BodyHandlers.ofLines()).thenAccept(r -> r.body().forEach(lines::add));
      Await.until("event stream open", Duration.ofSeconds(10), () -> lines.stream().anyMatch(l -> l.contains("hello")));
      List<Double> live = new ArrayList<>();
      long cpu0 = OS.getProcessCpuTime();
      long[] gc0 = gcNow();
      for (int n = 0; n < 20; n++) {
        String state = "w" + n;
        long s = System.nanoTime();
        etcd.put(root + "/items/item-000000/m0", state);
        Await.until("delta with " + state, Duration.ofSeconds(30), () -> {
          synchronized (lines) {
            return lines.stream().anyMatch(l -> l.startsWith("data:") && l.contains("\"" + state + "\""));
          }
        });
        live.add(ms(s));
      }
      System.out.printf("live stream, etcd put to delta event (20 puts, flush every %d ms): median %.0f ms, max %.0f ms;"
          + " process CPU %.0f ms per put; max loop lag %d ms; GC %s%n", RouteStream.FLUSH_MILLIS, median(live),
          Collections.max(live), (OS.getProcessCpuTime() - cpu0) / 1e6 / 20, maxLag.get(), gc(gc0));
      Await.result(onContext(ctx, conn::close), Duration.ofSeconds(10));
    } finally {
      Await.result(vertx.close(), Duration.ofSeconds(60));
    }
    System.exit(0);
  }

  /** Collections and their total time (ms) so far, over every collector. */
  private static long[] gcNow() {
    long[] out = new long[2];
    for (var b : ManagementFactory.getGarbageCollectorMXBeans()) {
      out[0] += Math.max(0, b.getCollectionCount());
      out[1] += Math.max(0, b.getCollectionTime());
    }
    return out;
  }

  /** "N collections, T ms" since {@code from}. */
  private static String gc(long[] from) {
    long[] now = gcNow();
    return (now[0] - from[0]) + " collections, " + (now[1] - from[1]) + " ms";
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
