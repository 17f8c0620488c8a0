/** Printing one execution for a person, and as the result object of the scenario spec. */
import type { RunResult } from '../sim/machine.js';
import type { Program } from '../sim/program.js';
import { renderViolation } from '../sim/render.js';
import { judge, type Verdict } from '../sim/verdict.js';
import { bold, dim, green, out, red } from './style.js';

export function verdictOf(p: Program, r: RunResult): Verdict {
  return judge(r, p.expect?.violations ?? 'none');
}

/** The command that replays this execution exactly. */
export function replayCommand(file: string, schedule: string): string {
  return `gupsim run ${file} --schedule ${schedule}`;
}

export function printRun(file: string, p: Program, r: RunResult, v: Verdict): void {
  const status = r.status === 'done' ? '' : ` (${r.status})`;
  out(`${bold(p.name)}: ${v.pass ? green('PASS') : red('FAIL')}${status}`);
  for (const viol of r.violations) out(indent(renderViolation(viol)));
  for (const reason of v.reasons.filter((x) => !x.startsWith('['))) out(`  ${reason}`);
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

/** The result object of shared/spec/scenario-format.md. */
export function resultJson(
  p: Program,
  r: RunResult,
  v: Verdict,
  extra: Record<string, unknown> = {},
): object {
  return {
    format: 'gupsim-result',
    version: 1,
    scenario: p.name,
    verdict: v.pass ? 'pass' : 'fail',
    status: r.status,
    results: {},
    expectations: [],
    violations: r.violations,
    schedule: r.schedule,
    ...extra,
  };
}
