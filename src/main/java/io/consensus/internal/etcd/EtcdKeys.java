package io.consensus.internal.etcd;

import com.google.protobuf.ByteString;

/** Byte helpers for etcd keys, which are raw bytes (UTF-8 by our convention). */
public final class EtcdKeys {
  private static final ByteString ALL = ByteString.copyFrom(new byte[] {0});

  private EtcdKeys() {
  }

  /** UTF-8 bytes of {@code s}. */
  public static ByteString bytes(String s) {
    return ByteString.copyFromUtf8(s);
  }

  /** {@code b} decoded as UTF-8. */
  public static String string(ByteString b) {
    return b.toStringUtf8();
  }

  /**
   * The range end covering every key that starts with {@code prefix}: the prefix with its
   * last byte below 0xff incremented and anything after it dropped. For an empty prefix
   * or one of only 0xff bytes it is {@code "\0"}, which etcd reads as "to the end of the
   * keyspace".
   */
  public static ByteString prefixEnd(ByteString prefix) {
    byte[] b = prefix.toByteArray();
    for (int i = b.length - 1; i >= 0; i--) {
      if ((b[i] & 0xff) != 0xff) {
        byte[] end = new byte[i + 1];
        System.arraycopy(b, 0, end, 0, i + 1);
        end[i]++;
        return ByteString.copyFrom(end);
      }
    }
    return ALL;
  }

  /** {@link #prefixEnd(ByteString)} of a UTF-8 prefix. */
  public static ByteString prefixEnd(String prefix) {
    return prefixEnd(bytes(prefix));
  }
}
