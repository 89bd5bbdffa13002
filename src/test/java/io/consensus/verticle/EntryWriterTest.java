package io.consensus.verticle;

import static org.assertj.core.api.Assertions.assertThat;

import io.consensus.allocation.Action;
import io.consensus.etcd.EtcdConnection;
import io.consensus.route.Keys;
import io.consensus.testing.EtcdExtension;
import io.consensus.tree.KeyValue;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The compare guards of the member's writes, against real etcd. */
class EntryWriterTest {
  @RegisterExtension
  static EtcdExtension etcd = new EtcdExtension();
  static final String ROOT = "/writer";

  TestFleet fleet;
  EntryWriter writer;
  Keys keys = new Keys(ROOT);

  @BeforeEach
  void setUp() {
    fleet = new TestFleet(etcd.server(), ROOT);
    writer = fleet.onContext(() -> new EntryWriter(
        new EtcdConnection(fleet.vertx, etcd.server().endpoints(), Duration.ofSeconds(5)), keys, "me"));
  }

  @AfterEach
  void tearDown() {
    etcd.server().deletePrefix(ROOT + "/");
    fleet.close();
  }

  EntryWriter.BatchResult apply(Action... actions) {
    return TestFleet.await(fleet.onContext(() -> writer.apply(List.of(actions), 0)));
  }

  long createRevision(String key) {
    return fleet.keys().stream().filter(kv -> kv.key().equals(key)).mapToLong(KeyValue::createRevision)
        .findFirst().orElse(0);
  }

  long modRevision(String key) {
    return fleet.keys().stream().filter(kv -> kv.key().equals(key)).mapToLong(KeyValue::modRevision)
        .findFirst().orElse(0);
  }

  @Test
  void aCreateOnAViewOlderThanTheItemsDeletionCannotResurrectIt() {
    etcd.server().put(keys.item("x"), "");
    long seen = createRevision(keys.item("x"));
    // The item is deleted and added again after we looked.
    etcd.server().delete(keys.item("x"));
    etcd.server().put(keys.item("x"), "");
    EntryWriter.BatchResult stale = apply(new Action(Action.Kind.CREATE, "x", "ready", 0, seen, 7, List.of()));
    assertThat(stale.succeeded()).containsExactly(false);
    assertThat(createRevision(keys.entry("x", "me"))).isZero();

    long fresh = createRevision(keys.item("x"));
    EntryWriter.BatchResult ok = apply(new Action(Action.Kind.CREATE, "x", "ready", 0, fresh, 7, List.of()));
    assertThat(ok.succeeded()).containsExactly(true);
    assertThat(createRevision(keys.entry("x", "me"))).isEqualTo(ok.revision());
  }

  @Test
  void actionsOfOneBatchSucceedOrFailIndependentlyInOneRevision() {
    etcd.server().put(keys.entry("taken", "me"), "ready");
    long before = etcd.server().currentRevision();
    EntryWriter.BatchResult r = apply(
        new Action(Action.Kind.CREATE, "free1", "ready", 0, 0, 7, List.of()),
        new Action(Action.Kind.CREATE, "taken", "ready", 0, 0, 7, List.of()),
        new Action(Action.Kind.CREATE, "free2", "ready", 0, 0, 7, List.of()));
    assertThat(r.succeeded()).containsExactly(true, false, true);
    assertThat(r.revision()).isEqualTo(before + 1);
    assertThat(createRevision(keys.entry("free1", "me"))).isEqualTo(createRevision(keys.entry("free2", "me")));
  }

  @Test
  void aHandOffFailsWhenAReplicaItCountedOnChanged() {
    etcd.server().put(keys.entry("h", "me"), "ready");
    etcd.server().put(keys.entry("h", "r1"), "ready");
    long mine = modRevision(keys.entry("h", "me"));
    long replica = modRevision(keys.entry("h", "r1"));
    etcd.server().delete(keys.entry("h", "r1")); // the replica left meanwhile
    Action release = new Action(Action.Kind.RELEASE, "h", null, mine, 0, 5, List.of(new Action.Guard("r1", replica)));
    assertThat(apply(release).succeeded()).containsExactly(false);
    assertThat(modRevision(keys.entry("h", "me"))).isEqualTo(mine);
    etcd.server().put(keys.entry("h", "r1"), "ready");
    Action again = new Action(Action.Kind.RELEASE, "h", null, mine, 0, 5,
        List.of(new Action.Guard("r1", modRevision(keys.entry("h", "r1")))));
    assertThat(apply(again).succeeded()).containsExactly(true);
    assertThat(modRevision(keys.entry("h", "me"))).isZero();
  }

  @Test
  void updatesCompareTheModRevisionSeen() {
    etcd.server().put(keys.entry("u", "me"), "warming");
    long seen = modRevision(keys.entry("u", "me"));
    etcd.server().put(keys.entry("u", "me"), "other writer");
    assertThat(apply(new Action(Action.Kind.UPDATE, "u", "ready", seen, 0, 2, List.of())).succeeded())
        .containsExactly(false);
    long now = modRevision(keys.entry("u", "me"));
    assertThat(apply(new Action(Action.Kind.UPDATE, "u", "ready", now, 0, 2, List.of())).succeeded())
        .containsExactly(true);
  }
}
