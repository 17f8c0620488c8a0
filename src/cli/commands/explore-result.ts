/**
 * The result object of an exploration (shared/spec/scenario-format.md): the run object of the
 * first failing execution (its shrunk counterexample, replayed), plus `executions`, `strategy`,
 * `complete` and the explorer's own figures. Built from plain data, so `gupsim merge` can build
 * the same object from shard files.
 */
import type { Counterexample } from '../../explore/explore.js';
import { replay } from '../../explore/replay.js';
import { pctMissBound, pctPerRun } from '../../explore/pct.js';
import type { Exploration } from '../../explore/types.js';
import type { RunResult } from '../../sim/machine.js';
import type { Program } from '../../sim/program.js';
import { renderTraceText } from '../../sim/render.js';
import type { Report } from '../explore.js';
import { replayCommand, resultJson, verdictOf } from '../report.js';

/** What a result object says about the failing execution. */
export interface FailurePart {
  /** The run's own result object (report.ts: resultJson) of the replayed counterexample. */
  readonly run: Record<string, unknown>;
  readonly counterexample: object;
  readonly replay: string;
}

export function failurePart(
  file: string,
  p: Program,
  c: Counterexample,
  replayed: RunResult,
): FailurePart {
  return {
    run: resultJson(p, replayed, verdictOf(p, replayed)) as Record<string, unknown>,
    counterexample: {
      signature: c.signature,
      preemptions: c.shrunk.preemptions,
      steps: c.shrunk.steps,
      decisions: c.shrunk.length,
      found: {
        schedule: c.found.schedule,
        preemptions: c.found.preemptions,
        steps: c.found.steps,
        decisions: c.found.length,
      },
      shrinkReplays: c.runs,
    },
    replay: replayCommand(file, replayed.schedule),
  };
}

export interface ReplayedFailure {
  readonly part: FailurePart;
  readonly trace: string;
  readonly run: ReturnType<typeof replay>;
}

/** Replay the shrunk counterexample with the trace on. */
export function failureOf(file: string, p: Program, r: Report): ReplayedFailure | undefined {
  const c = r.counterexample;
  if (c === undefined) return undefined;
  const run = replay(p, c.shrunk.schedule, {
    trace: true,
    ...(r.plan.maxSteps !== undefined ? { maxSteps: r.plan.maxSteps } : {}),
  });
  const names = run.machine.threads.map((t) => t.name);
  return {
    part: failurePart(file, p, c, run.result),
    trace: renderTraceText(run.result.trace, names),
    run,
  };
}

/** The explorer's figures, as they appear in every result object. */
export function summary(ex: Exploration): object {
  const runs = ex.executions;
  return {
    executions: runs,
    strategy: ex.strategy,
    complete: ex.complete,
    redundant: ex.redundant,
    tasks: ex.tasks,
    ...(ex.preemptionBound !== undefined ? { preemptionBound: ex.preemptionBound } : {}),
    ...(ex.pct !== undefined
      ? {
          pct: {
            ...ex.pct,
            perRun: pctPerRun(ex.pct),
            missProbability: pctMissBound(ex.pct, runs),
          },
        }
      : {}),
  };
}

export function resultObject(scenario: string, ex: Exploration, f: FailurePart | null): object {
  if (f !== null)
    return { ...f.run, ...summary(ex), counterexample: f.counterexample, replay: f.replay };
  return {
    format: 'gupsim-result',
    version: 1,
    scenario,
    verdict: 'pass',
    results: {},
    expectations: [],
    violations: [],
    ...summary(ex),
  };
}
