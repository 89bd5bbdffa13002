package io.consensus.internal.member;

import io.consensus.verticle.RouteChange;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.eventbus.impl.codecs.JsonObjectMessageCodec;
import io.vertx.core.json.JsonObject;

/**
 * An event-bus codec that publishes a {@link RouteChange} and delivers its JSON: Vert.x turns the
 * value into JSON ({@link RouteChange#toJson}) only for a consumer that receives it, so that a
 * member whose route address nobody listens to builds no JSON at all (it was a fifth of a
 * converging member's allocations), and each consumer still gets a JSON object of its own. On the
 * wire (never used: route changes are published local-only) it is that JSON.
 */
public final class RouteChangeJson implements MessageCodec<RouteChange, JsonObject> {
  public static final String NAME = "etcd-allocator.route-change-json";
  private static final JsonObjectMessageCodec WIRE = new JsonObjectMessageCodec();

  /** Registers the codec on {@code bus} unless it is there already (several members in one Vert.x). */
  public static void registerOn(EventBus bus) {
    try {
      bus.registerCodec(new RouteChangeJson());
    } catch (IllegalStateException alreadyRegistered) {
      // another member of this Vert.x registered it
    }
  }

  @Override
  public void encodeToWire(Buffer buffer, RouteChange change) {
    WIRE.encodeToWire(buffer, change.toJson());
  }

  @Override
  public JsonObject decodeFromWire(int pos, Buffer buffer) {
    return WIRE.decodeFromWire(pos, buffer);
  }

  @Override
  public JsonObject transform(RouteChange change) {
    return change.toJson();
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
