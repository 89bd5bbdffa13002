package io.consensus.internal.member;

import io.consensus.verticle.RouteChange;
import io.vertx.core.eventbus.EventBus;

/**
 * An event-bus codec that publishes a {@link RouteChange} and delivers its JSON: Vert.x turns the
 * value into JSON ({@link RouteChange#toJson}) only for a consumer that receives it, so that a
 * member whose route address nobody listens to builds no JSON at all (it was a fifth of a
 * converging member's allocations), and each consumer still gets a JSON object of its own. On the
 * wire (never used: route changes are published local-only) it is that JSON.
 */
public final class RouteChangeJson extends JsonDeliveryCodec<RouteChange> {
  public static final String NAME = "etcd-allocator.route-change-json";

  private RouteChangeJson() {
    super(NAME, RouteChange::toJson);
  }

  /** Registers the codec on {@code bus} unless it is there already (several members in one Vert.x). */
  public static void registerOn(EventBus bus) {
    registerOn(bus, new RouteChangeJson());
  }
}
