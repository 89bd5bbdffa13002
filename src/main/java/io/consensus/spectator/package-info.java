/**
 * Routing for processes that are not members: {@link io.consensus.spectator.RoutingTableVerticle}
 * watches a root, takes no lease and writes nothing, and keeps the full route table with every
 * member's metadata as an immutable {@link io.consensus.spectator.RoutingTable} (who masters
 * item X and how to reach it), publishing route changes for all items on the event bus.
 */
package io.consensus.spectator;
