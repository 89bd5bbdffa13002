package io.consensus.launcher;

import io.consensus.internal.config.ConfigSchema;
import io.consensus.verticle.AllocatorOptions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.consensus.config.ConfigException;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The launcher's config keys and the documented override mapping. */
class MemberConfigTest {
  static final JsonObject BASE = new JsonObject().put("root", "/r").put("member", "m").put("replicas", 0);

  @Test
  void envNamesAreUpperSnakeCaseOfThePath() {
    assertThat(MemberConfig.envName("replicas")).isEqualTo("ALLOCATOR_REPLICAS");
    assertThat(MemberConfig.envName("etcd.endpoints")).isEqualTo("ALLOCATOR_ETCD_ENDPOINTS");
    assertThat(MemberConfig.envName("leaseTtlSeconds")).isEqualTo("ALLOCATOR_LEASE_TTL_SECONDS");
    assertThat(MemberConfig.envName("http.port")).isEqualTo("ALLOCATOR_HTTP_PORT");
  }

  @Test
  void systemPropertiesBeatEnvironmentBeatsFile() {
    JsonObject merged = MemberConfig.applyOverrides(BASE.copy().put("http", new JsonObject().put("port", 80)),
        Map.of("ALLOCATOR_REPLICAS", "2", "ALLOCATOR_ETCD_ENDPOINTS", "http://a:2379,http://b:2379",
            "ALLOCATOR_HTTP_PORT", "0", "ALLOCATOR_METADATA", "{\"rack\":\"z1\"}", "ALLOCATOR_ZONE", "eu-1b", "ALLOCATOR_WEIGHT", "1.5", "PATH", "/bin"),
        Map.of("allocator.replicas", "3", "java.version", "17"));
    MemberConfig c = MemberConfig.fromJson(merged);
    assertThat(c.allocator().getReplicas()).isEqualTo(3);
    assertThat(c.allocator().getEndpoints()).containsExactly("http://a:2379", "http://b:2379");
    assertThat(c.allocator().getMetadata().getString("rack")).isEqualTo("z1");
    assertThat(c.allocator().getZone()).isEqualTo("eu-1b");
    assertThat(c.allocator().getWeight()).isEqualTo(1.5);
    assertThat(c.httpPort()).isZero();
    assertThat(c.embedEtcd()).isFalse();
  }

  @Test
  void environmentVariablesThatAreNoOverrideAreIgnoredAndListed() {
    Map<String, String> env = new java.util.TreeMap<>(KubernetesEnv.serviceLinks("allocator", 8080));
    env.put("ALLOCATOR_REPLICA", "1"); // misspelt
    env.put("ALLOCATOR_REPLICAS", "3");
    env.put("PATH", "/usr/bin");
    assertThat(MemberConfig.applyOverrides(BASE, env, Map.of())).isEqualTo(BASE.copy().put("replicas", 3));
    assertThat(MemberConfig.ignoredEnvironment(env)).containsExactly("ALLOCATOR_PORT", "ALLOCATOR_PORT_8080_TCP",
        "ALLOCATOR_PORT_8080_TCP_ADDR", "ALLOCATOR_PORT_8080_TCP_PORT", "ALLOCATOR_PORT_8080_TCP_PROTO",
        "ALLOCATOR_REPLICA", "ALLOCATOR_SERVICE_HOST", "ALLOCATOR_SERVICE_PORT", "ALLOCATOR_SERVICE_PORT_HTTP");
  }

  @Test
  void unknownOverridesAndKeysAreNamed() {
    assertThatThrownBy(() -> MemberConfig.applyOverrides(BASE, Map.of(), Map.of("allocator.nope", "1")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'allocator.nope'");
    assertThatThrownBy(() -> MemberConfig.fromJson(BASE.copy().put("http", new JsonObject().put("prot", 1))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'http.prot'");
    assertThatThrownBy(() -> MemberConfig.fromJson(BASE.copy().put("demo", new JsonObject().put("members", 0))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'demo.members'");
  }

  @Test
  void demoAndEmbeddedDefaults() {
    MemberConfig c = MemberConfig.fromJson(BASE.copy().put("demo", new JsonObject()));
    assertThat(c.demoMembers()).isEqualTo(3);
    assertThat(c.embedEtcd()).isTrue();
    assertThat(c.httpPort()).isNull();
    assertThat(MemberConfig.overridablePaths()).contains("etcd.endpoints", "http.port", "demo.members")
        .doesNotContain("etcd", "http");
    // Every allocator key (etcd.endpoints, etcd.tls.*, etcd.user, etcd.password, ...) plus role,
    // servingLog, http.port, http.host, http.adminToken and demo.members.
    assertThat(List.copyOf(MemberConfig.overridablePaths())).hasSize(ConfigSchema.of(AllocatorOptions.class).paths().size() + 6);
  }

  @Test
  void fileValuesAreStrictOverridesAreParsed() {
    assertThatThrownBy(() -> MemberConfig.fromJson(BASE.copy().put("items", "a,b")))
        .isInstanceOf(ConfigException.class).hasMessage("config key 'items': must be a list of strings or JSON objects, was \"a,b\"");
    MemberConfig c = MemberConfig.fromJson(MemberConfig.applyOverrides(BASE, Map.of("ALLOCATOR_ITEMS", "a, b"), Map.of()));
    assertThat(c.allocator().getItems()).containsExactly("a", "b");
    assertThatThrownBy(() -> MemberConfig.fromJson(BASE.copy().put("replicas", "2")))
        .hasMessage("config key 'replicas': must be an integer, was \"2\"");
    assertThat(MemberConfig.fromJson(MemberConfig.applyOverrides(BASE, Map.of(), Map.of("allocator.replicas", "2")))
        .allocator().getReplicas()).isEqualTo(2);
  }

  static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> badLauncherInputs() {
    return java.util.stream.Stream.of(
        badFile(BASE.copy().put("http", "80"), "http", "must be a JSON object, was \"80\""),
        badFile(BASE.copy().put("http", new JsonObject().put("port", "80")), "http.port", "must be an integer, was \"80\""),
        badFile(BASE.copy().put("http", new JsonObject().put("host", " ")), "http.host", "must be a non-empty string"),
        badFile(BASE.copy().put("role", "leader"), "role", "must be \"member\" or \"spectator\""),
        badFile(BASE.copy().put("role", 1), "role", "must be a string"),
        badFile(BASE.copy().put("http", new JsonObject().put("port", -1)), "http.port", "must be 0..65535, was -1"),
        badFile(BASE.copy().put("demo", new JsonObject().put("members", 21)), "demo.members", "must be 1..20, was 21"),
        badFile(BASE.copy().put("demo", new JsonObject().put("members", "3")), "demo.members", "must be an integer"),
        badFile(BASE.copy().put("demo", true), "demo", "must be a JSON object, was true"),
        badFile(BASE.copy().put("demo", new JsonObject()).put("http", new JsonObject().put("port", 1)), "http",
            "not supported together with demo"),
        badFile(BASE.copy().put("htp", new JsonObject()), "htp", "unknown key"),
        badOverride(Map.of("ALLOCATOR_REPLICAS", "two"), Map.of(), "ALLOCATOR_REPLICAS", "must be an integer, was \"two\""),
        badOverride(Map.of("ALLOCATOR_LEASE_TTL_SECONDS", "1.5"), Map.of(), "ALLOCATOR_LEASE_TTL_SECONDS",
            "must be an integer"),
        badOverride(Map.of(), Map.of("allocator.http.port", "eighty"), "allocator.http.port", "must be an integer"),
        badOverride(Map.of("ALLOCATOR_METADATA", "zone=a"), Map.of(), "ALLOCATOR_METADATA", "must be a JSON object"),
        badOverride(Map.of(), Map.of("allocator.etcd", "http://a:1"), "allocator.etcd", "unknown system property"));
  }

  private static org.junit.jupiter.params.provider.Arguments badFile(JsonObject json, String key, String message) {
    return org.junit.jupiter.params.provider.Arguments.of(json.encode(), (Runnable) () -> MemberConfig.fromJson(json),
        key, message);
  }

  private static org.junit.jupiter.params.provider.Arguments badOverride(Map<String, String> env, Map<String, String> sys,
                                                                          String key, String message) {
    return org.junit.jupiter.params.provider.Arguments.of(env + " " + sys,
        (Runnable) () -> MemberConfig.fromJson(MemberConfig.applyOverrides(BASE, env, sys)), key, message);
  }

  @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.MethodSource("badLauncherInputs")
  void badLauncherInputIsRefusedNamingTheKey(String name, Runnable read, String key, String message) {
    assertThatThrownBy(read::run).isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("config key '" + key + "': ").hasMessageContaining(message);
  }

  @Test
  void securityKeysComeFromTheEnvironmentAndThePasswordIsNeverShown() {
    JsonObject merged = MemberConfig.applyOverrides(BASE.copy(), java.util.Map.of(
        "ALLOCATOR_ETCD_ENDPOINTS", "https://127.0.0.1:2379",
        "ALLOCATOR_ETCD_USER", "alloc", "ALLOCATOR_ETCD_PASSWORD", "pw-123456",
        "ALLOCATOR_ETCD_TLS_CA_FILE", "/etc/hosts"), java.util.Map.of());
    MemberConfig c = MemberConfig.fromJson(merged);
    assertThat(c.allocator().getEtcdSecurity().user()).isEqualTo("alloc");
    assertThat(c.allocator().getEtcdSecurity().password()).isEqualTo("pw-123456");
    assertThat(c.allocator().getEtcdSecurity().caFile()).isEqualTo("/etc/hosts");
    assertThat(c.toString()).doesNotContain("pw-123456").contains("***");
    // A password of the wrong type is refused without echoing it.
    JsonObject bad = BASE.copy().put("etcd", new JsonObject().put("password", new JsonObject().put("x", "pw-123456")));
    assertThatThrownBy(() -> MemberConfig.fromJson(bad)).hasMessageContaining("etcd.password")
        .hasMessageNotContaining("pw-123456");
  }
}
