package io.consensus.internal.route;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The value of a member key {@code ROOT/members/<member>}, decoded once: the member's metadata
 * (the JSON object) and the reserved top-level fields the allocator owns, {@code "zone"}
 * (string), {@code "itemLimit"} (integer >= 0), {@code "weight"} (positive number) and
 * {@code "drained"} (true), each present only when set. The member directory and the placement
 * rules both read it; a joining member writes it ({@link #declared}, {@link #encode()}).
 *
 * <p>Decoding is tolerant: a value that is not a JSON object keeps its text as metadata
 * {@code {"value": raw}} and declares nothing; a reserved field of the wrong type or range is
 * ignored (its default applies). Each such problem is listed in {@link #problems()}, for the
 * reader to report. Never throws.
 *
 * <p>Immutable, except that {@link #metadata()} is the decoded JSON object itself, shared with
 * every reader: treat it as read-only. Two records are equal when their raw values are.
 */
public final class MemberRecord {
  /** Reserved field: the member's fault zone. */
  public static final String ZONE = "zone";
  /** Reserved field: the most entries the member may hold. */
  public static final String ITEM_LIMIT = "itemLimit";
  /** Reserved field: the member's share of masters. */
  public static final String WEIGHT = "weight";
  /** Reserved field: the member started drained. */
  public static final String DRAINED = "drained";
  /** {@link #itemLimit()} of a member without a limit. */
  public static final int NO_LIMIT = -1;

  private static final Pattern ZONE_FORMAT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
  private static final MemberRecord EMPTY = new MemberRecord("", new JsonObject(), null, NO_LIMIT, 1.0, false,
      List.of());

  private final String raw;
  private final JsonObject metadata;
  private final String zone;
  private final int itemLimit;
  private final double weight;
  private final boolean drained;
  private final List<String> problems;

  private MemberRecord(String raw, JsonObject metadata, String zone, int itemLimit, double weight, boolean drained,
      List<String> problems) {
    this.raw = raw;
    this.metadata = metadata;
    this.zone = zone;
    this.itemLimit = itemLimit;
    this.weight = weight;
    this.drained = drained;
    this.problems = problems;
  }

  /** Whether {@code zone} is a valid zone name: 1-63 letters, digits, '.', '_', '-', not starting with a sign. */
  public static boolean isZone(String zone) {
    return zone != null && ZONE_FORMAT.matcher(zone).matches();
  }

  /** Decodes a member key's value (null or blank: no metadata, nothing declared). */
  public static MemberRecord decode(String raw) {
    if (raw == null || raw.isBlank()) {
      return raw == null || raw.isEmpty() ? EMPTY
          : new MemberRecord(raw, new JsonObject(), null, NO_LIMIT, 1.0, false, List.of());
    }
    Object parsed = null;
    try {
      parsed = Json.decodeValue(raw);
    } catch (DecodeException | ClassCastException e) {
      // not JSON: kept as text below
    }
    if (!(parsed instanceof JsonObject o)) {
      return new MemberRecord(raw, new JsonObject().put("value", raw), null, NO_LIMIT, 1.0, false,
          List.of("value is not a JSON object; ignored"));
    }
    List<String> problems = new ArrayList<>(0);
    String zone = null;
    int limit = NO_LIMIT;
    double weight = 1.0;
    boolean drained = false;
    Object z = o.getValue(ZONE);
    if (z != null) {
      if (z instanceof String s && isZone(s)) {
        zone = s;
      } else {
        problems.add("field \"zone\" is not a zone name (letters, digits, '.', '_', '-'); ignored");
      }
    }
    Object l = o.getValue(ITEM_LIMIT);
    if (l != null) {
      if ((l instanceof Integer || l instanceof Long) && ((Number) l).longValue() >= 0
          && ((Number) l).longValue() <= Integer.MAX_VALUE) {
        limit = ((Number) l).intValue();
      } else {
        problems.add("field \"itemLimit\" is not an integer >= 0; ignored (no limit)");
      }
    }
    Object w = o.getValue(WEIGHT);
    if (w != null) {
      if (w instanceof Number n && n.doubleValue() > 0 && Double.isFinite(n.doubleValue())) {
        weight = n.doubleValue();
      } else {
        problems.add("field \"weight\" is not a positive number; ignored (weight 1)");
      }
    }
    Object d = o.getValue(DRAINED);
    if (d != null) {
      if (d instanceof Boolean b) {
        drained = b;
      } else {
        problems.add("field \"drained\" is not true or false; ignored");
      }
    }
    return new MemberRecord(raw, o, zone, limit, weight, drained, List.copyOf(problems));
  }

  /**
   * The value a member declares about itself: its {@code metadata} (copied) plus the reserved
   * fields that differ from their defaults; read back as any reader decodes it.
   *
   * @param zone      its zone, null for none
   * @param itemLimit most entries it may hold, null for no limit
   * @param weight    its share of masters (1 is left out)
   * @param drained   whether it starts drained
   */
  public static MemberRecord declared(JsonObject metadata, String zone, Integer itemLimit, double weight,
      boolean drained) {
    JsonObject v = metadata == null ? new JsonObject() : metadata.copy();
    if (zone != null) {
      v.put(ZONE, zone);
    }
    if (itemLimit != null) {
      v.put(ITEM_LIMIT, itemLimit);
    }
    if (weight != 1.0) {
      v.put(WEIGHT, weight);
    }
    if (drained) {
      v.put(DRAINED, true);
    }
    return decode(v.encode());
  }

  /** The member key's value as stored in etcd. */
  public String encode() {
    return raw;
  }

  /** The metadata: the value's JSON object, or {@code {"value": raw}} when it is none. Read-only. */
  public JsonObject metadata() {
    return metadata;
  }

  /** The declared zone, null when none (or invalid). */
  public String zone() {
    return zone;
  }

  /** The declared item limit, {@link #NO_LIMIT} when none (or invalid). */
  public int itemLimit() {
    return itemLimit;
  }

  /** The declared weight, 1 when none (or invalid). */
  public double weight() {
    return weight;
  }

  /** Whether the member declared itself drained. */
  public boolean drained() {
    return drained;
  }

  /** Whether the value declares anything beyond the defaults (zone, limit, weight, drained). */
  public boolean declaresAnything() {
    return zone != null || itemLimit != NO_LIMIT || weight != 1.0 || drained;
  }

  /** What was wrong with the value (ignored parts), in words; empty when nothing. */
  public List<String> problems() {
    return problems;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MemberRecord r && r.raw.equals(raw);
  }

  @Override
  public int hashCode() {
    return raw.hashCode();
  }

  @Override
  public String toString() {
    return "MemberRecord" + (raw.length() > 80 ? raw.substring(0, 77) + "..." : raw);
  }
}
