/** One benchmark figure, as every bench module reports it. */
export interface BenchResult {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** The target, if it set one. */
  readonly target?: number;
  readonly higherIsBetter?: boolean;
  readonly note?: string;
  /**
   * A figure measured on both sides: the model (`gupsim`) and the real kernel (`host`, from
   * bench/native.ts). Rows with the same key and unit are printed side by side with their ratio
   * (bench/compare.ts); a key names the work, e.g. `anon-write-fault.small`.
   */
  readonly compare?: { readonly key: string; readonly side: 'gupsim' | 'host' };
  /** Set when the figure could not be measured here: why (value is NaN). */
  readonly skipped?: string;
}

export function meetsTarget(r: BenchResult): boolean | undefined {
  if (r.target === undefined || r.skipped !== undefined) return undefined;
  return r.higherIsBetter === false ? r.value <= r.target : r.value >= r.target;
}
