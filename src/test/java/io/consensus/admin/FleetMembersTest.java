package io.consensus.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.consensus.route.MemberInfo;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FleetMembersTest {
  static MemberInfo member(String name, JsonObject value) {
    return new MemberInfo(name, value, true);
  }

  @Test
  void aMemberIsDrainedByAnOperatorsKeyOrByItsOwnConfig() {
    FleetMembers f = new FleetMembers(7, Map.of(
        "m1", member("m1", new JsonObject().put("zone", "z1")),
        "m2", member("m2", new JsonObject().put("drained", true)),
        "m3", member("m3", new JsonObject().put("drained", "yes"))), Set.of("m1", "m9"), true);
    assertThat(f.drained("m1")).isTrue();
    assertThat(f.drained("m2")).isTrue();
    assertThat(f.drained("m3")).as("only the boolean true counts").isFalse();
    assertThat(f.drained("m9")).as("drained ahead of its start").isTrue();
    assertThat(f.drained()).containsExactly("m1", "m2", "m9");
    assertThat(f.presentOrDrained()).containsExactly("m1", "m2", "m3", "m9");

    JsonObject json = f.toJson();
    assertThat(json.getJsonObject("members").fieldNames()).containsExactly("m1", "m2", "m3");
    assertThat(json.getJsonObject("members").getJsonObject("m1").getString("zone")).isEqualTo("z1");
    assertThat(json.getJsonArray("drained").getList()).containsExactly("m1", "m2", "m9");
    assertThat(json.getBoolean("maintenance")).isTrue();
  }
}
