package io.consensus.internal.etcd;

import io.consensus.tree.KeyEvent;
import io.consensus.tree.KeyValue;
import io.etcd.jetcd.api.Event;

/** Conversions from etcd's protobuf messages to our immutable values. */
public final class EtcdValues {
  private EtcdValues() {
  }

  /** An etcd key-value as our {@link KeyValue} (key and value decoded as UTF-8). */
  public static KeyValue keyValue(io.etcd.jetcd.api.KeyValue kv) {
    return new KeyValue(kv.getKey().toStringUtf8(), kv.getValue().toStringUtf8(),
        kv.getCreateRevision(), kv.getModRevision(), kv.getVersion(), kv.getLease());
  }

  /**
   * A watch event as a {@link KeyEvent}. The previous key-value is kept only when it
   * existed (etcd sends none, or an empty one, on creation).
   */
  public static KeyEvent keyEvent(Event event) {
    KeyEvent.Type type = switch (event.getType()) {
      case PUT -> KeyEvent.Type.PUT;
      case DELETE -> KeyEvent.Type.DELETE;
      default -> throw new IllegalArgumentException("unknown event type " + event.getType());
    };
    KeyValue prev = event.hasPrevKv() && event.getPrevKv().getVersion() > 0
        ? keyValue(event.getPrevKv()) : null;
    return new KeyEvent(type, keyValue(event.getKv()), prev);
  }
}
