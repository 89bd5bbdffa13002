package io.consensus.internal.allocation;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What one {@link AllocationIndex#reclassify} changed: the items whose route changed or vanished,
 * in the order re-classified, each with the summary just derived (null: the item vanished), so
 * that publication and the state checks read it here instead of looking it up again.
 */
public final class Reclassified {
  private final int expected;
  private List<String> items = List.of();
  private List<ItemSummary> summaries = List.of();

  /** {@code expected}: the chunk's size, at most as many items as may change (the lists grow past it). */
  Reclassified(int expected) {
    this.expected = Math.max(1, expected);
  }

  void add(String item, ItemSummary now) {
    if (items.isEmpty()) {
      // Sized at the first change: no copies while growing, nothing allocated when none changes.
      items = new ArrayList<>(expected);
      summaries = new ArrayList<>(expected);
    }
    items.add(item);
    summaries.add(now);
  }

  /** How many items changed. */
  public int size() {
    return items.size();
  }

  /** The {@code i}-th item that changed. */
  public String item(int i) {
    return items.get(i);
  }

  /** The summary of the {@code i}-th item that changed, null when the item vanished. */
  public ItemSummary summary(int i) {
    return summaries.get(i);
  }

  /** The items that changed, in order (read only). */
  public List<String> items() {
    return Collections.unmodifiableList(items);
  }
}
