package io.consensus.route;

import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * What the keyspace says about one member: its metadata (the value of
 * {@code ROOT/members/<member>}, e.g. {@code {"host": "10.0.0.7", "port": 8080, "zone": "z1"}})
 * and whether its member key is present. A member whose key is gone while its entries remain
 * is leaving (or its lease is about to expire); it keeps its last known metadata so that
 * consumers can still reach a master that is handing off.
 *
 * @param name     the member name
 * @param metadata the member's metadata; a value that is not a JSON object is kept as
 *                 {@code {"value": "<raw>"}}. Treat it as read-only: it is shared.
 * @param present  whether {@code ROOT/members/<member>} exists
 */
public record MemberInfo(String name, JsonObject metadata, boolean present) {
  public MemberInfo {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(metadata, "metadata");
  }

  /** The metadata's {@code zone} string, or null. */
  public String zone() {
    Object z = metadata.getValue("zone");
    return z instanceof String s ? s : null;
  }

  /** JSON: {@code {"name", "metadata", "present"}}. */
  public JsonObject toJson() {
    return new JsonObject().put("name", name).put("metadata", metadata.copy()).put("present", present);
  }
}
