/**
 * What a TypeScript scenario thread gets: the kernel, its task and process, the scenario's names
 * (bind, get), expectations, one-shot events, and `step` to run any operation of the format as a
 * typed step, exactly as a YAML step runs.
 */
import type { Kernel } from '../../kernel/kernel.js';
import { Process, type task_struct } from '../../kernel/sched/task.js';
import { complete_all, wait_for_completion } from '../../sim/locking/waitqueue.js';
import type { Machine } from '../../sim/machine.js';
import type { Point, Sched } from '../../sim/thread.js';
import type { ArgSpecs } from '../args.js';
import type { StepOutcome } from '../exec/types.js';
import type { OperationDescriptor } from '../operation.js';
import type { BindingKind, Step } from '../spec.js';
import { lookupRef, recordExpectation } from './context.js';
import { runStep } from './runner.js';
import { ScenarioRuntimeError } from './runtime-error.js';
import type { ThreadRun } from './thread-run.js';
import { arg, tsBinding, withDefaults, type StepArgs } from './ts-args.js';

export interface BindOptions {
  /** What the name stands for (default: from the value: a Process, pages, else a value). */
  readonly kind?: BindingKind;
  /** `NAME.ret` (default: the value itself when it is a number, a process's pid, else 0). */
  readonly ret?: number;
  readonly fields?: Readonly<Record<string, unknown>>;
}

export interface StepOptions {
  /** Bind the step's result to this name. */
  readonly as?: string;
  /** Act in this process (a name) instead of the thread's. */
  readonly process?: string;
}

export interface ScenarioThreadContext {
  readonly k: Kernel;
  readonly m: Machine;
  readonly task: task_struct;
  /** The process the thread runs in. */
  readonly process: Process;
  readonly thread: string;
  /** A scheduling point that may touch anything: `yield ctx.point('label')`. */
  point(label: string): Point;
  /** What a name stands for now; a name not bound yet is a runtime input error (GS160). */
  get(name: string): unknown;
  bind(name: string, value: unknown, opts?: BindOptions): void;
  /** Record an expectation; a failed one fails the execution. */
  expect(ok: boolean, message: string): void;
  /** Run an operation of the format as a step of this thread, after a scheduling point. */
  step<S extends ArgSpecs>(
    op: OperationDescriptor<S>,
    args: StepArgs<S>,
    opts?: StepOptions,
  ): Sched<StepOutcome>;
  /** Fire the one-shot event `name`. */
  signal(name: string): Sched<void>;
  /** Wait until `name` has been signalled. */
  wait(name: string): Sched<void>;
}

function kindOf(value: unknown): BindingKind {
  if (value instanceof Process) return 'process';
  if (typeof value === 'object' && value !== null && 'pfns' in value) return 'pages';
  return 'value';
}

function retOf(value: unknown): number {
  if (typeof value === 'number') return value;
  return value instanceof Process ? value.tgid : 0;
}

function tsStep(
  tr: ThreadRun,
  file: string,
  op: OperationDescriptor,
  args: object,
  opts: StepOptions,
): Step {
  const fields = (op.binds?.fields ?? []).map((f) => f.name);
  const as =
    opts.as === undefined
      ? null
      : {
          ...tsBinding(file, opts.as, op.binds?.kind ?? 'value'),
          fields: ['ret', ...fields],
          op: op.name,
          thread: tr.name,
        };
  return {
    op: op.name,
    args: withDefaults(op.args, args as Record<string, unknown>),
    process: opts.process === undefined ? null : arg.name(opts.process),
    as,
    thread: tr.name,
    path: [tr.count + 1],
    pos: { file, line: 0, column: 0 },
  };
}

/** The place of code between steps: named after the call, numbered by the steps run so far. */
function current(tr: ThreadRun, file: string, op: string): Step {
  return {
    op,
    args: {},
    process: null,
    as: null,
    thread: tr.name,
    path: [tr.count],
    pos: { file, line: 0, column: 0 },
  };
}

/** The context of a TypeScript thread; `file` labels its positions. */
export function tsContext(tr: ThreadRun, file: string): ScenarioThreadContext {
  const { run } = tr;
  return {
    k: run.k,
    m: run.m,
    task: tr.task,
    process: tr.process,
    thread: tr.name,
    point: (label) => run.m.point(label),
    get: (name) => lookupRef(tr, current(tr, file, 'ctx.get'), arg.name(name)),
    bind(name, value, opts = {}) {
      const outcome = {
        primary: value,
        ret: opts.ret ?? retOf(value),
        ...(opts.fields ? { fields: opts.fields } : {}),
      };
      run.bind(name, { kind: opts.kind ?? kindOf(value), outcome });
    },
    expect: (ok, message) => recordExpectation(tr, current(tr, file, 'ctx.expect'), ok, message),
    *step(op, args, opts = {}) {
      const step = tsStep(tr, file, op as unknown as OperationDescriptor, args, opts);
      if (!tr.executors.has(op.name)) {
        const problem = `operation '${op.name}' has no executor among the ones this scenario is loaded with (the caller chose a smaller set)`;
        throw new ScenarioRuntimeError(
          'GS132',
          `${file}: thread ${tr.name}, step ${step.path[0]}`,
          problem,
          'an operation the model implements (docs/scenario-format.md#operations)',
          tr.name,
        );
      }
      yield run.m.point(op.name);
      return yield* runStep(tr, step);
    },
    *signal(name) {
      yield* complete_all(run.event(name));
    },
    *wait(name) {
      yield* wait_for_completion(run.event(name));
    },
  };
}
