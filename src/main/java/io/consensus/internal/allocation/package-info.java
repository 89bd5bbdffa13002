/**
 * The pure allocation rules: targets per member ({@code Targets}), the incremental view of
 * who holds what ({@code AllocationIndex}, a façade over {@code Candidates}, {@code MemberLoad},
 * {@code Membership}, {@code MemberSpecs}, {@code FleetTargets}, {@code ItemSummarizer}) and the decision of the next etcd transaction
 * ({@code AllocationDecider}, {@code Action}, {@code Decision}) by the rules ({@code Rule}, in
 * evaluation order; {@code MasterPath}, {@code NextInLine} and {@code FirstReplicaCounts} serve
 * some of them); placement constraints from the
 * members' specs ({@code MemberSpec}, read through a {@code SpecReader}; {@code TargetShares},
 * {@code PlacementConstraints}, {@code ZoneSpread}, {@code ZoneSwap}). No I/O, no Vert.x, no clock:
 * the same input gives the same decision, which is what the simulation tests rely on.
 *
 * <p>May import: {@code tree}, {@code route}, {@code internal.route} and {@code java.*} only.
 */
package io.consensus.internal.allocation;
