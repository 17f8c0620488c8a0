/** Running strategies over test programs and collecting what they reach. */
import { exploreDfs } from '../../src/explore/dfs.js';
import { runInOrder } from '../../src/explore/explore.js';
import { planExploration } from '../../src/explore/plan.js';
import type { ExploreConfig } from '../../src/explore/types.js';
import type { RunResult } from '../../src/sim/machine.js';
import type { Program } from '../../src/sim/program.js';
import { programOf, type Outcome, type Spec } from './generated.js';

/** How a run ended: status, final state and the set of checker ids reported. */
export function outcomeKey(r: RunResult, out: Outcome): string {
  const ids = [...new Set(r.violations.map((v) => v.id))].sort();
  return `${r.status} ${out.read()} ${ids.join(',')}`;
}

export interface Reached {
  readonly outcomes: ReadonlySet<string>;
  readonly executions: number;
  readonly complete: boolean;
}

/** Every outcome the baseline (plain exhaustive DFS, no reduction) reaches. */
export function reachedByBaseline(spec: Spec, cap: number): Reached {
  const out: Outcome = { read: () => '' };
  const outcomes = new Set<string>();
  const r = exploreDfs(programOf(spec, out), {
    maxExecutions: cap,
    onExecution: (res) => void outcomes.add(outcomeKey(res, out)),
  });
  return { outcomes, executions: r.executions, complete: r.complete };
}

/** Every outcome a strategy reaches (runs cut short by sleep sets reach nothing). */
export function reachedBy(spec: Spec, cfg: Partial<ExploreConfig>): Reached {
  const out: Outcome = { read: () => '' };
  return reachedByProgram(programOf(spec, out), cfg, out);
}

export function reachedByProgram(p: Program, cfg: Partial<ExploreConfig>, out: Outcome): Reached {
  const outcomes = new Set<string>();
  let executions = 0;
  const plan = planExploration(p, { strategy: 'dpor', maxExecutions: Infinity, seed: 0, ...cfg });
  const results = runInOrder(p, plan, {
    keepGoing: true,
    onExecution: (res) => {
      executions++;
      if (res !== null) outcomes.add(outcomeKey(res, out));
    },
  });
  return {
    outcomes,
    executions,
    complete: results.every((r) => r.complete || r.failure !== undefined),
  };
}

export function sorted(s: ReadonlySet<string>): string[] {
  return [...s].sort();
}
