package io.consensus.internal.member;

import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import java.util.function.Function;

/**
 * An event-bus codec for a {@link JsonObject} the sender hands over and never touches again: a
 * local receiver gets it as is. Vert.x's own codec deep-copies a JSON object on local delivery,
 * which for a 100,000-route table is hundreds of milliseconds in one handler. On the wire it is
 * the usual JSON codec.
 */
public final class HandedOverJson extends JsonDeliveryCodec<JsonObject> {
  public static final String NAME = "etcd-allocator.handed-over-json";

  private HandedOverJson() {
    super(NAME, Function.identity());
  }

  /** Registers the codec on {@code bus} unless it is there already (several members in one Vert.x). */
  public static void registerOn(EventBus bus) {
    registerOn(bus, new HandedOverJson());
  }
}
