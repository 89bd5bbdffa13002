package io.consensus.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.consensus.testing.EtcdExtension;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Members launched from the packaged jar against a real etcd: HTTP, metrics, signals. */
class MemberIT {
  @RegisterExtension
  static EtcdExtension etcd = new EtcdExtension();
  static final List<String> ITEMS = List.of("a", "b", "c", "d");

  static String conf(String root, String member, int handoffTimeout) {
    return new JsonObject().put("root", root).put("member", member).put("items", new JsonArray(ITEMS))
        .put("leaseTtlSeconds", 4).put("handoffTimeoutSeconds", handoffTimeout).put("stateCheckMillis", 200)
        .put("http", new JsonObject().put("port", 0)).encode();
  }

  /** Endpoints and replicas through the documented environment overrides. */
  static Map<String, String> env(int replicas) {
    return Map.of("ALLOCATOR_ETCD_ENDPOINTS", String.join(",", etcd.server().endpoints()),
        "ALLOCATOR_REPLICAS", Integer.toString(replicas));
  }

  static Map<String, String> mastersPerMember(JsonObject table) {
    Map<String, String> out = new TreeMap<>();
    for (Object o : table.getJsonArray("routes")) {
      JsonObject r = (JsonObject) o;
      JsonArray entries = r.getJsonArray("entries");
      out.put(r.getString("item"), entries.isEmpty() ? "" : entries.getJsonObject(0).getString("member")
          + "+" + (entries.size() - 1));
    }
    return out;
  }

  @Test
  void twoMembersConvergeServeStatusAndHandOffOnSigterm() {
    String root = "/it/two";
    try (LauncherProcess m1 = LauncherProcess.start(conf(root, "m1", 10), env(1));
         LauncherProcess m2 = LauncherProcess.start(conf(root, "m2", 3), env(1))) {
      // Converged, as GET /routes shows: every item has a master and a replica, masters split 2/2.
      LauncherProcess.await("two members converge", () -> {
        JsonObject t = m1.getJson("/routes");
        Map<String, String> m = mastersPerMember(t);
        return m.size() == ITEMS.size() && m.values().stream().allMatch(v -> v.endsWith("+1"))
            && m.values().stream().filter(v -> v.startsWith("m1+")).count() == 2;
      });
      JsonObject table = m2.getJson("/routes");
      assertThat(table.getString("member")).isEqualTo("m2");
      assertThat(table.getLong("revision")).isPositive();
      JsonObject a = table.getJsonArray("routes").getJsonObject(0);
      assertThat(a.fieldNames()).contains("member", "item", "revision", "entries", "index", "role", "removed",
          "reason");

      HttpResponse<String> health = m1.get("/health");
      assertThat(health.statusCode()).isEqualTo(200);
      assertThat(new JsonObject(health.body()).getString("reason")).isEqualTo("ok");
      assertThat(new JsonObject(health.body()).getJsonObject("eventLoopLag").getJsonObject("keeper").fieldNames())
          .containsExactlyInAnyOrder("maxMillis", "p99Millis", "recentMaxMillis", "runningMaxMillis");

      HttpResponse<String> metrics = m1.get("/metrics");
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.headers().firstValue("content-type").orElse("")).startsWith("text/plain");
      // Gauges are refreshed every second on the allocator's context: wait for a converged copy.
      List<String> expected = List.of(
          "allocator_masters{member=\"m1\",} 2.0",
          "allocator_replicas{member=\"m1\",} 2.0",
          "allocator_items{member=\"m1\",} 4.0",
          "allocator_members{member=\"m1\",} 2.0",
          "allocator_items_short_of_replicas{member=\"m1\",} 0.0",
          "allocator_actions_total{kind=\"create\",member=\"m1\",}",
          "allocator_transaction_seconds_count{member=\"m1\",}",
          "allocator_watch_events_total{member=\"m1\",}",
          "allocator_lease_keepalive_failures_total{member=\"m1\",} 0.0",
          "allocator_healthy{member=\"m1\",} 1.0",
          "allocator_event_loop_lag_seconds_count{loop=\"keeper\",member=\"m1\",}",
          "allocator_event_loop_lag_seconds_max{loop=\"allocator\",member=\"m1\",}");
      LauncherProcess.await("metrics of the converged member", () -> {
        String body = m1.get("/metrics").body();
        return expected.stream().allMatch(body::contains);
      });
      assertThat(m1.get("/nope").statusCode()).isEqualTo(404);

      // SIGTERM: m1 hands off and exits 0; m2 then masters everything.
      m1.signal("TERM");
      assertThat(m1.awaitExit(Duration.ofSeconds(20))).as(m1.output()).isZero();
      assertThat(m1.stdout()).contains("member m1 exited").contains("(handed off)");
      LauncherProcess.await("m2 masters everything alone", () -> {
        Map<String, String> after = mastersPerMember(m2.getJson("/routes"));
        return after.size() == ITEMS.size() && after.values().stream().allMatch("m2+0"::equals);
      });
    }
  }

  @Test
  void secondSignalStopsAtOnce() {
    // A member key nobody serves (a lease-less "ghost") means the member is not alone, so its
    // graceful stop waits for a hand-off that cannot happen: up to 60 s.
    etcd.server().put("/it/second/members/ghost", "{}");
    try (LauncherProcess m = LauncherProcess.start(conf("/it/second", "solo", 60), env(1))) {
      LauncherProcess.await("solo masters everything", () -> mastersPerMember(m.getJson("/routes")).size() == 4);
      m.signal("TERM");
      m.awaitLine("member solo cancelling");
      m.signal("INT");
      assertThat(m.awaitExit(Duration.ofSeconds(10))).isEqualTo(128 + 2);
      assertThat(m.stderr()).contains("SIGINT again: stopping at once");
    }
  }

  @Test
  void sigtermWithARestartGraceIsARestartThatTheNextProcessAdopts() {
    String root = "/it/restart";
    String conf1 = new JsonObject(conf(root, "m1", 10)).put("restartGraceSeconds", 60).encode();
    try (LauncherProcess m2 = LauncherProcess.start(conf(root, "m2", 3), env(1))) {
      try (LauncherProcess m1 = LauncherProcess.start(conf1, env(1))) {
        LauncherProcess.await("two members converge", () -> {
          Map<String, String> m = mastersPerMember(m2.getJson("/routes"));
          return m.size() == ITEMS.size() && m.values().stream().allMatch(v -> v.endsWith("+1"))
              && m.values().stream().filter(v -> v.startsWith("m1+")).count() == 2;
        });
        // SIGTERM with a grace: m1 hands its masters to m2 in place, keeps its copies, exits 0.
        m1.signal("TERM");
        assertThat(m1.awaitExit(Duration.ofSeconds(20))).as(m1.output()).isZero();
        assertThat(m1.stdout()).contains("restarting: 4 of 4 replica entries wait on lease");
      }
      // Every item still has m2 as master and m1's copy behind it, waiting.
      assertThat(mastersPerMember(m2.getJson("/routes")).values()).allMatch("m2+1"::equals);
      try (LauncherProcess again = LauncherProcess.start(conf1, env(1))) {
        LauncherProcess.await("m1 adopted its copies and took its masters back", () -> {
          Map<String, String> m = mastersPerMember(m2.getJson("/routes"));
          return m.size() == ITEMS.size() && m.values().stream().allMatch(v -> v.endsWith("+1"))
              && m.values().stream().filter(v -> v.startsWith("m1+")).count() == 2
              && again.get("/metrics").body().contains("allocator_adoptions_total{member=\"m1\",} 4.0");
        });
        assertThat(again.get("/metrics").body()).contains("allocator_placements_total{member=\"m1\",} 0.0");
      }
    }
  }
}
