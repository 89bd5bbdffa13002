package io.consensus.internal.etcd;

import io.consensus.tree.KeyValue;

/** Conversions from etcd's protobuf messages to our immutable values. */
public final class EtcdValues {
  private EtcdValues() {
  }

  /** An etcd key-value as our {@link KeyValue} (key and value decoded as UTF-8). */
  public static KeyValue keyValue(io.etcd.jetcd.api.KeyValue kv) {
    return new KeyValue(kv.getKey().toStringUtf8(), kv.getValue().toStringUtf8(),
        kv.getCreateRevision(), kv.getModRevision(), kv.getVersion(), kv.getLease());
  }
}
