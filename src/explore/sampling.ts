/**
 * Sampling strategies, random walk and PCT: execution i runs with the seed deriveSeed(root, i),
 * so a task of executions [from, to) gives the same results on any worker or shard.
 */
import { RandomChooser, type Chooser } from '../sim/chooser.js';
import type { Program } from '../sim/program.js';
import { deriveSeed } from '../sim/rng.js';
import { execute } from './execute.js';
import { PctChooser } from './pct.js';
import { failed } from './search.js';
import type { FoundFailure, PctParams, TaskLimits, TaskResult } from './types.js';

/** The chooser of execution `i`: PCT when `pct` is given, else uniformly random. */
export function samplingChooser(seed: number, i: number, pct?: PctParams): Chooser {
  const s = deriveSeed(seed, i);
  return pct !== undefined ? new PctChooser(s, pct) : new RandomChooser(s);
}

export function runSampleTask(
  p: Program,
  range: { readonly from: number; readonly to: number },
  seed: number,
  pct: PctParams | undefined,
  limits: TaskLimits,
): TaskResult {
  let executions = 0;
  let failure: FoundFailure | undefined;
  for (let i = range.from; i < range.to; i++) {
    if (executions >= limits.budget || limits.shouldStop?.() === true) break;
    const done = execute(p, samplingChooser(seed, i, pct), limits.maxSteps)!;
    executions++;
    limits.onExecution?.(done.result);
    failure ??= failed(p, done, executions);
    if (failure !== undefined && limits.keepGoing !== true) break;
  }
  const complete = executions === range.to - range.from;
  return failure !== undefined
    ? { executions, redundant: 0, complete, failure }
    : { executions, redundant: 0, complete };
}
