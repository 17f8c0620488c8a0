/**
 * The result object of a run. Its schedule string is encoded when first read: an explorer runs
 * many executions and reads the schedules of few (a failure, a replay, a report), and encoding
 * one costs about as much as the rest of the result. Everything else is plain data.
 *
 * `schedule` is a getter on the prototype, so it is not an own property: `toJSON` puts it back
 * in place (JSON.stringify gives the same text as for a plain object with these fields).
 */
import type { Expectation, RunResult, RunStatus } from './machine.js';
import { encodeSchedule } from './schedule.js';
import type { TraceEvent } from './trace.js';
import type { Violation } from './violation.js';

export class ExecutionResult implements RunResult {
  readonly #decisions: readonly number[];
  readonly #end: number;
  #schedule: string | null = null;

  constructor(
    readonly status: RunStatus,
    readonly steps: number,
    readonly switches: number,
    readonly preemptions: number,
    readonly decisions: number,
    /** The run's decisions (never changed after the run), and where its schedule ends. */
    decided: readonly number[],
    scheduleEnd: number,
    readonly violations: readonly Violation[],
    readonly expectations: readonly Expectation[],
    readonly trace: readonly TraceEvent[],
  ) {
    this.#decisions = decided;
    this.#end = scheduleEnd;
  }

  get schedule(): string {
    return (this.#schedule ??= encodeSchedule(this.#decisions, this.#end));
  }

  toJSON(): RunResult {
    return {
      status: this.status,
      steps: this.steps,
      switches: this.switches,
      preemptions: this.preemptions,
      decisions: this.decisions,
      schedule: this.schedule,
      violations: this.violations,
      expectations: this.expectations,
      trace: this.trace,
    };
  }
}
