/**
 * Sets of thread ids as 31-bit masks: the explorer's sleep, backtrack and enabled sets. Thread
 * ids up to 30 fit; the systematic strategies refuse programs with more threads.
 */

/** The largest number of threads the systematic strategies handle. */
export const MAX_THREADS = 31;

export function bit(id: number): number {
  return 1 << id;
}

export function has(mask: number, id: number): boolean {
  return (mask & (1 << id)) !== 0;
}

/** The id of the lowest member, or -1 for the empty set. */
export function lowest(mask: number): number {
  return mask === 0 ? -1 : 31 - Math.clz32(mask & -mask);
}

/** Members in ascending order. */
export function members(mask: number): number[] {
  const out: number[] = [];
  for (let m = mask; m !== 0; m &= m - 1) out.push(lowest(m));
  return out;
}

/** The mask of `ids[0..count)`. */
export function maskOf(ids: Int32Array, count: number): number {
  let m = 0;
  for (let i = 0; i < count; i++) m |= 1 << ids[i]!;
  return m;
}
