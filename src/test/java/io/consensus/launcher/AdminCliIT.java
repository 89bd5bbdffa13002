package io.consensus.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.consensus.testing.EtcdExtension;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The admin CLI through the packaged jar against a real etcd: output, exit codes, nothing half-written. */
class AdminCliIT {
  @RegisterExtension
  static EtcdExtension etcd = new EtcdExtension();

  record Run(int code, String out, String err) {
  }

  static Run cli(String conf, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("-conf");
    all.add(conf);
    try (LauncherProcess p = LauncherProcess.startArgs(all, Map.of())) {
      int code = p.awaitExit(Duration.ofSeconds(60));
      return new Run(code, p.stdout(), p.stderr());
    }
  }

  static String conf(String root) {
    return new JsonObject().put("etcd", new JsonObject().put("endpoints", new JsonArray(etcd.server().endpoints())))
        .put("root", root).put("items", new JsonArray().add("fixed")).put("replicas", 1).encode();
  }

  @Test
  void itemsAreAddedListedAndRemovedInOneTransactionEach() {
    String conf = conf("/it/cli");
    etcd.server().put("/it/cli/members/m1", "{\"host\":\"10.1.2.3\",\"port\":9000}");
    etcd.server().put("/it/cli/items/keep/m1", "ready"); // an item that only exists through its entry

    Run add = cli(conf, "items", "add", "x", "--replicas", "2");
    assertThat(add.code()).as(add.err()).isZero();
    assertThat(add.out()).contains("added item 'x' at revision");
    assertThat(etcdValue("/it/cli/items/x")).isEqualTo("{\"replicas\":2}");
    etcd.server().put("/it/cli/items/x/m1", "ready");
    etcd.server().put("/it/cli/items/xy", ""); // shares the bare prefix "items/x": must survive
    etcd.server().put("/it/cli/items/xy/m1", "ready");

    Run again = cli(conf, "items", "add", "x");
    assertThat(again.code()).isEqualTo(5);
    assertThat(again.err()).contains("item 'x' already exists");

    Run list = cli(conf, "items", "list");
    assertThat(list.code()).isZero();
    assertThat(list.out()).containsPattern("fixed\\s+-\\s+0\\s+fixed")
        .containsPattern("keep\\s+m1\\s+1\\s+entries only")
        .containsPattern("x\\s+m1\\s+1\\s+marker \\{\"replicas\":2\\}")
        .containsPattern("xy\\s+m1\\s+1\\s+marker \"\"");
    Run listJson = cli(conf, "items", "list", "--json");
    assertThat(new JsonObject(listJson.out()).getJsonArray("items")).hasSize(4);

    Run routes = cli(conf, "routes");
    assertThat(routes.code()).isZero();
    assertThat(routes.out()).contains("4 items, 1 members, 1 without master, 4 short of replicas")
        .containsPattern("x\\s+m1\\(ready\\)");
    JsonObject routesJson = new JsonObject(cli(conf, "routes", "--json").out());
    JsonObject x = routesJson.getJsonArray("routes").stream().map(JsonObject.class::cast)
        .filter(r -> r.getString("item").equals("x")).findFirst().orElseThrow();
    assertThat(x.getJsonArray("entries").getJsonObject(0).getJsonObject("metadata").getString("host"))
        .isEqualTo("10.1.2.3");

    Run members = cli(conf, "members");
    assertThat(members.out()).containsPattern("m1\\s+\\{\"host\":\"10.1.2.3\",\"port\":9000\\}");

    long before = etcd.server().currentRevision();
    Run remove = cli(conf, "items", "remove", "x");
    assertThat(remove.code()).as(remove.err()).isZero();
    assertThat(etcd.server().currentRevision()).isEqualTo(before + 1); // marker and entries: one revision
    assertThat(etcdValue("/it/cli/items/x")).isNull();
    assertThat(etcdValue("/it/cli/items/x/m1")).isNull();
    assertThat(etcdValue("/it/cli/items/xy")).isEqualTo("");
    assertThat(etcdValue("/it/cli/items/xy/m1")).isEqualTo("ready");

    Run gone = cli(conf, "items", "remove", "x");
    assertThat(gone.code()).isEqualTo(5);
    assertThat(gone.err()).contains("no such item 'x'");
    Run fixed = cli(conf, "items", "remove", "fixed");
    assertThat(fixed.code()).isEqualTo(5);
    assertThat(fixed.err()).contains("fixed item");
    assertThat(etcd.server().currentRevision()).isEqualTo(before + 1); // refusals wrote nothing
  }

  @Test
  void badInputAndAnUnreachableEtcdHaveTheirOwnExitCodes() {
    String conf = conf("/it/cli-bad");
    long before = etcd.server().currentRevision();
    Run badName = cli(conf, "items", "add", "a/b");
    assertThat(badName.code()).isEqualTo(2);
    assertThat(badName.err()).contains("invalid item name 'a/b': must not contain '/'");
    Run badReplicas = cli(conf, "items", "add", "a", "--replicas", "-1");
    assertThat(badReplicas.code()).isEqualTo(2);
    Run unknown = cli(conf, "items", "frob");
    assertThat(unknown.code()).isEqualTo(2);
    assertThat(unknown.err()).contains("unknown command 'items frob'").contains("usage:");
    Run badConf = cli("{\"root\": \"/x\", \"replicas\": -1, \"etcd\": {\"endpoints\": [\"http://127.0.0.1:1\"]}}", "routes");
    assertThat(badConf.code()).isEqualTo(2);
    assertThat(badConf.err()).contains("'replicas'");
    Run noEndpoints = cli("{\"root\": \"/x\"}", "routes");
    assertThat(noEndpoints.code()).isEqualTo(2);
    assertThat(noEndpoints.err()).contains("'etcd.endpoints'");
    assertThat(etcd.server().currentRevision()).isEqualTo(before);

    Run down = cli("{\"root\": \"/x\", \"callTimeoutMillis\": 1000, \"etcd\": {\"endpoints\": [\"http://127.0.0.1:1\"]}}",
        "items", "add", "a");
    assertThat(down.code()).isEqualTo(4);
    assertThat(down.err()).contains("etcd at [http://127.0.0.1:1] failed");
  }

  /** The value of {@code key} in etcd (via its JSON gateway), null when absent. */
  static String etcdValue(String key) {
    JsonObject resp;
    try {
      var req = java.net.http.HttpRequest.newBuilder(java.net.URI.create(etcd.server().endpoint() + "/v3/kv/range"))
          .POST(java.net.http.HttpRequest.BodyPublishers.ofString(new JsonObject().put("key",
              java.util.Base64.getEncoder().encodeToString(key.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
              .encode())).build();
      resp = new JsonObject(java.net.http.HttpClient.newHttpClient()
          .send(req, java.net.http.HttpResponse.BodyHandlers.ofString()).body());
    } catch (java.io.IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
    JsonArray kvs = resp.getJsonArray("kvs");
    if (kvs == null || kvs.isEmpty()) {
      return null;
    }
    String v = kvs.getJsonObject(0).getString("value");
    return v == null ? "" : new String(java.util.Base64.getDecoder().decode(v), java.nio.charset.StandardCharsets.UTF_8);
  }
}
