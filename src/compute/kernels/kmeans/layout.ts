/**
 * What the GPU program, the CPU reference and the compare share: the row a
 * chunk returns, the assignment's tie rule and how the program is sized.
 *
 * Row layout (the weighted-mean aggregator's, rounds.ts, then one extra):
 *   for each centroid c: the sums of its points' D coordinates, then their count;
 *   then the chunk's inertia (sum of squared distances to the assigned centroids).
 */

/** Values of one centroid's part: D sums, then the count. */
export function centroidCols (dims: number): number {
  return dims + 1
}

/** Values of a chunk's row: every centroid's part, then the inertia. */
export function rowValues (k: number, dims: number): number {
  return k * centroidCols(dims) + 1
}

/** fp32 unit roundoff, 2^-24. */
export const UNIT_ROUNDOFF = 2 ** -24

/**
 * The assignment's tie rule, the same on every device: centroids are tried
 * in order and a later one replaces the best so far only when its squared
 * distance is below best x SHRINK, SHRINK = 1 - tau. Exact ties go to the
 * lowest index, and so do near ties within a factor tau.
 *
 * Why not plain `<`: two devices compute a squared distance with different
 * fp32 rounding (a fused multiply-add here, none there), at most about
 * (D + 2) u apart relatively each (u = 2^-24). A point whose two nearest
 * centroids are at exactly the same real distance (common: data on a grid,
 * duplicated rows, a point midway between two centroids drawn from the
 * data) would then go to either centroid depending on the device, and
 * every copy of that point with it. With tau at twice the two devices'
 * combined error, every device sees such a tie as a tie and picks the
 * lowest index; devices can then disagree only on a point whose distances
 * differ by a factor within rounding of exactly tau, which is as rare as a
 * near tie of plain `<` on continuous data and has no reason to recur.
 * Capped at 2^-12 for very wide data, so the rule stays a nearest-centroid
 * rule.
 */
export function tieShrink (dims: number): number {
  const tau = Math.min(2 ** -12, 4 * (dims + 2) * UNIT_ROUNDOFF)
  // 1 - m 2^-24 (m < 2^24) is exact in fp32: the GPU's constant is the same number.
  return Math.fround(1 - tau)
}

/** Invocations per workgroup: within every adapter's limits (compatibility mode allows 128). */
export const KMEANS_WORKGROUP_SIZE = 64
/** Most points one invocation assigns: a workgroup's points' nearest centroid and distance then fit 8 KiB of workgroup memory. */
export const MAX_POINTS_PER_INVOCATION = 16
/**
 * Loop iterations an invocation spends on assignment (at most (k + 1) x (D + 1)
 * a point: copying it, then k distances):
 * Mesa's llvmpipe stops a loop after about 65,535 iterations an invocation
 * (all its loops together), so the program stays well below that whenever
 * one point allows it.
 */
export const ASSIGN_ITERATION_BUDGET = 16_384

/**
 * Points each invocation assigns. Each workgroup writes one partial row of
 * k x (D + 1) + 1 values, so more points per workgroup keep the partial rows
 * small: about k / 16 points an invocation makes them a quarter of the
 * chunk's own data. The loop budget and the workgroup memory bound it.
 */
export function pointsPerInvocation (k: number, dims: number): number {
  const byBudget = Math.floor(ASSIGN_ITERATION_BUDGET / ((k + 1) * centroidCols(dims)))
  return Math.max(1, Math.min(MAX_POINTS_PER_INVOCATION, Math.ceil(k / 16), byBudget))
}

/** Points one workgroup assigns and sums. */
export function pointsPerWorkgroup (k: number, dims: number): number {
  return KMEANS_WORKGROUP_SIZE * pointsPerInvocation(k, dims)
}

/** The most points a workgroup sums in one fp32 run (the compare's rounding bound). */
export const MAX_POINTS_PER_WORKGROUP = KMEANS_WORKGROUP_SIZE * MAX_POINTS_PER_INVOCATION
