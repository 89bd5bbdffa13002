package io.consensus.launcher;

import io.consensus.verticle.AllocatorOptions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.consensus.verticle.ConfigException;
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
            "ALLOCATOR_HTTP_PORT", "0", "ALLOCATOR_METADATA", "{\"zone\":\"z1\"}", "PATH", "/bin"),
        Map.of("allocator.replicas", "3", "java.version", "17"));
    MemberConfig c = MemberConfig.fromJson(merged);
    assertThat(c.allocator().getReplicas()).isEqualTo(3);
    assertThat(c.allocator().getEndpoints()).containsExactly("http://a:2379", "http://b:2379");
    assertThat(c.allocator().getMetadata().getString("zone")).isEqualTo("z1");
    assertThat(c.httpPort()).isZero();
    assertThat(c.embedEtcd()).isFalse();
  }

  @Test
  void unknownOverridesAndKeysAreNamed() {
    assertThatThrownBy(() -> MemberConfig.applyOverrides(BASE, Map.of("ALLOCATOR_REPLICA", "1"), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'ALLOCATOR_REPLICA'");
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
    // Every allocator key (etcd as its six etcd.* keys) plus http.port, demo.members and servingLog.
    assertThat(List.copyOf(MemberConfig.overridablePaths())).hasSize(AllocatorOptions.keys().size() - 1 + 6 + 3);
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
    assertThat(c.toString()).doesNotContain("pw-123456").contains("****");
    // A password of the wrong type is refused without echoing it.
    JsonObject bad = BASE.copy().put("etcd", new JsonObject().put("password", new JsonObject().put("x", "pw-123456")));
    assertThatThrownBy(() -> MemberConfig.fromJson(bad)).hasMessageContaining("etcd.password")
        .hasMessageNotContaining("pw-123456");
  }
}
