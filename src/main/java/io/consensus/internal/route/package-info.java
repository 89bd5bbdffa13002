/**
 * The key layout ({@code Keys}), item enumeration ({@code Items}), name validation
 * ({@code Names}), the member directory ({@code MemberDirectory}), which decodes each member
 * key's value once per change ({@code MemberRecord}: metadata and reserved fields; it also
 * encodes the value a member writes), and the sliced patch of a watch update onto a view's
 * tree ({@code TreePatch}, shared by members and spectators), over the key tree: the
 * implementation behind {@code route} (its {@code RoutingTable}). Pure, no I/O. Not API: it
 * may change in any release.
 *
 * <p>May import: {@code tree}, {@code route}.
 */
package io.consensus.internal.route;
