package io.consensus.launcher;

import io.consensus.internal.route.Items;
import io.consensus.internal.route.MemberDirectory;
import io.consensus.route.Role;
import io.consensus.route.Route;
import io.consensus.tree.KeyTree;
import io.consensus.tree.KeyValue;
import io.consensus.verticle.RouteChange;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What one published route change costs its JSON (built once per event-bus consumer) and the
 * launcher's serving log that consumes it: bytes allocated and CPU ns per change, on one thread.
 * Routes are read from a key tree as a member reads them (3 entries, R=2, members with metadata).
 *
 * <pre>
 * mvn -B -o -q test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=io.consensus.launcher.PublicationCost
 * </pre>
 */
public final class PublicationCost {
  private static final int ROUTES = 4_096;
  private static final int OPS = 2_000_000;
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
  private static long sink;

  public static void main(String[] args) throws Exception {
    List<KeyValue> kvs = new ArrayList<>();
    long rev = 0;
    for (int m = 0; m < 4; m++) {
      kvs.add(new KeyValue("/b/members/m" + m, "{\"host\":\"10.0.0." + m + "\",\"port\":8080}", ++rev, rev, 1, 100 + m));
    }
    for (int i = 0; i < ROUTES; i++) {
      for (int k = 0; k < 3; k++) {
        int m = (i + k) % 4;
        kvs.add(new KeyValue("/b/items/item-" + i + "/m" + m, "ready", ++rev, rev, 1, 100 + m));
      }
    }
    KeyTree tree = KeyTree.fromSnapshot("/b", rev, kvs);
    MemberDirectory members = new MemberDirectory();
    members.update(tree);
    RouteChange[] changes = new RouteChange[ROUTES];
    JsonObject[] json = new JsonObject[ROUTES];
    for (int i = 0; i < ROUTES; i++) {
      String item = "item-" + i;
      Route r = Route.of(item, Items.itemsNode(tree).child(item));
      int index = r.index("m0");
      Role role = index < 0 ? Role.NONE : Role.of(index, 2);
      changes[i] = new RouteChange("m0", item, rev, r, index, role, false, RouteChange.ROUTE, members.metadataOf(r));
      json[i] = changes[i].toJson();
    }
    System.out.println("one change's JSON: " + json[0].encode());
    Vertx vertx = Vertx.vertx();
    try {
      ServingLog log = ServingLog.open(vertx, "/dev/null", "m0", "publication.cost")
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      for (int round = 0; round < 3; round++) {
        measure("RouteChange.toJson (per consumer)", i -> sink += changes[i].toJson().size());
        measure("RouteChange.fromJson + isMaster + fencingToken (ServingLog before)", i -> {
          RouteChange c = RouteChange.fromJson(json[i]);
          sink += c.isMaster() ? c.fencingToken() : c.member().length();
        });
        measure("ServingLog.onRoute(JSON) (after)", i -> log.onRoute(json[i]));
      }
      log.close();
    } finally {
      vertx.close();
    }
    System.out.println("(sink " + sink + ")");
  }

  private static void measure(String what, java.util.function.IntConsumer op) {
    for (int i = 0; i < OPS / 4; i++) {
      op.accept(i % ROUTES);
    }
    long bytes = THREADS.getCurrentThreadAllocatedBytes();
    long cpu = THREADS.getCurrentThreadCpuTime();
    for (int i = 0; i < OPS; i++) {
      op.accept(i % ROUTES);
    }
    cpu = THREADS.getCurrentThreadCpuTime() - cpu;
    bytes = THREADS.getCurrentThreadAllocatedBytes() - bytes;
    System.out.printf("%-72s %7.1f bytes/op %7.1f ns CPU/op%n", what, (double) bytes / OPS, (double) cpu / OPS);
  }
}
