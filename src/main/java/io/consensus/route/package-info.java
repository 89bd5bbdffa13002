/**
 * Public API: the values routes are made of: {@code Route}, {@code RouteEntry}, {@code Role},
 * {@code MemberInfo} (a member's metadata). Immutable, no I/O. The key layout and validation
 * behind them are in {@code internal.route}.
 *
 * <p>May import: {@code tree}.
 */
package io.consensus.route;
