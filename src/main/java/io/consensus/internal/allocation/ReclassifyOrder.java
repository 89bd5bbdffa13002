package io.consensus.internal.allocation;

import io.consensus.route.Route;
import io.consensus.tree.Node;
import io.consensus.tree.TouchedNodes;
import java.util.BitSet;
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
  /** The first pass of {@link #newMastersFirst} gives out at least one name per this many it reads. */
  static final int SKIP_BOUND = 256;

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
   * As {@link #touchedThen}, but the touched items that {@code member} now masters and did not
   * before come first: in a large revision (a dead member's 75,000 deletions) its application is
   * told its new masterships in the first slices instead of spread over the whole revision. Found
   * lazily (the first pass yields them as it meets them, and one other name per {@link #SKIP_BOUND}
   * it reads, so that no single step walks the revision; the second the rest), each name once.
   */
  static Iterator<String> newMastersFirst(TouchedNodes touched, String member, String[] more) {
    Set<String> names = touched.names();
    BitSet yielded = new BitSet(); // positions in names the first pass gave out
    Iterator<String> rest = touchedThen(names, more);
    return new LazyNames() {
      private Iterator<String> first = names.iterator();
      private int pos = -1; // position of the last name read from first, then from rest
      private int passed; // names the first pass skipped in a row
      private boolean second;

      @Override
      boolean exhausted() {
        return second && !rest.hasNext();
      }

      @Override
      String candidate() {
        if (!second) {
          if (first.hasNext()) {
            String name = first.next();
            pos++;
            TouchedNodes.Change c = touched.change(name);
            // Every SKIP_BOUND-th skipped name is given out as well: one hasNext never walks the
            // whole revision (a member that gains no mastership would, in a single slice step).
            if (member.equals(masterOf(c.after())) && !member.equals(masterOf(c.before()))
                || ++passed >= SKIP_BOUND) {
              passed = 0;
              yielded.set(pos);
              return name;
            }
            return null;
          }
          second = true;
          pos = -1;
          first = null;
          return null;
        }
        String name = rest.next();
        pos++;
        return pos < names.size() && yielded.get(pos) ? null : name;
      }
    };
  }

  /** The member of an item node's first entry (its route's master), or null for no entry. */
  static String masterOf(Node itemNode) {
    if (itemNode == null) {
      return null;
    }
    Route r = Route.of(itemNode.name(), itemNode); // the order of entries is Route's alone
    return r.isEmpty() ? null : r.memberAt(0);
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
