package io.consensus.verticle;

import static org.assertj.core.api.Assertions.assertThat;

import io.consensus.route.Route;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Zone swap repair through the verticle against real etcd: the layout of issue 20 (zones a, a, b,
 * b, c, c and a seventh member in c with itemLimit 5; 60 items, R=2), members joining one at a
 * time, ends with all 60 items over three distinct zones and masters at their targets.
 */
class ZoneSwapEtcdTest extends FleetTest {
  static final List<String> ITEMS = IntStream.range(0, 60).mapToObj(i -> String.format("item-%02d", i)).toList();

  static long distinct(Map<String, Route> routes) {
    return routes.values().stream()
        .filter(r -> r.entries().stream().map(e -> e.member().charAt(0)).distinct().count() == r.size()).count();
  }

  @Test
  void issueLayoutEndsWithEveryItemZoneDistinct() {
    // An order that leaves copies doubled in a zone while every member is at its target (seen in
    // the simulation: ZoneSwapSimulationTest, one by one).
    for (String m : List.of("c1", "b1", "a2", "a1", "b2", "c2", "c3")) {
      AllocatorOptions o = fleet.options(m, 2, ITEMS).setZone(m.substring(0, 1));
      if (m.equals("c3")) {
        o.setItemLimit(5);
      }
      fleet.deploy(o, ItemHandler.DEFAULT);
      fleet.awaitRoutes(ITEMS, "every item staffed after " + m + " joined", r -> r.values().stream()
          .allMatch(x -> x.size() == Math.min(3, fleet.members.size())));
      fleet.awaitQuiet();
    }
    Map<String, Route> routes = fleet.awaitRoutes(ITEMS, "60 of 60 items zone-distinct",
        r -> r.values().stream().allMatch(x -> x.size() == 3) && distinct(r) == 60);
    fleet.awaitQuiet();
    routes = fleet.routes(ITEMS);
    assertThat(distinct(routes)).isEqualTo(60);
    assertThat(routes.values()).allMatch(x -> x.size() == 3);
    Map<String, Integer> masters = fleet.mastersPerMember(routes);
    long actions = fleet.members.values().stream().mapToLong(v -> v.stats().actions()).sum();
    Map<String, Long> swaps = fleet.events.values().stream().flatMap(List::stream)
        .filter(e -> e.kind() == AllocatorEvent.Kind.ACTED && e.detail().contains("ZONE_SWAP"))
        .collect(java.util.stream.Collectors.groupingBy(e -> e.detail().substring(5, e.detail().indexOf(':')),
            java.util.TreeMap::new, java.util.stream.Collectors.counting()));
    System.out.printf("zone swap etcd: masters %s, actions %d, placements %d, swap transactions %s%n", masters,
        actions, fleet.members.values().stream().mapToLong(v -> v.stats().placements()).sum(), swaps);
    // c3 masters its limit: a surplus elsewhere reaches it (before issue 20's fix, 1 in 10 runs
    // ended quiet with c3 at 3 or 4).
    assertThat(masters.getOrDefault("c3", 0)).as("masters per member %s", masters).isEqualTo(5);
    // The six members without a limit share the rest evenly.
    List<Integer> unlimited = masters.entrySet().stream().filter(e -> !e.getKey().equals("c3"))
        .map(Map.Entry::getValue).toList();
    assertThat(unlimited).hasSize(6);
    int min = unlimited.stream().mapToInt(Integer::intValue).min().orElseThrow();
    int max = unlimited.stream().mapToInt(Integer::intValue).max().orElseThrow();
    assertThat(max - min).as("masters per member %s", masters).isLessThanOrEqualTo(1);
  }

  /**
   * The state the issue saw (58 of 60 zone-distinct with every member at its target), made
   * directly: once the fleet has converged, a1's copy of an item Y and b1's copy of an item X trade
   * places in one etcd transaction (the entries are written on the members' own leases), so X has
   * two copies in zone a and none in b, Y two in b and none in a, and every member still holds as
   * many entries as before. The swap repair brings both back to three zones; no master moves.
   */
  @Test
  void copiesDoubledWhileEveryMemberIsAtItsTargetAreSwappedBack() throws Exception {
    for (String m : List.of("a1", "a2", "b1", "b2", "c1", "c2", "c3")) {
      AllocatorOptions o = fleet.options(m, 2, ITEMS).setZone(m.substring(0, 1));
      if (m.equals("c3")) {
        o.setItemLimit(5);
      }
      fleet.deploy(o, ItemHandler.DEFAULT);
    }
    fleet.awaitRoutes(ITEMS, "60 of 60 items zone-distinct",
        r -> r.values().stream().allMatch(x -> x.size() == 3) && distinct(r) == 60);
    fleet.awaitQuiet();
    Map<String, Route> before = fleet.routes(ITEMS);
    String x = before.values().stream().filter(r -> r.index("b1") >= 1 && r.index("a1") < 0).findFirst()
        .orElseThrow().item();
    String y = before.values().stream().filter(r -> r.index("a1") >= 1 && r.index("b1") < 0).findFirst()
        .orElseThrow().item();
    Map<String, io.consensus.tree.KeyValue> kvs = new java.util.HashMap<>();
    fleet.keys().forEach(kv -> kvs.put(kv.key(), kv));
    String prefix = fleet.root + "/items/";
    long leaseA = kvs.get(fleet.root + "/members/a1").lease();
    long leaseB = kvs.get(fleet.root + "/members/b1").lease();
    String xb = entryKey(prefix, before.get(x), "b1");
    String ya = entryKey(prefix, before.get(y), "a1");
    long swapped = txn(List.of(
        delete(xb), put(prefix + x + "/a1", kvs.get(xb).value(), leaseA),
        delete(ya), put(prefix + y + "/b1", kvs.get(ya).value(), leaseB)));
    // Read at the swap's own revision: the members may have begun the repair already.
    Map<String, Route> doubled = fleet.routes(ITEMS, swapped);
    assertThat(distinct(doubled)).isEqualTo(58);

    Map<String, Route> after = fleet.awaitRoutes(ITEMS, "60 of 60 zone-distinct again",
        r -> r.values().stream().allMatch(z -> z.size() == 3) && distinct(r) == 60);
    fleet.awaitQuiet();
    after = fleet.routes(ITEMS);
    assertThat(distinct(after)).isEqualTo(60);
    for (String item : ITEMS) {
      assertThat(after.get(item).master().member()).as("master of %s", item)
          .isEqualTo(before.get(item).master().member());
    }
    Map<String, Long> swaps = fleet.events.values().stream().flatMap(List::stream)
        .filter(e -> e.kind() == AllocatorEvent.Kind.ACTED && e.detail().contains("ZONE_SWAP"))
        .collect(java.util.stream.Collectors.groupingBy(e -> e.detail().substring(5, e.detail().indexOf(':')),
            java.util.TreeMap::new, java.util.stream.Collectors.counting()));
    System.out.printf("zone swap etcd, doubled by hand: %s and %s repaired, swap transactions %s%n", x, y, swaps);
  }

  /** The key of {@code member}'s entry in {@code r} (an entry moved in place lives at {@code .../moved}). */
  private static String entryKey(String prefix, Route r, String member) {
    return prefix + r.item() + "/" + member + (r.entries().get(r.index(member)).moved() ? "/moved" : "");
  }

  private static io.vertx.core.json.JsonObject put(String key, String value, long lease) {
    return new io.vertx.core.json.JsonObject().put("request_put", new io.vertx.core.json.JsonObject()
        .put("key", b64(key)).put("value", b64(value)).put("lease", Long.toString(lease)));
  }

  private static io.vertx.core.json.JsonObject delete(String key) {
    return new io.vertx.core.json.JsonObject().put("request_delete_range",
        new io.vertx.core.json.JsonObject().put("key", b64(key)));
  }

  private static String b64(String s) {
    return java.util.Base64.getEncoder().encodeToString(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /** One etcd transaction of {@code ops} through etcd's JSON gateway (no compare); its revision. */
  private long txn(List<io.vertx.core.json.JsonObject> ops) throws Exception {
    io.vertx.core.json.JsonObject body = new io.vertx.core.json.JsonObject()
        .put("success", new io.vertx.core.json.JsonArray(ops));
    java.net.http.HttpResponse<String> resp = java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(java.net.URI.create(etcd.server().endpoint() + "/v3/kv/txn"))
            .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body.encode())).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(resp.statusCode()).as(resp.body()).isEqualTo(200);
    io.vertx.core.json.JsonObject answer = new io.vertx.core.json.JsonObject(resp.body());
    assertThat(answer.getBoolean("succeeded", false)).as(resp.body()).isTrue();
    return Long.parseLong(answer.getJsonObject("header").getString("revision"));
  }
}
