/**
 * The explorer's facade: plan a program's exploration, run its tasks in order in this thread
 * until the first failure, combine, and shrink the counterexample. (The CLI runs the same plan
 * on worker threads or shards; the result is the same.)
 */
import type { RunResult } from '../sim/machine.js';
import type { Program } from '../sim/program.js';
import { combine } from './combine.js';
import { planExploration } from './plan.js';
import { shrink, type ShrinkResult } from './shrink.js';
import { contextOf, runTask } from './task.js';
import type { ExploreConfig, Exploration, Plan, TaskResult } from './types.js';

export interface ExploreHooks {
  /** Asked between executions: true stops the exploration (incomplete). */
  readonly shouldStop?: () => boolean;
  /** Called after every execution, with its result (null when sleep sets cut it short). */
  readonly onExecution?: (r: RunResult | null) => void;
  /** Go on after the first failure (it is still the one reported); default false. */
  readonly keepGoing?: boolean;
}

/** A shrunk counterexample. */
export interface Counterexample extends ShrinkResult {
  readonly signature: string;
}

export interface ExploreOutcome {
  readonly exploration: Exploration;
  readonly counterexample?: Counterexample;
}

/** Explore `p` in this thread. */
export function explore(p: Program, cfg: ExploreConfig, hooks: ExploreHooks = {}): ExploreOutcome {
  const plan = planExploration(p, cfg);
  const exploration = combine(plan, runInOrder(p, plan, hooks));
  return withCounterexample(p, plan, exploration);
}

/** Run a plan's tasks in order, each with what is left of the execution limit. */
export function runInOrder(p: Program, plan: Plan, hooks: ExploreHooks = {}): TaskResult[] {
  const ctx = contextOf(plan);
  const results: TaskResult[] = [];
  let used = 0;
  for (const spec of plan.tasks) {
    if (used >= plan.maxExecutions || hooks.shouldStop?.() === true) break;
    const r = runTask(p, ctx, spec, { ...hooks, budget: plan.maxExecutions - used });
    results.push(r);
    used += r.executions;
    if (r.failure !== undefined && hooks.keepGoing !== true) break;
  }
  return results;
}

/** Shrink the exploration's failure, if any. */
export function withCounterexample(
  p: Program,
  plan: Plan,
  exploration: Exploration,
): ExploreOutcome {
  const f = exploration.failure;
  if (f === undefined) return { exploration };
  // A replayed schedule is reported as given; anything found by searching is shrunk.
  const maxRuns = plan.strategy === 'replay' ? 1 : undefined;
  const shrunk = shrink(p, f.decisions, f.signature, {
    ...(plan.maxSteps !== undefined ? { maxSteps: plan.maxSteps } : {}),
    ...(maxRuns !== undefined ? { maxRuns } : {}),
  });
  return { exploration, counterexample: { ...shrunk, signature: f.signature } };
}
