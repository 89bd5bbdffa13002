package io.consensus.admin;

import io.vertx.core.json.JsonObject;

/**
 * The outcome of a drain or undrain.
 *
 * @param member          the member
 * @param drainKey        whether {@code ROOT/drained/<member>} exists now
 * @param revision        the revision of the write
 * @param memberPresent   whether the member's key existed when read right after the write
 *                        (a drain ahead of a start is allowed)
 * @param drainedByConfig whether the member's own config says {@code "drained": true}, which an
 *                        undrain does not change
 */
public record DrainResult(String member, boolean drainKey, long revision, boolean memberPresent,
    boolean drainedByConfig) {
  /** {@code {"member", "drained", "revision", "memberPresent", "drainedByConfig"}}. */
  public JsonObject toJson() {
    return new JsonObject().put("member", member).put("drained", drainKey).put("revision", revision)
        .put("memberPresent", memberPresent).put("drainedByConfig", drainedByConfig);
  }
}
