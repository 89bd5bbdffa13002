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
 */
public record RouteEntry(String member, String state, long createRevision, long modRevision, long lease) {
  public RouteEntry {
    Objects.requireNonNull(member, "member");
    Objects.requireNonNull(state, "state");
  }
}
