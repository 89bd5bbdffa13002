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
  private final List<String> items = new ArrayList<>();
  private final List<ItemSummary> summaries = new ArrayList<>();

  void add(String item, ItemSummary now) {
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
