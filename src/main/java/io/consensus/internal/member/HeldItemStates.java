package io.consensus.internal.member;

import io.consensus.verticle.ItemHandler;
import io.consensus.internal.allocation.AllocationIndex;
import io.consensus.internal.allocation.ItemSummary;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The local states of held items that the allocator writes into its entries: the states the
 * application reported (which take precedence over {@link ItemHandler#itemState}), and which
 * held items' states may be stale and need a look in the next decision (rules 2 and 3). Used
 * on the allocator's context only.
 */
public final class HeldItemStates {
  private final ItemHandler handler;
  private final String initialState;
  private final Map<String, String> reported = new HashMap<>();
  // Held items whose state may be stale; all held items when checkAll.
  private final Set<String> check = new HashSet<>();
  private boolean checkAll = true;

  /** States from {@code handler}, or {@code initialState} for every item without one. */
  public HeldItemStates(ItemHandler handler, String initialState) {
    this.handler = handler;
    this.initialState = initialState;
  }

  /** The local state of {@code item} to write: the reported one, else the handler's. */
  public String stateOf(String item) {
    String r = reported.get(item);
    if (r != null) {
      return r;
    }
    return handler == ItemHandler.DEFAULT ? initialState : handler.itemState(item);
  }

  /** The application reported {@code state} for {@code item}: write it promptly. */
  public void report(String item, String state) {
    reported.put(item, state);
    check.add(item);
  }

  /** Every held item's state may have changed (a tick, a snapshot, a rejoin). */
  public void checkAll() {
    checkAll = true;
  }

  /** These items changed in the view: their states need a look. */
  public void changed(Set<String> items) {
    check.addAll(items);
  }

  /** The items whose states to check in the next decision; null for every held item. */
  public Set<String> toCheck() {
    return checkAll ? null : check;
  }

  /** A decision looked at every candidate and found none stale. */
  public void checked() {
    check.clear();
    checkAll = false;
  }

  /** A reported state describes one holding of an item: once released, the next take starts afresh. */
  public void forgetReleased(Set<String> changed, AllocationIndex index) {
    if (reported.isEmpty()) {
      return;
    }
    for (String item : changed) {
      ItemSummary s = index.summary(item);
      if (s == null || s.myEntry() == null) {
        reported.remove(item);
      }
    }
  }
}
