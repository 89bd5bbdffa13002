/**
 * One allocator member as a Vert.x verticle: {@code AllocatorVerticle} joins the fleet, watches
 * the keyspace, applies the rules of {@code allocation} through etcd transactions, keeps its
 * lease, and tells the application ({@code ItemHandler}, event-bus {@code RouteChange}s) about
 * its routes; {@code AllocatorOptions} configures it. {@code MemberValue} and
 * {@code JsonSpecReader} write and read the member spec in member keys and the replica count in
 * item markers; {@code FleetControl} switches drains and maintenance mode.
 *
 * <p>May import: {@code tree}, {@code route}, {@code allocation}, {@code etcd}, {@code watch},
 * {@code lease}, {@code ring}, {@code config}.
 */
package io.consensus.verticle;
