package io.consensus.internal.member;

import io.consensus.verticle.AllocatorOptions;
import io.vertx.core.json.JsonObject;
import java.util.regex.Pattern;

/**
 * The value of a member key {@code ROOT/members/<member>}: the member's {@code metadata} JSON
 * object plus the reserved top-level fields the allocator owns, {@code "zone"} (string),
 * {@code "itemLimit"} (integer >= 0), {@code "weight"} (positive number) and {@code "drained"}
 * (true), each present only when set. Route readers may show them (e.g. a member's zone).
 */
public final class MemberValue {
  /** Reserved field: the member's fault zone. */
  public static final String ZONE = "zone";
  /** Reserved field: the most entries the member may hold. */
  public static final String ITEM_LIMIT = "itemLimit";
  /** Reserved field: the member's share of masters. */
  public static final String WEIGHT = "weight";
  /** Reserved field: the member started drained. */
  public static final String DRAINED = "drained";

  private static final Pattern ZONE_FORMAT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

  private MemberValue() {
  }

  /** Whether {@code zone} is a valid zone name: 1-63 letters, digits, '.', '_', '-', not starting with a sign. */
  public static boolean isZone(String zone) {
    return zone != null && ZONE_FORMAT.matcher(zone).matches();
  }

  /** The member key value {@code options} describe (metadata and reserved fields), as JSON. */
  public static JsonObject of(AllocatorOptions options) {
    return of(options, options.isDrained());
  }

  /** As {@link #of(AllocatorOptions)}, drained or not. */
  public static JsonObject of(AllocatorOptions options, boolean drained) {
    JsonObject v = options.getMetadata();
    if (options.getZone() != null) {
      v.put(ZONE, options.getZone());
    }
    if (options.getItemLimit() != null) {
      v.put(ITEM_LIMIT, options.getItemLimit());
    }
    if (options.getWeight() != AllocatorOptions.DEFAULT_WEIGHT) {
      v.put(WEIGHT, options.getWeight());
    }
    if (drained) {
      v.put(DRAINED, true);
    }
    return v;
  }
}
