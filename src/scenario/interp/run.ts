/**
 * The state of one execution of a scenario: the kernel it runs on, what each name is bound to,
 * the expectations checked, the one-shot events, and the first runtime input error. Created by
 * the program's setup on each fresh machine.
 */
import type { Kernel } from '../../kernel/kernel.js';
import { Completion } from '../../sim/locking/waitqueue.js';
import type { Machine } from '../../sim/machine.js';
import type { StepOutcome } from '../exec/types.js';
import type { BindingKind } from '../spec.js';
import type { ScenarioRuntimeError } from './runtime-error.js';

/** What a name stands for in this execution. */
export interface BoundValue {
  readonly kind: BindingKind;
  readonly outcome: StepOutcome;
}

/** One expectation checked by a thread, with its place in the scenario. */
export interface ExpectationRecord {
  readonly thread: string;
  /** 1-based index of the step in its thread (of the enclosing top-level step in a repeat). */
  readonly step: number;
  /** The full step path inside `repeat` bodies ([3, 2]), when nested. */
  readonly path?: readonly number[];
  /** The iteration of each enclosing `repeat` (1-based), when nested. */
  readonly iteration?: readonly number[];
  readonly ok: boolean;
  readonly message: string;
  /** `file:line:column` of the step. */
  readonly where: string;
}

/** Where a thread's scenario step started, in engine steps (to place reports in the scenario). */
export interface StepStart {
  readonly step: number;
  readonly thread: string;
  readonly label: string;
  readonly where: string;
}

export class RunState {
  private readonly bound = new Map<string, BoundValue>();
  private readonly events = new Map<string, Completion>();
  readonly expectations: ExpectationRecord[] = [];
  readonly starts: StepStart[] = [];
  /** The first runtime input error of the execution, if any. */
  error: ScenarioRuntimeError | null = null;

  constructor(
    readonly m: Machine,
    readonly k: Kernel,
  ) {}

  bind(name: string, value: BoundValue): void {
    this.bound.set(name, value);
  }

  lookup(name: string): BoundValue | undefined {
    return this.bound.get(name);
  }

  /** Every bound name, in the order they were first bound. */
  names(): string[] {
    return [...this.bound.keys()];
  }

  /**
   * A runtime input error stopped a thread: it fails the execution (as a failed engine
   * expectation, so every verdict mode fails) and the first one is kept for the report.
   */
  fail(e: ScenarioRuntimeError): void {
    this.error ??= e;
    this.m.emit('scenario.error', { code: e.code, message: e.problem });
    this.m.expectation(false, `${e.code} ${e.problem}`, e.where);
  }

  /** The scenario step `thread` was running at engine step `step`, as text, if any. */
  stepAt(thread: string, step: number): string | null {
    for (let i = this.starts.length - 1; i >= 0; i--) {
      const s = this.starts[i]!;
      if (s.thread === thread && s.step <= step) return `${s.thread} step ${s.label} (${s.where})`;
    }
    return null;
  }

  /** The one-shot event `name` (created on first use). */
  event(name: string): Completion {
    let c = this.events.get(name);
    if (c === undefined) {
      c = new Completion(this.m, `event ${name}`);
      this.events.set(name, c);
    }
    return c;
  }
}
