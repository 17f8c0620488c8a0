/**
 * Exploration as the CLI drives it: run a program under a strategy until the first failing
 * execution or the end of the space, then replay the failure with the trace on.
 */
import { exploreDfs } from '../explore/dfs.js';
import { RandomChooser, ReplayChooser } from '../sim/chooser.js';
import type { RunResult } from '../sim/machine.js';
import { runProgram, type Program } from '../sim/program.js';
import { deriveSeed } from '../sim/rng.js';
import { verdictOf } from './report.js';

export type Strategy = 'dfs' | 'random';

export interface ExploreSettings {
  readonly strategy: Strategy;
  readonly maxExecutions: number;
  readonly seed: number;
  readonly maxSteps?: number;
  readonly onProgress?: (executions: number) => void;
}

export interface ExploreOutcome {
  readonly executions: number;
  readonly complete: boolean;
  /** The first failing execution, replayed with its trace; undefined when none failed. */
  readonly failure: RunResult | undefined;
  readonly threadNames: readonly string[];
}

export function explore(p: Program, s: ExploreSettings): ExploreOutcome {
  let failing: string | undefined;
  let executions = 0;
  let complete = false;
  const onExecution = (r: RunResult): boolean => {
    executions++;
    s.onProgress?.(executions);
    if (!verdictOf(p, r).pass) failing = r.schedule;
    return failing === undefined;
  };
  const steps = s.maxSteps !== undefined ? { maxSteps: s.maxSteps } : {};
  if (s.strategy === 'dfs') {
    complete = exploreDfs(p, { maxExecutions: s.maxExecutions, onExecution, ...steps }).complete;
    complete &&= failing === undefined;
  } else {
    for (let i = 0; i < s.maxExecutions && failing === undefined; i++) {
      const { result } = runProgram(p, {
        chooser: new RandomChooser(deriveSeed(s.seed, i)),
        trace: false,
        ...steps,
      });
      onExecution(result);
    }
  }
  if (failing === undefined) return { executions, complete, failure: undefined, threadNames: [] };
  const { machine, result } = runProgram(p, {
    chooser: new ReplayChooser(failing),
    trace: true,
    ...steps,
  });
  return {
    executions,
    complete: false,
    failure: result,
    threadNames: machine.threads.map((t) => t.name),
  };
}
