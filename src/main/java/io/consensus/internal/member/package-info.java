/**
 * The implementation behind {@code verticle}'s {@code AllocatorVerticle}: {@code EntryWriter}
 * (compare-guarded entry transactions), {@code MemberRegistration} (lease and member key at
 * join, and the member key value it writes), {@code JsonSpecReader} (the member spec in member
 * keys and the replica count in item markers), {@code PublishedRoutes} and {@code RouteDelivery}
 * (the routes the member told its application, and the telling), {@code LiveRoutingTable} (the
 * fleet's {@code route.RoutingTable} as the member's view shows it, kept per watch update),
 * {@code HeldItemStates} (local states of held items and which
 * need writing), {@code RestartExit} and {@code GraceLease} (a stop for a restart),
 * {@code FleetNotices} (drain, maintenance and shortfall as the view shows them),
 * {@code FleetControl} (drains and maintenance mode), {@code LoopLagMeter} (how late timers run
 * on the allocator's and the keeper's event loops) and {@code LoopSlices} (update work in bounded
 * slices that yield to the event loop: the member's and the spectator's), {@code HandedOverJson} (an event-bus
 * reply handed over without Vert.x's deep copy), {@code RouteChangeJson} (route changes published
 * as values, turned into JSON only for a consumer that receives one), {@code EtcdBufferRelief} (a
 * throwaway lease after a revision of many keys, so that etcd 3.4 drops the read buffer it grew). Not API: it may change in any release.
 *
 * <p>May import: {@code etcd}, {@code ring}, {@code route}, {@code tree}, {@code verticle} (the API types it
 * implements), {@code internal.allocation}, {@code internal.etcd}, {@code internal.lease},
 * {@code internal.route}.
 */
package io.consensus.internal.member;
