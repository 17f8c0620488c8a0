/**
 * A table of small integers by page index, for the per-page state of a file that the kernel
 * keeps in xarray marks and extent trees: dense (an Int32Array grown by doubling) for indices
 * below DENSE_LIMIT, a Map above it, so a sparse file written far out costs no memory. 0 is
 * "nothing"; iteration is in ascending index order.
 * @fidelity custom
 */

/** Indices at or above this live in the sparse part (2^24 pages: a 64 GiB file). */
export const DENSE_LIMIT = 1 << 24;

export class IndexTable {
  private dense = new Int32Array(64);
  private readonly sparse = new Map<number, number>();
  /** How many indices hold a non-zero value. */
  size = 0;

  get(index: number): number {
    if (index < DENSE_LIMIT) return index < this.dense.length ? this.dense[index]! : 0;
    return this.sparse.get(index) ?? 0;
  }

  set(index: number, value: number): void {
    const old = this.get(index);
    if (old === 0 && value !== 0) this.size++;
    else if (old !== 0 && value === 0) this.size--;
    if (index >= DENSE_LIMIT) {
      if (value === 0) this.sparse.delete(index);
      else this.sparse.set(index, value);
      return;
    }
    if (index >= this.dense.length) {
      if (value === 0) return;
      let n = this.dense.length;
      while (n <= index) n *= 2;
      const d = new Int32Array(n);
      d.set(this.dense);
      this.dense = d;
    }
    this.dense[index] = value;
  }

  /** The indices in [start, end] whose value `filter` accepts, ascending. */
  indices(start: number, end: number, filter: (value: number) => boolean): number[] {
    const out: number[] = [];
    if (this.size === 0) return out;
    const stop = Math.min(end, this.dense.length - 1);
    const d = this.dense;
    for (let i = Math.max(start, 0); i <= stop; i++) {
      const v = d[i]!;
      if (v !== 0 && filter(v)) out.push(i);
    }
    if (this.sparse.size > 0) {
      const far: number[] = [];
      for (const [i, v] of this.sparse) if (i >= start && i <= end && filter(v)) far.push(i);
      out.push(...far.sort((a, b) => a - b));
    }
    return out;
  }

  /** Every (index, value) with a non-zero value, ascending. */
  entries(): [number, number][] {
    const out: [number, number][] = [];
    for (const i of this.indices(0, Number.MAX_SAFE_INTEGER, () => true))
      out.push([i, this.get(i)]);
    return out;
  }
}
