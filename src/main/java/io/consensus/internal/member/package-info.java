/**
 * The implementation behind {@code verticle}'s {@code AllocatorVerticle}: {@code EntryWriter}
 * (compare-guarded entry transactions), {@code MemberRegistration} (lease and member key at
 * join, and the member key value it writes), {@code JsonSpecReader} (the member spec in member
 * keys and the replica count in item markers), {@code RouteTable} and {@code RouteDelivery} (the member's
 * routes and their publication), {@code HeldItemStates} (local states of held items and which
 * need writing), {@code RestartExit} and {@code GraceLease} (a stop for a restart),
 * {@code PlacementNotes} (drain, maintenance and shortfall as the view shows them),
 * {@code FleetControl} (drains and maintenance mode), {@code LoopLagMeter} (how late timers run
 * on the allocator's and the keeper's event loops) and {@code LoopSlices} (the member's update
 * work in bounded slices that yield to its event loop), {@code HandedOverJson} (an event-bus
 * reply handed over without Vert.x's deep copy). Not API: it may change in any release.
 *
 * <p>May import: {@code etcd}, {@code ring}, {@code route}, {@code verticle} (the API types it
 * implements), {@code internal.allocation}, {@code internal.etcd}, {@code internal.lease},
 * {@code internal.route}.
 */
package io.consensus.internal.member;
