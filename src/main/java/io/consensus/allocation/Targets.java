package io.consensus.allocation;

/**
 * How many items a member wants: {@code masters = ceil(N / M)} and
 * {@code total = masters * (R + 1)} while it holds its member key; 0 and 0 once the key is
 * gone (shutting down).
 *
 * @param masters items this member wants to master
 * @param total   entries (master + replica) this member wants in all
 */
public record Targets(int masters, int total) {

  /**
   * Targets for {@code items} items over {@code members} members with {@code replicas}
   * replicas.
   */
  public static Targets of(int items, int members, int replicas, boolean memberPresent) {
    if (!memberPresent || members <= 0 || items <= 0) {
      return new Targets(0, 0);
    }
    int masters = (items + members - 1) / members;
    return new Targets(masters, masters * (replicas + 1));
  }
}
