/**
 * Replaying schedules: exactly (a decision that does not fit is refused) for the replay
 * strategy, and leniently for shrinking, where an edited schedule may ask for a thread that
 * cannot run: then the default decision is taken instead, and the run records what it did.
 */
import { ReplayChooser, defaultThread, type Chooser, type ThreadDecision } from '../sim/chooser.js';
import type { Machine, RunResult } from '../sim/machine.js';
import { runProgram, type Program } from '../sim/program.js';
import { failureSignature } from './signature.js';

/** What a lenient replay did at one decision. */
export interface DecisionLog {
  readonly thread: boolean;
  readonly chosen: number;
  /** Thread decisions: the thread that ran before, and whether choosing another preempted it. */
  readonly current: number;
  readonly preempt: boolean;
}

/** Follows `decisions` where they fit, else decides as the default chooser; logs every decision. */
export class LenientReplay implements Chooser {
  readonly log: DecisionLog[] = [];
  constructor(private readonly decisions: readonly number[]) {}

  pickThread(d: ThreadDecision): number {
    const want = this.decisions[d.index];
    let canCurrent = false;
    let canWant = false;
    for (let i = 0; i < d.count; i++) {
      if (d.enabled[i] === d.current) canCurrent = true;
      if (d.enabled[i] === want) canWant = true;
    }
    const chosen = canWant ? want! : defaultThread(d);
    this.log.push({
      thread: true,
      chosen,
      current: d.current,
      preempt: canCurrent && chosen !== d.current,
    });
    return chosen;
  }

  pickValue(n: number, _label: string, index: number): number {
    const want = this.decisions[index];
    const chosen = want !== undefined && want < n ? want : 0;
    this.log.push({ thread: false, chosen, current: -1, preempt: false });
    return chosen;
  }
}

export interface Replayed {
  readonly machine: Machine;
  readonly result: RunResult;
  /** The failure signature, or null when the run passes. */
  readonly signature: string | null;
}

/** Replay a schedule exactly (then the default chooser); throws ScheduleMismatchError if it does not fit. */
export function replay(
  p: Program,
  schedule: string | readonly number[],
  opts: { readonly trace?: boolean; readonly maxSteps?: number } = {},
): Replayed {
  const { machine, result } = runProgram(p, {
    chooser: new ReplayChooser(schedule),
    trace: opts.trace ?? false,
    ...(opts.maxSteps !== undefined ? { maxSteps: opts.maxSteps } : {}),
  });
  return { machine, result, signature: failureSignature(p, result) };
}
