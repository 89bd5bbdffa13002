package io.consensus.internal.member;

import io.consensus.verticle.TestFleet;
import static org.assertj.core.api.Assertions.assertThat;

import io.consensus.internal.allocation.Action;
import io.consensus.internal.allocation.AllocationDecider;
import io.consensus.internal.allocation.AllocationIndex;
import io.consensus.internal.allocation.Decision;
import io.consensus.internal.allocation.Rule;
import io.consensus.internal.etcd.EtcdConnection;
import io.consensus.internal.route.Keys;
import io.consensus.testing.EtcdExtension;
import io.consensus.internal.etcd.EtcdKeys;
import io.consensus.internal.route.Items;
import io.consensus.route.Route;
import io.consensus.route.RouteEntry;
import io.consensus.tree.KeyTree;
import io.consensus.tree.KeyValue;
import io.etcd.jetcd.api.DeleteRangeRequest;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.RequestOp;
import io.etcd.jetcd.api.TxnRequest;
import java.time.Duration;
import java.util.List;
import java.util.Random;
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
    EntryWriter.BatchResult stale = apply(new Action(Action.Kind.CREATE, "x", "ready", 0, seen, Rule.TAKE_MASTERLESS, List.of()));
    assertThat(stale.succeeded()).containsExactly(false);
    assertThat(createRevision(keys.entry("x", "me"))).isZero();

    long fresh = createRevision(keys.item("x"));
    EntryWriter.BatchResult ok = apply(new Action(Action.Kind.CREATE, "x", "ready", 0, fresh, Rule.TAKE_MASTERLESS, List.of()));
    assertThat(ok.succeeded()).containsExactly(true);
    assertThat(createRevision(keys.entry("x", "me"))).isEqualTo(ok.revision());
  }

  /**
   * The interleaving of issue 20: an item is deleted as the README says, marker first and then
   * its prefix in a second request; a member whose view lies between the two sees the item only
   * through its entries. Its create must fail once the prefix is gone.
   */
  @Test
  void aCreateOnAViewBetweenTheMarkersAndThePrefixsDeletionCannotResurrectTheItem() {
    etcd.server().put(keys.member("me"), "{}");
    etcd.server().put(keys.member("other"), "{}");
    etcd.server().put(keys.item("x"), "");
    etcd.server().put(keys.entry("x", "other"), "ready");
    etcd.server().delete(keys.item("x"));
    KeyTree between = KeyTree.fromSnapshot(ROOT, etcd.server().currentRevision(), fleet.keys());
    etcd.server().deletePrefix(keys.itemEntriesPrefix("x"));

    AllocationIndex view = new AllocationIndex("me", 1, List.of(), (item, state) -> "ready".equals(state));
    view.rebuild(between);
    Decision d = new AllocationDecider(8).decide(view, item -> "ready", new Random(1), null);
    Action create = d.actions().stream().filter(a -> a.item().equals("x")).findFirst().orElseThrow();
    assertThat(create.kind()).isEqualTo(Action.Kind.CREATE);
    assertThat(create.markerCreateRevision()).isZero();
    assertThat(create.anchor()).isEqualTo(new Action.Anchor("other", createRevisionAt(between, "x", "other"), false));

    assertThat(apply(create).succeeded()).containsExactly(false);
    assertThat(createRevision(keys.entry("x", "me"))).isZero();
    // Without the anchor the same create goes through: the deleted item is back.
    Action unguarded = new Action(create.kind(), create.item(), create.state(), 0, 0, create.rule(), List.of());
    assertThat(apply(unguarded).succeeded()).containsExactly(true);
    assertThat(createRevision(keys.entry("x", "me"))).isPositive();
  }

  @Test
  void aCreateAnchoredOnAnEntryThatStillStandsGoesThrough() {
    etcd.server().put(keys.entry("y", "other"), "ready");
    long seen = createRevision(keys.entry("y", "other"));
    etcd.server().put(keys.entry("y", "other"), "warming"); // rewritten: same create revision
    Action create = new Action(Action.Kind.CREATE, "y", "", 0, 0, Rule.TAKE_SHORT, List.of(), false,
        new Action.Anchor("other", seen, false));
    assertThat(apply(create).succeeded()).containsExactly(true);
  }

  static long createRevisionAt(KeyTree t, String item, String member) {
    return Route.of(item, Items.itemsNode(t).child(item)).entries().stream()
        .filter(e -> e.member().equals(member)).findFirst().orElseThrow().createRevision();
  }

  @Test
  void actionsOfOneBatchSucceedOrFailIndependentlyInOneRevision() {
    etcd.server().put(keys.entry("taken", "me"), "ready");
    long before = etcd.server().currentRevision();
    EntryWriter.BatchResult r = apply(
        new Action(Action.Kind.CREATE, "free1", "ready", 0, 0, Rule.TAKE_MASTERLESS, List.of()),
        new Action(Action.Kind.CREATE, "taken", "ready", 0, 0, Rule.TAKE_MASTERLESS, List.of()),
        new Action(Action.Kind.CREATE, "free2", "ready", 0, 0, Rule.TAKE_MASTERLESS, List.of()));
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
    Action release = new Action(Action.Kind.RELEASE, "h", null, mine, 0, Rule.HAND_OFF_MASTER, List.of(new Action.Guard("r1", replica)));
    assertThat(apply(release).succeeded()).containsExactly(false);
    assertThat(modRevision(keys.entry("h", "me"))).isEqualTo(mine);
    etcd.server().put(keys.entry("h", "r1"), "ready");
    Action again = new Action(Action.Kind.RELEASE, "h", null, mine, 0, Rule.HAND_OFF_MASTER,
        List.of(new Action.Guard("r1", modRevision(keys.entry("h", "r1")))));
    assertThat(apply(again).succeeded()).containsExactly(true);
    assertThat(modRevision(keys.entry("h", "me"))).isZero();
  }

  @Test
  void updatesCompareTheModRevisionSeen() {
    etcd.server().put(keys.entry("u", "me"), "warming");
    long seen = modRevision(keys.entry("u", "me"));
    etcd.server().put(keys.entry("u", "me"), "other writer");
    assertThat(apply(new Action(Action.Kind.UPDATE, "u", "ready", seen, 0, Rule.UPDATE_MASTER_STATE, List.of())).succeeded())
        .containsExactly(false);
    long now = modRevision(keys.entry("u", "me"));
    assertThat(apply(new Action(Action.Kind.UPDATE, "u", "ready", now, 0, Rule.UPDATE_MASTER_STATE, List.of())).succeeded())
        .containsExactly(true);
  }

  Route route(String item) {
    KeyTree t = KeyTree.fromSnapshot(ROOT, 0, fleet.keys());
    return Route.of(item, Items.itemsNode(t) == null ? null : Items.itemsNode(t).child(item));
  }

  @Test
  void etcdRefusesTwoOperationsOnOneKeyInOneTransaction() {
    // Why a move needs a second key: "delete my entry and create it again" in one revision is
    // not allowed by etcd.
    etcd.server().put(keys.entry("d", "me"), "ready");
    TxnRequest txn = TxnRequest.newBuilder()
        .addSuccess(RequestOp.newBuilder().setRequestDeleteRange(
            DeleteRangeRequest.newBuilder().setKey(EtcdKeys.bytes(keys.entry("d", "me")))))
        .addSuccess(RequestOp.newBuilder().setRequestPut(
            PutRequest.newBuilder().setKey(EtcdKeys.bytes(keys.entry("d", "me"))).setValue(EtcdKeys.bytes("ready"))))
        .build();
    EtcdConnection conn = fleet.onContext(() -> new EtcdConnection(fleet.vertx, etcd.server().endpoints(),
        Duration.ofSeconds(5)));
    Throwable err = TestFleet.awaitFailure(fleet.onContext(() -> conn.unary(KVGrpc.getTxnMethod(), txn)));
    assertThat(err.toString()).contains("duplicate key");
  }

  @Test
  void aMasterMovesBehindItsReplicasInOneRevisionAndTheFencingTokenGrows() {
    etcd.server().put(keys.entry("t", "me"), "ready");
    etcd.server().put(keys.entry("t", "r1"), "ready");
    etcd.server().put(keys.entry("t", "r2"), "ready");
    Route before = route("t");
    assertThat(before.master().member()).isEqualTo("me");
    long oldToken = before.master().createRevision();
    List<Action.Guard> guards = List.of(new Action.Guard("r1", before.entries().get(1).modRevision()),
        new Action.Guard("r2", before.entries().get(2).modRevision()));
    Action move = new Action(Action.Kind.MOVE, "t", "ready", before.master().modRevision(), 0, Rule.HAND_OFF_MASTER, guards, false);
    EntryWriter.BatchResult r = apply(move);
    assertThat(r.succeeded()).containsExactly(true);
    Route after = route("t");
    // Same three members, the mover last, its copy kept at its moved key.
    assertThat(after.entries()).extracting(RouteEntry::member).containsExactly("r1", "r2", "me");
    assertThat(after.entries().get(2).moved()).isTrue();
    assertThat(after.entries().get(2).createRevision()).isEqualTo(r.revision());
    assertThat(modRevision(keys.entry("t", "me"))).isZero();
    assertThat(modRevision(keys.movedEntry("t", "me"))).isEqualTo(r.revision());
    // The new master's token is greater than the old one's.
    assertThat(after.master().createRevision()).isGreaterThan(oldToken);

    // r1 and r2 hand off in turn; me becomes master again with a token above every earlier one.
    long highest = after.master().createRevision();
    for (String m : List.of("r1", "r2")) {
      Route now = route("t");
      assertThat(now.master().member()).isEqualTo(m);
      etcd.server().delete(keys.entry("t", m));
      etcd.server().put(keys.movedEntry("t", m), "ready");
      Route next = route("t");
      assertThat(next.master().createRevision()).isGreaterThan(highest);
      highest = next.master().createRevision();
    }
    Route back = route("t");
    assertThat(back.master().member()).isEqualTo("me");
    // A move from the moved key returns the entry to its plain key.
    Action again = new Action(Action.Kind.MOVE, "t", "ready", back.master().modRevision(), 0, Rule.HAND_OFF_MASTER, List.of(), true);
    assertThat(apply(again).succeeded()).containsExactly(true);
    assertThat(route("t").entries().get(2)).extracting(RouteEntry::member, RouteEntry::moved)
        .containsExactly("me", false);
  }

  @Test
  void aMoveFailsWhenAnEntryItCountedOnChangedAndACreateSeesTheMovedKey() {
    etcd.server().put(keys.entry("g", "me"), "ready");
    etcd.server().put(keys.entry("g", "r1"), "ready");
    long mine = modRevision(keys.entry("g", "me"));
    long replica = modRevision(keys.entry("g", "r1"));
    etcd.server().put(keys.entry("g", "r1"), "warming"); // the replica changed meanwhile
    Action move = new Action(Action.Kind.MOVE, "g", "ready", mine, 0, Rule.HAND_OFF_MASTER, List.of(new Action.Guard("r1", replica)),
        false);
    assertThat(apply(move).succeeded()).containsExactly(false);
    assertThat(route("g").master().member()).isEqualTo("me");
    // An entry at its moved key counts as held: a create on a stale view does not add a second key.
    etcd.server().delete(keys.entry("g", "me"));
    etcd.server().put(keys.movedEntry("g", "me"), "ready");
    assertThat(apply(new Action(Action.Kind.CREATE, "g", "ready", 0, 0, Rule.TAKE_MASTERLESS, List.of())).succeeded())
        .containsExactly(false);
    assertThat(modRevision(keys.entry("g", "me"))).isZero();
  }

  /**
   * etcd checks a nested transaction against 128 minus its parent's operations: 128 guarded
   * actions directly in the outer transaction were refused ("too many operations in txn
   * request"); grouped they go through, in one revision.
   */
  @Test
  void aFullBatchOf128GuardedCreatesGoesThroughInOneRevision() {
    EntryWriter.BatchResult r = createAll(128, "item-");
    assertThat(r.successes()).isEqualTo(128);
    assertThat(r.succeeded()).hasSize(128);
  }

  /**
   * The largest batch there can be, 128 creates with names of the longest allowed (256
   * characters, item and member): ~0.25 MiB, a sixth of etcd's 1.5 MiB request limit.
   */
  @Test
  void aFullBatchOfTheLongestNamesFitsEtcdsRequestLimit() {
    String longMember = "m".repeat(256);
    EntryWriter longWriter = fleet.onContext(() -> new EntryWriter(
        new EtcdConnection(fleet.vertx, etcd.server().endpoints(), Duration.ofSeconds(5)), keys, longMember));
    List<Action> creates = creates(128, "x".repeat(250) + "-");
    assertThat(longWriter.batch(creates, 0).getSerializedSize()).isBetween(200_000, 1_572_864 / 4);
    EntryWriter.BatchResult r = TestFleet.await(fleet.onContext(() -> longWriter.apply(creates, 0)));
    assertThat(r.successes()).isEqualTo(128);
  }

  @Test
  void eachActionOfAGroupedBatchReportsItsOwnOutcome() {
    // Every third item already taken by me: those creates fail, the others succeed, across groups.
    List<Action> creates = creates(50, "g-");
    for (int i = 0; i < 50; i += 3) {
      etcd.server().put(keys.entry(String.format("g-%03d", i), "me"), "ready");
    }
    long before = etcd.server().currentRevision();
    EntryWriter.BatchResult r = TestFleet.await(fleet.onContext(() -> writer.apply(creates, 0)));
    assertThat(r.revision()).isEqualTo(before + 1);
    for (int i = 0; i < 50; i++) {
      assertThat(r.succeeded().get(i)).as("action %d", i).isEqualTo(i % 3 != 0);
    }
  }

  /** Items {@code prefix000..}, each with an entry of another member (256-character name), and creates of them guarded by marker and anchor. */
  List<Action> creates(int n, String prefix) {
    java.util.ArrayList<Action> creates = new java.util.ArrayList<>();
    for (int i = 0; i < n; i++) {
      String item = prefix + String.format("%03d", i);
      long marker = etcd.server().put(keys.item(item), "");
      long anchor = etcd.server().put(keys.entry(item, "o".repeat(256)), "ready");
      creates.add(new Action(Action.Kind.CREATE, item, "ready", 0, marker, Rule.TAKE_SHORT,
          List.of(), false, new Action.Anchor("o".repeat(256), anchor, false)));
    }
    return creates;
  }

  EntryWriter.BatchResult createAll(int n, String prefix) {
    List<Action> creates = creates(n, prefix);
    long before = etcd.server().currentRevision();
    EntryWriter.BatchResult r = TestFleet.await(fleet.onContext(() -> writer.apply(creates, 0)));
    assertThat(r.revision()).isEqualTo(before + 1);
    return r;
  }
}
