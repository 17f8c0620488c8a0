/**
 * Running a thread's steps: each step is preceded by a scheduling point (threads interleave
 * between steps), runs its operation's executor as the thread's task, binds its `as:` name, and
 * leaves `scenario.step` / `scenario.done` events in the trace. A runtime input error stops
 * the thread and fails the execution.
 */
import { errnoName } from '../../kernel/include/errno.js';
import { Process } from '../../kernel/sched/task.js';
import type { Sched } from '../../sim/thread.js';
import type { ExecutorEntry, StepOutcome } from '../exec/types.js';
import type { Step } from '../spec.js';
import { execContext, resolveNames } from './context.js';
import { argsText, hex, stepLabel } from './describe.js';
import { bindPoint, refsOf, startPoint } from './footprint.js';
import type { BoundValue } from './run.js';
import { ScenarioRuntimeError } from './runtime-error.js';
import { whereOf, type ThreadRun } from './thread-run.js';

function pagesText(ret: number): string {
  if (ret < 0) return `no pages (${errnoName(ret)})`;
  return ret === 1 ? '1 page' : `${ret} pages`;
}

/** A short text for what a name is bound to (traces and explain). */
export function boundText(v: BoundValue): string {
  const p = v.outcome.primary;
  if (v.kind === 'address' && typeof p === 'number') return hex(p);
  if (p instanceof Process) return `process ${p.comm} (pid ${p.tgid})`;
  if (v.kind === 'pages') return pagesText(v.outcome.ret);
  if (typeof p === 'number') return String(p);
  if (Array.isArray(p)) return `[${p.join(', ')}]`;
  return v.kind;
}

/** Note where the step starts: for reports (always) and the trace (when it records). */
function started(tr: ThreadRun, step: Step, entry: ExecutorEntry, label: string): void {
  const { m } = tr.run;
  tr.count++;
  tr.run.starts.push({ step: m.steps, thread: tr.name, label, where: whereOf(step) });
  if (!m.trace.enabled) return;
  const args = argsText(step, entry.op);
  m.emit('scenario.step', { step: label, op: step.op, args, line: step.pos.line });
}

/** Bind the step's `as:` name, after a scheduling point when another thread reads it. */
function* bindResult(tr: ThreadRun, step: Step, outcome: StepOutcome): Sched<string> {
  if (step.as === null) return '';
  const point = bindPoint(tr, step.as.name);
  if (point !== null) yield point;
  const v: BoundValue = { kind: step.as.kind, outcome };
  tr.run.bind(step.as.name, v);
  return boundText(v);
}

/** Run one step: resolve its names, run its executor, bind its result. */
export function* runStep(tr: ThreadRun, step: Step): Sched<StepOutcome> {
  const entry = tr.executors.get(step.op);
  if (entry === undefined) throw new Error(`no executor for '${step.op}'`); // the loader refuses these
  const label = stepLabel(step.path, tr.iterations);
  started(tr, step, entry, label);
  resolveNames(tr, step, refsOf(step));
  let iteration = 0; // of this step's `repeat` body, when it has one
  const ctx = execContext(tr, step, (steps) => runNested(tr, steps, ++iteration));
  const outcome = yield* entry.run(ctx, step.args);
  const value = yield* bindResult(tr, step, outcome);
  tr.resolved = new Map();
  const as = step.as?.name ?? null;
  tr.run.m.emit('scenario.done', { step: label, op: step.op, ret: outcome.ret, as, value });
  return outcome;
}

/** Run a list of steps, each after a scheduling point. */
export function* runSteps(tr: ThreadRun, steps: readonly Step[]): Sched<void> {
  for (const step of steps) {
    yield startPoint(tr, step, tr.executors.get(step.op)?.narrowStart === true);
    yield* runStep(tr, step);
  }
}

/** One iteration (1-based) of a `repeat` body. */
function* runNested(tr: ThreadRun, steps: readonly Step[], iteration: number): Sched<void> {
  tr.iterations.push(iteration);
  try {
    yield* runSteps(tr, steps);
  } finally {
    tr.iterations.pop();
  }
}

/** A thread's whole body, stopping the thread at a runtime input error. */
export function* guarded(tr: ThreadRun, body: () => Sched<void>): Sched<void> {
  try {
    yield* body();
  } catch (e) {
    if (!(e instanceof ScenarioRuntimeError)) throw e;
    tr.run.fail(e);
  }
}
