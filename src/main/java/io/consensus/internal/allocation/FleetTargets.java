package io.consensus.internal.allocation;

import io.consensus.tree.Node;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The slots the items want (S, the sum of their R + 1, and how many items want each R + 1) and
 * the {@link TargetShares} of every present member derived from them, recomputed only when the
 * members, their specs or drains, N or S change.
 *
 * <p>Not thread-safe: owned by one allocator context.
 */
final class FleetTargets {
  private long slots;
  private final TreeMap<Integer, Integer> slotsHistogram = new TreeMap<>();
  private int maxReplicas;
  private TargetShares placement;
  private Node placementMembers;
  private Node placementDrained;
  private int placementItems = -1;
  private long placementSlots = -1;

  /** @param replicas the fleet's R: the least {@link #maxReplicas()} */
  FleetTargets(int replicas) {
    this.maxReplicas = replicas;
  }

  /** Counts ({@code add}) or uncounts an item that wants {@code r + 1} entries. */
  void count(int r, boolean add) {
    slots += add ? r + 1 : -(r + 1);
    slotsHistogram.merge(r + 1, add ? 1 : -1, (a, b) -> a + b == 0 ? null : a + b);
    if (add) {
      atLeast(r);
    }
  }

  /** Raises {@link #maxReplicas()} to {@code r}. */
  void atLeast(int r) {
    maxReplicas = Math.max(maxReplicas, r);
  }

  /** S: the entries all items want. */
  long slots() {
    return slots;
  }

  /** The largest R of any item (at least the fleet's R). */
  int maxReplicas() {
    return maxReplicas;
  }

  /** The targets of every present member of {@code members} among {@code items} items. */
  TargetShares placement(Node members, MemberSpecs specs, int items) {
    if (placement == null || placementMembers != members || placementDrained != specs.drainedNode()
        || placementItems != items || placementSlots != slots) {
      placementMembers = members;
      placementDrained = specs.drainedNode();
      placementItems = items;
      placementSlots = slots;
      placement = compute(members, specs, items);
    }
    return placement;
  }

  private TargetShares compute(Node members, MemberSpecs specs, int items) {
    List<Node> present = new ArrayList<>();
    if (members != null) {
      members.forEachChild(c -> {
        if (Membership.isMember(c)) { // a key without a lease is not a member
          present.add(c);
        }
      });
    }
    present.sort(Comparator.comparingLong(Node::ownCreateRevision).thenComparing(Node::name));
    List<TargetShares.Candidate> seniority = new ArrayList<>(present.size());
    Set<String> names = new HashSet<>();
    for (Node n : present) {
      names.add(n.name());
      seniority.add(new TargetShares.Candidate(n.name(), specs.of(n)));
    }
    specs.retain(names);
    return TargetShares.of(seniority, items, slots, this::slotsCappedAt);
  }

  private long slotsCappedAt(int entries) {
    long out = 0;
    for (Map.Entry<Integer, Integer> e : slotsHistogram.entrySet()) {
      out += (long) Math.min(e.getKey(), entries) * e.getValue();
    }
    return out;
  }
}
