/**
 * A systematic search of one task's subtree: plain depth-first search (every thread that can
 * run, at every decision) or dynamic partial-order reduction with sleep sets (only the
 * alternatives that reverse a race). Data choices are always tried exhaustively.
 */
import type { Program } from '../sim/program.js';
import { execute, type Executed } from './execute.js';
import { Races } from './races.js';
import { Path } from './path.js';
import { SearchRun, isStop, type SearchMode } from './search-run.js';
import { failureSignature } from './signature.js';
import type { FoundFailure, TaskLimits, TaskResult } from './types.js';

export interface SearchTask {
  readonly prefix: readonly number[];
  readonly bound: number | null;
}

export function searchMode(dpor: boolean, bound: number | null): SearchMode {
  // Sleep sets assume the sibling that put a thread to sleep explored its continuations; under
  // a preemption bound that sibling may have been cut off, so bounded searches go without.
  return { dpor, sleepSets: dpor && bound === null, bound };
}

/** Explore the subtree below `task.prefix`; stop at the first failing execution. */
export function runSearchTask(
  p: Program,
  task: SearchTask,
  dpor: boolean,
  limits: TaskLimits,
): TaskResult {
  const mode = searchMode(dpor, task.bound);
  const path = new Path();
  const races = dpor ? new Races(path, mode.bound) : null;
  let checked = -1;
  let executions = 0;
  let redundant = 0;
  let failure: FoundFailure | undefined;
  // Complete means the subtree was exhausted (so a task that stopped at a failure is not).
  const result = (complete: boolean): TaskResult =>
    failure !== undefined
      ? { executions, redundant, complete, failure }
      : { executions, redundant, complete };
  for (;;) {
    const run = new SearchRun(path, task.prefix, mode, races, checked);
    const done = execute(p, run, limits.maxSteps, isStop);
    executions++;
    limits.onExecution?.(done === null ? null : done.result);
    if (done === null) redundant++;
    else {
      run.finish(done.machine.threads);
      failure ??= failed(p, done, executions);
      if (failure !== undefined && limits.keepGoing !== true) return result(false);
    }
    const next = path.next(mode.bound);
    if (next < 0) return result(true);
    if (executions >= limits.budget || limits.shouldStop?.() === true) return result(false);
    checked = path.nodes[next]!.step;
  }
}

/** The failure an execution is, or undefined when it passes. */
export function failed(p: Program, done: Executed, execution: number): FoundFailure | undefined {
  const signature = failureSignature(p, done.result);
  if (signature === null) return undefined;
  return { execution, decisions: Array.from(done.machine.decisions()), signature };
}
