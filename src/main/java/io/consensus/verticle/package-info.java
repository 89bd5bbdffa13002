/**
 * Public API: one allocator member as a Vert.x verticle. {@code AllocatorVerticle} joins the
 * fleet, watches the keyspace, applies the allocation rules through etcd transactions, keeps its
 * lease, and tells the application ({@code ItemHandler}, event-bus {@code RouteChange}s) about
 * its routes; {@code AllocatorOptions} configures it; {@code AllocatorEvent} marks milestones;
 * {@code AllocatorStats}, {@code AllocatorHealth} (the immutable health snapshot) and
 * {@code EventLoopLag} (its event-loop lag figures) serve
 * metrics and health checks. The implementation is in {@code internal.member}.
 *
 * <p>May import: {@code tree}, {@code route}, {@code etcd}, {@code config} and the
 * implementation: {@code internal.member}, {@code internal.allocation}, {@code internal.etcd},
 * {@code internal.watch}, {@code internal.lease}, {@code internal.route}, {@code internal.config}.
 */
package io.consensus.verticle;
