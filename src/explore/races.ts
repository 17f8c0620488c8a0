/**
 * Dynamic partial-order reduction's race check (Flanagan and Godefroid, POPL'05): at every
 * state, for every thread q (able to run or blocked), the latest step dependent with q's next
 * step that does not happen before it is a race; q, or a thread whose later step leads to q, is
 * added to the alternatives of the decision before that step. As in source-set DPOR (Abdulla et
 * al., POPL'14) nothing is added when one of those threads is already an alternative there, was
 * tried, or is asleep. Races that point into a task's frozen prefix need nothing: every
 * alternative there is a task of its own.
 */
import type { Thread } from '../sim/thread.js';
import { bit, has, lowest } from './bits.js';
import { StepFootprint } from './dependence.js';
import { HappensBefore } from './happens-before.js';
import type { Path } from './path.js';

export class Races {
  readonly hb = new HappensBefore();
  private readonly last = new StepFootprint();

  constructor(
    private readonly path: Path,
    /** Preemption bound, or null. */
    private readonly bound: number | null,
  ) {}

  /** Start a new execution. */
  reset(): void {
    this.hb.reset();
  }

  /** Thread `t` takes a step; `node` is the path node that chose it (-1: it was the only one). */
  record(t: Thread, node: number): void {
    this.hb.record(t, node);
    this.last.copy(t);
  }

  /**
   * Check the state after `step` steps, incrementally: the previous state was checked (in this
   * execution or in an earlier one with the same prefix), and only the last step is new. A
   * thread that did not run since has the same next step, so its only new candidate is the last
   * step; the thread that ran (`ran`), and threads new since (ids from `known`), have a new next
   * step and are checked fully. `changed`: threads whose ability to run the last step changed.
   */
  check(
    threads: readonly Thread[],
    step: number,
    ran: number,
    known: number,
    changed: number,
  ): void {
    const k = step - 1;
    for (let q = 0; q < threads.length; q++) {
      const t = threads[q]!;
      if (t.done) continue;
      if (k < 0 || q === ran || q >= known) {
        const i = this.hb.race(q, t);
        if (i >= 0) this.onRace(q, i);
      } else if (has(changed, q) || this.last.conflicts(t)) this.onRace(q, k);
    }
  }

  /** Step `i` races with thread q's next step: try q (or what leads to it) before step i. */
  private onRace(q: number, i: number): void {
    const hb = this.hb;
    const node = hb.nodeOf(i);
    if (node >= 0) this.backtrackAt(node, q, i);
    if (this.bound === null || i === 0) return;
    // Bounded POR (Coons, Musuvathi, McKinley, OOPSLA'13): also try q where the thread running
    // before step i was scheduled, where switching to q may cost no preemption.
    let j = i - 1;
    while (j > 0 && hb.threadOf(j) === hb.threadOf(j - 1)) j--;
    const nj = hb.nodeOf(j);
    if (nj >= 0 && nj !== node) this.backtrackAt(nj, q, j);
  }

  private backtrackAt(index: number, q: number, i: number): void {
    const n = this.path.nodes[index]!;
    if (n.frozen) return;
    const self = has(n.enabled, q) ? bit(q) : 0;
    const e = self | this.hb.laterBefore(q, i, n.enabled);
    if ((e & (n.backtrack | n.done | n.sleep)) !== 0) return;
    if (e === 0) {
      n.backtrack |= n.enabled;
      return;
    }
    const ok = e & n.allowed(this.bound);
    n.backtrack |= (ok & self) !== 0 ? self : bit(lowest(ok !== 0 ? ok : e));
  }
}
