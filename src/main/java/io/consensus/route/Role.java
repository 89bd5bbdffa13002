package io.consensus.route;

/** What a member is for an item, by its position in the item's route. */
public enum Role {
  /** Index 0: serves the item. */
  MASTER,
  /** Index 1..R: follows the master, ready to take over. */
  REPLICA,
  /** Index beyond R: lost an allocation race; its owner releases it. */
  EXTRA,
  /** No entry for the item. */
  NONE;

  /** The role at route position {@code index} (-1 for none) with {@code replicas} replicas. */
  public static Role of(int index, int replicas) {
    if (index < 0) {
      return NONE;
    }
    if (index == 0) {
      return MASTER;
    }
    return index <= replicas ? REPLICA : EXTRA;
  }
}
