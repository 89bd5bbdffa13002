package io.consensus.route;

import io.consensus.tree.Node;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
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

  private static final Comparator<RouteEntry> ORDER =
      Comparator.comparingLong(RouteEntry::createRevision).thenComparing(RouteEntry::member);

  private final String item;
  private final List<RouteEntry> entries;

  public Route(String item, List<RouteEntry> entries) {
    this.item = Objects.requireNonNull(item, "item");
    List<RouteEntry> sorted = new ArrayList<>(entries);
    sorted.sort(ORDER);
    this.entries = List.copyOf(sorted);
  }

  /** The route of an item with no entries. */
  public static Route empty(String item) {
    return new Route(item, List.of());
  }

  /** The route of {@code item} read from its node {@code ROOT/items/<item>} (may be null). */
  public static Route of(String item, Node itemNode) {
    if (itemNode == null || !itemNode.isDirectory()) {
      return empty(item);
    }
    List<RouteEntry> entries = new ArrayList<>(itemNode.childCount());
    itemNode.forEachChild(c -> entries.add(entry(c)));
    return new Route(item, entries);
  }

  /** An entry node: a plain key, a moved key beneath it, or a directory of other deeper keys. */
  private static RouteEntry entry(Node c) {
    if (!c.hasValue() && c.isDirectory()) {
      Node moved = c.child(MOVED);
      if (moved != null && moved.hasValue()) {
        return new RouteEntry(c.name(), moved.value(), c.createRevision(), moved.modRevision(), moved.lease(), true);
      }
    }
    return new RouteEntry(c.name(), c.value(), c.createRevision(), c.modRevision(), c.lease());
  }

  public String item() {
    return item;
  }

  /** Entries in route order: master first. */
  public List<RouteEntry> entries() {
    return entries;
  }

  public int size() {
    return entries.size();
  }

  public boolean isEmpty() {
    return entries.isEmpty();
  }

  /** Position of {@code member}'s entry, or -1. */
  public int index(String member) {
    for (int i = 0; i < entries.size(); i++) {
      if (entries.get(i).member().equals(member)) {
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
    return entries.isEmpty() ? null : entries.get(0);
  }

  /**
   * Whether the master may hand off without the item dropping below {@code replicas} ready
   * copies: there are {@code replicas} replicas, each in a state that
   * {@code readyForPromotion} accepts.
   */
  public boolean isReadyForHandoff(int replicas, BiPredicate<String, String> readyForPromotion) {
    if (entries.size() < replicas + 1) {
      return false;
    }
    for (int i = 1; i <= replicas; i++) {
      if (!readyForPromotion.test(item, entries.get(i).state())) {
        return false;
      }
    }
    return true;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Route r && r.item.equals(item) && r.entries.equals(entries);
  }

  @Override
  public int hashCode() {
    return item.hashCode() * 31 + entries.hashCode();
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(item).append('[');
    for (int i = 0; i < entries.size(); i++) {
      RouteEntry e = entries.get(i);
      sb.append(i == 0 ? "" : ", ").append(e.member()).append('=').append(e.state()).append('@')
          .append(e.createRevision());
    }
    return sb.append(']').toString();
  }
}
