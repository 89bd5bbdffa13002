/**
 * Public API: the values routes are made of: {@code Route}, {@code RouteEntry}, {@code Role},
 * {@code MemberInfo} (a member's metadata), and {@code RoutingTable}: the whole fleet's routes at
 * one revision, the one routing-table model that members, spectators, the status page and the
 * admin CLI read, kept per watch update by its {@code RoutingTable.Update}. Immutable, no I/O.
 * The key layout, validation and tree patching behind them are in {@code internal.route} (its
 * implementation).
 *
 * <p>May import: {@code tree}, {@code internal.route}.
 */
package io.consensus.route;
