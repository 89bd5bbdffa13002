package io.consensus.internal.route;

import io.consensus.route.Role;
import io.consensus.route.Route;
import io.consensus.route.RouteEntry;
import static org.assertj.core.api.Assertions.assertThat;

import io.consensus.tree.KeyEvent;
import io.consensus.tree.KeyTree;
import io.consensus.tree.KeyValue;
import io.consensus.verticle.RouteChange;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Member metadata as routes carry it. */
class MemberDirectoryTest {
  static KeyValue kv(String key, String value, long rev) {
    return new KeyValue(key, value, rev, rev, 1, 7);
  }

  @Test
  void aLeavingMemberKeepsItsLastMetadataAndRoutesCarryIt() {
    KeyTree t = KeyTree.fromSnapshot("/r", 3, List.of(
        kv("/r/members/m1", "{\"host\":\"h1\",\"port\":1}", 1),
        kv("/r/members/m2", "not json", 2),
        kv("/r/items/a/m1", "ready", 3)));
    MemberDirectory d = new MemberDirectory();
    assertThat(d.update(t)).isTrue();
    assertThat(d.update(t)).isFalse(); // same members node: nothing to do
    assertThat(d.metadata("m1").getString("host")).isEqualTo("h1");
    assertThat(d.metadata("m2")).isEqualTo(new JsonObject().put("value", "not json"));
    assertThat(d.members().get("m1").present()).isTrue();

    KeyTree leaving = t.patch(KeyEvent.delete("/r/members/m1", 4));
    assertThat(d.update(leaving)).isTrue();
    assertThat(d.isPresent("m1")).isFalse();
    assertThat(d.members().get("m1").present()).isFalse();
    Route a = Route.of("a", leaving.child("items", "a"));
    assertThat(d.metadataOf(a)).containsOnlyKeys("m1");

    RouteChange c = new RouteChange("m2", "a", 4, a, -1, Role.NONE, false, RouteChange.ROUTE, d.metadataOf(a));
    JsonObject json = c.toJson();
    assertThat(json.getJsonArray("entries").getJsonObject(0).getJsonObject("metadata").getString("host"))
        .isEqualTo("h1");
    assertThat(RouteChange.fromJson(json).masterMetadata().getInteger("port")).isEqualTo(1);
    // Consumers of the old shape: no metadata, nothing else changes.
    RouteChange old = new RouteChange("m2", "a", 4, a, -1, Role.NONE, false, RouteChange.ROUTE);
    assertThat(old.toJson().getJsonArray("entries").getJsonObject(0).containsKey("metadata")).isFalse();
    assertThat(old.masterMetadata()).isNull();
    assertThat(new RouteEntry("m1", "", 0, 0, 0).member()).isEqualTo("m1");
  }
}
