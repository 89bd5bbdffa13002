package io.consensus.launcher;

import io.consensus.verticle.AllocatorHealth;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Whether a process should receive traffic ({@code GET /readyz}): named checks that must all
 * pass; each failing check is one reason in the body. Unlike liveness, readiness is expected to
 * fail for a while (joining, a hand-off, a lost lease, a rejoin) without anything being wrong
 * with the process.
 *
 * @param checks every check by name, in order, true when it passes
 * @param reasons why not ready, one per failing check (empty when ready)
 */
record Readiness(Map<String, Boolean> checks, List<String> reasons) {
  /** Ready when every check passes. */
  boolean ready() {
    return reasons.isEmpty();
  }

  /**
   * A member is ready once joined (member key written, first view applied), with its lease
   * alive and its watch live (the stream etcd confirmed after the view's snapshot, so the
   * routes it publishes are current), and while it is not leaving.
   */
  static Readiness member(AllocatorHealth h) {
    String phase = h.phase().toLowerCase();
    Builder b = new Builder();
    b.check("joined", !h.phase().equals("STARTING") && !h.phase().equals("REJOINING"), "not joined (phase " + phase + ")");
    b.check("leaseAlive", h.leaseRemainingMillis() > 0, "lease not alive");
    b.check("watchCaughtUp", h.watchLive(), "watch not live");
    b.check("notLeaving", !h.phase().equals("CANCELLING") && !h.phase().equals("EXITED"), "leaving (phase " + phase + ")");
    return b.build();
  }

  /**
   * A spectator is ready when its watch is live and its table has applied everything the watch
   * delivered.
   */
  static Readiness spectator(boolean watchLive, boolean caughtUp) {
    Builder b = new Builder();
    b.check("watchLive", watchLive, "watch not live");
    b.check("tableCaughtUp", caughtUp, "table not caught up with the watch");
    return b.build();
  }

  /** {@code {"member", "role", "ready", "reasons": [...], "checks": {name: bool}}}. */
  JsonObject toJson(String name, String role) {
    JsonObject checksJson = new JsonObject();
    checks.forEach(checksJson::put);
    return new JsonObject().put("member", name).put("role", role).put("ready", ready())
        .put("reasons", new JsonArray(new ArrayList<>(reasons))).put("checks", checksJson);
  }

  private static final class Builder {
    private final Map<String, Boolean> checks = new LinkedHashMap<>();
    private final List<String> reasons = new ArrayList<>();

    void check(String name, boolean ok, String reason) {
      checks.put(name, ok);
      if (!ok) {
        reasons.add(reason);
      }
    }

    Readiness build() {
      return new Readiness(java.util.Collections.unmodifiableMap(new LinkedHashMap<>(checks)), List.copyOf(reasons));
    }
  }
}
