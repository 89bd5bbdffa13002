/**
 * The key layout ({@code Keys}), item enumeration ({@code Items}), name validation
 * ({@code Names}) and the member directory ({@code MemberDirectory}) over the key tree, which
 * decodes each member key's value once per change ({@code MemberRecord}: metadata and reserved
 * fields; it also encodes the value a member writes). Pure, no I/O. Not API: it may change in
 * any release.
 *
 * <p>May import: {@code tree}, {@code route}.
 */
package io.consensus.internal.route;
