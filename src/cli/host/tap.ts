/**
 * Reading what a host program printed: TAP lines (what native/harness.h writes) and a final JSON
 * object line.
 *
 *   1..3                      plan (`1..0 # SKIP reason`: the program could not run here)
 *   # text                    diagnostic: what the kernel did
 *   ok 1 - message            a check that held
 *   not ok 2 - message        a check that failed
 *   ok 3 - message # SKIP r   a check skipped (also # TODO)
 *   Bail out! reason          the program broke before finishing
 *   {"key": 1}                bound values (the last line that is a JSON object)
 */

export interface TapResult {
  readonly ok: boolean;
  readonly id: number;
  readonly message: string;
  readonly directive?: { readonly kind: 'SKIP' | 'TODO'; readonly reason: string };
}

export interface TapReport {
  /** The planned count, if a plan line was seen. */
  readonly planned?: number;
  /** Set when the plan is `1..0 # SKIP reason`. */
  readonly skipAll?: string;
  readonly results: readonly TapResult[];
  readonly diagnostics: readonly string[];
  readonly bailOut?: string;
  /** The last line that parses as a JSON object. */
  readonly json?: Record<string, unknown>;
  /** Every result ok, the plan met, no bail-out. */
  readonly passed: boolean;
  /** Why `passed` is false: failed checks, a missing or unmet plan, a bail-out. */
  readonly problems: readonly string[];
}

const PLAN = /^1\.\.(\d+)(?:\s*#\s*skip\S*\s*(.*))?$/i;
const RESULT = /^(not )?ok\b\s*(\d+)?\s*(?:-\s*)?(.*)$/;
const DIRECTIVE = /\s#\s*(SKIP|TODO)\S*\s*(.*)$/i;

function parseResult(m: RegExpExecArray, next: number): TapResult {
  const text = m[3] ?? '';
  const d = DIRECTIVE.exec(text);
  const id = m[2] !== undefined ? Number(m[2]) : next;
  const message = d ? text.slice(0, d.index).trim() : text.trim();
  const kind = d?.[1]?.toUpperCase() === 'TODO' ? 'TODO' : 'SKIP';
  return d
    ? { ok: m[1] === undefined, id, message, directive: { kind, reason: (d[2] ?? '').trim() } }
    : { ok: m[1] === undefined, id, message };
}

function parseJsonObject(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const v: unknown = JSON.parse(line);
    return typeof v === 'object' && v !== null && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function problemsOf(
  results: readonly TapResult[],
  planned: number | undefined,
  bailOut: string | undefined,
): string[] {
  const problems = results
    .filter((r) => !r.ok && r.directive?.kind !== 'TODO')
    .map((r) => `not ok ${r.id} - ${r.message}`);
  if (bailOut !== undefined) problems.push(`Bail out! ${bailOut}`);
  if (planned === undefined) problems.push('no plan line (1..N)');
  else if (planned !== results.length)
    problems.push(`planned ${planned} checks, ran ${results.length}`);
  return problems;
}

/** Parses a program's stdout. Lines that are neither TAP nor JSON are ignored. */
export function parseTap(stdout: string): TapReport {
  const results: TapResult[] = [];
  const diagnostics: string[] = [];
  let planned: number | undefined;
  let skipAll: string | undefined;
  let bailOut: string | undefined;
  let json: Record<string, unknown> | undefined;
  for (const raw of stdout.split('\n')) {
    const line = raw.trimEnd();
    const plan = PLAN.exec(line);
    const result = RESULT.exec(line);
    if (plan) {
      planned = Number(plan[1]);
      if (planned === 0) skipAll = (plan[2] ?? '').trim();
    } else if (result) results.push(parseResult(result, results.length + 1));
    else if (line.startsWith('#')) diagnostics.push(line.replace(/^#\s?/, ''));
    else if (line.startsWith('Bail out!')) bailOut = line.slice('Bail out!'.length).trim();
    else json = parseJsonObject(line) ?? json;
  }
  const problems = problemsOf(results, planned, bailOut);
  return {
    ...(planned !== undefined ? { planned } : {}),
    ...(skipAll !== undefined ? { skipAll } : {}),
    results,
    diagnostics,
    ...(bailOut !== undefined ? { bailOut } : {}),
    ...(json !== undefined ? { json } : {}),
    passed: problems.length === 0,
    problems,
  };
}

/** The last JSON object line of a program's stdout, if any. */
export function lastJsonLine(stdout: string): Record<string, unknown> | undefined {
  const lines = stdout.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const v = parseJsonObject(lines[i]!.trim());
    if (v !== undefined) return v;
  }
  return undefined;
}
