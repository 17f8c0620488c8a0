/** Dependence between steps, from their declared footprints (see sim/footprint.ts). */
import { conflicts } from '../sim/footprint.js';
import type { Thread } from '../sim/thread.js';
import { bit, lowest } from './bits.js';

/** Do the next steps of two threads conflict? */
export function dependent(a: Thread, b: Thread): boolean {
  for (let i = 0; i < a.fpCount; i++) {
    for (let j = 0; j < b.fpCount; j++) {
      if (conflicts(a.fpObj[i]!, a.fpAcc[i]!, b.fpObj[j]!, b.fpAcc[j]!)) return true;
    }
  }
  return false;
}

/** The sleeping threads whose next step is independent of the step `t` is about to take. */
export function stillAsleep(sleep: number, t: Thread, threads: readonly Thread[]): number {
  let out = sleep;
  for (let m = sleep; m !== 0; m &= m - 1) {
    const q = lowest(m);
    if (dependent(threads[q]!, t)) out &= ~bit(q);
  }
  return out;
}

/** A copy of a step's footprint, kept after the thread has moved on. */
export class StepFootprint {
  private readonly obj: number[] = [];
  private readonly acc: number[] = [];
  private count = 0;

  copy(t: Thread): void {
    for (let f = 0; f < t.fpCount; f++) {
      this.obj[f] = t.fpObj[f]!;
      this.acc[f] = t.fpAcc[f]!;
    }
    this.count = t.fpCount;
  }

  /** Does this step conflict with `t`'s next step? */
  conflicts(t: Thread): boolean {
    for (let i = 0; i < this.count; i++) {
      for (let j = 0; j < t.fpCount; j++) {
        if (conflicts(this.obj[i]!, this.acc[i]!, t.fpObj[j]!, t.fpAcc[j]!)) return true;
      }
    }
    return false;
  }
}
