/**
 * One allocator member as a Vert.x verticle: {@code AllocatorVerticle} joins the fleet, watches
 * the keyspace, applies the rules of {@code allocation} through etcd transactions, keeps its
 * lease, and tells the application ({@code ItemHandler}, event-bus {@code RouteChange}s) about
 * its routes; {@code AllocatorOptions} configures it.
 *
 * <p>May import: {@code tree}, {@code route}, {@code allocation}, {@code etcd}, {@code watch},
 * {@code lease}, {@code ring}, {@code config}.
 */
package io.consensus.verticle;
