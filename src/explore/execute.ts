/** One execution of a program under an explorer's chooser, with the trace off. */
import type { Chooser } from '../sim/chooser.js';
import type { Machine, RunResult } from '../sim/machine.js';
import { runProgram, type Program } from '../sim/program.js';

export interface Executed {
  readonly machine: Machine;
  readonly result: RunResult;
}

/** Run `p` once; `isStop` recognises the chooser's own early-stop signals (then: null). */
export function execute(
  p: Program,
  chooser: Chooser,
  maxSteps: number | undefined,
  isStop: (e: unknown) => boolean = () => false,
): Executed | null {
  try {
    return runProgram(p, { chooser, trace: false, maxSteps });
  } catch (e) {
    if (isStop(e)) return null;
    throw e;
  }
}
