/** Running one task of a plan: the unit a worker thread or a shard takes. */
import type { Program } from '../sim/program.js';
import { replay } from './replay.js';
import { runSampleTask } from './sampling.js';
import { runSearchTask } from './search.js';
import type { TaskContext, TaskLimits, TaskResult, TaskSpec } from './types.js';

export function runTask(
  p: Program,
  ctx: TaskContext,
  spec: TaskSpec,
  limits: TaskLimits,
): TaskResult {
  const steps = ctx.maxSteps !== undefined ? { maxSteps: ctx.maxSteps } : {};
  const lim: TaskLimits = { ...limits, ...steps };
  switch (spec.kind) {
    case 'search':
      return runSearchTask(p, spec, ctx.strategy === 'dpor', lim);
    case 'sample':
      return runSampleTask(p, spec, ctx.seed, ctx.pct, lim);
    case 'replay': {
      const r = replay(p, spec.schedule, steps);
      limits.onExecution?.(r.result);
      if (r.signature === null) return { executions: 1, redundant: 0, complete: true };
      const decisions = Array.from(r.machine.decisions());
      return {
        executions: 1,
        redundant: 0,
        complete: true,
        failure: { execution: 1, decisions, signature: r.signature },
      };
    }
  }
}

/** The context of a plan, without its task list (what a worker needs with each task). */
export function contextOf(plan: TaskContext): TaskContext {
  return {
    strategy: plan.strategy,
    maxExecutions: plan.maxExecutions,
    seed: plan.seed,
    ...(plan.maxSteps !== undefined ? { maxSteps: plan.maxSteps } : {}),
    ...(plan.preemptionBound !== undefined ? { preemptionBound: plan.preemptionBound } : {}),
    ...(plan.pct !== undefined ? { pct: plan.pct } : {}),
  };
}
