/**
 * The ExecContext an executor runs a step with: the kernel, the acting process and task, and the
 * scenario's names resolved in this execution. A name not bound yet (another thread has not
 * reached its binding step in this interleaving) is a runtime input error (GS160).
 */
import { Process } from '../../kernel/sched/task.js';
import type { ExecContext } from '../exec/types.js';
import type { AddressExpr, BindingRef, Step, ValueExpr } from '../spec.js';
import type { BoundValue } from './run.js';
import { ScenarioRuntimeError } from './runtime-error.js';
import { whereOf, type ThreadRun } from './thread-run.js';

const ORDER_HINT = 'a name bound before the step runs: order the threads with signal and wait';

function posText(ref: BindingRef, step: Step): string {
  return ref.pos.line > 0 ? `${ref.pos.file}:${ref.pos.line}:${ref.pos.column}` : whereOf(step);
}

function notBound(tr: ThreadRun, step: Step, ref: BindingRef): ScenarioRuntimeError {
  const b = ref.binding;
  const by =
    b.thread === null ? '' : `; it is bound by ${b.op ?? 'a step'} in thread '${b.thread}'`;
  const line = b.pos.line > 0 ? ` (line ${b.pos.line})` : '';
  const problem = `'${ref.name}' is not bound yet when thread '${tr.name}' runs ${step.op}${by}${line}`;
  return new ScenarioRuntimeError('GS160', posText(ref, step), problem, ORDER_HINT, tr.name);
}

function bound(tr: ThreadRun, step: Step, ref: BindingRef): BoundValue {
  const v = tr.resolved.get(ref.name) ?? tr.run.lookup(ref.name);
  if (v === undefined) throw notBound(tr, step, ref);
  return v;
}

/**
 * Resolve every name a step uses when it starts (a name not bound yet is GS160 here), so the
 * step sees the values of its start even if another thread rebinds a name meanwhile.
 */
export function resolveNames(tr: ThreadRun, step: Step, refs: readonly BindingRef[]): void {
  const resolved = new Map<string, BoundValue>();
  for (const ref of refs) resolved.set(ref.name, bound(tr, step, ref));
  tr.resolved = resolved;
}

/** What `NAME` or `NAME.field` stands for now. */
export function lookupRef(tr: ThreadRun, step: Step, ref: BindingRef): unknown {
  const v = bound(tr, step, ref);
  if (ref.field === null) return v.outcome.primary;
  if (ref.field === 'ret') return v.outcome.ret;
  const field = v.outcome.fields?.[ref.field];
  if (field === undefined) {
    const problem = `'${ref.name}' has no field '${ref.field}' in this execution`;
    throw new ScenarioRuntimeError(
      'GS161',
      posText(ref, step),
      problem,
      `${ref.name}.ret`,
      tr.name,
    );
  }
  return field;
}

function isNumberList(v: unknown): v is readonly number[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'number');
}

function noValue(tr: ThreadRun, step: Step, text: string, kind: string): never {
  const problem = `'${text}' is ${kind === 'pages' ? 'pages' : `a ${kind}`}, not a number`;
  const accepted = 'a number: an address, a value, or NAME.ret';
  throw new ScenarioRuntimeError('GS161', whereOf(step), problem, accepted, tr.name);
}

function valueOf(tr: ThreadRun, step: Step, e: ValueExpr): number | readonly number[] {
  if (e.kind === 'literal') return e.value;
  if (e.kind === 'list') return e.values;
  const v = lookupRef(tr, step, e.ref);
  if (typeof v === 'number') return v + e.offset;
  if (v instanceof Process) return v.tgid;
  if (isNumberList(v) && e.offset === 0) return v;
  const kind = e.ref.field === null ? bound(tr, step, e.ref).kind : 'value';
  return noValue(tr, step, e.text, kind);
}

function addrOf(tr: ThreadRun, step: Step, e: AddressExpr): number {
  if (e.kind === 'literal') return e.value;
  const v = lookupRef(tr, step, e.ref);
  if (typeof v === 'number') return v + e.offset;
  return noValue(tr, step, e.text, bound(tr, step, e.ref).kind);
}

/** The process a step acts in: `process:` on the step, else the thread's. */
export function actingProcess(tr: ThreadRun, step: Step): Process {
  if (step.process === null) return tr.process;
  const p = lookupRef(tr, step, step.process);
  if (p instanceof Process) return p;
  const problem = `'${step.process.name}' is not a process in this execution`;
  throw new ScenarioRuntimeError('GS161', whereOf(step), problem, 'a process name', tr.name);
}

/** The context of one step. `runSteps` runs a nested step list (a `repeat` body). */
export function execContext(
  tr: ThreadRun,
  step: Step,
  runSteps: ExecContext['runSteps'],
): ExecContext {
  const { run } = tr;
  const where = whereOf(step);
  return {
    k: run.k,
    m: run.m,
    threadName: tr.name,
    process: actingProcess(tr, step),
    task: tr.task,
    step,
    where,
    addr: (e) => addrOf(tr, step, e),
    value: (e) => valueOf(tr, step, e),
    lookup: (ref) => lookupRef(tr, step, ref),
    expect: (ok, message) => recordExpectation(tr, step, ok, message),
    inputError(message): never {
      throw new ScenarioRuntimeError(
        'GS161',
        where,
        message,
        'see the operation in docs/scenario-format.md',
        tr.name,
      );
    },
    event: (name) => run.event(name),
    runSteps,
  };
}

/** An expectation's outcome: into the engine's record (it fails the verdict) and the report's. */
export function recordExpectation(tr: ThreadRun, step: Step, ok: boolean, message: string): void {
  const where = whereOf(step);
  tr.run.m.expectation(ok, message, where);
  const nested = step.path.length > 1;
  tr.run.expectations.push({
    thread: tr.name,
    step: step.path[0] ?? 0,
    ...(nested ? { path: step.path, iteration: [...tr.iterations] } : {}),
    ok,
    message,
    where,
  });
}
