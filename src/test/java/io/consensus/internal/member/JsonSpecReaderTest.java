package io.consensus.internal.member;

import io.consensus.verticle.AllocatorOptions;
import static org.assertj.core.api.Assertions.assertThat;

import io.consensus.internal.allocation.MemberSpec;
import io.consensus.internal.route.MemberDirectory;
import io.consensus.internal.route.MemberRecord;
import io.consensus.tree.KeyEvent;
import io.consensus.tree.KeyTree;
import io.consensus.tree.KeyValue;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class JsonSpecReaderTest {
  private final JsonSpecReader r = new JsonSpecReader("/t");

  @Test
  void readsTheReservedFieldsOfAMemberValue() {
    MemberSpec s = r.member("m", new JsonObject().put("zone", "eu-1a").put("itemLimit", 7).put("weight", 2.5)
        .put("rack", "free-form").encode());
    assertThat(s).isEqualTo(new MemberSpec("eu-1a", 7, 2.5, false));
    assertThat(r.member("m", "{\"drained\": true}").drained()).isTrue();
    assertThat(r.member("m", "{}")).isEqualTo(MemberSpec.DEFAULT);
    assertThat(r.member("m", "")).isEqualTo(MemberSpec.DEFAULT);
  }

  @Test
  void badValuesAreIgnoredFieldByField() {
    assertThat(r.member("m", "not json")).isEqualTo(MemberSpec.DEFAULT);
    assertThat(r.member("m", "[1,2]")).isEqualTo(MemberSpec.DEFAULT);
    assertThat(r.member("m", "{\"zone\": 3, \"itemLimit\": 4}")).isEqualTo(new MemberSpec(null, 4, 1, false));
    assertThat(r.member("m", "{\"zone\": \"a/b\", \"itemLimit\": -4, \"weight\": 0}")).isEqualTo(MemberSpec.DEFAULT);
    assertThat(r.member("m", "{\"itemLimit\": 2.5, \"weight\": \"x\", \"drained\": \"yes\"}"))
        .isEqualTo(MemberSpec.DEFAULT);
  }

  @Test
  void markerValuesAskForReplicas() {
    assertThat(r.replicas("a", "{\"replicas\": 3}")).isEqualTo(3);
    assertThat(r.replicas("a", "{\"replicas\": 0, \"owner\": \"x\"}")).isZero();
    assertThat(r.replicas("a", "{\"owner\": \"x\"}")).isEqualTo(-1);
    assertThat(r.replicas("a", "")).isEqualTo(-1);
    assertThat(r.replicas("a", "three")).isEqualTo(-1);
    assertThat(r.replicas("a", "{\"replicas\": \"3\"}")).isEqualTo(-1);
    assertThat(r.replicas("a", "{\"replicas\": -1}")).isEqualTo(-1);
    assertThat(r.replicas("a", "{\"replicas\": 1.5}")).isEqualTo(-1);
  }

  @Test
  void memberValueCarriesMetadataAndReservedFields() {
    AllocatorOptions o = new AllocatorOptions().setRoot("/t").setMetadata(new JsonObject().put("host", "h1"));
    assertThat(new JsonObject(MemberRegistration.memberValue(o, o.isDrained()).encode()))
        .isEqualTo(new JsonObject().put("host", "h1"));
    o.setZone("z1").setItemLimit(0).setWeight(2).setDrained(true);
    String value = MemberRegistration.memberValue(o, o.isDrained()).encode();
    assertThat(new JsonObject(value)).isEqualTo(new JsonObject().put("host", "h1").put("zone", "z1").put("itemLimit", 0)
        .put("weight", 2.0).put("drained", true));
    assertThat(r.member("m", value)).isEqualTo(new MemberSpec("z1", 0, 2.0, true));
    assertThat(MemberRegistration.memberValue(o, false).drained()).isFalse();
  }

  @Test
  void aReaderOverTheDirectoryUsesItsRecordsAndDecodesOnlyValuesTheDirectoryHasNotSeen() {
    MemberDirectory d = new MemberDirectory();
    KeyTree tree = KeyTree.empty("/t").patch(KeyEvent.put(KeyValue.of("/t/members/m1",
        "{\"zone\": \"z1\", \"weight\": 3}", 2, 2)));
    d.update(tree);
    JsonSpecReader over = new JsonSpecReader("/t", d);
    MemberRecord seen = d.record("m1");
    assertThat(over.member("m1", seen.encode())).isEqualTo(new MemberSpec("z1", MemberSpec.NO_LIMIT, 3, false));
    // A value newer than the directory's (it lags a tree): read from the value, not the record.
    assertThat(over.member("m1", "{\"itemLimit\": 5}")).isEqualTo(new MemberSpec(null, 5, 1, false));
    assertThat(over.member("m9", "")).isEqualTo(MemberSpec.DEFAULT);
  }
}
