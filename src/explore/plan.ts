/**
 * Planning an exploration: the deterministic list of independent tasks it consists of. The plan
 * depends only on the program and the configuration, never on how many workers or shards run
 * it, so every way of running it combines to the same result.
 */
import type { Program } from '../sim/program.js';
import { frontier } from './frontier.js';
import { calibratePct } from './pct.js';
import { searchMode } from './search.js';
import type { ExploreConfig, Plan, TaskSpec } from './types.js';

/** Executions per task of the sampling strategies. */
export const SAMPLE_CHUNK = 1000;
/** PCT's default bug depth (SCTBench found d = 3 the best single setting). */
export const DEFAULT_PCT_DEPTH = 3;

/** A configuration the explorer cannot run, with what is accepted. */
export class ExploreConfigError extends Error {
  override readonly name = 'ExploreConfigError';
  readonly code = 'GS300';
}

export function planExploration(p: Program, cfg: ExploreConfig): Plan {
  const base = {
    strategy: cfg.strategy,
    maxExecutions: cfg.maxExecutions,
    seed: cfg.seed >>> 0,
    ...(cfg.maxSteps !== undefined ? { maxSteps: cfg.maxSteps } : {}),
  };
  switch (cfg.strategy) {
    case 'dpor':
    case 'dfs':
      return { ...base, ...bounded(cfg), tasks: searchTasks(p, cfg) };
    case 'random':
      return { ...base, tasks: sampleTasks(cfg) };
    case 'pct': {
      const depth = cfg.pctDepth ?? DEFAULT_PCT_DEPTH;
      if (!Number.isInteger(depth) || depth < 1)
        throw new ExploreConfigError(`PCT depth ${depth} is not a positive integer`);
      return {
        ...base,
        pct: calibratePct(p, depth, base.seed, cfg.maxSteps),
        tasks: sampleTasks(cfg),
      };
    }
    case 'replay':
      if (cfg.schedule === undefined)
        throw new ExploreConfigError('the replay strategy needs a schedule');
      return { ...base, tasks: [{ kind: 'replay', schedule: cfg.schedule }] };
  }
}

function bounded(cfg: ExploreConfig): { preemptionBound?: number } {
  return cfg.preemptionBound !== undefined ? { preemptionBound: cfg.preemptionBound } : {};
}

/** Iterative context bounding: bound 0 first, then 1, ... K; unbounded without K. */
function searchTasks(p: Program, cfg: ExploreConfig): TaskSpec[] {
  const k = cfg.preemptionBound;
  const bounds = k === undefined ? [null] : Array.from({ length: k + 1 }, (_, i) => i);
  return bounds.flatMap((bound) =>
    frontier(p, searchMode(cfg.strategy === 'dpor', bound), cfg.maxSteps).map(
      (prefix): TaskSpec => ({ kind: 'search', prefix, bound }),
    ),
  );
}

function sampleTasks(cfg: ExploreConfig): TaskSpec[] {
  const n = cfg.maxExecutions;
  if (!Number.isFinite(n))
    throw new ExploreConfigError(`${cfg.strategy} needs a finite number of executions`);
  const tasks: TaskSpec[] = [];
  for (let from = 0; from < n; from += SAMPLE_CHUNK) {
    tasks.push({ kind: 'sample', from, to: Math.min(n, from + SAMPLE_CHUNK) });
  }
  return tasks;
}

/** The tasks shard `index` of `count` takes (1-based, as in --shard 2/3): every count-th. */
export function shardTasks(plan: Plan, index: number, count: number): number[] {
  const out: number[] = [];
  for (let j = index - 1; j < plan.tasks.length; j += count) out.push(j);
  return out;
}
