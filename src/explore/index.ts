/** The explorer: strategies over the engine's decisions, task plans, shrinking and replay. */
export { exploreDfs } from './dfs.js';
export type { DfsOptions, DfsResult } from './dfs.js';
export { explore, runInOrder, withCounterexample } from './explore.js';
export type { Counterexample, ExploreHooks, ExploreOutcome } from './explore.js';
export { DEFAULT_PCT_DEPTH, ExploreConfigError, planExploration, shardTasks } from './plan.js';
export { combine } from './combine.js';
export { contextOf, runTask } from './task.js';
export { shrink } from './shrink.js';
export type { Measured, ShrinkResult } from './shrink.js';
export { LenientReplay, replay } from './replay.js';
export type { Replayed } from './replay.js';
export { failureSignature } from './signature.js';
export { PctChooser, calibratePct, describePct, pctMissBound, pctPerRun } from './pct.js';
export { NondeterminismError } from './search-run.js';
export { EXHAUSTIVE } from './types.js';
export type {
  ExploreConfig,
  Exploration,
  FoundFailure,
  PctParams,
  Plan,
  StrategyName,
  TaskContext,
  TaskLimits,
  TaskResult,
  TaskSpec,
} from './types.js';
