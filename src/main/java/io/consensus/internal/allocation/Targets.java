package io.consensus.internal.allocation;

/**
 * How many items a member wants while it holds its member key ({@link TargetShares} computes them
 * for every member at once). With default specs: an exact share of the N items'
 * masters over the M members, {@code masters = floor(N / M)} plus one for the
 * {@code N mod M} most senior members (earliest member keys), and
 * {@code total = ceil(N / M) * (R + 1)} entries. Once its key is gone (shutting down): 0 and 0.
 *
 * <p>Why not {@code masters = ceil(N / M)} for everyone: those targets add up to more
 * than N, so early members fill up to the ceiling and leave later ones short (100 items over
 * 3 members settled at 34/34/32 in the fleet simulation). Exact master shares add up to N, so
 * masters per member differ by at most one, and the earlier member keeps the larger share.
 * The total keeps the ceiling: with totals adding up to exactly N * (R + 1) the simulation
 * found fleets that never settled, each member waiting for a slot only another could free.
 *
 * @param masters items this member wants to master
 * @param total   entries (master + replica) this member may hold in all
 */
public record Targets(int masters, int total) {
}
