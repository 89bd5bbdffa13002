package io.consensus.internal.watch;

import io.consensus.tree.KeyEvent;
import io.consensus.tree.KeyValue;
import io.consensus.tree.WatchUpdate;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Test handler: applies updates to a key -> value map and records every violation of the
 * watcher's promises (wrong context, revision order, duplicated revisions).
 */
final class WatchRecorder implements Handler<WatchUpdate> {
  private final Context ctx;
  private final Map<String, String> view = new TreeMap<>();
  private final List<WatchUpdate> updates = new ArrayList<>();
  private final List<String> violations = new ArrayList<>();
  private long last;

  WatchRecorder(Context ctx) {
    this.ctx = ctx;
  }

  @Override
  public synchronized void handle(WatchUpdate u) {
    if (Vertx.currentContext() != ctx) {
      violations.add("delivered on " + Vertx.currentContext() + " / " + Thread.currentThread().getName());
    }
    if (u instanceof WatchUpdate.Snapshot s) {
      if (s.revision() < last) {
        violations.add("snapshot " + s.revision() + " after " + last);
      }
      view.clear();
      s.kvs().forEach(kv -> view.put(kv.key(), kv.value()));
    } else {
      if (u.revision() <= last) {
        violations.add(u.getClass().getSimpleName() + " " + u.revision() + " not after " + last);
      }
      if (u instanceof WatchUpdate.Changes c) {
        for (KeyEvent e : c.events()) {
          if (e.kv().modRevision() != c.revision()) {
            violations.add("event at " + e.kv().modRevision() + " in changes of " + c.revision());
          }
          if (e.isUpsert()) {
            view.put(e.kv().key(), e.kv().value());
          } else {
            view.remove(e.kv().key());
          }
        }
      }
    }
    last = u.revision();
    updates.add(u);
  }

  synchronized Map<String, String> view() {
    return new TreeMap<>(view);
  }

  synchronized List<WatchUpdate> updates() {
    return List.copyOf(updates);
  }

  synchronized List<String> violations() {
    return List.copyOf(violations);
  }

  /** Revisions of all Changes delivered, in order. */
  synchronized List<Long> changeRevisions() {
    return updates.stream().filter(u -> u instanceof WatchUpdate.Changes).map(WatchUpdate::revision).toList();
  }

  synchronized long snapshots() {
    return updates.stream().filter(u -> u instanceof WatchUpdate.Snapshot).count();
  }

  static Map<String, String> asMap(List<KeyValue> kvs) {
    Map<String, String> m = new TreeMap<>();
    kvs.forEach(kv -> m.put(kv.key(), kv.value()));
    return m;
  }
}
