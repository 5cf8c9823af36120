/** The recovery figures of a drill, from the sorted times (epoch ms) of holds or commits. */

/** How long after `t` the first event came (null: none did). */
export function firstAfter(sorted: number[], t: number): number | null {
  const next = sorted.find((x) => x >= t);
  return next === undefined ? null : next - t;
}

/**
 * The gap the fault made: from the last event before it was injected to the first one after it
 * was restored (null: nothing after). With nothing before, the gap starts at the injection.
 */
export function longestPause(sorted: number[], injectedAt: number, restoredAt: number): number | null {
  const after = sorted.find((x) => x >= restoredAt);
  if (after === undefined) return null;
  const before = sorted.filter((x) => x <= injectedAt).at(-1) ?? injectedAt;
  return after - before;
}
