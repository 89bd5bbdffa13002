package io.consensus.tree;

/**
 * Shares equal short strings between nodes. Member names and state strings repeat across
 * thousands of entries; one copy each keeps a large tree small.
 */
final class Interner {
  private static final int MAX_LENGTH = 64;

  private Interner() {
  }

  static String share(String s) {
    return s.length() <= MAX_LENGTH ? s.intern() : s;
  }
}
