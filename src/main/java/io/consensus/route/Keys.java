package io.consensus.route;

/**
 * The key layout under a root prefix ROOT.
 *
 * <pre>
 * ROOT/members/&lt;member&gt;         member metadata, on the member's lease
 * ROOT/items/&lt;item&gt;             item marker, no lease
 * ROOT/items/&lt;item&gt;/&lt;member&gt;    entry: the member's state for the item, on its lease
 * </pre>
 */
public final class Keys {
  /** Directory of member announcements. */
  public static final String MEMBER_PREFIX = "members";
  /** Directory of allocated items. */
  public static final String ITEMS_PREFIX = "items";

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
}
