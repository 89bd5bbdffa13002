/**
 * Routing for processes that are not members: {@link io.consensus.spectator.RoutingTableVerticle}
 * watches a root, takes no lease and writes nothing, and keeps the full route table with every
 * member's metadata as an immutable {@link io.consensus.spectator.RoutingTable} (who masters
 * item X and how to reach it), publishing route changes for all items on the event bus.
 *
 * <p>May import: {@code tree}, {@code route}, {@code config}, {@code etcd} (EtcdClientOptions), {@code verticle} (the route
 * change message), {@code internal.allocation} (which items an event touches), {@code internal.etcd},
 * {@code internal.watch}, {@code internal.route}, {@code internal.config}.
 */
package io.consensus.spectator;
