/**
 * The contract between the scenario interpreter and the model: an executor runs one step of an
 * operation on the simulated kernel, as the running simulated thread, and returns what the
 * step's `as:` name binds. Each model area registers executors for its operations
 * (exec/<group>.ts); an operation without an executor is an input error at load time (GS132).
 */
import type { Kernel } from '../../kernel/kernel.js';
import type { Process, task_struct } from '../../kernel/sched/task.js';
import type { Completion } from '../../sim/locking/waitqueue.js';
import type { Machine } from '../../sim/machine.js';
import type { Sched } from '../../sim/thread.js';
import type { ArgSpecs, ResolvedArgs } from '../args.js';
import type { OperationDescriptor } from '../operation.js';
import type { AddressExpr, BindingRef, Contents, Step, ValueExpr } from '../spec.js';

/** What a step produced. */
export interface StepOutcome {
  /** What `NAME` alone stands for (an address, a process, a pages array, a value...). */
  readonly primary: unknown;
  /** `NAME.ret`: the C return value (a count or a negative errno). */
  readonly ret: number;
  /** Further fields (`NAME.locked`...). */
  readonly fields?: Readonly<Record<string, unknown>>;
}

/** A pages array bound by a GUP step: the pfns obtained and how they are held. */
export interface PagesBinding {
  readonly pfns: readonly number[];
  /** 'pin' (FOLL_PIN) or 'get' (FOLL_GET) references. */
  readonly kind: 'pin' | 'get';
  /** The process whose memory they came from. */
  readonly tgid: number;
  /** Where they were taken, for leak reports: `thread step N (file:line)`. */
  readonly where: string;
}

/** Everything an executor may use. */
export interface ExecContext {
  readonly k: Kernel;
  readonly m: Machine;
  /** The scenario thread running the step. */
  readonly threadName: string;
  /** The process the step acts in (`process:` on the step, else the thread's). */
  readonly process: Process;
  /** The running task. */
  readonly task: task_struct;
  readonly step: Step;
  /** `file:line:column` of the step, for reports. */
  readonly where: string;
  /** The byte address an address expression stands for now. */
  addr(e: AddressExpr): number;
  /** The value of an expression (a number, or a list for per-page contents). */
  value(e: ValueExpr): number | readonly number[];
  /** What a name (or `NAME.field`) is bound to now. */
  lookup(ref: BindingRef): unknown;
  /** Record an expectation's outcome (`expect` steps and checks built into operations). */
  expect(ok: boolean, message: string): void;
  /** Fail the step as bad input discovered at run time (a name not yet bound...). */
  inputError(message: string): never;
  /** The one-shot event `name` of this run (`signal` / `wait`). */
  event(name: string): Completion;
  /** Run a list of steps (a `repeat` body) in this thread, each after a scheduling point. */
  runSteps(steps: readonly Step[]): Sched<void>;
}

export type Executor<S extends ArgSpecs = ArgSpecs> = (
  ctx: ExecContext,
  args: ResolvedArgs<S>,
) => Sched<StepOutcome>;

export interface ExecutorOptions {
  /**
   * True when the executor's code before its first scheduling point reads only its arguments,
   * the step's names, the acting process's `mm` pointer and the running thread's own state.
   * The interpreter then declares the step's start with that narrow footprint instead of
   * "everything", so the explorer can reorder it with independent steps of other threads.
   */
  readonly narrowStart?: boolean;
}

export interface ExecutorEntry extends ExecutorOptions {
  readonly op: OperationDescriptor;
  readonly run: Executor;
}

/** Pair an operation descriptor with its executor, with the argument types checked. */
export function defineExecutor<S extends ArgSpecs>(
  op: OperationDescriptor<S>,
  run: Executor<S>,
  opts: ExecutorOptions = {},
): ExecutorEntry {
  return { op: op as unknown as OperationDescriptor, run: run as unknown as Executor, ...opts };
}

export type { Contents };
