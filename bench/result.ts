/** One benchmark figure, as every bench module reports it. */
export interface BenchResult {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** The target, if it set one. */
  readonly target?: number;
  readonly higherIsBetter?: boolean;
  readonly note?: string;
}

export function meetsTarget(r: BenchResult): boolean | undefined {
  if (r.target === undefined) return undefined;
  return r.higherIsBetter === false ? r.value <= r.target : r.value >= r.target;
}
