package io.consensus.tree;

import io.consensus.tree.KeyEvent;
import io.consensus.tree.KeyValue;
import java.util.Collections;
import java.util.List;

/**
 * What a watch of the keyspace delivers (in this project, {@code io.consensus.internal.watch.RetryWatcher}), always in revision order on the caller's context.
 *
 * <ul>
 *   <li>{@link Snapshot}: the complete keyspace under the prefix at {@code revision}. Sent
 *       first, and again whenever the watch had to be re-established from scratch
 *       (compaction, cancelled watch, periodic refresh). Callers replace their view.</li>
 *   <li>{@link Changes}: the events of one etcd revision (one transaction), applied on top
 *       of the previous view.</li>
 *   <li>{@link Progress}: the keyspace has no changes up to {@code revision}.</li>
 * </ul>
 */
public sealed interface WatchUpdate permits WatchUpdate.Snapshot, WatchUpdate.Changes, WatchUpdate.Progress {

  /** The etcd revision this update brings the view to. */
  long revision();

  /** The whole keyspace under the prefix at {@code revision}, sorted by key. */
  record Snapshot(long revision, List<KeyValue> kvs) implements WatchUpdate {
    public Snapshot {
      kvs = List.copyOf(kvs);
    }
  }

  /**
   * The events of one revision, in the order etcd reports them. The list is taken over as an
   * unmodifiable view, not copied: the watch hands over a list that converts etcd's protobuf
   * events only as they are read (in slices), and a copy here would convert a revision of tens
   * of thousands of events at once in the watch's handler. Pass a list nobody changes after.
   */
  record Changes(long revision, List<KeyEvent> events) implements WatchUpdate {
    public Changes {
      events = Collections.unmodifiableList(events);
    }
  }

  /** No change under the prefix up to {@code revision}. */
  record Progress(long revision) implements WatchUpdate {
  }
}
