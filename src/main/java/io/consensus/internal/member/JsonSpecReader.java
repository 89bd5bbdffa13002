package io.consensus.internal.member;

import io.consensus.internal.allocation.MemberSpec;
import io.consensus.internal.allocation.SpecReader;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads member specs from member key values ({@link MemberValue}) and per-item replica counts
 * from item marker values ({@code {"replicas": N}}), tolerantly: a value that is not a JSON
 * object, or a reserved field of the wrong type or range, is ignored (defaults apply) with one
 * warning naming the key, logged again only when the value changes. Never throws.
 *
 * <p>Not thread-safe: one per allocator context.
 */
public final class JsonSpecReader implements SpecReader {
  private static final Logger LOG = LoggerFactory.getLogger(JsonSpecReader.class);
  /** Most replicas a marker may ask for. */
  public static final int MAX_REPLICAS = 1000;

  private final String root;
  // Key -> the bad value last warned about, so that a bad key is logged once, not every round.
  private final Map<String, String> warned = new HashMap<>();

  /** @param root the key root, to name keys in warnings */
  public JsonSpecReader(String root) {
    this.root = root;
  }

  @Override
  public MemberSpec member(String member, String value) {
    String key = root + "/members/" + member;
    JsonObject o = object(key, value);
    if (o == null) {
      return MemberSpec.DEFAULT;
    }
    String zone = null;
    int limit = MemberSpec.NO_LIMIT;
    double weight = 1.0;
    boolean drained = false;
    Object z = o.getValue(MemberValue.ZONE);
    if (z != null) {
      if (z instanceof String s && MemberValue.isZone(s)) {
        zone = s;
      } else {
        warn(key, value, "field \"zone\" is not a zone name (letters, digits, '.', '_', '-'); ignored");
      }
    }
    Object l = o.getValue(MemberValue.ITEM_LIMIT);
    if (l != null) {
      if ((l instanceof Integer || l instanceof Long) && ((Number) l).longValue() >= 0
          && ((Number) l).longValue() <= Integer.MAX_VALUE) {
        limit = ((Number) l).intValue();
      } else {
        warn(key, value, "field \"itemLimit\" is not an integer >= 0; ignored (no limit)");
      }
    }
    Object w = o.getValue(MemberValue.WEIGHT);
    if (w != null) {
      if (w instanceof Number n && n.doubleValue() > 0 && Double.isFinite(n.doubleValue())) {
        weight = n.doubleValue();
      } else {
        warn(key, value, "field \"weight\" is not a positive number; ignored (weight 1)");
      }
    }
    Object d = o.getValue(MemberValue.DRAINED);
    if (d != null) {
      if (d instanceof Boolean b) {
        drained = b;
      } else {
        warn(key, value, "field \"drained\" is not true or false; ignored");
      }
    }
    return zone == null && limit == MemberSpec.NO_LIMIT && weight == 1.0 && !drained ? MemberSpec.DEFAULT
        : new MemberSpec(zone, limit, weight, drained);
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
