/**
 * Verdicts: does an execution pass? It passes when every expectation checked during the run
 * held, it finished (no deadlock, livelock or model bug unless expected), and its checker
 * reports match the program's expectation:
 * `none` (no report at all, the default), `any` (reports are listed but do not fail it), or a
 * list of checker ids that must be reported (and nothing else).
 */
import type { RunResult } from './machine.js';
import type { Violation } from './violation.js';

export type ViolationExpectation = 'none' | 'any' | readonly string[];

export interface Verdict {
  readonly pass: boolean;
  /** Why it failed, one line per reason. */
  readonly reasons: readonly string[];
}

export function judge(
  r: Pick<RunResult, 'status' | 'violations'> & Partial<Pick<RunResult, 'expectations'>>,
  expected: ViolationExpectation = 'none',
  extraFailures: readonly string[] = [],
): Verdict {
  const reasons = [...extraFailures];
  for (const e of r.expectations ?? []) {
    if (!e.ok)
      reasons.push(
        `expectation failed${e.where !== undefined ? ` at ${e.where}` : ''}: ${e.message}`,
      );
  }
  const ids = new Set(r.violations.map((v: Violation) => v.id));
  if (expected === 'none') {
    for (const v of r.violations) reasons.push(`[${v.id}] ${v.message}`);
  } else if (expected !== 'any') {
    const want = new Set(expected);
    for (const id of want) if (!ids.has(id)) reasons.push(`expected a ${id} report, got none`);
    for (const v of r.violations) if (!want.has(v.id)) reasons.push(`[${v.id}] ${v.message}`);
  }
  if (r.status !== 'done' && expected === 'any') reasons.push(`the run ended in ${r.status}`);
  return { pass: reasons.length === 0, reasons };
}
