/**
 * Choosers decide every nondeterministic choice of a run: which thread runs at each scheduling
 * point where several could, and every data choice (`Machine.choose`). The machine records the
 * decisions whatever the chooser, so any run can be replayed from its schedule string.
 *
 * The scheduler is the mechanism (who may run); a chooser is the strategy (who runs next).
 */
import { Rng } from './rng.js';
import { decodeSchedule } from './schedule.js';
import type { Thread } from './thread.js';

/** The scheduler's view of a state: who can run, and every thread (with its next footprint). */
export interface StepView {
  /** Ids of the threads that can run, ascending; only the first `count` entries are valid. */
  readonly enabled: Int32Array;
  readonly count: number;
  /** Every thread of the machine, by id; each carries the footprint of its next step. */
  readonly threads: readonly Thread[];
}

/** What a chooser sees at a thread decision. */
export interface ThreadDecision extends StepView {
  /** The thread that ran the previous step, or -1. */
  readonly current: number;
  /** Index of this decision in the run (0-based). */
  readonly index: number;
}

export interface Chooser {
  /** Pick one of `d.enabled[0..d.count)`; returns a thread id. */
  pickThread(d: ThreadDecision): number;
  /** Pick a value in [0, n) for a data choice labelled `label`. */
  pickValue(n: number, label: string, index: number): number;
  /**
   * Optional: called before every step, decision or not, with the thread about to run (its
   * footprint is the step's) and the state it runs from. Explorers use it for partial-order
   * reduction; the machine skips the call when a chooser does not define it.
   */
  beforeStep?(t: Thread, s: StepView): void;
}

/** The decision the default chooser makes: keep running the current thread, else the lowest id. */
export function defaultThread(d: ThreadDecision): number {
  for (let i = 0; i < d.count; i++) if (d.enabled[i] === d.current) return d.current;
  return d.enabled[0]!;
}

/** Deterministic, non-preemptive: threads run to their next blocking point in id order. */
export class DefaultChooser implements Chooser {
  pickThread(d: ThreadDecision): number {
    return defaultThread(d);
  }
  pickValue(): number {
    return 0;
  }
}

/** Uniformly random at every decision, from a seed. */
export class RandomChooser implements Chooser {
  readonly rng: Rng;
  constructor(seed: number) {
    this.rng = new Rng(seed >>> 0);
  }
  pickThread(d: ThreadDecision): number {
    return d.enabled[this.rng.below(d.count)]!;
  }
  pickValue(n: number): number {
    return this.rng.below(n);
  }
}

/** A replayed decision that does not fit the run: the schedule belongs to another program. */
export class ScheduleMismatchError extends Error {
  override readonly name = 'ScheduleMismatchError';
  readonly code = 'GS002';
}

/**
 * Replays recorded decisions, then continues with `then` (the default chooser unless given).
 * A thread decision naming a thread that cannot run is a mismatch, never silently changed.
 */
export class ReplayChooser implements Chooser {
  private readonly decisions: readonly number[];
  constructor(
    schedule: string | readonly number[],
    private readonly then: Chooser = new DefaultChooser(),
  ) {
    this.decisions = typeof schedule === 'string' ? decodeSchedule(schedule) : schedule;
  }

  get length(): number {
    return this.decisions.length;
  }

  pickThread(d: ThreadDecision): number {
    if (d.index >= this.decisions.length) return this.then.pickThread(d);
    const want = this.decisions[d.index]!;
    for (let i = 0; i < d.count; i++) if (d.enabled[i] === want) return want;
    const runnable = Array.from(d.enabled.subarray(0, d.count)).join(', ');
    throw new ScheduleMismatchError(
      `schedule decision ${d.index} picks thread ${want}, but only threads [${runnable}] can run there: ` +
        'the schedule was recorded for a different scenario or version',
    );
  }

  pickValue(n: number, label: string, index: number): number {
    if (index >= this.decisions.length) return this.then.pickValue(n, label, index);
    const v = this.decisions[index]!;
    if (v >= n) {
      throw new ScheduleMismatchError(
        `schedule decision ${index} picks value ${v} for '${label}', which has only ${n} options`,
      );
    }
    return v;
  }
}
