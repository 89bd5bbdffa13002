package io.consensus.internal.route;

/**
 * The key layout under a root prefix ROOT.
 *
 * <pre>
 * ROOT/members/&lt;member&gt;         member metadata, on the member's lease
 * ROOT/items/&lt;item&gt;             item marker, no lease
 * ROOT/items/&lt;item&gt;/&lt;member&gt;    entry: the member's state for the item, on its lease
 * ROOT/items/&lt;item&gt;/&lt;member&gt;/moved  the same entry after it moved behind the others in place
 * ROOT/restarts/&lt;member&gt;        a restart declared on the way out: the lease its entries wait on
 * ROOT/drained/&lt;member&gt;         an operator's drain of the member, no lease
 * ROOT/maintenance              present: maintenance mode (no balancing moves), no lease
 * </pre>
 *
 * <p>Route order is the entry's create revision (for a directory, the smallest beneath it). A
 * member moves its entry behind the others without giving it up by deleting its current key and
 * creating the other one of the pair in one transaction (etcd refuses two operations on one key
 * in one transaction, hence two keys).
 */
public final class Keys {
  /** Directory of member announcements. */
  public static final String MEMBER_PREFIX = "members";
  /** Directory of allocated items. */
  public static final String ITEMS_PREFIX = "items";
  /** The items directory's path below ROOT, as a {@code TouchedNodes} collecting the items has it. */
  public static final java.util.List<String> ITEMS_PATH = java.util.List.of(ITEMS_PREFIX);
  /** Directory of declared restarts. */
  public static final String RESTARTS_PREFIX = "restarts";
  /** Directory of operators' drains. */
  public static final String DRAINED_PREFIX = "drained";
  /** The maintenance-mode key under ROOT. */
  public static final String MAINTENANCE = "maintenance";
  /** Last segment of an entry's moved key. */
  public static final String MOVED = "moved";

  private final String root;

  /** The layout under {@code root}, validated by {@link Names#checkRoot(String)}. */
  public Keys(String root) {
    this.root = Names.checkRoot(root);
  }

  public String root() {
    return root;
  }

  /** {@code ROOT/} : the prefix to watch (the slash keeps {@code ROOTx} out). */
  public String rootPrefix() {
    return root + "/";
  }

  public String membersPrefix() {
    return root + "/" + MEMBER_PREFIX + "/";
  }

  public String member(String member) {
    return membersPrefix() + Names.check("member", member);
  }

  public String itemsPrefix() {
    return root + "/" + ITEMS_PREFIX + "/";
  }

  /** The item marker key. */
  public String item(String item) {
    return itemsPrefix() + Names.check("item", item);
  }

  /** The prefix of an item's entries: {@code ROOT/items/<item>/} (never the bare marker). */
  public String itemEntriesPrefix(String item) {
    return item(item) + "/";
  }

  /** A member's entry key for an item. */
  public String entry(String item, String member) {
    return itemEntriesPrefix(item) + Names.check("member", member);
  }

  /** The other key a member's entry lives at after moving behind the others in place. */
  public String movedEntry(String item, String member) {
    return entry(item, member) + "/" + MOVED;
  }

  /** The key of an entry: {@link #movedEntry} when {@code moved}, else {@link #entry}. */
  public String entry(String item, String member, boolean moved) {
    return moved ? movedEntry(item, member) : entry(item, member);
  }

  /** An operator's drain of {@code member}: present = the member takes nothing and hands off all. */
  public String drained(String member) {
    return root + "/" + DRAINED_PREFIX + "/" + Names.check("member", member);
  }

  /** The maintenance-mode key: present = members make no balancing moves. */
  public String maintenance() {
    return root + "/" + MAINTENANCE;
  }

  /** The restart declaration of {@code member}. */
  public String restart(String member) {
    return root + "/" + RESTARTS_PREFIX + "/" + Names.check("member", member);
  }
}
