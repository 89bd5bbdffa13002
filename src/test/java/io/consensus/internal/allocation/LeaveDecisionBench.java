package io.consensus.internal.allocation;

import io.consensus.internal.member.HeldItemStates;
import io.consensus.verticle.ItemHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The decision rounds of a graceful leave or a drain, pure logic in one JVM (the simulation's
 * guarded writes, no etcd), as {@link CrashDecisionBench} for a crash: N items x R = 2 over M
 * members, converged (written directly, in {@link CrashDecisionBench}'s layout), then the last member either leaves
 * ({@code leave}: its member key is deleted, as on SIGTERM; it hands its masters off, releases its
 * replicas and, once DONE, its lease goes) or is drained ({@code drain}: {@code ROOT/drained/<m>}
 * is written; it hands off in place, then lets its replicas go). Every member (the leaver until
 * it is done) then decides in turn on an up-to-date view, each decision's actions applied, until
 * all are idle. Prints the thread CPU of each decision round (max, mean) by rule, and the rounds
 * and movement.
 *
 * <pre>mvn -B -o -q exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=io.consensus.internal.allocation.LeaveDecisionBench -Dexec.args="100000 4 leave"</pre>
 *
 * <p>Arguments: items, members, {@code leave} or {@code drain}, most rounds (50,000), runs in the
 * same JVM (1; later runs show the rounds with the code compiled).
 */
public final class LeaveDecisionBench {
  private LeaveDecisionBench() {
  }

  public static void main(String[] args) {
    int items = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int members = args.length > 1 ? Integer.parseInt(args[1]) : 4;
    String how = args.length > 2 ? args[2] : "leave";
    int maxRounds = args.length > 3 ? Integer.parseInt(args[3]) : 50_000;
    int runs = args.length > 4 ? Integer.parseInt(args[4]) : 1;
    if (!how.equals("leave") && !how.equals("drain")) {
      throw new IllegalArgumentException("leave or drain, not " + how);
    }
    // Later runs in the same JVM: the same scenario with the code compiled (a member deciding for
    // hours runs warm; a single run has rare rules still interpreted).
    for (int run = 1; run <= runs; run++) {
      if (runs > 1) {
        System.out.printf("run %d of %d%n", run, runs);
      }
      run(items, members, how, maxRounds);
    }
  }

  private static void run(int items, int members, String how, int maxRounds) {
    // CrashDecisionBench's layout: the converged fleet is idle (NEXT_IN_LINE has nothing to even out).
    SimulatedFleet f = CrashDecisionBench.converged(items, members, 64);
    List<String> names = new ArrayList<>(f.members.keySet());
    String victim = names.get(members - 1);
    if (how.equals("leave")) {
      f.cancel(victim);
    } else {
      f.putKey(f.keys.drained(victim), "{}");
    }
    List<SimulatedFleet.Member> active = new ArrayList<>(f.members.values());
    // Every state is "ready" (the simulation's default): the states a verticle keeps.
    Map<String, HeldItemStates> states = new java.util.HashMap<>();
    for (SimulatedFleet.Member m : active) {
      states.put(m.name, new HeldItemStates(ItemHandler.DEFAULT, "ready"));
      states.get(m.name).changed(CrashDecisionBench.sync(f, m), m.index);
    }
    System.out.printf("%,d items x R=2 x %d members converged; %s %s%n", items, members, victim,
        how.equals("leave") ? "leaves (member key deleted)" : "drained (ROOT/drained/" + victim + ")");
    RoundCosts costs = new RoundCosts();
    // The five slowest rounds: cpu ns, round, member, rule.
    java.util.PriorityQueue<Object[]> slowest = new java.util.PriorityQueue<>(
        java.util.Comparator.comparingLong((Object[] o) -> (Long) o[0]));
    int idleInARow = 0;
    int p0 = f.placements;
    int r0 = f.releases;
    int mc0 = f.masterChanges;
    int leaverDoneAt = -1;
    Random rnd = new Random(7);
    for (int turn = 0; costs.rounds() < maxRounds && idleInARow < active.size(); turn++) {
      SimulatedFleet.Member m = active.get(turn % active.size());
      HeldItemStates held = states.get(m.name);
      held.changed(CrashDecisionBench.sync(f, m), m.index);
      Decision d = costs.decide(m, held, rnd);
      slowest.add(new Object[] {costs.lastCpu(), costs.rounds(), m.name, d.rule() == null ? d.outcome() : d.rule()});
      if (slowest.size() > 5) {
        slowest.poll();
      }
      if (d.outcome() == Decision.Outcome.DONE) {
        // A leaver that is done revokes its lease (nothing of it is left) and is gone.
        f.crash(m.name);
        active.remove(m);
        states.remove(m.name);
        leaverDoneAt = costs.rounds();
        idleInARow = 0;
        continue;
      }
      boolean acted = (d.outcome() == Decision.Outcome.ACT || d.outcome() == Decision.Outcome.TAKE_AFTER_BACKOFF)
          && f.execute(m, d.actions());
      idleInARow = acted ? 0 : idleInARow + 1;
    }
    List<String> slow = new ArrayList<>();
    while (!slowest.isEmpty()) {
      Object[] o = slowest.poll();
      slow.add(0, String.format("%.1f ms %s %s (round %d)", (Long) o[0] / 1e6, o[2], o[3], o[1]));
    }
    System.out.printf("%d decision rounds until idle%s: %s; "
        + "placements %d, releases %d, mastership changes %d; %s holds %d entries%n", costs.rounds(),
        leaverDoneAt < 0 ? "" : " (leaver done at round " + leaverDoneAt + ")", costs.summary(),
        f.placements - p0, f.releases - r0,
        f.masterChanges - mc0, victim, f.entriesOf(victim));
    System.out.printf("slowest rounds: %s%n", String.join(", ", slow));
    costs.printByRule("(no action: IDLE/DONE)");
  }
}
