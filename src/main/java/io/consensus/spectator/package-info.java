/**
 * Routing for processes that are not members: {@link io.consensus.spectator.RoutingTableVerticle}
 * watches a root, takes no lease and writes nothing, and keeps the full route table with every
 * member's metadata as an immutable {@link io.consensus.route.RoutingTable} (who masters
 * item X and how to reach it; the model members keep too), publishing route changes for all
 * items on the event bus.
 *
 * <p>May import: {@code tree}, {@code route}, {@code config}, {@code etcd} (EtcdClientOptions), {@code verticle} (the route
 * change message), {@code internal.member} (only {@code LoopSlices}: its update work runs in the
 * member's slices), {@code internal.etcd},
 * {@code internal.watch}, {@code internal.route}, {@code internal.config}.
 */
package io.consensus.spectator;
