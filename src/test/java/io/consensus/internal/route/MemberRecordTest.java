package io.consensus.internal.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.consensus.tree.KeyEvent;
import io.consensus.tree.KeyTree;
import io.consensus.tree.KeyValue;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class MemberRecordTest {
  @Test
  void whatAMemberDeclaresReadsBackTheSame() {
    JsonObject metadata = new JsonObject().put("host", "h1").put("port", 8080);
    MemberRecord written = MemberRecord.declared(metadata, "eu-1a", 7, 2.5, true);
    MemberRecord read = MemberRecord.decode(written.encode());
    assertThat(read).isEqualTo(written);
    assertThat(read.zone()).isEqualTo("eu-1a");
    assertThat(read.itemLimit()).isEqualTo(7);
    assertThat(read.weight()).isEqualTo(2.5);
    assertThat(read.drained()).isTrue();
    assertThat(read.problems()).isEmpty();
    assertThat(read.metadata()).isEqualTo(metadata.copy().put("zone", "eu-1a").put("itemLimit", 7)
        .put("weight", 2.5).put("drained", true));
    metadata.put("host", "changed");
    assertThat(written.metadata().getString("host")).as("the declared value copied the metadata").isEqualTo("h1");
  }

  @Test
  void defaultsAreLeftOutOfTheValue() {
    MemberRecord plain = MemberRecord.declared(new JsonObject().put("host", "h1"), null, null, 1.0, false);
    assertThat(new JsonObject(plain.encode())).isEqualTo(new JsonObject().put("host", "h1"));
    assertThat(plain.declaresAnything()).isFalse();
    assertThat(MemberRecord.declared(null, null, 0, 1.0, false).declaresAnything()).isTrue();
    assertThat(MemberRecord.decode(MemberRecord.declared(null, null, 0, 1.0, false).encode()).itemLimit()).isZero();
  }

  @Test
  void aValueThatIsNoJsonObjectIsKeptAsTextAndDeclaresNothing() {
    for (String raw : List.of("not json", "[1,2]", "42")) {
      MemberRecord r = MemberRecord.decode(raw);
      assertThat(r.metadata()).isEqualTo(new JsonObject().put("value", raw));
      assertThat(r.declaresAnything()).isFalse();
      assertThat(r.problems()).containsExactly("value is not a JSON object; ignored");
      assertThat(r.encode()).isEqualTo(raw);
    }
    for (String raw : new String[] {null, "", "  "}) {
      MemberRecord r = MemberRecord.decode(raw);
      assertThat(r.metadata()).isEqualTo(new JsonObject());
      assertThat(r.problems()).isEmpty();
      assertThat(r.declaresAnything()).isFalse();
    }
  }

  @Test
  void aBadReservedFieldIsIgnoredAndNamed() {
    MemberRecord r = MemberRecord.decode("{\"zone\": \"a/b\", \"itemLimit\": 2.5, \"weight\": 0, \"drained\": \"yes\","
        + " \"host\": \"h\"}");
    assertThat(r.declaresAnything()).isFalse();
    assertThat(r.problems()).hasSize(4).allMatch(p -> p.endsWith("ignored") || p.contains("ignored ("));
    assertThat(r.metadata().getString("host")).isEqualTo("h"); // the metadata is kept whole
    MemberRecord partly = MemberRecord.decode("{\"zone\": 3, \"itemLimit\": 4}");
    assertThat(partly.zone()).isNull();
    assertThat(partly.itemLimit()).isEqualTo(4);
    assertThat(partly.problems()).hasSize(1);
  }

  @Test
  void theDirectoryDecodesAValueOnlyWhenItChanged() {
    KeyTree t = KeyTree.empty("/r")
        .patch(KeyEvent.put(KeyValue.of("/r/members/m1", "{\"zone\":\"z1\"}", 1, 1)))
        .patch(KeyEvent.put(KeyValue.of("/r/members/m2", "{\"zone\":\"z2\"}", 2, 2)));
    MemberDirectory d = new MemberDirectory();
    d.update(t);
    MemberRecord m1 = d.record("m1");
    MemberRecord m2 = d.record("m2");
    KeyTree t2 = t.patch(KeyEvent.put(KeyValue.of("/r/members/m2", "{\"zone\":\"z3\"}", 2, 3)));
    assertThat(d.update(t2)).isTrue();
    assertThat(d.record("m1")).as("unchanged: the same record, not decoded again").isSameAs(m1);
    assertThat(d.record("m2")).isNotSameAs(m2);
    assertThat(d.record("m2").zone()).isEqualTo("z3");
    assertThat(d.members().get("m2").metadata()).isSameAs(d.record("m2").metadata());
  }
}
