package io.consensus.admin;

/** An admin operation refused: bad input, a missing item, or a conflict. Nothing was written. */
public final class AdminException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Why the operation was refused. */
  public enum Kind {
    /** Invalid name or argument. */
    BAD_INPUT,
    /** The item does not exist. */
    NOT_FOUND,
    /** The item exists already, or is fixed in the configuration. */
    CONFLICT
  }

  private final Kind kind;

  public AdminException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
