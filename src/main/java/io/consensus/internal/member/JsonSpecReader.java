package io.consensus.internal.member;

import io.consensus.internal.allocation.MemberSpec;
import io.consensus.internal.allocation.SpecReader;
import io.consensus.internal.route.MemberDirectory;
import io.consensus.internal.route.MemberRecord;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads member specs from member key values ({@link MemberRecord}, decoded once per change by
 * the member directory) and per-item replica counts from item marker values
 * ({@code {"replicas": N}}), tolerantly: a value that is not a JSON object, or a reserved field
 * of the wrong type or range, is ignored (defaults apply) with one warning naming the key,
 * logged again only when the value changes. Never throws.
 *
 * <p>Not thread-safe: one per allocator context.
 */
public final class JsonSpecReader implements SpecReader {
  private static final Logger LOG = LoggerFactory.getLogger(JsonSpecReader.class);
  /** Most replicas a marker may ask for. */
  public static final int MAX_REPLICAS = 1000;

  private final String root;
  private final MemberDirectory directory;
  // Key -> the bad value last warned about, so that a bad key is logged once, not every round.
  private final Map<String, String> warned = new HashMap<>();

  /**
   * A reader that decodes member key values itself (readers without a member directory).
   *
   * @param root the key root, to name keys in warnings
   */
  public JsonSpecReader(String root) {
    this(root, null);
  }

  /**
   * A reader of the records {@code directory} decoded (kept current with the same trees as the
   * index this reader serves); a value the directory has not seen is decoded here.
   *
   * @param root the key root, to name keys in warnings
   */
  public JsonSpecReader(String root, MemberDirectory directory) {
    this.root = root;
    this.directory = directory;
  }

  @Override
  public MemberSpec member(String member, String value) {
    MemberRecord r = directory == null ? null : directory.record(member);
    if (r == null || !r.encode().equals(value)) {
      r = MemberRecord.decode(value);
    }
    if (!r.problems().isEmpty()) {
      warn(root + "/members/" + member, value, String.join("; ", r.problems()));
    }
    return r.declaresAnything() ? new MemberSpec(r.zone(), r.itemLimit(), r.weight(), r.drained())
        : MemberSpec.DEFAULT;
  }

  @Override
  public int replicas(String item, String markerValue) {
    String key = root + "/items/" + item;
    JsonObject o = object(key, markerValue);
    if (o == null) {
      return -1;
    }
    Object r = o.getValue("replicas");
    if (r == null) {
      return -1;
    }
    if ((r instanceof Integer || r instanceof Long) && ((Number) r).longValue() >= 0
        && ((Number) r).longValue() <= MAX_REPLICAS) {
      return ((Number) r).intValue();
    }
    warn(key, markerValue, "field \"replicas\" is not an integer 0.." + MAX_REPLICAS + "; the fleet's R applies");
    return -1;
  }

  /** The value as a JSON object; null (with a warning unless empty) when it is none. */
  private JsonObject object(String key, String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      Object parsed = io.vertx.core.json.Json.decodeValue(value);
      if (parsed instanceof JsonObject o) {
        return o;
      }
    } catch (DecodeException | ClassCastException e) {
      // reported below
    }
    warn(key, value, "value is not a JSON object; ignored");
    return null;
  }

  private void warn(String key, String value, String why) {
    if (!value.equals(warned.put(key, value))) {
      String shown = value.length() > 80 ? value.substring(0, 77) + "..." : value;
      LOG.warn("key {}: {} (value {})", key, why, shown);
    }
  }
}
