package io.consensus.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.consensus.testing.EtcdExtension;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The admin API on a member's status server: token from the environment, refusals, operations. */
class AdminHttpIT {
  @RegisterExtension
  static EtcdExtension etcd = new EtcdExtension();
  static final String TOKEN = "it-admin-token-5f1c";
  static final HttpClient HTTP = HttpClient.newHttpClient();

  static String conf(String member) {
    return new JsonObject().put("root", "/it/admin").put("member", member).put("items", new JsonArray().add("a"))
        .put("leaseTtlSeconds", 4).put("handoffTimeoutSeconds", 3).put("metadata", new JsonObject().put("port", 7))
        .put("etcd", new JsonObject().put("endpoints", new JsonArray(etcd.server().endpoints())))
        .put("http", new JsonObject().put("port", 0)).encode();
  }

  static HttpResponse<String> send(LauncherProcess p, String method, String path, String token, String body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + p.httpPort() + path))
        .timeout(Duration.ofSeconds(10))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    try {
      return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static boolean routesHave(LauncherProcess p, String item) {
    return p.getJson("/routes").getJsonArray("routes").stream().map(JsonObject.class::cast)
        .anyMatch(r -> r.getString("item").equals(item) && r.getJsonArray("entries").size() == 1);
  }

  @Test
  void adminNeedsTheTokenAndAddsAndRemovesItems() {
    try (LauncherProcess m1 = LauncherProcess.start(conf("m1"), Map.of("ALLOCATOR_HTTP_ADMIN_TOKEN", TOKEN));
         LauncherProcess m2 = LauncherProcess.start(conf("m2"), Map.of())) {
      assertThat(m1.awaitLine("HTTP status on port \\d+ at (\\S+)").group(1)).isEqualTo("127.0.0.1");
      assertThat(m1.awaitLine("admin API (on|off)").group(1)).isEqualTo("on");

      HttpResponse<String> none = send(m1, "GET", "/admin/items", null, null);
      assertThat(none.statusCode()).isEqualTo(401);
      assertThat(none.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
      assertThat(send(m1, "GET", "/admin/items", "wrong", null).statusCode()).isEqualTo(403);
      assertThat(send(m1, "PUT", "/admin/items/b", "wrong", null).statusCode()).isEqualTo(403);
      assertThat(send(m2, "GET", "/admin/items", TOKEN, null).statusCode()).as("no token configured: admin off")
          .isEqualTo(404);

      HttpResponse<String> add = send(m1, "PUT", "/admin/items/b", TOKEN, "{\"replicas\": 0}");
      assertThat(add.statusCode()).as(add.body()).isEqualTo(201);
      assertThat(send(m1, "PUT", "/admin/items/b", TOKEN, null).statusCode()).isEqualTo(409);
      assertThat(send(m1, "PUT", "/admin/items/a%2Fb", TOKEN, null).statusCode()).isEqualTo(400);
      assertThat(send(m1, "PUT", "/admin/items/c", TOKEN, "{\"replicas\": \"x\"}").statusCode()).isEqualTo(400);
      LauncherProcess.await("the fleet staffs b", () -> routesHave(m1, "b") && routesHave(m2, "b"));
      // The member's route page data: every item, both members with their metadata.
      LauncherProcess.await("m1's /fleet shows a and b staffed", () -> {
        JsonObject fleet = m1.getJson("/fleet");
        return fleet.getJsonArray("items").size() == 2 && fleet.getJsonObject("counters").getInteger("itemsWithoutMaster") == 0
            && fleet.getJsonArray("members").size() == 2;
      });
      assertThat(m1.get("/").body()).contains("<title>etcd-allocator routes</title>");

      JsonObject items = new JsonObject(send(m1, "GET", "/admin/items", TOKEN, null).body());
      assertThat(items.getJsonArray("items").stream().map(JsonObject.class::cast)
          .filter(i -> i.getString("item").equals("b")).findFirst().orElseThrow().getString("marker"))
          .isEqualTo("{\"replicas\":0}");
      JsonObject members = new JsonObject(send(m1, "GET", "/admin/members", TOKEN, null).body());
      assertThat(members.getJsonObject("members").fieldNames()).containsExactlyInAnyOrder("m1", "m2");
      assertThat(members.getJsonObject("members").getJsonObject("m2").getInteger("port")).isEqualTo(7);
      JsonObject routes = new JsonObject(send(m1, "GET", "/admin/routes", TOKEN, null).body());
      assertThat(routes.getJsonArray("routes")).hasSize(2);

      assertThat(send(m1, "DELETE", "/admin/items/a", TOKEN, null).statusCode()).as("fixed").isEqualTo(409);
      HttpResponse<String> remove = send(m1, "DELETE", "/admin/items/b", TOKEN, null);
      assertThat(remove.statusCode()).as(remove.body()).isEqualTo(200);
      assertThat(send(m1, "DELETE", "/admin/items/b", TOKEN, null).statusCode()).isEqualTo(404);
      LauncherProcess.await("b gone from both members' routes", () -> !routesHave(m1, "b") && !routesHave(m2, "b")
          && m1.getJson("/routes").getJsonArray("routes").size() == 1);
      assertThat(m1.output()).doesNotContain(TOKEN);
    }
  }

  @Test
  void drainAndMaintenanceOverHttpNeedTheToken() {
    String root = "/it/admin-switches";
    String conf = new JsonObject(conf("m1")).put("root", root).put("zone", "z1").encode();
    String endpoint = etcd.server().endpoint();
    try (LauncherProcess m1 = LauncherProcess.start(conf, Map.of("ALLOCATOR_HTTP_ADMIN_TOKEN", TOKEN))) {
      assertThat(m1.awaitLine("admin API (on|off)").group(1)).isEqualTo("on");
      long before = etcd.server().currentRevision();
      assertThat(send(m1, "PUT", "/admin/drained/m2", null, null).statusCode()).isEqualTo(401);
      assertThat(send(m1, "PUT", "/admin/drained/m2", "wrong", null).statusCode()).isEqualTo(403);
      assertThat(send(m1, "PUT", "/admin/maintenance", null, null).statusCode()).isEqualTo(401);
      assertThat(send(m1, "DELETE", "/admin/maintenance", "wrong", null).statusCode()).isEqualTo(403);
      HttpResponse<String> badName = send(m1, "PUT", "/admin/drained/a%2Fb", TOKEN, null);
      assertThat(badName.statusCode()).as(badName.body()).isEqualTo(400);
      assertThat(new JsonObject(badName.body()).getString("error")).contains("invalid member name 'a/b'");
      assertThat(etcd.server().currentRevision()).as("refusals wrote nothing").isEqualTo(before);

      HttpResponse<String> drain = send(m1, "PUT", "/admin/drained/m2", TOKEN, null);
      assertThat(drain.statusCode()).as(drain.body()).isEqualTo(200);
      JsonObject drained = new JsonObject(drain.body());
      assertThat(drained.getBoolean("drained")).isTrue();
      assertThat(drained.getBoolean("memberPresent")).as("m2 is not running").isFalse();
      assertThat(AdminCliIT.etcdValue(endpoint, root + "/drained/m2")).contains("since");
      JsonObject members = new JsonObject(send(m1, "GET", "/admin/members", TOKEN, null).body());
      assertThat(members.getJsonArray("drained")).containsExactly("m2");
      assertThat(members.getJsonObject("members").getJsonObject("m1").getString("zone")).isEqualTo("z1");
      HttpResponse<String> undrain = send(m1, "DELETE", "/admin/drained/m2", TOKEN, null);
      assertThat(undrain.statusCode()).as(undrain.body()).isEqualTo(200);
      assertThat(AdminCliIT.etcdValue(endpoint, root + "/drained/m2")).isNull();

      HttpResponse<String> on = send(m1, "PUT", "/admin/maintenance", TOKEN, null);
      assertThat(on.statusCode()).as(on.body()).isEqualTo(200);
      assertThat(AdminCliIT.etcdValue(endpoint, root + "/maintenance")).contains("since");
      assertThat(new JsonObject(send(m1, "GET", "/admin/routes", TOKEN, null).body()).getBoolean("maintenance")).isTrue();
      assertThat(new JsonObject(send(m1, "GET", "/admin/members", TOKEN, null).body()).getBoolean("maintenance")).isTrue();
      assertThat(send(m1, "DELETE", "/admin/maintenance", TOKEN, null).statusCode()).isEqualTo(200);
      assertThat(AdminCliIT.etcdValue(endpoint, root + "/maintenance")).isNull();
      assertThat(m1.output()).doesNotContain(TOKEN);
    }
  }
}
