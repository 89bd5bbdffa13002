package io.consensus.internal.member;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.eventbus.impl.codecs.JsonObjectMessageCodec;
import io.vertx.core.json.JsonObject;
import java.util.function.Function;

/**
 * An event-bus codec that delivers a {@link JsonObject} made from the sent value by
 * {@code toJson}, once per local receiver; on the wire it is the usual JSON codec. The member's
 * codecs ({@link HandedOverJson}, {@link RouteChangeJson}) differ only in that function.
 */
abstract class JsonDeliveryCodec<T> implements MessageCodec<T, JsonObject> {
  private static final JsonObjectMessageCodec WIRE = new JsonObjectMessageCodec();
  private final String name;
  private final Function<T, JsonObject> toJson;

  JsonDeliveryCodec(String name, Function<T, JsonObject> toJson) {
    this.name = name;
    this.toJson = toJson;
  }

  /** Registers {@code codec} on {@code bus} unless it is there already (several members in one Vert.x). */
  static void registerOn(EventBus bus, JsonDeliveryCodec<?> codec) {
    try {
      bus.registerCodec(codec);
    } catch (IllegalStateException alreadyRegistered) {
      // another member of this Vert.x registered it
    }
  }

  @Override
  public void encodeToWire(Buffer buffer, T value) {
    WIRE.encodeToWire(buffer, toJson.apply(value));
  }

  @Override
  public JsonObject decodeFromWire(int pos, Buffer buffer) {
    return WIRE.decodeFromWire(pos, buffer);
  }

  @Override
  public JsonObject transform(T value) {
    return toJson.apply(value);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
