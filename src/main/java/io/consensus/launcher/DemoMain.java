package io.consensus.launcher;

import ch.qos.logback.classic.Level;
import io.consensus.route.RouteEntry;
import io.consensus.verticle.AllocatorOptions;
import io.consensus.verticle.AllocatorVerticle;
import io.consensus.verticle.RouteChange;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.LoggerFactory;

/**
 * The demo ({@code "demo": {"members": N}}): N members in one process, named
 * {@code <member>-1..N}, share the configured items. It prints the route table whenever it
 * changes; once the fleet has converged it cancels member 1 to show the hand-off, prints the
 * result, and keeps running until Ctrl-C (which cancels the rest).
 *
 * <p>Members are child deployments of this verticle: closing Vert.x cancels them (with
 * hand-off) before this verticle's {@code stop} prints the last table.
 */
public final class DemoMain extends AbstractVerticle {
  /** Lines the demo prints at its milestones (tests and scripts wait on them). */
  public static final String CONVERGED = "-- converged";
  public static final String HANDED_OFF = "-- handed off";
  public static final String CONVERGED_AGAIN = "-- converged again";
  private static final long POLL_MS = 250;
  private static final long STABLE_MS = 1000;

  private enum Stage { CONVERGING, HANDING_OFF, RECONVERGING, RUNNING }

  private final MemberConfig config;
  private final PrintStream out;
  private final Map<String, AllocatorVerticle> members = new LinkedHashMap<>();
  private final Map<String, String> deployments = new LinkedHashMap<>();
  private Stage stage = Stage.CONVERGING;
  private String lastTable = "";
  private long lastChangeNanos = System.nanoTime();
  private boolean polling;
  private String left;

  DemoMain(MemberConfig config, PrintStream out) {
    this.config = config;
    this.out = out;
  }

  /** Deploys the demo on {@code vertx}; completes when every member has joined. */
  static Future<String> deploy(Vertx vertx, MemberConfig config) {
    if (System.getenv("LOG_LEVEL") == null) {
      // The table is the demo's output: keep the library's INFO lines out of it.
      ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("io.consensus")).setLevel(Level.WARN);
    }
    return vertx.deployVerticle(new DemoMain(config, System.out));
  }

  @Override
  public void start(Promise<Void> startPromise) {
    AllocatorOptions base = config.allocator();
    out.printf("demo: %d members, items %s, R=%d, root %s, etcd %s%n", config.demoMembers(), base.getItems(),
        base.getReplicas(), base.getRoot(), base.getEndpoints());
    List<Future<String>> deployed = new ArrayList<>();
    for (int i = 1; i <= config.demoMembers(); i++) {
      AllocatorOptions o = new AllocatorOptions(base).setMember(base.getMember() + "-" + i);
      AllocatorVerticle v = new AllocatorVerticle(o);
      members.put(o.getMember(), v);
      deployed.add(vertx.deployVerticle(v).onSuccess(id -> deployments.put(o.getMember(), id)));
    }
    Future.all(deployed).<Void>mapEmpty().onSuccess(x -> vertx.setPeriodic(POLL_MS, t -> poll()))
        .onComplete(startPromise);
  }

  @Override
  public void stop() {
    out.println("demo: stopped");
  }

  private void poll() {
    AllocatorVerticle viewer = members.values().stream().filter(AllocatorVerticle::isHealthy).findFirst()
        .orElse(null);
    if (viewer == null || polling) {
      return;
    }
    polling = true;
    viewer.routes().onComplete(ar -> {
      polling = false;
      if (ar.succeeded()) {
        show(ar.result());
      }
    });
  }

  private void show(Map<String, RouteChange> routes) {
    String table = render(routes);
    long now = System.nanoTime();
    if (!table.equals(lastTable)) {
      lastTable = table;
      lastChangeNanos = now;
      long rev = routes.values().stream().mapToLong(RouteChange::revision).max().orElse(0);
      out.printf("%n[revision %d]%n%s", rev, table);
      return;
    }
    boolean stable = now - lastChangeNanos >= STABLE_MS * 1_000_000L && converged(routes);
    switch (stage) {
      case CONVERGING -> {
        if (stable && members.size() > 1) {
          String leaving = members.keySet().iterator().next();
          left = leaving;
          out.printf("%s: cancelling %s to show the hand-off%n", CONVERGED, leaving);
          stage = Stage.HANDING_OFF;
          AllocatorVerticle v = members.remove(leaving);
          vertx.undeploy(deployments.remove(leaving)).onComplete(x -> {
            out.printf("%s: %s exited after %d ms%n", HANDED_OFF, leaving, v.stats().handoffMillis());
            stage = Stage.RECONVERGING;
          });
        } else if (stable) {
          out.printf("%s; Ctrl-C to stop%n", CONVERGED);
          stage = Stage.RUNNING;
        }
      }
      case RECONVERGING -> {
        if (stable) {
          out.printf("%s without %s; Ctrl-C to stop%n", CONVERGED_AGAIN, left);
          stage = Stage.RUNNING;
        }
      }
      default -> { }
    }
  }

  /** Every item fully staffed (as far as members allow) and masters spread within one. */
  private boolean converged(Map<String, RouteChange> routes) {
    int want = Math.min(config.allocator().getReplicas() + 1, members.size());
    Map<String, Integer> masters = new TreeMap<>();
    members.keySet().forEach(m -> masters.put(m, 0));
    for (RouteChange c : routes.values()) {
      if (c.entries().size() != want) {
        return false;
      }
      masters.merge(c.entries().get(0).member(), 1, Integer::sum);
    }
    int max = masters.values().stream().mapToInt(i -> i).max().orElse(0);
    int min = masters.values().stream().mapToInt(i -> i).min().orElse(0);
    return routes.size() == config.allocator().getItems().size() && max - min <= 1;
  }

  /** A compact table: one line per item, master then replicas; states shown unless "ready". */
  static String render(Map<String, RouteChange> routes) {
    int width = Math.max(6, routes.keySet().stream().mapToInt(String::length).max().orElse(0));
    StringBuilder sb = new StringBuilder(String.format("  %-" + width + "s  %-14s %s%n", "item", "master", "replicas"));
    for (RouteChange c : routes.values()) {
      List<RouteEntry> e = c.entries();
      String master = e.isEmpty() ? "-" : label(e.get(0));
      List<String> rest = new ArrayList<>();
      for (int i = 1; i < e.size(); i++) {
        rest.add(label(e.get(i)));
      }
      sb.append(String.format("  %-" + width + "s  %-14s %s%n", c.item(), master,
          rest.isEmpty() ? "-" : String.join(" ", rest)));
    }
    return sb.toString();
  }

  private static String label(RouteEntry e) {
    return "ready".equals(e.state()) ? e.member() : e.member() + "(" + e.state() + ")";
  }
}
