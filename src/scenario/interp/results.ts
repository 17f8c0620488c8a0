/**
 * The scenario's view of a finished execution, as the result object of the format shows it:
 * every bound name's value (addresses as hex strings, `NAME.ret`, `NAME.locked`, contents),
 * the expectations checked, and the runtime input error if one stopped a thread.
 */
import { Process } from '../../kernel/sched/task.js';
import { hex } from './describe.js';
import type { BoundValue, ExpectationRecord, RunState } from './run.js';
import type { ScenarioRuntimeError } from './runtime-error.js';
import type { Violation } from '../../sim/violation.js';

export type ResultValue = string | number | readonly number[];

export interface ScenarioReport {
  /** Name (or `NAME.field`) -> value, in the order the names appear in the scenario. */
  readonly results: Readonly<Record<string, ResultValue>>;
  readonly expectations: readonly ExpectationRecord[];
  readonly error: ScenarioRuntimeError | null;
  /** For each violation of the run (same order): the scenario step it was found in, if any. */
  readonly violationSteps: readonly (string | null)[];
}

function isNumberList(v: unknown): v is readonly number[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'number');
}

/** What `NAME` alone shows, or undefined for kinds with no printable value (pages, pipes). */
function primaryValue(v: BoundValue): ResultValue | undefined {
  const p = v.outcome.primary;
  if (p instanceof Process) return `pid ${p.tgid}`;
  if (v.kind === 'pages' || v.kind === 'pipe' || v.kind === 'buffers') return undefined;
  if (typeof p === 'number') return v.kind === 'address' && p >= 0 ? hex(p) : p;
  if (isNumberList(p)) return [...p];
  return undefined;
}

function fieldValue(f: unknown): ResultValue | undefined {
  if (typeof f === 'number' || typeof f === 'string') return f;
  if (isNumberList(f)) return [...f];
  return undefined;
}

/** The entries one name contributes: `NAME`, `NAME.ret` (unless NAME shows it), fields. */
function entriesOf(name: string, v: BoundValue): [string, ResultValue][] {
  const out: [string, ResultValue][] = [];
  const primary = primaryValue(v);
  if (primary !== undefined) out.push([name, primary]);
  const p = v.outcome.primary;
  const retShown = p instanceof Process ? p.tgid === v.outcome.ret : p === v.outcome.ret;
  if (primary === undefined || !retShown) out.push([`${name}.ret`, v.outcome.ret]);
  for (const [field, f] of Object.entries(v.outcome.fields ?? {})) {
    const value = fieldValue(f);
    if (value !== undefined) out.push([`${name}.${field}`, value]);
  }
  return out;
}

/** The results of `run`: the names of `order` first (the scenario's), then any others. */
export function resultsOf(run: RunState, order: readonly string[]): Record<string, ResultValue> {
  const names = [...order.filter((n) => run.lookup(n) !== undefined)];
  for (const n of run.names()) if (!names.includes(n)) names.push(n);
  const results: Record<string, ResultValue> = {};
  for (const name of names) {
    for (const [key, value] of entriesOf(name, run.lookup(name)!)) results[key] = value;
  }
  return results;
}

export function reportOf(
  run: RunState,
  order: readonly string[],
  violations: readonly Violation[],
): ScenarioReport {
  return {
    results: resultsOf(run, order),
    expectations: [...run.expectations],
    error: run.error,
    violationSteps: violations.map((v) =>
      v.thread === null ? null : run.stepAt(v.thread, v.step),
    ),
  };
}
