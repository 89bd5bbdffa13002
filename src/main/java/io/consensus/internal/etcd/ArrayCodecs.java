package io.consensus.internal.etcd;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import io.grpc.MethodDescriptor;
import io.netty.buffer.ByteBuf;
import io.vertx.grpc.common.CodecException;
import io.vertx.grpc.common.GrpcMessage;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.ServiceName;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The client side of an etcd method with protobuf codecs that read a response straight from
 * its received bytes. vertx-grpc's bridge for a {@link MethodDescriptor} copies each payload
 * into an array and hands the marshaller a stream of it, which protobuf then reads through a
 * 4 KB buffer of its own: a second copy, in 4 KB steps, of every watch response (a dead
 * member's revoke is a response of megabytes), and 2-3 % of a converging member's event-loop
 * CPU. Compressed payloads (etcd sends none unless asked) keep the bridge's path.
 */
public final class ArrayCodecs {
  // By descriptor (identity: descriptors are constants), not by name: the watch has two, jetcd's
  // and one with our own reader for its responses.
  private static final Map<MethodDescriptor<?, ?>, ServiceMethod<?, ?>> METHODS = new ConcurrentHashMap<>();

  private ArrayCodecs() {
  }

  /**
   * A response marshaller that reads its message from a range of an array: given the received
   * bytes directly (a reader of its own, such as the watch's, that skips protobuf's objects).
   */
  public interface ArrayParser<T> {
    T parse(byte[] bytes, int offset, int length) throws java.io.IOException;
  }

  /** {@code method} for vertx-grpc-client, with array codecs when its marshallers are protobuf's. */
  @SuppressWarnings("unchecked")
  static <Req, Resp> ServiceMethod<Resp, Req> of(MethodDescriptor<Req, Resp> method) {
    return (ServiceMethod<Resp, Req>) METHODS.computeIfAbsent(method, m -> build(method));
  }

  private static <Req, Resp> ServiceMethod<Resp, Req> build(MethodDescriptor<Req, Resp> method) {
    GrpcMessageEncoder<Req> encoder = GrpcMessageEncoder.marshaller(method.getRequestMarshaller());
    GrpcMessageDecoder<Resp> bridge = GrpcMessageDecoder.unmarshaller(method.getResponseMarshaller());
    ArrayParser<Resp> reader = arrayParser(method.getResponseMarshaller());
    GrpcMessageDecoder<Resp> decoder = reader == null ? bridge
        : msg -> "identity".equals(msg.encoding()) ? read(reader, msg) : bridge.decode(msg);
    return ServiceMethod.client(ServiceName.create(method.getServiceName()), method.getBareMethodName(), encoder,
        decoder);
  }

  /** The marshaller's own array reader, else protobuf's parser over an array; null for neither. */
  @SuppressWarnings("unchecked")
  private static <T> ArrayParser<T> arrayParser(MethodDescriptor.Marshaller<T> marshaller) {
    if (marshaller instanceof ArrayParser<?> reader) {
      return (ArrayParser<T>) reader;
    }
    if (marshaller instanceof MethodDescriptor.PrototypeMarshaller<T> p
        && p.getMessagePrototype() instanceof MessageLite prototype) {
      Parser<T> parser = (Parser<T>) prototype.getParserForType();
      return (bytes, offset, length) -> {
        CodedInputStream in = CodedInputStream.newInstance(bytes, offset, length);
        // Large messages: etcd's own limit applies, not protobuf's 64 MB default for a stream.
        in.setSizeLimit(Integer.MAX_VALUE);
        T out = parser.parseFrom(in);
        in.checkLastTagWas(0);
        return out;
      };
    }
    return null;
  }

  /** {@code msg}'s payload read from the array it arrived in (copied only when it is not on the heap). */
  private static <T> T read(ArrayParser<T> reader, GrpcMessage msg) {
    ByteBuf buf = msg.payload().getByteBuf();
    try {
      if (buf.hasArray()) {
        return reader.parse(buf.array(), buf.arrayOffset() + buf.readerIndex(), buf.readableBytes());
      }
      byte[] copy = new byte[buf.readableBytes()];
      buf.getBytes(buf.readerIndex(), copy);
      return reader.parse(copy, 0, copy.length);
    } catch (java.io.IOException e) {
      throw new CodecException(e);
    }
  }
}
