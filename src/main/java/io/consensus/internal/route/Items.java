package io.consensus.internal.route;

import io.consensus.route.Route;
import io.consensus.tree.KeyTree;
import io.consensus.tree.Node;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/** Enumerates the items of a tree: those with entries and the fixed ones. */
public final class Items {
  private Items() {
  }

  /** The node {@code ROOT/items}, or null. */
  public static Node itemsNode(KeyTree tree) {
    return tree.child(Keys.ITEMS_PREFIX);
  }

  /**
   * Calls {@code callback} for every item in name order: the outer join of the items in the
   * tree with {@code sortedFixedItems} (which must be sorted). Fixed items missing from the
   * tree are reported with an empty route.
   */
  public static void walk(KeyTree tree, List<String> sortedFixedItems, BiConsumer<String, Route> callback) {
    Node items = itemsNode(tree);
    List<Node> nodes = items == null ? List.of() : items.children();
    int i = 0;
    int j = 0;
    while (i < nodes.size() || j < sortedFixedItems.size()) {
      int cmp;
      if (i == nodes.size()) {
        cmp = 1;
      } else if (j == sortedFixedItems.size()) {
        cmp = -1;
      } else {
        cmp = nodes.get(i).name().compareTo(sortedFixedItems.get(j));
      }
      if (cmp <= 0) {
        Node n = nodes.get(i++);
        callback.accept(n.name(), Route.of(n.name(), n));
        if (cmp == 0) {
          j++;
        }
      } else {
        String fixed = sortedFixedItems.get(j++);
        callback.accept(fixed, Route.empty(fixed));
      }
    }
  }

  /** All routes of {@link #walk}, as a list. */
  public static List<Route> routes(KeyTree tree, List<String> sortedFixedItems) {
    List<Route> out = new ArrayList<>();
    walk(tree, sortedFixedItems, (name, route) -> out.add(route));
    return out;
  }
}
