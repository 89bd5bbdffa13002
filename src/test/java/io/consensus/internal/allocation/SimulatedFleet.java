package io.consensus.internal.allocation;

import io.consensus.internal.route.Keys;
import io.consensus.internal.route.TreePatch;
import io.consensus.route.Route;
import io.consensus.route.RouteEntry;
import io.consensus.tree.KeyEvent;
import io.consensus.tree.KeyTree;
import io.consensus.tree.KeyValue;
import io.consensus.tree.WatchUpdate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.BiPredicate;

/**
 * An in-memory etcd keyspace and a fleet of members running the pure rules against it,
 * with compare-guarded writes and members acting on stale views. Lets the protocol's
 * safety and convergence be checked over thousands of random interleavings without etcd.
 */
final class SimulatedFleet {
  static final String ROOT = "/sim";
  final Keys keys = new Keys(ROOT);
  final TreeMap<String, KeyValue> store = new TreeMap<>();
  final List<WatchUpdate.Changes> log = new ArrayList<>();
  final Map<String, Member> members = new LinkedHashMap<>();
  final Random rnd;
  final int replicas;
  final List<String> fixedItems;
  final int maxBatch;
  long revision = 1;
  /** Chance in percent that a member catches up with etcd before a round: lower is staler. */
  int syncPercent = 75;
  long nextLease = 100;
  int actions;
  final Map<Rule, Integer> actionsByRule = new java.util.EnumMap<>(Rule.class);
  int transactions;
  /** The actions the last transaction applied, and the mastership changes they made. */
  final List<Action> lastApplied = new ArrayList<>();
  int lastMasterChanges;
  /** When not null, every effective action is described here (debugging). */
  List<String> trace;
  // Movement: placements (an entry created for a member holding none of the item), releases,
  // mastership changes (an item's first entry changes member), item key writes.
  int placements;
  int releases;
  int masterChanges;
  int keyWrites;
  BiPredicate<String, String> ready = (item, state) -> "ready".equals(state);
  /** Reads member specs and marker replica counts, as the verticle does. */
  SpecReader specs = new io.consensus.internal.member.JsonSpecReader(ROOT);
  /** Replica counts of fixed items that differ from the fleet's R. */
  Map<String, Integer> fixedReplicas = Map.of();
  /**
   * When > 0, an application that takes time to load: an entry a member creates starts in state
   * "loading" and turns "ready" after this many rounds of that member (0: ready at once).
   */
  int loadRounds;
  /** When set, every member's decider throttles loads at this many entries not yet ready. */
  Integer maxLoadingEntries;
  /** Rounds run by {@link #runToFixpoint} so far (the clock of {@link Member#asleepUntil}). */
  long rounds;

  SimulatedFleet(long seed, int replicas, List<String> fixedItems, int maxBatch) {
    this.rnd = new Random(seed);
    this.replicas = replicas;
    this.fixedItems = fixedItems;
    this.maxBatch = maxBatch;
  }

  final class Member {
    final String name;
    final long lease;
    final AllocationIndex index;
    AllocationDecider decider = new AllocationDecider(maxBatch);
    final Map<String, String> localState = new HashMap<>();
    // Loads in progress (item -> rounds left) and items loaded, with loadRounds > 0.
    final Map<String, Integer> loading = new HashMap<>();
    final java.util.Set<String> loaded = new java.util.HashSet<>();
    KeyTree tree = KeyTree.empty(ROOT);
    int applied = -1; // index into log already applied
    long backoffSince = -1; // revision at which a TAKE_AFTER_BACKOFF back-off started, -1 when none
    long ownWrite; // revision of this member's last write: it never decides on an older view
    boolean done;
    long graceLease;
    /**
     * Until the fleet has run this many rounds the member does not act, though its key is present:
     * a process that registered and is still reading its first snapshot (a cold JVM takes seconds).
     */
    long asleepUntil;

    Member(String name) {
      this.name = name;
      this.lease = nextLease++;
      this.index = new AllocationIndex(name, lease, replicas, fixedItems, ready).specs(specs)
          .fixedReplicas(fixedReplicas);
      tree = KeyTree.fromSnapshot(ROOT, revision, new ArrayList<>(store.values()));
      index.rebuild(tree);
      applied = log.size() - 1;
      if (maxLoadingEntries != null) {
        decider = decider.withMaxLoadingEntries(maxLoadingEntries);
      }
    }

    void sync() {
      while (applied + 1 < log.size()) {
        // As a member applies it: patched by a TreePatch, whose touched nodes the index reads.
        TreePatch patch = new TreePatch(tree, log.get(++applied));
        while (!patch.step(1024)) {
          // the whole update, in the patch's own steps
        }
        tree = patch.tree();
        List<String> work = new ArrayList<>();
        index.begin(tree, patch.touched()).forEachRemaining(work::add);
        index.reclassify(work);
        index.end();
      }
    }

    String state(String item) {
      if (loadRounds > 0 && !loaded.contains(item)) {
        return "loading";
      }
      return localState.getOrDefault(item, "ready");
    }

    /** One round of the application's loading: every load in progress gets one round closer. */
    void load() {
      for (java.util.Iterator<Map.Entry<String, Integer>> it = loading.entrySet().iterator(); it.hasNext(); ) {
        Map.Entry<String, Integer> e = it.next();
        if (e.getValue() <= 1) {
          loaded.add(e.getKey());
          it.remove();
        } else {
          e.setValue(e.getValue() - 1);
        }
      }
    }

    /** One round: decide on the current (possibly stale) view and write. Returns whether it wrote. */
    boolean step(boolean allowBackoffTake) {
      if (done || rounds < asleepUntil) {
        return false;
      }
      if (index.restartAdopted()) {
        // Everything left on the previous incarnation's grace lease is adopted: revoke it.
        long grace = index.restartLease();
        expire(grace);
        return true;
      }
      load();
      if (tree.revision() < ownWrite) {
        sync(); // as the verticle: it waits for its own write to come back before deciding
      }
      Decision d = decider.decide(index, this::state, rnd, null);
      if (d.outcome() != Decision.Outcome.TAKE_AFTER_BACKOFF) {
        backoffSince = -1;
      }
      switch (d.outcome()) {
        case DONE -> {
          done = true;
          return false;
        }
        case IDLE -> {
          return false;
        }
        case TAKE_AFTER_BACKOFF -> {
          // As the verticle: the take happens only if the back-off ran out with nothing
          // changed meanwhile (any change restarts it), so members that want more go first.
          if (backoffSince != revision) {
            backoffSince = revision;
            return false;
          }
          if (!allowBackoffTake) {
            return false;
          }
          backoffSince = -1;
        }
        default -> {
        }
      }
      return execute(this, d.actions());
    }
  }

  Member join(String name) {
    return join(name, "{}");
  }

  /** Joins a member whose member key holds {@code value} (its metadata and spec). */
  Member join(String name, String value) {
    put(keys.member(name), value, nextLease);
    Member m = new Member(name);
    members.put(name, m);
    return m;
  }

  void addItem(String item) {
    put(keys.item(item), "", 0);
  }

  /** Deletes every key under {@code prefix} in one revision (etcd's range delete). */
  void deletePrefix(String prefix) {
    delete(new ArrayList<>(store.subMap(prefix, prefix + Character.MAX_VALUE).keySet()));
  }

  /** Writes any key without a lease (item markers with a spec, drains, maintenance). */
  void putKey(String key, String value) {
    put(key, value, 0);
  }

  /** Writes {@code key} on lease {@code lease} out of band (a test arranging entries by hand). */
  void putOnLease(String key, String value, long lease) {
    put(key, value, lease);
  }

  /** Rewrites a live member's key value on its lease. */
  void putMember(String name, String value) {
    put(keys.member(name), value, members.get(name).lease);
  }

  void cancel(String name) {
    delete(List.of(keys.member(name)));
  }

  /** A crash: the member's lease expires, all its keys vanish in one revision. */
  void crash(String name) {
    Member m = members.remove(name);
    expire(m.lease);
  }

  /** Lease {@code lease} expires (or is revoked): its keys vanish in one revision. */
  void expire(long lease) {
    List<String> doomed = new ArrayList<>();
    store.forEach((k, v) -> {
      if (v.lease() == lease) {
        doomed.add(k);
      }
    });
    delete(doomed);
  }

  /** Starts a restart: the member hands its masters off in place and keeps its replicas. */
  void startRestart(String name) {
    Member m = members.get(name);
    m.decider = m.decider.forRestart();
    cancel(name);
    // The restart is declared at once, on the lease the entries will wait on.
    m.graceLease = nextLease++;
    put(keys.restart(name), Long.toString(m.graceLease), m.graceLease);
  }

  /**
   * The restarting member's exit once it is DONE: its entries move onto a grace lease, the
   * restart is declared on that lease, and the process is gone. Returns the grace lease.
   */
  long finishRestart(String name) {
    Member m = members.remove(name);
    long grace = m.graceLease;
    List<KeyValue> mine = new ArrayList<>();
    store.values().forEach(v -> {
      if (v.lease() == m.lease && v.key().startsWith(keys.itemsPrefix())) {
        mine.add(v);
      }
    });
    revision++;
    List<KeyEvent> events = new ArrayList<>();
    for (KeyValue v : mine) {
      KeyValue kv = new KeyValue(v.key(), v.value(), v.createRevision(), revision, v.version() + 1, grace);
      store.put(v.key(), kv);
      events.add(KeyEvent.put(kv));
    }
    if (!events.isEmpty()) {
      log.add(new WatchUpdate.Changes(revision, events));
      keyWrites += events.size();
    } else {
      revision--;
    }
    expire(m.lease);
    return grace;
  }

  private void put(String key, String value, long lease) {
    revision++;
    KeyValue old = store.get(key);
    KeyValue kv = new KeyValue(key, value, old == null ? revision : old.createRevision(), revision,
        old == null ? 1 : old.version() + 1, lease);
    store.put(key, kv);
    log.add(new WatchUpdate.Changes(revision, List.of(KeyEvent.put(kv))));
  }

  void delete(List<String> ks) {
    if (ks.isEmpty()) {
      return;
    }
    revision++;
    List<KeyEvent> events = new ArrayList<>();
    for (String k : ks) {
      if (store.remove(k) != null) {
        events.add(KeyEvent.delete(k, revision));
      }
    }
    log.add(new WatchUpdate.Changes(revision, events));
  }

  /** Applies actions as one transaction of independently guarded sub-transactions. */
  boolean execute(Member m, List<Action> acts) {
    transactions++;
    lastApplied.clear();
    lastMasterChanges = 0;
    List<KeyEvent> events = new ArrayList<>();
    long rev = revision + 1;
    for (Action a : acts) {
      String key = keys.entry(a.item(), m.name, a.moved());
      KeyValue cur = store.get(key);
      boolean ok = switch (a.kind()) {
        case CREATE -> cur == null && !store.containsKey(keys.entry(a.item(), m.name, !a.moved()))
            && (a.markerCreateRevision() == 0
            || (store.containsKey(keys.item(a.item()))
                && store.get(keys.item(a.item())).createRevision() == a.markerCreateRevision()))
            && (a.anchor() == null || createRevisionIs(keys.entry(a.item(), a.anchor().member(), a.anchor().moved()),
                a.anchor().createRevision()));
        case UPDATE, RELEASE, MOVE -> cur != null && cur.modRevision() == a.expectedModRevision()
            && a.guards().stream().allMatch(g -> {
              KeyValue other = store.get(keys.entry(a.item(), g.member(), g.moved()));
              return other != null && other.modRevision() == g.modRevision();
            });
      };
      if (!ok) {
        continue;
      }
      actions++;
      actionsByRule.merge(a.rule(), 1, Integer::sum);
      lastApplied.add(a);
      if (trace != null) {
        trace.add("rev " + rev + " " + m.name + " rule " + a.rule() + " " + a.kind() + " " + a.item() + " guards "
            + a.guards() + " before " + routes().get(a.item()));
      }
      String masterBefore = masterOf(a.item());
      switch (a.kind()) {
        case RELEASE -> {
          store.remove(key);
          events.add(KeyEvent.delete(key, rev));
          releases++;
          m.loading.remove(a.item());
          m.loaded.remove(a.item());
        }
        case MOVE -> {
          store.remove(key);
          events.add(KeyEvent.delete(key, rev));
          String other = keys.entry(a.item(), m.name, !a.moved());
          KeyValue kv = new KeyValue(other, a.state(), rev, rev, 1, m.lease);
          store.put(other, kv);
          events.add(KeyEvent.put(kv));
        }
        default -> {
          KeyValue kv = new KeyValue(key, a.state(), cur == null ? rev : cur.createRevision(), rev,
              cur == null ? 1 : cur.version() + 1, m.lease);
          store.put(key, kv);
          events.add(KeyEvent.put(kv));
          if (cur == null) {
            placements++;
            if (loadRounds > 0) {
              m.loading.put(a.item(), loadRounds);
            }
          }
        }
      }
      String masterAfter = masterOf(a.item());
      if (masterBefore != null && masterAfter != null && !masterBefore.equals(masterAfter)) {
        masterChanges++;
        lastMasterChanges++;
      }
    }
    if (events.isEmpty()) {
      return false;
    }
    keyWrites += events.size();
    revision = rev;
    m.ownWrite = rev;
    log.add(new WatchUpdate.Changes(rev, events));
    return true;
  }

  private boolean createRevisionIs(String key, long createRevision) {
    KeyValue kv = store.get(key);
    return kv != null && kv.createRevision() == createRevision;
  }

  /** The member whose entry comes first in {@code item}'s route in the store, or null. */
  String masterOf(String item) {
    String prefix = keys.itemEntriesPrefix(item);
    Map<String, Long> firstRev = new HashMap<>();
    store.subMap(prefix, prefix + Character.MAX_VALUE).forEach((k, v) -> {
      String member = k.substring(prefix.length()).split("/")[0];
      firstRev.merge(member, v.createRevision(), Math::min);
    });
    return firstRev.entrySet().stream()
        .min(java.util.Comparator.<Map.Entry<String, Long>>comparingLong(Map.Entry::getValue)
            .thenComparing(Map.Entry::getKey))
        .map(Map.Entry::getKey).orElse(null);
  }

  /** Entries of {@code member} in the store whose state is not "ready" (loads in progress). */
  int loadingOf(String member) {
    int n = 0;
    for (KeyValue kv : store.values()) {
      String k = kv.key();
      if (k.startsWith(keys.itemsPrefix()) && (k.endsWith("/" + member) || k.endsWith("/" + member + "/moved"))
          && !"ready".equals(kv.value())) {
        n++;
      }
    }
    return n;
  }

  /** Entries {@code member} holds in the store. */
  int entriesOf(String member) {
    return (int) routes().values().stream().filter(r -> r.index(member) >= 0).count();
  }

  KeyTree truth() {
    return KeyTree.fromSnapshot(ROOT, revision, new ArrayList<>(store.values()));
  }

  /**
   * Runs random rounds until every member is idle on an up-to-date view, or {@code maxRounds}.
   * Members sync before acting only some of the time, so they race on stale views.
   */
  boolean runToFixpoint(int maxRounds, Runnable perRevisionCheck) {
    List<Member> list = new ArrayList<>(members.values());
    for (int round = 0; round < maxRounds; round++) {
      rounds++;
      Member m = list.get(rnd.nextInt(list.size()));
      if (rnd.nextInt(100) < syncPercent) {
        m.sync();
      }
      long before = revision;
      m.step(rnd.nextInt(3) == 0);
      if (revision != before) {
        perRevisionCheck.run();
      }
      if (round % 16 == 0 && quiescent(list)) {
        return true;
      }
    }
    return quiescent(list);
  }

  private boolean quiescent(List<Member> list) {
    for (Member m : list) {
      m.sync();
    }
    for (Member m : list) {
      if (!m.loading.isEmpty()) {
        return false; // loads still finishing: states (and then takes) will change
      }
      if (!m.done && m.index.restartAdopted()) {
        return false; // the grace lease is still to be revoked
      }
      Decision d = m.decider.decide(m.index, m::state, rnd, null);
      if (d.outcome() == Decision.Outcome.DONE) {
        m.done = true;
      }
      if (d.outcome() == Decision.Outcome.ACT || d.outcome() == Decision.Outcome.TAKE_AFTER_BACKOFF) {
        return false;
      }
    }
    return true;
  }

  Map<String, Route> routes() {
    Map<String, Route> out = new TreeMap<>();
    io.consensus.internal.route.Items.walk(truth(), fixedItems.stream().sorted().toList(), (n, r) -> out.put(n, r));
    return out;
  }

  Map<String, Integer> mastersPerMember() {
    Map<String, Integer> out = new TreeMap<>();
    members.values().forEach(m -> out.put(m.name, 0));
    for (Route r : routes().values()) {
      RouteEntry master = r.master();
      if (master != null) {
        out.merge(master.member(), 1, Integer::sum);
      }
    }
    return out;
  }
}
