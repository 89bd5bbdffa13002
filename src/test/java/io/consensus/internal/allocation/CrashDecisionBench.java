package io.consensus.internal.allocation;

import io.consensus.internal.member.HeldItemStates;
import io.consensus.verticle.ItemHandler;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The decision rounds of the survivors right after a member's crash, pure logic in one JVM (the
 * simulation's guarded writes, no etcd): N items x R = 2 over M members, converged (written
 * directly: item i mastered by member i mod M, its replicas rotating over ordered pairs of the
 * others), then the last member crashes (its key and entries vanish in one revision). The
 * survivors then decide in turn on up-to-date views, each decision's actions applied as the
 * simulation applies them, each checking the states of the items {@link HeldItemStates} keeps from
 * its updates (as the verticle). Prints the thread CPU of each decision round (max, mean, the first
 * rounds) by rule, the rounds, movement, actions by rule and key writes until the fleet is idle.
 *
 * <pre>mvn -B -o -q exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=io.consensus.internal.allocation.CrashDecisionBench -Dexec.args="100000 4"</pre>
 *
 * <p>Arguments: items, members, most rounds (20,000), actions per transaction (64), seed of the
 * decisions' random choices (7).
 */
public final class CrashDecisionBench {
  private CrashDecisionBench() {
  }

  public static void main(String[] args) {
    int items = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int members = args.length > 1 ? Integer.parseInt(args[1]) : 4;
    int maxRounds = args.length > 2 ? Integer.parseInt(args[2]) : 20_000;
    int batch = args.length > 3 ? Integer.parseInt(args[3]) : 64;
    long seed = args.length > 4 ? Long.parseLong(args[4]) : 7;
    SimulatedFleet f = converged(items, members, batch);
    List<String> names = new ArrayList<>(f.members.keySet());
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    String victim = names.get(members - 1);
    f.crash(victim);
    List<SimulatedFleet.Member> survivors = new ArrayList<>(f.members.values());
    // Every state is "ready" (the simulation's default): the states a verticle keeps.
    Map<String, HeldItemStates> states = new java.util.HashMap<>();
    long applyCpu = 0;
    for (SimulatedFleet.Member m : survivors) {
      states.put(m.name, new HeldItemStates(ItemHandler.DEFAULT, "ready"));
      long c0 = threads.getCurrentThreadCpuTime();
      states.get(m.name).changed(sync(f, m), m.index);
      applyCpu = Math.max(applyCpu, threads.getCurrentThreadCpuTime() - c0);
    }
    System.out.printf("%,d items x R=2 x %d members converged; %s crashed (%,d keys in one revision); "
        + "a survivor applied it in %.0f ms of CPU%n", items, members, victim,
        f.log.get(f.log.size() - 1).events().size(), applyCpu / 1e6);
    RoundCosts costs = new RoundCosts();
    List<String> first = new ArrayList<>();
    int idleInARow = 0;
    int p0 = f.placements;
    int r0 = f.releases;
    int mc0 = f.masterChanges;
    int kw0 = f.keyWrites;
    Map<Rule, Integer> actions0 = new EnumMap<>(f.actionsByRule);
    Random rnd = new Random(seed);
    int revisions0 = f.log.size();
    long syncCpu = 0;
    while (costs.rounds() < maxRounds && idleInARow < survivors.size()) {
      SimulatedFleet.Member m = survivors.get(costs.rounds() % survivors.size());
      HeldItemStates held = states.get(m.name);
      long s0 = threads.getCurrentThreadCpuTime();
      held.changed(sync(f, m), m.index);
      syncCpu += threads.getCurrentThreadCpuTime() - s0;
      Decision d = costs.decide(m, held, rnd);
      if (first.size() < 12) {
        first.add(String.format("%s %s %.1f ms", m.name, d.rule() == null ? d.outcome() : d.rule(),
            costs.lastCpu() / 1e6));
      }
      boolean acted = (d.outcome() == Decision.Outcome.ACT || d.outcome() == Decision.Outcome.TAKE_AFTER_BACKOFF)
          && f.execute(m, d.actions());
      idleInARow = acted ? 0 : idleInARow + 1;
    }
    System.out.printf("first rounds: %s%n", String.join(", ", first));
    System.out.printf("%d decision rounds until idle: %s; placements %d, releases %d, mastership changes %d%n",
        costs.rounds(), costs.summary(), f.placements - p0, f.releases - r0, f.masterChanges - mc0);
    int revisions = f.log.size() - revisions0;
    System.out.printf("batch %d: %d revisions written; the survivors applied them in %.0f ms of CPU in all "
        + "(%.3f ms per revision per survivor)%n", batch, revisions, syncCpu / 1e6,
        syncCpu / 1e6 / Math.max(1, revisions) / survivors.size());
    costs.printByRule("(no action: IDLE)");
    Map<Rule, Integer> actions = new EnumMap<>(Rule.class);
    f.actionsByRule.forEach((r, n) -> {
      if (n > actions0.getOrDefault(r, 0)) {
        actions.put(r, n - actions0.getOrDefault(r, 0));
      }
    });
    System.out.printf("actions by rule %s; key writes %d%n", actions, f.keyWrites - kw0);
  }

  /** Applies the revisions {@code m} has not seen yet; the items they touched. */
  static Set<String> sync(SimulatedFleet f, SimulatedFleet.Member m) {
    Set<String> out = new HashSet<>();
    while (m.applied + 1 < f.log.size()) {
      var c = f.log.get(++m.applied);
      m.tree = m.tree.apply(c);
      out.addAll(m.index.apply(m.tree, c));
    }
    return out;
  }

  /**
   * N items x R = 2 over members m0..m(M-1), converged and idle: written directly, then every member
   * joins (reading the store as a snapshot) and is checked idle.
   */
  static SimulatedFleet converged(int items, int members, int batch) {
    SimulatedFleet f = new SimulatedFleet(1, 2, ProtocolSimulationTest.items(items), batch);
    List<String> names = new ArrayList<>();
    for (int m = 0; m < members; m++) {
      names.add("m" + m);
    }
    // Leases are handed out in join order from nextLease: write the converged entries on them first.
    long firstLease = f.nextLease;
    List<String> itemNames = ProtocolSimulationTest.items(items);
    for (int i = 0; i < items; i++) {
      // Master i mod M; the replicas rotate over every ordered pair of the others, so that behind
      // every master each other member stands first equally often (else NEXT_IN_LINE would still be
      // evening them), and second equally often behind each first (with one fixed second per first,
      // the crash promoted every item of a master with the same first replica behind it: 16,667
      // reorders after it at 100,000 items; 1 with this layout).
      int master = i % members;
      int others = members - 1;
      int turn = (i / members) % (others * (others - 1));
      int first = turn % others; // the first replica changes fastest: its counts stay within one
      int second = (first + 1 + turn / others) % others;
      int[] at = {master, (master + 1 + first) % members, (master + 1 + second) % members};
      for (int m : at) {
        f.putOnLease(f.keys.entry(itemNames.get(i), names.get(m), false), "ready", firstLease + m);
      }
    }
    f.log.clear(); // joins read the store as a snapshot
    for (String n : names) {
      f.join(n);
    }
    for (SimulatedFleet.Member m : f.members.values()) {
      m.sync();
      Decision d = m.decider.decide(m.index, m::state, f.rnd, null);
      if (d.outcome() != Decision.Outcome.IDLE) {
        throw new IllegalStateException(m.name + " not idle when converged: " + d.rule());
      }
    }
    return f;
  }
}
