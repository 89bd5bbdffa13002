package io.consensus.verticle;

/**
 * The member key {@code ROOT/members/<member>} already exists: another process (or an earlier
 * incarnation whose lease has not expired yet) runs as this member. Set {@code waitForMemberSeconds} to wait for it to go.
 */
public final class MemberExistsException extends RuntimeException {
  private final String key;

  public MemberExistsException(String key) {
    super("Allocator member key exists: " + key);
    this.key = key;
  }

  public String key() {
    return key;
  }
}
