package io.consensus.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.consensus.spectator.RoutingTableOptions;
import io.consensus.config.ConfigException;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The operator's config keys: role, http.host, http.adminToken, and the spectator's options. */
class OperatorConfigTest {
  static final JsonObject BASE = new JsonObject().put("root", "/r").put("member", "m");

  @Test
  void statusServerBindsLoopbackUnlessHttpHostSaysOtherwise() {
    MemberConfig c = MemberConfig.fromJson(BASE.copy().put("http", new JsonObject().put("port", 0)));
    assertThat(c.httpHost()).isEqualTo("127.0.0.1");
    assertThat(c.adminToken()).isNull();
    assertThat(c.role()).isEqualTo("member");
    c = MemberConfig.fromJson(BASE.copy().put("http", new JsonObject().put("port", 0).put("host", "0.0.0.0")));
    assertThat(c.httpHost()).isEqualTo("0.0.0.0");
  }

  @Test
  void theAdminTokenComesFromTheEnvironmentAndIsNeverShown() {
    assertThat(MemberConfig.envName("http.adminToken")).isEqualTo("ALLOCATOR_HTTP_ADMIN_TOKEN");
    JsonObject merged = MemberConfig.applyOverrides(BASE, Map.of("ALLOCATOR_HTTP_ADMIN_TOKEN", "t0k3n-xyz",
        "ALLOCATOR_HTTP_PORT", "0", "ALLOCATOR_ROLE", "spectator"), Map.of());
    MemberConfig c = MemberConfig.fromJson(merged);
    assertThat(c.adminToken()).isEqualTo("t0k3n-xyz");
    assertThat(c.role()).isEqualTo("spectator");
    assertThat(c.toString()).doesNotContain("t0k3n-xyz").contains("http.adminToken=(set)");
    assertThatThrownBy(() -> MemberConfig.fromJson(BASE.copy().put("http", new JsonObject().put("adminToken", 42))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'http.adminToken'").hasMessageNotContaining("42");
    assertThatThrownBy(() -> MemberConfig.fromJson(BASE.copy().put("http", new JsonObject().put("adminToken", " "))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'http.adminToken'");
  }

  @Test
  void roleIsMemberOrSpectator() {
    assertThatThrownBy(() -> MemberConfig.fromJson(BASE.copy().put("role", "observer")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'role'");
    assertThatThrownBy(() -> MemberConfig.fromJson(BASE.copy().put("role", "spectator").put("demo", new JsonObject())))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'role'");
  }

  @Test
  void spectatorOptionsReadTheMembersConfigAndRoundTripAsJson() {
    MemberConfig c = MemberConfig.fromJson(BASE.copy().put("etcd", new JsonObject().put("endpoints",
        new io.vertx.core.json.JsonArray().add("http://127.0.0.1:2379"))).put("replicas", 2)
        .put("items", new io.vertx.core.json.JsonArray().add("a")).put("role", "spectator"));
    RoutingTableOptions o = SpectatorVerticle.options(c.allocator()).validate();
    assertThat(o.getRoot()).isEqualTo("/r");
    assertThat(o.getName()).isEqualTo("m");
    assertThat(o.getReplicas()).isEqualTo(2);
    assertThat(o.getItems()).containsExactly("a");
    RoutingTableOptions back = new RoutingTableOptions(o.toJson());
    assertThat(back.toJson()).isEqualTo(o.toJson());
    assertThat(new RoutingTableOptions(o).toJson()).isEqualTo(o.toJson());
    assertThatThrownBy(() -> new RoutingTableOptions(new JsonObject().put("member", "x")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'member'");
    assertThatThrownBy(() -> new RoutingTableOptions().setRoot("/r").validate())
        .isInstanceOf(ConfigException.class).hasMessageContaining("'etcd.endpoints'");
    assertThatThrownBy(() -> new RoutingTableOptions().setEndpoints(List.of("http://x:1")).setRoot("r/").validate())
        .isInstanceOf(ConfigException.class).hasMessageContaining("'root'");
  }
}
