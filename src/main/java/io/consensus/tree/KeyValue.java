package io.consensus.tree;

import java.util.Objects;

/**
 * One etcd v3 key-value as read from a range or a watch event, with keys and values
 * decoded as UTF-8.
 *
 * @param key            full key, e.g. {@code /consensus/demo/items/a/member-1}
 * @param value          value, never {@code null} (may be empty)
 * @param createRevision revision at which the key was created (0 when absent)
 * @param modRevision    revision of the last modification
 * @param version        number of modifications since creation (0 when absent)
 * @param lease          lease id the key is attached to, 0 for none
 */
public record KeyValue(String key, String value, long createRevision, long modRevision, long version, long lease) {
  public KeyValue {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
  }

  /** A key-value without lease and with version 1, handy in tests. */
  public static KeyValue of(String key, String value, long createRevision, long modRevision) {
    return new KeyValue(key, value, createRevision, modRevision, 1, 0);
  }
}
