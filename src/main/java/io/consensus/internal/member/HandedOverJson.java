package io.consensus.internal.member;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.eventbus.impl.codecs.JsonObjectMessageCodec;
import io.vertx.core.json.JsonObject;

/**
 * An event-bus codec for a {@link JsonObject} the sender hands over and never touches again: a
 * local receiver gets it as is. Vert.x's own codec deep-copies a JSON object on local delivery,
 * which for a 100,000-route table is hundreds of milliseconds in one handler. On the wire it is
 * the usual JSON codec.
 */
public final class HandedOverJson implements MessageCodec<JsonObject, JsonObject> {
  public static final String NAME = "etcd-allocator.handed-over-json";
  private static final JsonObjectMessageCodec WIRE = new JsonObjectMessageCodec();

  /** Registers the codec on {@code bus} unless it is there already (several members in one Vert.x). */
  public static void registerOn(EventBus bus) {
    try {
      bus.registerCodec(new HandedOverJson());
    } catch (IllegalStateException alreadyRegistered) {
      // another member of this Vert.x registered it
    }
  }

  @Override
  public void encodeToWire(Buffer buffer, JsonObject json) {
    WIRE.encodeToWire(buffer, json);
  }

  @Override
  public JsonObject decodeFromWire(int pos, Buffer buffer) {
    return WIRE.decodeFromWire(pos, buffer);
  }

  @Override
  public JsonObject transform(JsonObject json) {
    return json;
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
