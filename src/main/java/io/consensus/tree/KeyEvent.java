package io.consensus.tree;

import java.util.Objects;

/**
 * One event of an etcd v3 watch: a key was put (created or updated) or deleted.
 *
 * <p>{@link #isUpsert()} and {@link #isRemove()} tell the two kinds apart.
 *
 * @param type the kind of event
 * @param kv   the key-value after the event; for a delete, the key with the delete's
 *             mod revision and an empty value
 * @param prev the key-value before the event, or {@code null} when not requested or absent
 */
public record KeyEvent(Type type, KeyValue kv, KeyValue prev) {
  /** Kinds of watch events in etcd v3. */
  public enum Type { PUT, DELETE }

  public KeyEvent {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(kv, "kv");
  }

  /** A put event. */
  public static KeyEvent put(KeyValue kv) {
    return new KeyEvent(Type.PUT, kv, null);
  }

  /** A delete event of {@code key} at {@code revision}. */
  public static KeyEvent delete(String key, long revision) {
    return new KeyEvent(Type.DELETE, new KeyValue(key, "", 0, revision, 0, 0), null);
  }

  /** Whether this event inserts or updates a key. */
  public boolean isUpsert() {
    return type == Type.PUT;
  }

  /** Whether this event removes a key. */
  public boolean isRemove() {
    return type == Type.DELETE;
  }

  /** Whether this put created the key (as opposed to updating it). */
  public boolean isCreate() {
    return type == Type.PUT && kv.version() == 1;
  }
}
