/**
 * Combining task results in task order, the way one sequential run would have seen them: the
 * first failure in task order wins, executions count up to it, and the execution limit cuts the
 * sequence where a sequential run would have stopped. Whoever ran the tasks, and in whatever
 * order, the combination is the same.
 */
import { EXHAUSTIVE, type Exploration, type TaskContext, type TaskResult } from './types.js';

/** Combine the results of a plan's `tasks` tasks (by task index; undefined: not run). */
export function combine(
  plan: TaskContext & { readonly tasks: number | readonly unknown[] },
  results: readonly (TaskResult | undefined)[],
): Exploration {
  const tasks = typeof plan.tasks === 'number' ? plan.tasks : plan.tasks.length;
  let executions = 0;
  let redundant = 0;
  let complete = EXHAUSTIVE.includes(plan.strategy);
  let failure: Exploration['failure'];
  for (let j = 0; j < tasks; j++) {
    const r = results[j];
    if (r === undefined) {
      complete = false;
      continue;
    }
    const room = plan.maxExecutions - executions;
    if (r.failure !== undefined && r.failure.execution <= room) {
      executions += r.failure.execution;
      redundant += r.redundant;
      failure = { ...r.failure, task: j };
      break;
    }
    if (r.executions >= room && (r.executions > room || !r.complete || j < tasks - 1)) {
      executions = plan.maxExecutions;
      complete = false;
      break;
    }
    executions += r.executions;
    redundant += r.redundant;
    if (!r.complete) complete = false;
  }
  return {
    strategy: plan.strategy,
    executions,
    redundant,
    complete: complete && failure === undefined,
    tasks,
    ...(plan.preemptionBound !== undefined ? { preemptionBound: plan.preemptionBound } : {}),
    ...(plan.pct !== undefined ? { pct: plan.pct } : {}),
    ...(failure !== undefined ? { failure } : {}),
  };
}
