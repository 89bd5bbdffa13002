package io.consensus.tree;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Shares equal short strings between nodes. Member names, item names and state strings repeat
 * across thousands of entries; one copy each keeps a large tree small.
 *
 * <p>A concurrent map rather than {@link String#intern()}: the JVM's string table costs a native
 * call per lookup, and a tree patched with every watch event looks up every segment and value.
 * Bounded: once full it stops adding (the strings then simply stay unshared).
 */
final class Interner {
  private static final int MAX_LENGTH = 64;
  private static final int MAX_ENTRIES = 1 << 21;
  private static final ConcurrentHashMap<String, String> SHARED = new ConcurrentHashMap<>();

  private Interner() {
  }

  static String share(String s) {
    if (s.isEmpty()) {
      return "";
    }
    if (s.length() > MAX_LENGTH) {
      return s;
    }
    String shared = SHARED.get(s);
    if (shared != null) {
      return shared;
    }
    if (SHARED.size() >= MAX_ENTRIES) {
      return s;
    }
    shared = SHARED.putIfAbsent(s, s);
    return shared != null ? shared : s;
  }
}
