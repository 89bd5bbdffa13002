package io.consensus.verticle;

import io.consensus.internal.config.ConfigSchema;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.consensus.config.ConfigException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** AllocatorOptions: JSON in and out, copies, and every bad value refused naming its key. */
class AllocatorOptionsTest {

  static JsonObject valid() {
    return new JsonObject().put("etcd", new JsonObject().put("endpoints", new JsonArray().add("http://127.0.0.1:2379")))
        .put("root", "/r").put("member", "m").put("items", new JsonArray().add("a"));
  }

  @Test
  void jsonRoundTripKeepsEverySetting() {
    AllocatorOptions o = new AllocatorOptions().setEndpoints(List.of("https://a:1", "https://b:2"))
        .setRoot("/x/y").setMember("m1").setReplicas(2).setItems(List.of("i1", "i2")).setLeaseTtlSeconds(7)
        .setHandoffTimeoutSeconds(9).setAddress("addr").setWaitForMemberSeconds(3).setMaxBatch(5)
        .setStateCheckMillis(300).setDeadlockBackoffMillis(40).setCallTimeoutMillis(800)
        .setMetadata(new JsonObject().put("rack", "z")).setInitialState("warming")
        .setZone("eu-1a").setItemLimit(40).setWeight(2.5).setDrained(true).addItem("i3", 4)
        .setMaxLoadingEntries(16);
    JsonObject json = o.toJson();
    AllocatorOptions back = new AllocatorOptions(json);
    assertThat(back.toJson()).isEqualTo(json);
    assertThat(back.getEndpoints()).containsExactly("https://a:1", "https://b:2");
    assertThat(back.getReplicas()).isEqualTo(2);
    assertThat(back.getStateCheckMillis()).isEqualTo(300);
    assertThat(back.getMetadata()).isEqualTo(new JsonObject().put("rack", "z"));
    assertThat(back.getInitialState()).isEqualTo("warming");
    assertThat(back.getZone()).isEqualTo("eu-1a");
    assertThat(back.getItemLimit()).isEqualTo(40);
    assertThat(back.getMaxLoadingEntries()).isEqualTo(16);
    assertThat(back.getWeight()).isEqualTo(2.5);
    assertThat(back.isDrained()).isTrue();
    assertThat(back.getItems()).containsExactly("i1", "i2", "i3");
    assertThat(back.getItemReplicas()).isEqualTo(java.util.Map.of("i3", 4));
    assertThat(json.getJsonArray("items")).containsExactly("i1", "i2", new JsonObject().put("name", "i3").put("replicas", 4));
    // The documented shape: endpoints nested under etcd.
    assertThat(json.getJsonObject("etcd").getJsonArray("endpoints")).containsExactly("https://a:1", "https://b:2");
    // Every key of the schema appears in the JSON of fully set options.
    assertThat(json.fieldNames()).containsExactlyInAnyOrderElementsOf(
        ConfigSchema.of(AllocatorOptions.class).paths().stream().map(p -> p.split("\\.")[0]).distinct().toList());
  }

  @Test
  void defaultsAreTheConstantsAndAnUnsetRootIsLeftOut() {
    AllocatorOptions d = new AllocatorOptions();
    assertThat(d.getReplicas()).isEqualTo(AllocatorOptions.DEFAULT_REPLICAS);
    assertThat(d.getLeaseTtlSeconds()).isEqualTo(AllocatorOptions.DEFAULT_LEASE_TTL_SECONDS);
    assertThat(d.getMaxBatch()).isEqualTo(AllocatorOptions.DEFAULT_MAX_BATCH);
    assertThat(d.getCallTimeoutMillis()).isEqualTo(AllocatorOptions.DEFAULT_CALL_TIMEOUT_MILLIS);
    assertThat(d.getAddress()).isEqualTo(AllocatorOptions.DEFAULT_ADDRESS);
    assertThat(d.toJson().containsKey("root")).isFalse();
    AllocatorOptions minimal = new AllocatorOptions(new JsonObject().put("root", "/r"));
    assertThat(minimal.getEndpoints()).isEmpty();
    assertThat(minimal.getItems()).isEmpty();
    assertThat(minimal.getStateCheckMillis()).isEqualTo(AllocatorOptions.DEFAULT_STATE_CHECK_MILLIS);
  }

  @Test
  void copiesAreIndependent() {
    JsonObject md = new JsonObject().put("rack", "z1");
    AllocatorOptions a = new AllocatorOptions(valid()).setMetadata(md).setReplicas(1);
    AllocatorOptions b = new AllocatorOptions(a);
    assertThat(b.toJson()).isEqualTo(a.toJson());
    b.setReplicas(3).setItems(List.of("other")).setEndpoints(List.of("http://c:3"));
    b.getMetadata().put("rack", "changed-through-getter");
    md.put("rack", "changed-through-argument");
    assertThat(a.getReplicas()).isEqualTo(1);
    assertThat(a.getItems()).containsExactly("a");
    assertThat(a.getEndpoints()).containsExactly("http://127.0.0.1:2379");
    assertThat(a.getMetadata().getString("rack")).isEqualTo("z1");
    assertThat(b.getMetadata().getString("rack")).isEqualTo("z1");
    assertThatThrownBy(() -> a.getItems().add("x")).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void theVerticleKeepsItsOwnCopy() {
    AllocatorOptions o = new AllocatorOptions(valid());
    AllocatorVerticle v = new AllocatorVerticle(o);
    o.setReplicas(5);
    assertThat(v.options().getReplicas()).isZero();
    // options() hands out a copy: changing it changes nothing in the verticle.
    v.options().setReplicas(7).setHandoffTimeoutSeconds(0);
    assertThat(v.options().getReplicas()).isZero();
    assertThat(v.options().getHandoffTimeoutSeconds()).isEqualTo(o.getHandoffTimeoutSeconds());
  }

  @Test
  void theHandOffTimeoutChangesAtRunTimeOnlyDownwards() {
    AllocatorVerticle v = new AllocatorVerticle(new AllocatorOptions(valid()).setHandoffTimeoutSeconds(10));
    assertThat(v.handoffTimeoutSeconds(0)).isSameAs(v);
    assertThatThrownBy(() -> v.handoffTimeoutSeconds(11)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> v.handoffTimeoutSeconds(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  static Stream<Arguments> badInputs() {
    return Stream.of(
        bad("items", "a", "items", "must be a list of strings or JSON objects, was \"a\""),
        bad("items", new JsonArray().add(1), "items", "must be a list of strings or JSON objects, has 1"),
        bad("items", new JsonArray().add("a").addNull(), "items", "must be a list of strings or JSON objects, has null"),
        bad("items", new JsonObject(), "items", "must be a list of strings or JSON objects, was {}"),
        bad("items", new JsonArray().add(new JsonObject().put("replicas", 1)), "items", "needs a string \"name\""),
        bad("items", new JsonArray().add(new JsonObject().put("name", "b").put("replicas", "3")), "items",
            "\"replicas\" of 'b' must be an integer"),
        bad("items", new JsonArray().add(new JsonObject().put("name", "b").put("replicas", -1)), "items",
            "\"replicas\" of 'b' must be 0..1000"),
        bad("items", new JsonArray().add(new JsonObject().put("name", "b").put("r", 1)), "items",
            "unknown field 'r'"),
        bad("items", new JsonArray().add(new JsonObject().put("name", "x/y")), "items", "invalid item name"),
        bad("zone", "eu west", "zone", "must be 1-63 letters"),
        bad("zone", "-a", "zone", "must be 1-63 letters"),
        bad("zone", "a/b", "zone", "must be 1-63 letters"),
        bad("zone", 3, "zone", "must be a string, was 3"),
        bad("itemLimit", -1, "itemLimit", "must be >= 0, was -1"),
        bad("maxLoadingEntries", 0, "maxLoadingEntries", "must be >= 1, was 0"),
        bad("itemLimit", 2.5, "itemLimit", "must be an integer, was 2.5"),
        bad("weight", 0, "weight", "must be a positive number, was 0.0"),
        bad("weight", -2.5, "weight", "must be a positive number"),
        bad("weight", "2", "weight", "must be a number, was \"2\""),
        bad("drained", "yes", "drained", "must be true or false"),
        bad("metadata", new JsonObject().put("zone", "a"), "metadata", "must not use the reserved field 'zone'"),
        bad("metadata", new JsonObject().put("itemLimit", 3), "metadata", "reserved field 'itemLimit'"),
        bad("items", new JsonArray().add("a").add("a"), "items", "duplicate"),
        bad("items", new JsonArray().add("x/y"), "items", "invalid item name"),
        bad("replicas", "2", "replicas", "must be an integer, was \"2\""),
        bad("replicas", 2.5, "replicas", "must be an integer, was 2.5"),
        bad("replicas", 2.0, "replicas", "must be an integer, was 2.0"),
        bad("replicas", true, "replicas", "must be an integer, was true"),
        bad("replicas", null, "replicas", "must be an integer, was null"),
        bad("replicas", -1, "replicas", "must be >= 0, was -1"),
        bad("replicas", 10_000_000_000L, "replicas", "must be an integer, was 10000000000"),
        bad("replicas", new BigInteger("100000000000000000000"), "replicas", "must be an integer"),
        bad("root", 5, "root", "must be a string, was 5"),
        bad("root", "", "root", "required"),
        bad("root", "relative", "root", "must start with '/'"),
        bad("root", "/trailing/", "root", "must not end with '/'"),
        bad("member", "a/b", "member", "invalid member name"),
        bad("member", "", "member", "invalid member name"),
        bad("member", new JsonArray().add("m"), "member", "must be a string, was [\"m\"]"),
        bad("leaseTtlSeconds", 1, "leaseTtlSeconds", "must be >= 2"),
        bad("leaseTtlSeconds", "10", "leaseTtlSeconds", "must be an integer, was \"10\""),
        bad("handoffTimeoutSeconds", -1, "handoffTimeoutSeconds", "must be >= 0"),
        bad("waitForMemberSeconds", -5, "waitForMemberSeconds", "must be >= 0"),
        bad("maxBatch", 0, "maxBatch", "must be 1..128"),
        bad("maxBatch", 129, "maxBatch", "must be 1..128"),
        bad("stateCheckMillis", 5, "stateCheckMillis", "must be >= 10"),
        bad("stateCheckMillis", "1000", "stateCheckMillis", "must be an integer, was \"1000\""),
        bad("deadlockBackoffMillis", 0, "deadlockBackoffMillis", "must be >= 1"),
        bad("callTimeoutMillis", 50, "callTimeoutMillis", "must be >= 100"),
        bad("callTimeoutMillis", 1500.0, "callTimeoutMillis", "must be an integer, was 1500.0"),
        bad("metadata", "zone=a", "metadata", "must be a JSON object, was \"zone=a\""),
        bad("metadata", new JsonArray(), "metadata", "must be a JSON object, was []"),
        bad("initialState", 3, "initialState", "must be a string, was 3"),
        bad("address", "", "address", "must not be empty"),
        bad("address", false, "address", "must be a string, was false"),
        bad("etcd", "http://x:1", "etcd", "must be a JSON object, was \"http://x:1\""),
        bad("etcd", new JsonObject().put("endpoint", new JsonArray()), "etcd.endpoint", "unknown key (known: [endpoints, password, tls, user])"),
        bad("etcd", new JsonObject().put("endpoints", "http://a:1"), "etcd.endpoints",
            "must be a list of strings, was \"http://a:1\""),
        bad("etcd", new JsonObject().put("endpoints", new JsonArray().add("localhost:2379")), "etcd.endpoints",
            "not of the form http://host:port"),
        bad("etcd", new JsonObject().putNull("endpoints"), "etcd.endpoints", "must be a list of strings, was null"),
        bad("bogus", 1, "bogus", "unknown key (known: ["),
        bad("Items", new JsonArray(), "Items", "unknown key"));
  }

  private static Arguments bad(String key, Object value, String named, String message) {
    return Arguments.of(key + " = " + value, valid().put(key, value), named, message);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badInputs")
  void badInputIsRefusedNamingTheKey(String name, JsonObject json, String key, String message) {
    assertThatThrownBy(() -> new AllocatorOptions(json))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo(key))
        .hasMessageStartingWith("config key '" + key + "': ")
        .hasMessageContaining(message);
  }

  @Test
  void atLeastThirtyBadInputs() {
    assertThat(badInputs().count()).isGreaterThanOrEqualTo(30);
  }

  @Test
  void theVerticleDemandsEndpoints() {
    assertThatThrownBy(() -> new AllocatorOptions(valid().put("etcd", new JsonObject())).validate(true))
        .isInstanceOf(ConfigException.class).hasMessage("config key 'etcd.endpoints': at least one endpoint is required");
  }
}
