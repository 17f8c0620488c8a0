/**
 * A program: anything that can set up a fresh machine for one execution. Scenarios, TypeScript
 * test programs and the explorer all meet here: the explorer runs a program many times, each
 * time on a new machine with a different chooser.
 */
import type { Chooser } from './chooser.js';
import { Machine, type RunResult } from './machine.js';
import type { ViolationExpectation } from './verdict.js';

export interface Program {
  readonly name: string;
  readonly description?: string;
  /** Quirks (historical behaviours) this program switches on. */
  readonly quirks?: readonly string[];
  /** What must hold at the end of every execution (default: no violations). */
  readonly expect?: { readonly violations: ViolationExpectation };
  /**
   * The expected verdict of exploring the program: `pass` (every execution passes, the default)
   * or `fail` (a demonstration: exploration must find a failing execution).
   */
  readonly expectation?: 'pass' | 'fail';
  /** Create the program's threads (and any state) on a fresh machine. */
  setup(m: Machine): void;
  /** After the run: report failed expectations (as violations) from the final state. */
  finish?(m: Machine, r: RunResult): void;
}

export interface RunOptions {
  readonly chooser?: Chooser | undefined;
  readonly trace?: boolean | undefined;
  readonly maxSteps?: number | undefined;
}

/** Run a program once on a new machine. */
export function runProgram(
  p: Program,
  opts: RunOptions = {},
): { machine: Machine; result: RunResult } {
  const m = new Machine({
    chooser: opts.chooser,
    trace: opts.trace,
    maxSteps: opts.maxSteps,
    quirks: p.quirks,
  });
  p.setup(m);
  const result = m.run();
  p.finish?.(m, result);
  return { machine: m, result };
}

/** Identity helper so TypeScript programs get checked types: `export default defineProgram({...})`. */
export function defineProgram(p: Program): Program {
  return p;
}
