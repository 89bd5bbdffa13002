package io.consensus.internal.route;

/** Validation of item and member names and of the root prefix. */
public final class Names {
  private Names() {
  }

  /**
   * Returns {@code name} if it is a valid single path segment: non-empty, no {@code '/'},
   * no control characters, at most 256 characters.
   *
   * @throws IllegalArgumentException naming {@code kind} and the problem otherwise
   */
  public static String check(String kind, String name) {
    String problem = problem(name);
    if (problem != null) {
      throw new IllegalArgumentException("invalid " + kind + " name " + quote(name) + ": " + problem);
    }
    return name;
  }

  /** Whether {@code name} is a valid single path segment. */
  public static boolean isValid(String name) {
    return problem(name) == null;
  }

  /** Why {@code name} is not a valid segment, or null when it is. */
  public static String problem(String name) {
    if (name == null || name.isEmpty()) {
      return "must not be empty";
    }
    if (name.length() > 256) {
      return "longer than 256 characters";
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '/') {
        return "must not contain '/'";
      }
      if (Character.isISOControl(c)) {
        return "must not contain control characters";
      }
      if (c == '\uFFFD') {
        // What a key that is not valid UTF-8 decodes to: such a key cannot be written back
        // under the same bytes, so it can be neither an item nor a member.
        return "must not contain U+FFFD (the replacement for bytes that are not UTF-8)";
      }
    }
    return null;
  }

  /**
   * Returns {@code root} if it is a valid root prefix: starts with {@code '/'}, does not end
   * with one, no empty segments.
   */
  public static String checkRoot(String root) {
    if (root == null || root.isEmpty()) {
      throw new IllegalArgumentException("invalid root: must not be empty");
    }
    if (!root.startsWith("/") || root.length() < 2) {
      throw new IllegalArgumentException("invalid root " + quote(root) + ": must start with '/' and name a prefix");
    }
    if (root.endsWith("/")) {
      throw new IllegalArgumentException("invalid root " + quote(root) + ": must not end with '/'");
    }
    for (String seg : root.substring(1).split("/", -1)) {
      String problem = problem(seg);
      if (problem != null) {
        throw new IllegalArgumentException("invalid root " + quote(root) + ": segment " + problem);
      }
    }
    return root;
  }

  private static String quote(String s) {
    return s == null ? "null" : "'" + s + "'";
  }
}
