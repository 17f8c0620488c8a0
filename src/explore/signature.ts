/**
 * How an execution fails, as one comparable string: the expectations that failed (by where
 * they are written), the checker ids that broke the program's expectation (a deadlock with its
 * wait-for cycle), expected reports that did not come, and an unexpected end. Shrinking keeps a candidate only if it fails with the same signature.
 */
import type { RunResult } from '../sim/machine.js';
import type { Program } from '../sim/program.js';
import { judge, type ViolationExpectation } from '../sim/verdict.js';
import type { Violation } from '../sim/violation.js';

/** The failure signature of a run, or null when it passes. */
export function failureSignature(p: Program, r: RunResult): string | null {
  const expected = p.expect?.violations ?? 'none';
  if (passesQuietly(r, expected)) return null;
  if (judge(r, expected).pass) return null;
  const parts = new Set<string>();
  for (const e of r.expectations) if (!e.ok) parts.add(`expectation ${e.where ?? e.message}`);
  if (expected === 'any') {
    if (r.status !== 'done') parts.add(`ended in ${r.status}`);
  } else {
    const want = new Set(expected === 'none' ? [] : expected);
    const ids = new Set(r.violations.map((v) => v.id));
    for (const id of want) if (!ids.has(id)) parts.add(`missing ${id}`);
    for (const v of r.violations) if (!want.has(v.id)) parts.add(key(v));
  }
  return [...parts].sort().join(' | ');
}

/**
 * The common case, decided without building a verdict: nothing reported, every expectation
 * held, and the run ended as expected. (judge() passes such a run too; this only saves the
 * explorer its allocations at every execution.)
 */
function passesQuietly(r: RunResult, expected: ViolationExpectation): boolean {
  if (r.violations.length !== 0) return false;
  if (expected === 'any' ? r.status !== 'done' : expected !== 'none' && expected.length !== 0) {
    return false;
  }
  for (const e of r.expectations) if (!e.ok) return false;
  return true;
}

function key(v: Violation): string {
  return v.id === 'sched.deadlock' ? `${v.id}: ${v.message}` : v.id;
}
