package io.consensus.route;

import io.consensus.tree.Node;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;
import java.util.function.BiPredicate;

/**
 * The agreed, ordered set of members responsible for an item: entry 0 is the master,
 * entries 1..R are replicas, anything beyond is an extra that lost a race.
 *
 * <p>Immutable, so it needs no copying. Entries are ordered
 * by create revision ascending (ties, from one transaction, by member name), so every
 * member derives the same order from the same revision.
 */
public final class Route {
  // The key of an entry that moved behind the others in place (Keys.MOVED: the key layout).
  private static final String MOVED = "moved";
  private static final Object[] NONE = {};

  private static final Comparator<RouteEntry> ORDER =
      Comparator.comparingLong(RouteEntry::createRevision).thenComparing(RouteEntry::member);

  private final String item;
  // In route order, each a RouteEntry (built by the constructor) or the entry's immutable tree
  // Node (read by of): a route read from a tree keeps no per-entry copy of what the tree holds
  // (at 1M items x 3 entries, the copies took 150 MB); entries are derived when asked for.
  private final Object[] slots;

  public Route(String item, List<RouteEntry> entries) {
    this.item = Objects.requireNonNull(item, "item");
    List<RouteEntry> sorted = new ArrayList<>(entries);
    sorted.forEach(Objects::requireNonNull);
    sorted.sort(ORDER);
    this.slots = sorted.isEmpty() ? NONE : sorted.toArray();
  }

  private Route(String item, Object[] slots) {
    this.item = item;
    this.slots = slots;
  }

  /** The route of an item with no entries. */
  public static Route empty(String item) {
    return new Route(Objects.requireNonNull(item, "item"), NONE);
  }

  /** The route of {@code item} read from its node {@code ROOT/items/<item>} (may be null). */
  public static Route of(String item, Node itemNode) {
    Objects.requireNonNull(item, "item");
    if (itemNode == null || !itemNode.isDirectory()) {
      return empty(item);
    }
    int n = itemNode.childCount();
    Node[] nodes = new Node[n];
    for (int i = 0; i < n; i++) {
      // Insertion sort by (create revision, name): a route has a handful of entries, so their
      // create revisions are read again rather than kept in a scratch array (one less per route).
      Node c = itemNode.childAt(i);
      long cr = c.createRevision();
      int j = i;
      while (j > 0) {
        long before = nodes[j - 1].createRevision();
        if (before < cr || before == cr && nodes[j - 1].name().compareTo(c.name()) <= 0) {
          break;
        }
        nodes[j] = nodes[j - 1];
        j--;
      }
      nodes[j] = c;
    }
    return new Route(item, (Object[]) nodes);
  }

  /** An entry node: a plain key, a moved key beneath it, or a directory of other deeper keys. */
  private static RouteEntry entry(Node c) {
    Node moved = movedOf(c);
    if (moved != null) {
      return new RouteEntry(c.name(), moved.value(), c.createRevision(), moved.modRevision(), moved.lease(), true);
    }
    return new RouteEntry(c.name(), c.value(), c.createRevision(), c.modRevision(), c.lease());
  }

  private static Node movedOf(Node c) {
    if (!c.hasValue() && c.isDirectory()) {
      Node moved = c.child(MOVED);
      if (moved != null && moved.hasValue()) {
        return moved;
      }
    }
    return null;
  }

  private RouteEntry entryAt(int i) {
    Object o = slots[i];
    return o instanceof RouteEntry e ? e : entry((Node) o);
  }

  /** The member of entry {@code i} in route order (no entry derived: for counting by member). */
  public String memberAt(int i) {
    Object o = slots[i];
    return o instanceof RouteEntry e ? e.member() : ((Node) o).name();
  }

  private String stateAt(int i) {
    Object o = slots[i];
    if (o instanceof RouteEntry e) {
      return e.state();
    }
    Node moved = movedOf((Node) o);
    return moved != null ? moved.value() : ((Node) o).value();
  }

  /** The route's entries, derived on each read from what the route holds. */
  private final class EntryList extends AbstractList<RouteEntry> implements RandomAccess {
    @Override
    public RouteEntry get(int index) {
      return entryAt(index);
    }

    @Override
    public int size() {
      return slots.length;
    }
  }

  public String item() {
    return item;
  }

  /** Entries in route order: master first (an unmodifiable list). */
  public List<RouteEntry> entries() {
    return slots.length == 0 ? List.of() : new EntryList();
  }

  public int size() {
    return slots.length;
  }

  public boolean isEmpty() {
    return slots.length == 0;
  }

  /** Position of {@code member}'s entry, or -1. */
  public int index(String member) {
    for (int i = 0; i < slots.length; i++) {
      if (memberAt(i).equals(member)) {
        return i;
      }
    }
    return -1;
  }

  /** The member's role in this route with {@code replicas} replicas. */
  public Role role(String member, int replicas) {
    return Role.of(index(member), replicas);
  }

  /** The master's entry, or null when the route is empty. */
  public RouteEntry master() {
    return slots.length == 0 ? null : entryAt(0);
  }

  /**
   * Whether the master may hand off without the item dropping below {@code replicas} ready
   * copies: there are {@code replicas} replicas, each in a state that
   * {@code readyForPromotion} accepts.
   */
  public boolean isReadyForHandoff(int replicas, BiPredicate<String, String> readyForPromotion) {
    if (slots.length < replicas + 1) {
      return false;
    }
    for (int i = 1; i <= replicas; i++) {
      if (!readyForPromotion.test(item, stateAt(i))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Route r) || !r.item.equals(item) || r.slots.length != slots.length) {
      return false;
    }
    for (int i = 0; i < slots.length; i++) {
      // The same tree node is the same entry: most comparisons end here without a copy.
      if (slots[i] != r.slots[i] && !entryAt(i).equals(r.entryAt(i))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    return item.hashCode() * 31 + entries().hashCode();
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(item).append('[');
    for (int i = 0; i < slots.length; i++) {
      RouteEntry e = entryAt(i);
      sb.append(i == 0 ? "" : ", ").append(e.member()).append('=').append(e.state()).append('@')
          .append(e.createRevision());
    }
    return sb.append(']').toString();
  }
}
