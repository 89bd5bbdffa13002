package io.consensus.internal.allocation;

import static org.assertj.core.api.Assertions.assertThat;

import io.consensus.tree.KeyTree;
import io.consensus.tree.KeyValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Which member keys count: lease-less keys and keys of another incarnation, without etcd. */
class MemberKeysTest {
  final List<KeyValue> kvs = new ArrayList<>();
  long rev = 1;

  MemberKeysTest member(String m, long lease) {
    kvs.add(new KeyValue("/r/members/" + m, "{}", ++rev, rev, 1, lease));
    return this;
  }

  MemberKeysTest entries(String item, long lease, String... members) {
    kvs.add(KeyValue.of("/r/items/" + item, "", ++rev, rev));
    for (String m : members) {
      kvs.add(new KeyValue("/r/items/" + item + "/" + m, "ready", ++rev, rev, 1, lease));
    }
    return this;
  }

  AllocationIndex index(String me, long lease, int replicas) {
    AllocationIndex idx = new AllocationIndex(me, lease, replicas, List.of(), (i, s) -> s.equals("ready"));
    idx.rebuild(KeyTree.fromSnapshot("/r", rev, kvs));
    return idx;
  }

  @Test
  void aMemberKeyWithoutALeaseIsNotAMember() {
    member("m1", 7).member("ghost", 0).member("m2", 8);
    for (int i = 0; i < 40; i++) {
      entries("i" + i, 0);
    }
    AllocationIndex m1 = index("m1", 7, 1);
    AllocationIndex m2 = index("m2", 8, 1);
    assertThat(m1.memberCount()).isEqualTo(2);
    assertThat(m1.leaselessMembers()).containsExactly("ghost");
    // The two real members' master targets add up to the items: nothing is left over to
    // hand around.
    assertThat(m1.targets().masters() + m2.targets().masters()).isEqualTo(40);
    assertThat(m2.rank()).isEqualTo(1);
  }

  @Test
  void aReplicaOfALeaselessMemberKeyIsNotReliedOnForAHandOff() {
    member("m1", 7).member("ghost", 0);
    kvs.add(KeyValue.of("/r/items/a", "", ++rev, rev));
    kvs.add(new KeyValue("/r/items/a/m1", "ready", ++rev, rev, 1, 7));
    kvs.add(new KeyValue("/r/items/a/ghost", "ready", ++rev, rev, 1, 0));
    assertThat(index("m1", 7, 1).summary("a").readyForHandoff()).isFalse();
  }

  @Test
  void ourNameOnAnotherLeaseIsAnotherIncarnationAndWeKeepLeaving() {
    // We (lease 7) deleted our key to leave; a restarted process of the same name created it
    // again on lease 9. We still master a and b, m2 holds ready replicas.
    member("m2", 8).member("m1", 9).entries("a", 7, "m1").entries("b", 7, "m1");
    kvs.add(new KeyValue("/r/items/a/m2", "ready", ++rev, rev, 1, 8));
    kvs.add(new KeyValue("/r/items/b/m2", "ready", ++rev, rev, 1, 8));
    AllocationIndex old = index("m1", 7, 1);
    assertThat(old.memberPresent()).isFalse();
    assertThat(old.targets()).isEqualTo(new Targets(0, 0));
    Decision d = new AllocationDecider(10).decide(old, item -> "ready", new Random(1), null);
    assertThat(d.rule()).isEqualTo(Rule.HAND_OFF_MASTER); // hands its masters off
    assertThat(d.actions()).allSatisfy(a -> assertThat(a.kind()).isEqualTo(Action.Kind.RELEASE));
    // The new incarnation sees its own key.
    assertThat(index("m1", 9, 1).memberPresent()).isTrue();
  }

  @Test
  void aKeyThatIsNotUtf8IsNeitherAnItemNorAMember() {
    // etcd key bytes FF FE decode to U+FFFD U+FFFD: writing an entry back under the decoded
    // name would hit other bytes, and a guarded create on it could never succeed.
    member("m1", 7).member("\uFFFD", 0);
    kvs.add(KeyValue.of("/r/items/\uFFFD\uFFFD", "", ++rev, rev));
    AllocationIndex idx = index("m1", 7, 0);
    assertThat(idx.itemCount()).isZero();
    assertThat(idx.memberCount()).isEqualTo(1);
    assertThat(new AllocationDecider(10).decide(idx, item -> "ready", new Random(1), null).outcome())
        .isEqualTo(Decision.Outcome.IDLE);
  }
}
