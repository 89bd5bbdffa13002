package io.consensus.internal.watch;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import io.consensus.internal.etcd.ArrayCodecs;
import io.consensus.tree.KeyEvent;
import io.consensus.tree.KeyValue;
import io.etcd.jetcd.api.WatchGrpc;
import io.etcd.jetcd.api.WatchRequest;
import io.grpc.MethodDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;
import java.util.RandomAccess;

/**
 * One etcd watch response ({@code etcdserverpb.WatchResponse}) read from its bytes without
 * protobuf's message objects: its flags, its header's revision, and each event's place in the
 * bytes with its key's mod revision (all {@link RetryWatcher} looks at on arrival). An event
 * becomes a {@link KeyEvent} only when its reader asks ({@link ConvertedOnDemand}), parsed once
 * from its own bytes. protobuf's generated parser built a builder and a message per event and per
 * key-value, and copied every key and value into a {@code ByteString} before we copied them into
 * strings (3-7 % of the bytes a converging member's loops allocate per item, measured).
 *
 * <p>Fields, from etcd 3.4's {@code rpc.proto}: WatchResponse {header 1, watch_id 2, created 3,
 * canceled 4, compact_revision 5, cancel_reason 6, fragment 7, events 11}, ResponseHeader
 * {revision 3}, Event {type 1, kv 2, prev_kv 3}, KeyValue {key 1, create_revision 2,
 * mod_revision 3, version 4, value 5, lease 6}. Any other field is skipped, as protobuf would.
 */
final class WatchFrame {
  /** The Watch method with this reader for its responses. */
  static final MethodDescriptor<WatchRequest, WatchFrame> METHOD = WatchGrpc.getWatchMethod()
      .toBuilder(WatchGrpc.getWatchMethod().getRequestMarshaller(), new Reader()).build();

  private static final int HEADER = tag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED);
  private static final int CREATED = tag(3, WireFormat.WIRETYPE_VARINT);
  private static final int CANCELED = tag(4, WireFormat.WIRETYPE_VARINT);
  private static final int COMPACT_REVISION = tag(5, WireFormat.WIRETYPE_VARINT);
  private static final int CANCEL_REASON = tag(6, WireFormat.WIRETYPE_LENGTH_DELIMITED);
  private static final int FRAGMENT = tag(7, WireFormat.WIRETYPE_VARINT);
  private static final int EVENTS = tag(11, WireFormat.WIRETYPE_LENGTH_DELIMITED);
  private static final int HEADER_REVISION = tag(3, WireFormat.WIRETYPE_VARINT);
  private static final int EVENT_TYPE = tag(1, WireFormat.WIRETYPE_VARINT);
  private static final int EVENT_KV = tag(2, WireFormat.WIRETYPE_LENGTH_DELIMITED);
  private static final int EVENT_PREV_KV = tag(3, WireFormat.WIRETYPE_LENGTH_DELIMITED);
  private static final int KV_KEY = tag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED);
  private static final int KV_CREATE_REVISION = tag(2, WireFormat.WIRETYPE_VARINT);
  private static final int KV_MOD_REVISION = tag(3, WireFormat.WIRETYPE_VARINT);
  private static final int KV_VERSION = tag(4, WireFormat.WIRETYPE_VARINT);
  private static final int KV_VALUE = tag(5, WireFormat.WIRETYPE_LENGTH_DELIMITED);
  private static final int KV_LEASE = tag(6, WireFormat.WIRETYPE_VARINT);

  final long revision;
  final boolean created;
  final boolean canceled;
  final long compactRevision;
  final String cancelReason;
  /** etcd's {@code fragment}: more responses of this one's last revision follow. */
  final boolean fragment;
  private final byte[] bytes;
  private final int[] starts;
  private final int[] lengths;
  private final long[] modRevisions;
  private final int count;

  private WatchFrame(long revision, boolean created, boolean canceled, long compactRevision, String cancelReason,
      boolean fragment, byte[] bytes, int[] starts, int[] lengths, long[] modRevisions, int count) {
    this.revision = revision;
    this.created = created;
    this.canceled = canceled;
    this.compactRevision = compactRevision;
    this.cancelReason = cancelReason;
    this.fragment = fragment;
    this.bytes = bytes;
    this.starts = starts;
    this.lengths = lengths;
    this.modRevisions = modRevisions;
    this.count = count;
  }

  private static int tag(int field, int wireType) {
    return (field << 3) | wireType;
  }

  /** Reads a response from {@code a[offset..offset+length)} (copied: the frame outlives the buffer). */
  static WatchFrame parse(byte[] a, int offset, int length) throws IOException {
    byte[] own = Arrays.copyOfRange(a, offset, offset + length);
    CodedInputStream in = CodedInputStream.newInstance(own);
    in.setSizeLimit(Integer.MAX_VALUE);
    long revision = 0;
    boolean created = false;
    boolean canceled = false;
    long compactRevision = 0;
    String cancelReason = "";
    boolean fragment = false;
    int n = 0;
    int[] starts = new int[8];
    int[] lengths = new int[8];
    long[] mods = new long[8];
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      if (tag == EVENTS) {
        int len = in.readRawVarint32();
        int start = in.getTotalBytesRead();
        if (n == starts.length) {
          starts = Arrays.copyOf(starts, n * 2);
          lengths = Arrays.copyOf(lengths, n * 2);
          mods = Arrays.copyOf(mods, n * 2);
        }
        int limit = in.pushLimit(len);
        mods[n] = eventModRevision(in);
        in.popLimit(limit);
        starts[n] = start;
        lengths[n] = len;
        n++;
      } else if (tag == HEADER) {
        revision = varintOf(in, HEADER_REVISION, revision);
      } else if (tag == CREATED) {
        created = in.readBool();
      } else if (tag == CANCELED) {
        canceled = in.readBool();
      } else if (tag == COMPACT_REVISION) {
        compactRevision = in.readInt64();
      } else if (tag == CANCEL_REASON) {
        cancelReason = in.readString();
      } else if (tag == FRAGMENT) {
        fragment = in.readBool();
      } else {
        in.skipField(tag);
      }
    }
    return new WatchFrame(revision, created, canceled, compactRevision, cancelReason, fragment, own, starts, lengths,
        mods, n);
  }

  /** The mod revision of the event at the stream's position (its kv's; 0 without one), reading to its end. */
  private static long eventModRevision(CodedInputStream in) throws IOException {
    long mod = 0;
    for (int t = in.readTag(); t != 0; t = in.readTag()) {
      if (t == EVENT_KV) {
        mod = varintOf(in, KV_MOD_REVISION, mod);
      } else {
        in.skipField(t);
      }
    }
    return mod;
  }

  /**
   * The varint field {@code tag} of the message at the stream's position (length first), or
   * {@code absent} when it has none; reads the message to its end.
   */
  private static long varintOf(CodedInputStream in, int tag, long absent) throws IOException {
    long v = absent;
    int limit = in.pushLimit(in.readRawVarint32());
    for (int t = in.readTag(); t != 0; t = in.readTag()) {
      if (t == tag) {
        v = in.readInt64();
      } else {
        in.skipField(t);
      }
    }
    in.popLimit(limit);
    return v;
  }

  /** Number of events. */
  int eventCount() {
    return count;
  }

  /** The mod revision of event {@code i}'s key. */
  long modRevision(int i) {
    return modRevisions[i];
  }

  /** Events {@code from..to} as a list of handles, each converted when read. */
  List<Raw> events(int from, int to) {
    return new Events(from, to);
  }

  /** One event of a frame, not yet converted. */
  record Raw(WatchFrame frame, int index) {
    KeyEvent toKeyEvent() {
      return frame.event(index);
    }
  }

  private final class Events extends AbstractList<Raw> implements RandomAccess {
    private final int from;
    private final int to;

    Events(int from, int to) {
      this.from = from;
      this.to = to;
    }

    @Override
    public Raw get(int i) {
      if (i < 0 || i >= to - from) {
        throw new IndexOutOfBoundsException(i);
      }
      return new Raw(WatchFrame.this, from + i);
    }

    @Override
    public int size() {
      return to - from;
    }
  }

  /**
   * Event {@code i} as a {@link KeyEvent}: key and value decoded as UTF-8, the previous key-value
   * kept only when it existed (etcd sends none, or an empty one, on creation).
   */
  KeyEvent event(int i) {
    try {
      CodedInputStream in = CodedInputStream.newInstance(bytes, starts[i], lengths[i]);
      int base = starts[i]; // the stream counts bytes read from here
      int type = 0;
      KeyValue kv = null;
      KeyValue prev = null;
      for (int t = in.readTag(); t != 0; t = in.readTag()) {
        if (t == EVENT_TYPE) {
          type = in.readEnum();
        } else if (t == EVENT_KV) {
          kv = keyValue(in, base);
        } else if (t == EVENT_PREV_KV) {
          prev = keyValue(in, base);
        } else {
          in.skipField(t);
        }
      }
      KeyEvent.Type kind = switch (type) {
        case 0 -> KeyEvent.Type.PUT;
        case 1 -> KeyEvent.Type.DELETE;
        default -> throw new IllegalArgumentException("unknown event type " + type);
      };
      if (kv == null) {
        kv = new KeyValue("", "", 0, 0, 0, 0);
      }
      return new KeyEvent(kind, kv, prev != null && prev.version() > 0 ? prev : null);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("watch event " + i + " does not parse: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private KeyValue keyValue(CodedInputStream in, int base) throws IOException {
    int limit = in.pushLimit(in.readRawVarint32());
    String key = "";
    String value = "";
    long create = 0;
    long mod = 0;
    long version = 0;
    long lease = 0;
    for (int t = in.readTag(); t != 0; t = in.readTag()) {
      if (t == KV_KEY) {
        key = utf8(in, base);
      } else if (t == KV_VALUE) {
        value = utf8(in, base);
      } else if (t == KV_CREATE_REVISION) {
        create = in.readInt64();
      } else if (t == KV_MOD_REVISION) {
        mod = in.readInt64();
      } else if (t == KV_VERSION) {
        version = in.readInt64();
      } else if (t == KV_LEASE) {
        lease = in.readInt64();
      } else {
        in.skipField(t);
      }
    }
    in.popLimit(limit);
    return new KeyValue(key, value, create, mod, version, lease);
  }

  /** A length-delimited field's bytes as UTF-8 (malformed input replaced, as {@code ByteString#toStringUtf8}). */
  private String utf8(CodedInputStream in, int base) throws IOException {
    int len = in.readRawVarint32();
    int at = base + in.getTotalBytesRead();
    in.skipRawBytes(len);
    return new String(bytes, at, len, StandardCharsets.UTF_8);
  }

  /** Responses only: the client never sends one. */
  private static final class Reader
      implements MethodDescriptor.Marshaller<WatchFrame>, ArrayCodecs.ArrayParser<WatchFrame> {
    @Override
    public InputStream stream(WatchFrame value) {
      throw new UnsupportedOperationException("a watch response is never sent");
    }

    @Override
    public WatchFrame parse(InputStream stream) {
      try {
        byte[] all = stream.readAllBytes();
        return WatchFrame.parse(all, 0, all.length);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public WatchFrame parse(byte[] bytes, int offset, int length) throws IOException {
      return WatchFrame.parse(bytes, offset, length);
    }
  }
}
