package io.consensus.internal.route;

import io.consensus.route.MemberInfo;
import io.consensus.route.Route;
import io.consensus.tree.KeyTree;
import io.consensus.tree.Node;
import io.vertx.core.json.JsonObject;
import java.util.Collections;
import java.util.HashMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The members' metadata as of the latest tree, remembering the last metadata of members whose
 * key has gone (a leaving master still serves until its hand-off completes). Each member key's
 * value is decoded once per change into a {@link MemberRecord}, which the placement specs read
 * too ({@link #record}). Mutable, owned by one context; {@link #members()} hands out immutable
 * snapshots.
 *
 * <p>Departed members are forgotten oldest first beyond {@value #DEPARTED_LIMIT}, so member
 * names that churn (host name + pid) do not accumulate.
 */
public final class MemberDirectory {
  static final int DEPARTED_LIMIT = 1024;
  /** Most distinct member sets whose metadata maps are shared at once. */
  static final int SHARED_METADATA_LIMIT = 4096;

  private Node lastMembers;
  private boolean initialized;
  private Map<String, MemberInfo> snapshot = Map.of();
  private final Map<String, MemberRecord> present = new HashMap<>();
  // The members of a route, in route order -> the immutable metadata map of those members.
  private final Map<List<String>, Map<String, JsonObject>> metadataByMembers = new HashMap<>();
  private final LinkedHashMap<String, MemberRecord> departed = new LinkedHashMap<>() {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, MemberRecord> eldest) {
      return size() > DEPARTED_LIMIT;
    }
  };

  /**
   * Brings the directory to {@code tree}. Costs nothing when the members' node is unchanged
   * (trees are persistent: an unchanged node is the same object).
   *
   * @return whether any member appeared, left or changed its metadata
   */
  public boolean update(KeyTree tree) {
    Node members = tree.child(Keys.MEMBER_PREFIX);
    if (initialized && members == lastMembers) {
      return false;
    }
    initialized = true;
    lastMembers = members;
    Map<String, MemberRecord> now = new HashMap<>();
    if (members != null) {
      members.forEachChild(c -> {
        if (c.hasValue() && Names.isValid(c.name())) {
          MemberRecord before = present.get(c.name());
          // Decoded only when the value changed.
          now.put(c.name(), before != null && before.encode().equals(c.value()) ? before
              : MemberRecord.decode(c.value()));
        }
      });
    }
    boolean changed = !now.equals(present);
    metadataByMembers.clear(); // a member's metadata, or whether it is known, may have changed
    for (Map.Entry<String, MemberRecord> e : present.entrySet()) {
      if (!now.containsKey(e.getKey())) {
        departed.remove(e.getKey());
        departed.put(e.getKey(), e.getValue());
      }
    }
    now.keySet().forEach(departed::remove);
    present.clear();
    present.putAll(now);
    if (changed || snapshot.isEmpty()) {
      Map<String, MemberInfo> s = new TreeMap<>();
      departed.forEach((name, r) -> s.put(name, new MemberInfo(name, r.metadata(), false)));
      present.forEach((name, r) -> s.put(name, new MemberInfo(name, r.metadata(), true)));
      snapshot = Collections.unmodifiableMap(s);
    }
    return changed;
  }

  /** The member's metadata (last known for a departed member), or null when never seen. */
  public JsonObject metadata(String member) {
    MemberRecord r = record(member);
    return r == null ? null : r.metadata();
  }

  /** The member's decoded member key value (last known for a departed member), or null when never seen. */
  public MemberRecord record(String member) {
    MemberRecord r = present.get(member);
    return r != null ? r : departed.get(member);
  }

  /** Whether the member's key is present. */
  public boolean isPresent(String member) {
    return present.containsKey(member);
  }

  /**
   * Metadata of the members of {@code route} that are known, by member name (immutable). Routes
   * with the same members share one map until the directory changes: a member keeps one per
   * item it has told its application about, and a fleet has few distinct member sets.
   */
  public Map<String, JsonObject> metadataOf(Route route) {
    if (route.isEmpty()) {
      return Map.of();
    }
    List<String> names = new ArrayList<>(route.size());
    for (int i = 0; i < route.size(); i++) {
      names.add(route.memberAt(i));
    }
    Map<String, JsonObject> shared = metadataByMembers.get(names);
    if (shared != null) {
      return shared;
    }
    Map<String, JsonObject> out = new HashMap<>();
    for (String name : names) {
      JsonObject md = metadata(name);
      if (md != null) {
        out.put(name, md);
      }
    }
    Map<String, JsonObject> made = Map.copyOf(out);
    if (metadataByMembers.size() >= SHARED_METADATA_LIMIT) {
      metadataByMembers.clear(); // a huge fleet with many member sets: start over rather than grow
    }
    metadataByMembers.put(names, made);
    return made;
  }

  /** Every known member, present or departed, by name (immutable, sorted). */
  public Map<String, MemberInfo> members() {
    return snapshot;
  }
}
