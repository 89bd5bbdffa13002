package io.consensus.route;

import java.util.Objects;

/**
 * One position of a route: a member's entry {@code ROOT/items/<item>/<member>}.
 *
 * @param member         the member name (the entry key's last segment)
 * @param state          the member's state string for the item ({@code ""} for an entry
 *                       that only exists as a directory of deeper keys)
 * @param createRevision create revision ordering the route; for an entry with deeper keys,
 *                       the smallest create revision beneath it. The master's is a
 *                       fencing token: it only grows for an item.
 * @param modRevision    mod revision of the entry key (0 when only deeper keys exist)
 * @param lease          the entry key's lease (0 when none)
 * @param moved          whether the entry lives at its moved key
 *                       {@code ROOT/items/<item>/<member>/moved} rather than at
 *                       {@code ROOT/items/<item>/<member>}: an entry that moved behind the others
 *                       in place alternates between the two keys (see {@link Keys#movedEntry})
 */
public record RouteEntry(String member, String state, long createRevision, long modRevision, long lease,
    boolean moved) {
  public RouteEntry {
    Objects.requireNonNull(member, "member");
    Objects.requireNonNull(state, "state");
  }

  /** An entry at its plain key {@code ROOT/items/<item>/<member>}. */
  public RouteEntry(String member, String state, long createRevision, long modRevision, long lease) {
    this(member, state, createRevision, modRevision, lease, false);
  }
}
