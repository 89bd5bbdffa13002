package io.consensus.internal.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.consensus.internal.etcd.EtcdValues;
import io.consensus.tree.KeyEvent;
import io.etcd.jetcd.api.Event;
import io.etcd.jetcd.api.KeyValue;
import io.etcd.jetcd.api.ResponseHeader;
import io.etcd.jetcd.api.WatchResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link WatchFrame} reads what etcd's protobuf messages carry: the flags, the header's revision,
 * and events equal to those the watch made from protobuf's own parse before it ({@link #viaProtobuf}),
 * from any slice of a larger buffer.
 */
class WatchFrameTest {

  /**
   * An event as the watch converted protobuf's message before {@link WatchFrame}: key and value as
   * UTF-8, the previous key-value only when it existed, an unknown type refused.
   */
  static KeyEvent viaProtobuf(Event event) {
    KeyEvent.Type type = switch (event.getType()) {
      case PUT -> KeyEvent.Type.PUT;
      case DELETE -> KeyEvent.Type.DELETE;
      default -> throw new IllegalArgumentException("unknown event type " + event.getType());
    };
    io.consensus.tree.KeyValue prev = event.hasPrevKv() && event.getPrevKv().getVersion() > 0
        ? EtcdValues.keyValue(event.getPrevKv()) : null;
    return new KeyEvent(type, EtcdValues.keyValue(event.getKv()), prev);
  }

  private static KeyValue kv(String key, String value, long create, long mod, long version, long lease) {
    return KeyValue.newBuilder().setKey(ByteString.copyFromUtf8(key)).setValue(ByteString.copyFromUtf8(value))
        .setCreateRevision(create).setModRevision(mod).setVersion(version).setLease(lease).build();
  }

  private static WatchResponse randomResponse(Random rnd) {
    WatchResponse.Builder b = WatchResponse.newBuilder()
        .setHeader(ResponseHeader.newBuilder().setClusterId(9).setMemberId(8).setRevision(100 + rnd.nextInt(1000))
            .setRaftTerm(3))
        .setWatchId(rnd.nextInt(5));
    long rev = 50;
    for (int i = 0; i < rnd.nextInt(300); i++) {
      if (rnd.nextInt(4) == 0) {
        rev++;
      }
      String key = "/root/items/item-" + rnd.nextInt(1000) + (rnd.nextBoolean() ? "/m" + rnd.nextInt(9) : "");
      String value = switch (rnd.nextInt(4)) {
        case 0 -> "";
        case 1 -> "ready";
        case 2 -> "{\"zone\":\"zü\",\"n\":" + rnd.nextInt() + "}"; // not only ASCII
        default -> "loading";
      };
      Event.Builder e = Event.newBuilder().setKv(kv(key, value, rev - rnd.nextInt(10), rev, 1 + rnd.nextInt(3),
          rnd.nextInt(3) == 0 ? 0 : 7_000_000_000L + rnd.nextInt(100)));
      if (rnd.nextBoolean()) {
        e.setType(Event.EventType.DELETE);
      }
      switch (rnd.nextInt(3)) {
        case 0 -> e.setPrevKv(kv(key, "old", rev - 20, rev - 1, 2, 5));
        case 1 -> e.setPrevKv(KeyValue.getDefaultInstance()); // what etcd sends for a creation
        default -> { }
      }
      b.addEvents(e);
    }
    if (rnd.nextInt(5) == 0) {
      b.setCreated(true);
    }
    if (rnd.nextInt(7) == 0) {
      b.setCanceled(true).setCompactRevision(rnd.nextInt(40)).setCancelReason("mvcc: required revision has been compacted");
    }
    if (rnd.nextInt(3) == 0) { // etcd 3.4's fragment flag, unknown to jetcd's stubs
      b.setUnknownFields(UnknownFieldSet.newBuilder()
          .addField(7, UnknownFieldSet.Field.newBuilder().addVarint(1).build()).build());
    }
    return b.build();
  }

  @Test
  void readsWhatProtobufReads() throws Exception {
    Random rnd = new Random(11);
    for (int round = 0; round < 200; round++) {
      WatchResponse resp = randomResponse(rnd);
      byte[] raw = resp.toByteArray();
      // A slice of a larger buffer, as a received frame is.
      byte[] framed = new byte[raw.length + 17];
      System.arraycopy(raw, 0, framed, 9, raw.length);
      WatchFrame f = WatchFrame.parse(framed, 9, raw.length);

      assertThat(f.revision).isEqualTo(resp.getHeader().getRevision());
      assertThat(f.created).isEqualTo(resp.getCreated());
      assertThat(f.canceled).isEqualTo(resp.getCanceled());
      assertThat(f.compactRevision).isEqualTo(resp.getCompactRevision());
      assertThat(f.cancelReason).isEqualTo(resp.getCancelReason());
      assertThat(f.fragment).isEqualTo(!resp.getUnknownFields().getField(7).getVarintList().isEmpty());
      assertThat(f.eventCount()).isEqualTo(resp.getEventsCount());
      List<KeyEvent> expected = new ArrayList<>();
      List<KeyEvent> got = new ArrayList<>();
      for (int i = 0; i < resp.getEventsCount(); i++) {
        assertThat(f.modRevision(i)).isEqualTo(resp.getEvents(i).getKv().getModRevision());
        expected.add(viaProtobuf(resp.getEvents(i)));
      }
      for (WatchFrame.Raw r : f.events(0, f.eventCount())) {
        got.add(r.toKeyEvent());
      }
      assertThat(got).isEqualTo(expected);
    }
  }

  @Test
  void aMissingKvIsAnEmptyOneAndAnUnknownTypeFails() throws Exception {
    WatchResponse resp = WatchResponse.newBuilder()
        .addEvents(Event.newBuilder().setType(Event.EventType.DELETE))
        .addEvents(Event.newBuilder().setTypeValue(7).setKv(kv("/k", "v", 1, 2, 1, 0)))
        .build();
    byte[] raw = resp.toByteArray();
    WatchFrame f = WatchFrame.parse(raw, 0, raw.length);
    assertThat(f.events(0, 1).get(0).toKeyEvent()).isEqualTo(viaProtobuf(resp.getEvents(0)));
    assertThat(f.modRevision(1)).isEqualTo(2);
    assertThatThrownBy(() -> f.events(1, 2).get(0).toKeyEvent()).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown event type");
    assertThatThrownBy(() -> viaProtobuf(resp.getEvents(1))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void truncatedBytesDoNotParse() {
    byte[] raw = randomResponse(new Random(3)).toByteArray();
    assertThatThrownBy(() -> WatchFrame.parse(raw, 0, raw.length - 3)).isInstanceOf(java.io.IOException.class);
  }
}
