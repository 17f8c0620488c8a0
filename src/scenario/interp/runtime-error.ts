/**
 * Input errors found while a scenario runs: a name that another thread has not bound yet in this
 * interleaving (GS160), or an argument that turns out invalid when the step runs (GS161). They
 * are reported like load errors, with the place of the step: `file:line:column: CODE problem`
 * and what is accepted. The interpreter catches them, stops the thread and fails the execution.
 */
import type { ErrorCode } from '../errors.js';

export class ScenarioRuntimeError extends Error {
  override readonly name = 'ScenarioRuntimeError';

  constructor(
    readonly code: ErrorCode,
    /** `file:line:column` of the step (or of the name in it). */
    readonly where: string,
    readonly problem: string,
    readonly accepted: string,
    /** The thread that ran the step. */
    readonly thread: string,
  ) {
    super(`${where}: ${code} ${problem}\n  accepted: ${accepted}`);
  }

  /** Plain data for `--json` output. */
  toJSON(): Record<string, string> {
    const { code, where, problem, accepted, thread } = this;
    return { code, where, problem, accepted, thread };
  }
}
