package io.consensus.admin;

import io.consensus.route.MemberInfo;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The members as the keyspace holds them at one revision, with the operators' switches.
 *
 * @param revision    the etcd revision read
 * @param members     the members whose key is present, by name
 * @param drainKeys   the members named under {@code ROOT/drained/} (running or not)
 * @param maintenance whether {@code ROOT/maintenance} is present
 */
public record FleetMembers(long revision, Map<String, MemberInfo> members, Set<String> drainKeys, boolean maintenance) {
  public FleetMembers {
    members = Map.copyOf(members);
    drainKeys = Set.copyOf(drainKeys);
  }

  /** Whether {@code member} is drained: by an operator's drain key or by its own config ({@code "drained": true}). */
  public boolean drained(String member) {
    MemberInfo m = members.get(member);
    return drainKeys.contains(member) || m != null && Boolean.TRUE.equals(m.metadata().getValue("drained"));
  }

  /** Every drained member, present or not, in name order. */
  public Set<String> drained() {
    Set<String> out = new TreeSet<>(drainKeys);
    members.keySet().stream().filter(this::drained).forEach(out::add);
    return out;
  }

  /** The present members and the drained absent ones, in name order. */
  public Set<String> presentOrDrained() {
    Set<String> out = new TreeSet<>(members.keySet());
    out.addAll(drainKeys);
    return out;
  }

  /**
   * {@code {"members": {name: metadata, ...}, "drained": [name, ...], "maintenance": bool}}; a
   * member's zone is its metadata's {@code "zone"}.
   */
  public JsonObject toJson() {
    JsonObject o = new JsonObject();
    new TreeSet<>(members.keySet()).forEach(name -> o.put(name, members.get(name).metadata().copy()));
    return new JsonObject().put("members", o).put("drained", new JsonArray(java.util.List.copyOf(drained())))
        .put("maintenance", maintenance);
  }
}
