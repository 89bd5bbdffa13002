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
    return cli(Map.of(), conf, args);
  }

  static Run cli(Map<String, String> env, String conf, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("-conf");
    all.add(conf);
    return run(env, all);
  }

  static Run run(Map<String, String> env, List<String> args) {
    try (LauncherProcess p = LauncherProcess.startArgs(args, env)) {
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
    assertThat(members.out()).containsPattern("m1\\s+-\\s+no\\s+\\{\"host\":\"10.1.2.3\",\"port\":9000\\}");

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
    assertThat(down.code()).isEqualTo(ExitCode.ETCD_UNREACHABLE.code()).isEqualTo(3);
    assertThat(down.err()).contains("cannot reach etcd at [http://127.0.0.1:1] failed");
  }

  @Test
  void eachCommandHasItsOwnHelpAndTheJarItsVersion() {
    Run routes = run(Map.of(), List.of("routes", "--help"));
    assertThat(routes.code()).isZero();
    assertThat(routes.out()).startsWith("usage: java -jar etcd-allocator.jar routes [--json] -conf")
        .contains("--json").doesNotContain("items add").contains("exit codes:").containsPattern("\\n  3 +etcd unreachable");
    Run items = run(Map.of(), List.of("items", "add", "--help"));
    assertThat(items.out()).contains("items add NAME [--replicas N]").contains("--replicas N")
        .doesNotContain("items remove");
    Run allItems = run(Map.of(), List.of("items", "--help"));
    assertThat(allItems.out()).contains("items list").contains("items add").contains("items remove")
        .doesNotContain("maintenance");
    Run global = run(Map.of(), List.of("--help"));
    assertThat(global.code()).isZero();
    assertThat(global.out()).contains("<command> --help").contains("128+N");
    for (ExitCode c : ExitCode.values()) {
      assertThat(global.out()).as("the table names exit code %s", c).contains(c.meaning());
    }
    Run version = run(Map.of(), List.of("--version"));
    assertThat(version.code()).isZero();
    // The jar's manifest carries the Maven project version.
    assertThat(version.out().strip()).matches("etcd-allocator \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
  }

  @Test
  void variablesAnOrchestratorInjectsAreIgnoredWithOneWarning() {
    String conf = conf("/it/cli-env");
    etcd.server().put("/it/cli-env/items/fixed/m1", "ready");
    Map<String, String> env = new java.util.HashMap<>(KubernetesEnv.serviceLinks("allocator", 8080));
    env.put("ALLOCATOR_REPLICA", "2"); // misspelt: ignored, but named in the warning
    Run routes = cli(env, conf, "routes");
    assertThat(routes.code()).as(routes.err()).isZero();
    assertThat(routes.out()).containsPattern("fixed\\s+m1\\(ready\\)");
    List<String> warnings = (routes.out() + routes.err()).lines().filter(l -> l.contains("ignoring environment")).toList();
    assertThat(warnings).hasSize(1);
    assertThat(warnings.get(0)).contains("ALLOCATOR_REPLICA,").contains("ALLOCATOR_SERVICE_HOST")
        .contains("ALLOCATOR_PORT_8080_TCP_ADDR");
  }

  static String memberConf(String root, String member, String zone) {
    return new JsonObject().put("root", root).put("member", member).put("zone", zone)
        .put("items", new JsonArray().add("a").add("b").add("c").add("d")).put("replicas", 0)
        .put("leaseTtlSeconds", 4).put("handoffTimeoutSeconds", 3)
        .put("etcd", new JsonObject().put("endpoints", new JsonArray(etcd.server().endpoints())))
        .put("http", new JsonObject().put("port", 0)).encode();
  }

  /** How many entries {@code member} holds in {@code p}'s view. */
  static long entriesOf(LauncherProcess p, String member) {
    return p.getJson("/routes").getJsonArray("routes").stream().map(JsonObject.class::cast)
        .flatMap(r -> r.getJsonArray("entries").stream().map(JsonObject.class::cast))
        .filter(e -> e.getString("member").equals(member)).count();
  }

  static boolean allStaffed(LauncherProcess p) {
    JsonArray routes = p.getJson("/routes").getJsonArray("routes");
    return routes.size() == 4 && routes.stream().map(JsonObject.class::cast)
        .allMatch(r -> r.getJsonArray("entries").size() == 1);
  }

  @Test
  void aDrainedMemberHandsOffAndStaysUpUntilUndrained() {
    String root = "/it/cli-drain";
    String conf = conf(root);
    try (LauncherProcess m1 = LauncherProcess.start(memberConf(root, "m1", "z1"), Map.of());
         LauncherProcess m2 = LauncherProcess.start(memberConf(root, "m2", "z2"), Map.of())) {
      LauncherProcess.await("both members hold items", () -> allStaffed(m1) && entriesOf(m1, "m1") > 0
          && entriesOf(m1, "m2") > 0);

      Run drain = cli(conf, "drain", "m1");
      assertThat(drain.code()).as(drain.err()).isZero();
      assertThat(drain.out()).contains("drained member 'm1' at revision").doesNotContain("no member key");
      assertThat(new JsonObject(etcdValue(root + "/drained/m1")).getString("since")).isNotBlank();
      LauncherProcess.await("m1 hands off everything to m2", () -> entriesOf(m2, "m1") == 0 && entriesOf(m2, "m2") == 4
          && allStaffed(m2));
      var health = m1.get("/health");
      assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
      assertThat(new JsonObject(health.body()).getString("reason")).isEqualTo("drained");

      Run members = cli(conf, "members");
      assertThat(members.code()).as(members.err()).isZero();
      assertThat(members.out()).containsPattern("MEMBER\\s+ZONE\\s+DRAINED\\s+METADATA")
          .containsPattern("m1\\s+z1\\s+yes").containsPattern("m2\\s+z2\\s+no");
      JsonObject membersJson = new JsonObject(cli(conf, "members", "--json").out());
      assertThat(membersJson.getJsonArray("drained")).containsExactly("m1");
      assertThat(membersJson.getJsonObject("members").getJsonObject("m2").getString("zone")).isEqualTo("z2");
      assertThat(membersJson.getBoolean("maintenance")).isFalse();

      Run undrain = cli(conf, "undrain", "m1", "--json");
      assertThat(undrain.code()).as(undrain.err()).isZero();
      assertThat(new JsonObject(undrain.out()).getBoolean("drained")).isFalse();
      assertThat(etcdValue(root + "/drained/m1")).isNull();
      LauncherProcess.await("m1 takes its share again", () -> entriesOf(m2, "m1") > 0 && allStaffed(m2));
      assertThat(new JsonObject(m1.get("/health").body()).getString("reason")).isNotEqualTo("drained");
    }
  }

  @Test
  void drainAheadOfStartMaintenanceAndBadMemberNames() {
    String root = "/it/cli-switches";
    String conf = conf(root);
    Run ahead = cli(conf, "drain", "m9");
    assertThat(ahead.code()).as(ahead.err()).isZero();
    assertThat(ahead.out()).contains("drained member 'm9'").contains("'m9' has no member key");
    assertThat(etcdValue(root + "/drained/m9")).isNotNull();
    Run members = cli(conf, "members");
    assertThat(members.out()).containsPattern("m9\\s+-\\s+yes\\s+\\(no member key\\)");

    Run on = cli(conf, "maintenance", "on");
    assertThat(on.code()).as(on.err()).isZero();
    assertThat(on.out()).contains("maintenance mode on at revision");
    assertThat(etcdValue(root + "/maintenance")).contains("since");
    assertThat(cli(conf, "routes").out()).startsWith("maintenance mode on");
    assertThat(new JsonObject(cli(conf, "routes", "--json").out()).getBoolean("maintenance")).isTrue();
    assertThat(cli(conf, "members").out()).startsWith("maintenance mode on");
    Run off = cli(conf, "maintenance", "off", "--json");
    assertThat(off.code()).as(off.err()).isZero();
    assertThat(new JsonObject(off.out()).getBoolean("maintenance")).isFalse();
    assertThat(etcdValue(root + "/maintenance")).isNull();
    assertThat(cli(conf, "routes").out()).doesNotContain("maintenance");

    long before = etcd.server().currentRevision();
    Run bad = cli(conf, "drain", "a/b");
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err()).contains("invalid member name 'a/b'");
    assertThat(cli(conf, "undrain", "a/b").code()).isEqualTo(2);
    assertThat(cli(conf, "drain").code()).isEqualTo(2);
    assertThat(cli(conf, "drain", "m1", "m2").code()).isEqualTo(2);
    Run badSwitch = cli(conf, "maintenance", "maybe");
    assertThat(badSwitch.code()).isEqualTo(2);
    assertThat(badSwitch.err()).contains("'maintenance' takes on or off");
    assertThat(etcd.server().currentRevision()).as("refusals wrote nothing").isEqualTo(before);
  }

  /** The value of {@code key} in etcd (via its JSON gateway), null when absent. */
  static String etcdValue(String key) {
    return etcdValue(etcd.server().endpoint(), key);
  }

  /** The value of {@code key} in the etcd at {@code endpoint}, null when absent. */
  static String etcdValue(String endpoint, String key) {
    JsonObject resp;
    try {
      var req = java.net.http.HttpRequest.newBuilder(java.net.URI.create(endpoint + "/v3/kv/range"))
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
