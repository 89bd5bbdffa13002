/**
 * One allocator member as a Vert.x verticle: {@code AllocatorVerticle} joins the fleet, watches
 * the keyspace, applies the rules of {@code allocation} through etcd transactions, keeps its
 * lease, and tells the application ({@code ItemHandler}, event-bus {@code RouteChange}s) about
 * its routes; {@code AllocatorOptions} configures it. {@code MemberValue} and
 * {@code JsonSpecReader} write and read the member spec in member keys and the replica count in
 * item markers; {@code FleetControl} switches drains and maintenance mode;
 * {@code HeldItemStates} tracks the local states of held items (reported or from the handler)
 * and which of them need writing; {@code RestartExit} is a stop for a restart (the declared
 * grace lease its replica entries wait on); {@code PlacementNotes} notes (and logs) drain,
 * maintenance and the capacity shortfall as the member's view shows them;
 * {@code AllocatorHealth} is the immutable health and stats snapshot the verticle publishes for
 * health checks and metrics.
 *
 * <p>May import: {@code tree}, {@code route}, {@code allocation}, {@code etcd}, {@code watch},
 * {@code lease}, {@code ring}, {@code config}.
 */
package io.consensus.verticle;
