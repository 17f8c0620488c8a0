/**
 * A small counter-based random number generator whose whole state is one printable value
 * (a seed and a counter), so any random run can be described and resumed exactly.
 * Each output is a SplitMix32-style hash of (seed, counter): no hidden state.
 */
export class Rng {
  constructor(
    readonly seed: number,
    public counter = 0,
  ) {}

  /** A uniform 32-bit unsigned integer. */
  nextU32(): number {
    let z = (this.seed ^ Math.imul(this.counter++ + 1, 0x9e3779b9)) >>> 0;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  }

  /** A uniform integer in [0, n). */
  below(n: number): number {
    if (n <= 1) return 0;
    return Math.floor((this.nextU32() / 2 ** 32) * n);
  }

  /** A uniform float in [0, 1). */
  float(): number {
    return this.nextU32() / 2 ** 32;
  }

  /** The state as a printable string `seed:counter`. */
  get state(): string {
    return `${this.seed}:${this.counter}`;
  }
}

/** Mix two integers into a new 32-bit seed (for deriving per-execution seeds). */
export function deriveSeed(root: number, i: number): number {
  return new Rng(root >>> 0, i).nextU32();
}
