package io.consensus.internal.member;

import io.consensus.verticle.ItemHandler;
import io.consensus.verticle.RouteChange;
import io.consensus.internal.allocation.AllocationIndex;
import io.consensus.internal.allocation.ItemTable;
import io.consensus.internal.allocation.ItemSummary;
import io.consensus.internal.allocation.Reclassified;
import io.consensus.internal.route.MemberDirectory;
import io.consensus.route.Role;
import io.consensus.route.Route;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The routes one member has told its application about, and the telling: every change is
 * published on the event bus at once and goes to the {@link ItemHandler} through its item's
 * queue ({@link RouteDelivery}). Owned by the allocator's context.
 */
public final class PublishedRoutes {
  /**
   * Route changes are this process's business: on a clustered event bus they must not reach
   * other nodes, whose own members publish theirs on the same address.
   */
  private static final DeliveryOptions LOCAL_ONLY = new DeliveryOptions().setLocalOnly(true)
      .setCodecName(RouteChangeJson.NAME); // JSON built only for a consumer that receives it

  private final String member;
  private final String address;
  private final RouteDelivery delivery;
  private final EventBus bus;
  // By item, sorted: a reader walks it in slices from the last item it read. Held: the items
  // whose last change gives this member a role, oldest first (lease loss and exit tell them
  // without walking the whole table).
  // Values by item in a hash table (a revision replaces a few of them: no walk down a tree of
  // every item's name); the names sorted apart, changed only when an item comes or goes.
  private final ItemTable<RouteChange> table = new ItemTable<>(RouteChange::item);
  private final TreeSet<String> sorted = new TreeSet<>();
  /** Readers in progress: each keeps what an item was when it started, before it changes. */
  private final List<Reader> readers = new ArrayList<>();
  private final LinkedHashSet<String> held = new LinkedHashSet<>();
  private final MemberDirectory members;
  private final Runnable onMastershipGained;

  public PublishedRoutes(String member, String address, ItemHandler handler, Vertx vertx, MemberDirectory members,
      Runnable onMastershipGained) {
    this.members = members;
    this.onMastershipGained = onMastershipGained;
    this.member = member;
    this.address = address;
    this.delivery = new RouteDelivery(vertx, member, handler);
    this.bus = vertx.eventBus();
    RouteChangeJson.registerOn(bus);
  }

  /**
   * Publishes the current routes of {@code items} at {@code revision}.
   *
   * @param mayHold whether this member may claim its entries (false while its lease is in
   *                doubt: it then reports no role at all)
   */
  public void publish(AllocationIndex index, Collection<String> items, long revision, boolean mayHold) {
    publish(index, items, revision, mayHold, false);
  }

  /**
   * Publishes the current routes of {@code items} at {@code revision}; with {@code joining}
   * (the routes of a first snapshot or a rejoin) a route with no role for this member is only
   * recorded, not published, unless it differs from one told before: an application learns
   * nothing from the NONE routes of every item of the fleet.
   */
  public void publish(AllocationIndex index, Collection<String> items, long revision, boolean mayHold,
      boolean joining) {
    for (String item : items) {
      publish(item, index.summary(item), revision, mayHold, joining);
    }
  }

  /**
   * {@link #publish(AllocationIndex, Collection, long, boolean, boolean)} for the items one
   * re-classification changed, with the summaries it derived (no second look-up per item).
   */
  public void publish(Reclassified changed, long revision, boolean mayHold, boolean joining) {
    for (int i = 0; i < changed.size(); i++) {
      publish(changed.item(i), changed.summary(i), revision, mayHold, joining);
    }
  }

  /** Publishes the route of {@code item} as summarized by {@code s} (null: it does not exist). */
  private void publish(String item, ItemSummary s, long revision, boolean mayHold, boolean joining) {
    RouteChange change;
    if (s == null) {
      change = new RouteChange(member, item, revision, Route.empty(item), -1, Role.NONE, true, RouteChange.ROUTE);
      held.remove(item);
      RouteChange old = remove(item);
      if (joining && old == null) {
        return;
      }
    } else {
      boolean mine = mayHold && s.mine();
      change = new RouteChange(member, item, revision, s.route(), mine ? s.myIndex() : -1,
          mine ? s.role() : Role.NONE, false, RouteChange.ROUTE, members.metadataOf(s.route()));
      RouteChange old = put(item, change);
      if (change.index() >= 0) {
        held.add(item);
      } else {
        held.remove(item);
      }
      if (change.role() == Role.MASTER && old != null && old.role() != Role.MASTER && !old.route().isEmpty()
          && !old.route().master().member().equals(member)) {
        onMastershipGained.run();
      }
      if (joining && change.index() < 0 && (old == null || old.index() < 0 && old.route().equals(change.route()))) {
        return;
      }
    }
    deliver(change);
  }

  /** Tells the application it holds nothing any more, for every item it held. */
  public void publishNothingHeld(long revision, String reason) {
    while (!publishNothingHeld(revision, reason, Integer.MAX_VALUE)) {
      // all at once
    }
  }

  /**
   * Tells the application it holds nothing any more for up to {@code max} of the items it
   * holds; true once it holds none. Costs work in the items held, not in the table.
   */
  public boolean publishNothingHeld(long revision, String reason, int max) {
    for (int i = 0; i < max; i++) {
      if (held.isEmpty()) {
        return true;
      }
      java.util.Iterator<String> first = held.iterator();
      String item = first.next();
      first.remove();
      RouteChange old = table.get(item);
      RouteChange none = new RouteChange(member, old.item(), revision, old.route(), -1, Role.NONE, false, reason,
          old.metadata());
      put(old.item(), none);
      deliver(none);
    }
    return held.isEmpty();
  }

  /** Items this member's routes give it a role in, as last told. */
  public int heldCount() {
    return held.size();
  }

  /** A copy of the table, keyed by item (at once: for small tables and tests). */
  public Map<String, RouteChange> copy() {
    return table.toSortedMap();
  }

  /** The table as answered on {@code <address>.table.<member>} (at once: for small tables and tests). */
  public JsonObject toJson(long revision) {
    JsonArray routes = new JsonArray();
    sorted.forEach(item -> routes.add(table.get(item).toJson()));
    return tableJson(revision, routes);
  }

  private JsonObject tableJson(long revision, JsonArray routes) {
    return new JsonObject().put("member", member).put("revision", revision).put("routes", routes);
  }

  /**
   * A job reading the table as it is when the job starts, in item order, {@code step} items per
   * step: changes made between its steps do not show (the reader keeps an item's value from
   * before its first change until it has read past it). Not a decision blocker.
   */
  public LoopSlices.Job read(int step, Consumer<RouteChange> sink, Runnable done) {
    return new Reader(step, sink, done);
  }

  /** {@link #toJson} as a sliced job: {@code reply} gets the JSON once it is complete. */
  public LoopSlices.Job readJson(int step, LongSupplier revision, Consumer<JsonObject> reply) {
    JsonArray routes = new JsonArray();
    long[] rev = {-1};
    return new Reader(step, c -> routes.add(c.toJson()), () -> reply.accept(tableJson(rev[0], routes))) {
      @Override
      void started() {
        rev[0] = revision.getAsLong();
      }
    };
  }

  private RouteChange put(String item, RouteChange change) {
    remembered(item);
    RouteChange old = table.put(change);
    if (old == null) {
      sorted.add(item);
    }
    return old;
  }

  private RouteChange remove(String item) {
    remembered(item);
    RouteChange old = table.remove(item);
    if (old != null) {
      sorted.remove(item);
    }
    return old;
  }

  private void remembered(String item) {
    for (Reader r : readers) {
      r.beforeChange(item);
    }
  }

  private class Reader implements LoopSlices.Job {
    private final int step;
    private final Consumer<RouteChange> sink;
    private final Runnable done;
    private boolean begun;
    private String after; // the last item read; null before the first
    /** Items not read yet that changed since the start, with their value then (null: absent). */
    private final TreeMap<String, Optional<RouteChange>> before = new TreeMap<>();

    Reader(int step, Consumer<RouteChange> sink, Runnable done) {
      this.step = step;
      this.sink = sink;
      this.done = done;
    }

    void started() {
    }

    void beforeChange(String item) {
      if ((after == null || item.compareTo(after) > 0) && !before.containsKey(item)) {
        before.put(item, Optional.ofNullable(table.get(item)));
      }
    }

    @Override
    public boolean step() {
      if (!begun) {
        begun = true;
        readers.add(this);
        started();
      }
      for (int i = 0; i < step; i++) {
        String current = after == null ? (sorted.isEmpty() ? null : sorted.first()) : sorted.higher(after);
        String changed = after == null ? (before.isEmpty() ? null : before.firstKey()) : before.higherKey(after);
        String item = current == null ? changed
            : changed == null || current.compareTo(changed) < 0 ? current : changed;
        if (item == null) {
          readers.remove(this);
          return true;
        }
        Optional<RouteChange> was = before.remove(item);
        RouteChange c = was != null ? was.orElse(null) : table.get(item);
        if (c != null) {
          sink.accept(c);
        }
        after = item;
      }
      return false;
    }

    @Override
    public boolean blocksDecisions() {
      return false;
    }

    @Override
    public void finished() {
      readers.remove(this);
      done.run();
    }
  }

  /** The handler gets the change through its item's queue; the event bus at once. */
  private void deliver(RouteChange change) {
    delivery.deliver(change);
    bus.publish(address, change, LOCAL_ONLY);
  }
}
