// Helpers for the interpreter tests: scenarios from YAML text, run once under a schedule.
import { exploreDfs } from '../../../src/explore/dfs.js';
import {
  loadScenarioProgram,
  type ScenarioProgram,
  type ScenarioReport,
} from '../../../src/scenario/interp/index.js';
import { ReplayChooser } from '../../../src/sim/chooser.js';
import type { RunResult } from '../../../src/sim/machine.js';
import { runProgram } from '../../../src/sim/program.js';
import { judge, type Verdict } from '../../../src/sim/verdict.js';

export function scenario(text: string, file = 't.yaml'): ScenarioProgram {
  return loadScenarioProgram(file, text);
}

export interface Run {
  readonly result: RunResult;
  readonly report: ScenarioReport;
  readonly verdict: Verdict;
}

/** One execution under `schedule` (default: the default chooser). */
export function run(p: ScenarioProgram, schedule = 'gs1:'): Run {
  const { result } = runProgram(p, { chooser: new ReplayChooser(schedule), trace: true });
  return { result, report: p.report(result)!, verdict: judge(result, p.expect?.violations) };
}

/** Every interleaving (plain DFS): how many executions, and the schedules of failing ones. */
export function everyInterleaving(p: ScenarioProgram): { executions: number; failing: string[] } {
  const failing: string[] = [];
  const r = exploreDfs(p, {
    onExecution: (x) => {
      if (!judge(x, p.expect?.violations).pass) failing.push(x.schedule);
      return true;
    },
  });
  return { executions: r.executions, failing };
}

/** A one-thread scenario (`main` in process `init`) with these YAML step lines. */
export function steps(...lines: string[]): string {
  return [
    'scenario: t',
    'threads:',
    '  main:',
    '    steps:',
    ...lines.map((l) => `      - ${l}`),
    '',
  ].join('\n');
}
