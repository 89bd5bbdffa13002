package io.consensus.internal.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.Event;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.KeyValue;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.RangeResponse;
import io.etcd.jetcd.api.WatchGrpc;
import io.etcd.jetcd.api.WatchResponse;
import io.vertx.core.buffer.Buffer;
import io.vertx.grpc.common.CodecException;
import io.vertx.grpc.common.GrpcMessage;
import io.vertx.grpc.common.ServiceMethod;
import org.junit.jupiter.api.Test;

/** The array codecs read what protobuf wrote, from any slice of a received buffer; bad bytes fail as the bridge's would. */
class ArrayCodecsTest {

  private static WatchResponse bigWatchResponse() {
    WatchResponse.Builder b = WatchResponse.newBuilder().setWatchId(7);
    for (int i = 0; i < 20_000; i++) { // ~1 MB: more than protobuf's 4 KB stream buffer many times over
      b.addEvents(Event.newBuilder().setType(Event.EventType.DELETE)
          .setKv(KeyValue.newBuilder().setKey(ByteString.copyFromUtf8("/root/items/item-" + i + "/m1"))
              .setModRevision(99)));
    }
    return b.build();
  }

  @Test
  void decodesAResponseAsTheMethodsOwnParserDoes() {
    ServiceMethod<WatchResponse, ?> m = ArrayCodecs.of(WatchGrpc.getWatchMethod());
    WatchResponse sent = bigWatchResponse();
    WatchResponse got = m.decoder().decode(GrpcMessage.message("identity", Buffer.buffer(sent.toByteArray())));
    assertThat(got).isEqualTo(sent);
    assertThat(m.fullMethodName()).isEqualTo(WatchGrpc.getWatchMethod().getFullMethodName());
    assertThat(ArrayCodecs.of(WatchGrpc.getWatchMethod())).isSameAs(m);
  }

  @Test
  void readsOnlyThePayloadsOwnSliceOfALargerBuffer() {
    RangeResponse sent = RangeResponse.newBuilder().setCount(3)
        .addKvs(KeyValue.newBuilder().setKey(ByteString.copyFromUtf8("/a")).setValue(ByteString.copyFromUtf8("v")))
        .build();
    byte[] bytes = sent.toByteArray();
    Buffer frame = Buffer.buffer().appendString("junk before").appendBytes(bytes).appendString("junk after");
    Buffer payload = frame.slice(11, 11 + bytes.length);
    ServiceMethod<RangeResponse, RangeRequest> m = ArrayCodecs.of(KVGrpc.getRangeMethod());
    assertThat(m.decoder().decode(GrpcMessage.message("identity", payload))).isEqualTo(sent);
  }

  @Test
  void badBytesAreACodecError() {
    ServiceMethod<RangeResponse, RangeRequest> m = ArrayCodecs.of(KVGrpc.getRangeMethod());
    Buffer bad = Buffer.buffer(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff});
    assertThatThrownBy(() -> m.decoder().decode(GrpcMessage.message("identity", bad)))
        .isInstanceOf(CodecException.class);
  }

  @Test
  void encodesARequestAsProtobufDoes() {
    RangeRequest req = RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("/k")).setLimit(5).build();
    GrpcMessage msg = ArrayCodecs.of(KVGrpc.getRangeMethod()).encoder().encode(req);
    assertThat(msg.payload().getBytes()).isEqualTo(req.toByteArray());
  }
}
