/** Printing one execution for a person, and as the result object of the scenario spec. */
import type { ExpectationRecord } from '../scenario/interp/run.js';
import { isScenarioProgram } from '../scenario/interp/program.js';
import type { ScenarioReport } from '../scenario/interp/results.js';
import type { ScenarioRuntimeError } from '../scenario/interp/runtime-error.js';
import type { RunResult } from '../sim/machine.js';
import type { Program } from '../sim/program.js';
import { renderViolation } from '../sim/render.js';
import { judge, type Verdict } from '../sim/verdict.js';
import { bold, dim, green, out, red } from './style.js';

export function verdictOf(p: Program, r: RunResult): Verdict {
  return judge(r, p.expect?.violations ?? 'none');
}

/** The scenario's report of an execution, when `p` is a scenario. */
export function scenarioReportOf(p: Program, r: RunResult): ScenarioReport | undefined {
  return isScenarioProgram(p) ? p.report(r) : undefined;
}

/** The runtime input error that stopped a scenario thread in this execution, if any. */
export function runtimeErrorOf(p: Program, r: RunResult): ScenarioRuntimeError | null {
  return scenarioReportOf(p, r)?.error ?? null;
}

/** The command that replays this execution exactly. */
export function replayCommand(file: string, schedule: string): string {
  return `gupsim run ${file} --schedule ${schedule}`;
}

/** `main 5` or `main 3.2 (iteration 4)`: where an expectation is in the scenario. */
export function expectationPlace(e: ExpectationRecord): string {
  const path = e.path?.join('.') ?? String(e.step);
  const it = e.iteration ?? [];
  const iter = it.length === 0 ? '' : ` (iteration${it.length > 1 ? 's' : ''} ${it.join(', ')})`;
  return `${e.thread} ${path}${iter}`;
}

function printExpectations(list: readonly ExpectationRecord[]): void {
  if (list.length === 0) return;
  out('  expectations:');
  for (const e of list) {
    const mark = e.ok ? green('ok  ') : red('FAIL');
    out(`    ${mark}  ${expectationPlace(e)}: ${e.message}  ${dim(`(${e.where})`)}`);
  }
}

function printResults(results: ScenarioReport['results']): void {
  const entries = Object.entries(results);
  if (entries.length === 0) return;
  const text = entries.map(([k, v]) => `${k} = ${Array.isArray(v) ? `[${v.join(', ')}]` : v}`);
  out(`  results: ${text.join(', ')}`);
}

function printViolations(r: RunResult, report: ScenarioReport | undefined): void {
  r.violations.forEach((viol, i) => {
    out(indent(renderViolation(viol)));
    const at = report?.violationSteps[i];
    if (at !== undefined && at !== null) out(`      in ${at}`);
  });
}

export function printRun(file: string, p: Program, r: RunResult, v: Verdict): void {
  const status = r.status === 'done' ? '' : ` (${r.status})`;
  const report = scenarioReportOf(p, r);
  out(`${bold(p.name)}: ${v.pass ? green('PASS') : red('FAIL')}${status}`);
  if (report !== undefined) {
    printExpectations(report.expectations);
    printResults(report.results);
  }
  printViolations(r, report);
  const reasons = v.reasons.filter((x) => !x.startsWith('['));
  const shown =
    report === undefined ? reasons : reasons.filter((x) => !x.startsWith('expectation'));
  for (const reason of shown) out(`  ${reason}`);
  out(dim(`  steps ${r.steps}, switches ${r.switches}, preemptions ${r.preemptions}`));
  out(`  schedule: ${r.schedule}`);
  if (!v.pass) out(`  replay:   ${replayCommand(file, r.schedule)}`);
}

function indent(s: string): string {
  return s
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}

function violationsJson(r: RunResult, report: ScenarioReport | undefined): object[] {
  return r.violations.map((viol, i) => {
    const at = report?.violationSteps[i];
    return at === undefined || at === null ? viol : { ...viol, at };
  });
}

/** The result object of shared/spec/scenario-format.md. */
export function resultJson(
  p: Program,
  r: RunResult,
  v: Verdict,
  extra: Record<string, unknown> = {},
): object {
  const report = scenarioReportOf(p, r);
  return {
    format: 'gupsim-result',
    version: 1,
    scenario: p.name,
    verdict: v.pass ? 'pass' : 'fail',
    status: r.status,
    results: report?.results ?? {},
    expectations: report?.expectations ?? [],
    violations: violationsJson(r, report),
    ...(report?.error ? { error: report.error.toJSON() } : {}),
    schedule: r.schedule,
    ...extra,
  };
}
