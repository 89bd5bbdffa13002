package io.consensus.internal.allocation;

import io.consensus.tree.Node;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * The items an index update re-classifies, each once, listed lazily: a caller slicing its work
 * never walks them all at once (a revision deleting a member's 75,000 entries is not copied).
 */
final class ReclassifyOrder {
  private ReclassifyOrder() {
  }

  /** {@code touched}, then those of {@code more} not in it (a set: it is looked up, not copied). */
  static Iterator<String> touchedThen(Collection<String> touched, String[] more) {
    if (more.length == 0) {
      return touched.iterator();
    }
    Set<String> first = touched instanceof Set<String> set ? set : new LinkedHashSet<>(touched);
    Iterator<String> head = first.iterator();
    return new LazyNames() {
      private int i;

      @Override
      boolean exhausted() {
        return !head.hasNext() && i >= more.length;
      }

      @Override
      String candidate() {
        if (head.hasNext()) {
          return head.next();
        }
        String m = more[i++];
        return first.contains(m) ? null : m;
      }
    };
  }

  /**
   * Every child of {@code itemsNode} (may be null), every fixed item and every known item, each once.
   * {@code fixedInOrder} and {@code fixedItems} hold the same names: the first is walked, the second asked.
   */
  static Iterator<String> everyItem(Node itemsNode, List<String> fixedInOrder, Set<String> fixedItems, String[] known) {
    Iterator<String> fixed = fixedInOrder.iterator();
    return new LazyNames() {
      private int inTree;
      private int inKnown;

      @Override
      boolean exhausted() {
        return (itemsNode == null || inTree >= itemsNode.childCount()) && !fixed.hasNext() && inKnown >= known.length;
      }

      @Override
      String candidate() {
        if (itemsNode != null && inTree < itemsNode.childCount()) {
          return itemsNode.childAt(inTree++).name();
        } else if (fixed.hasNext()) {
          String f = fixed.next();
          return itemsNode != null && itemsNode.child(f) != null ? null : f;
        }
        String k = known[inKnown++];
        return itemsNode != null && itemsNode.child(k) != null || fixedItems.contains(k) ? null : k;
      }
    };
  }

  /** Names produced one candidate at a time, skipping the candidates that come back null. */
  private abstract static class LazyNames implements Iterator<String> {
    private String next;

    /** Whether no candidate is left. */
    abstract boolean exhausted();

    /** The next candidate, or null to skip it (called only when not {@link #exhausted()}). */
    abstract String candidate();

    @Override
    public boolean hasNext() {
      while (next == null) {
        if (exhausted()) {
          return false;
        }
        next = candidate();
      }
      return true;
    }

    @Override
    public String next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      String out = next;
      next = null;
      return out;
    }
  }
}
