package io.consensus.internal.member;

import io.consensus.verticle.ItemHandler;
import io.consensus.internal.allocation.AllocationIndex;
import io.consensus.internal.allocation.ItemSummary;
import io.consensus.internal.allocation.Reclassified;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.Map;
import java.util.Set;

/**
 * The local states of held items that the allocator writes into its entries: the states the
 * application reported (which take precedence over {@link ItemHandler#itemState}), and which
 * held items' states may be stale and need a look in the next decision (the state rules). Used
 * on the allocator's context only. Work is proportional to the items that changed, except for
 * the sweeps over every held item, which run in bounded steps ({@link #sweep}).
 */
public final class HeldItemStates {
  private final ItemHandler handler;
  private final String initialState;
  private final Map<String, String> reported = new HashMap<>();
  // Held items whose state may be stale, found as items change, states are reported, and by
  // sweeps over every held item (sliced: a tick at 100,000 items must not stall the loop).
  private static final int STEP = 512;
  private final Set<String> check = new HashSet<>();
  private boolean sweepDue = true;

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

  /**
   * Every held item's state may have changed (a tick, a snapshot, a rejoin): the next
   * {@link #sweep} looks at all of them.
   */
  public void checkAll() {
    sweepDue = true;
  }

  /** Whether a {@link #sweep} is due. */
  public boolean sweepDue() {
    return sweepDue;
  }

  /**
   * Whether a tick needs to re-read every held item: only a handler's {@link ItemHandler#itemState}
   * can change without telling (reported states are noted as they come).
   */
  public boolean statesChangeUnseen() {
    return handler != ItemHandler.DEFAULT;
  }

  /**
   * The pass that {@link #checkAll} asks for, as a job of bounded steps: every item {@code index}
   * shows held (as the job starts) whose stored state differs from its local state joins the
   * items to check; {@code foundStale} runs at the end if any did.
   */
  public LoopSlices.Job sweep(Supplier<AllocationIndex> index, Runnable foundStale) {
    return new LoopSlices.Job() {
      private List<String> held;
      private int next;
      private boolean stale;

      @Override
      public boolean step() {
        AllocationIndex ix = index.get();
        if (held == null) {
          sweepDue = false;
          held = ix.heldItems();
        }
        int end = Math.min(held.size(), next + STEP);
        for (; next < end; next++) {
          String item = held.get(next);
          if (stale(ix, item)) {
            check.add(item);
            stale = true;
          }
        }
        return next >= held.size();
      }

      @Override
      public boolean blocksDecisions() {
        return false; // it only reads the view; a decision meanwhile misses nothing it would act on
      }

      @Override
      public void finished() {
        if (stale) {
          foundStale.run();
        }
      }
    };
  }

  /**
   * These items changed in {@code index} (just re-classified): those held whose stored state
   * differs from the local one need a look. Only a change of this member's own entry (or of the
   * local state, which {@link #report} and the sweeps note) can make one stale: a revision that
   * deletes a crashed member's 75,000 entries leaves none to look at in the next decision
   * (which looked at all 75,000 there, 60-80 ms of CPU at once at 100,000 x R=2 x 4).
   */
  public void changed(Collection<String> items, AllocationIndex index) {
    for (String item : items) {
      if (stale(index, item)) {
        check.add(item);
      }
    }
  }

  /** {@link #changed(Collection, AllocationIndex)} for the items one re-classification changed, with their summaries. */
  public void changed(Reclassified changed) {
    for (int i = 0; i < changed.size(); i++) {
      if (stale(changed.item(i), changed.summary(i))) {
        check.add(changed.item(i));
      }
    }
  }

  /** Whether {@code item} is held in {@code index} with a stored state other than its local one. */
  private boolean stale(AllocationIndex index, String item) {
    return stale(item, index.summary(item));
  }

  /** Whether {@code item}, summarized by {@code s} (null: gone), is held with a stored state other than its local one. */
  private boolean stale(String item, ItemSummary s) {
    return s != null && s.mine() && !Objects.equals(stateOf(item), s.myEntry().state());
  }

  /** The items whose states to check in the next decision. */
  public Set<String> toCheck() {
    return check;
  }

  /** A decision looked at every candidate and found none stale. */
  public void checked() {
    check.clear();
  }

  /** A reported state describes one holding of an item: once released, the next take starts afresh. */
  public void forgetReleased(Reclassified changed) {
    if (reported.isEmpty()) {
      return;
    }
    for (int i = 0; i < changed.size(); i++) {
      ItemSummary s = changed.summary(i);
      if (s == null || !s.mine()) {
        reported.remove(changed.item(i));
      }
    }
  }
}
