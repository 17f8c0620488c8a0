/** What strategies, tasks and the facade exchange; plain data, so it crosses workers and files. */
import type { RunResult } from '../sim/machine.js';

export type StrategyName = 'dpor' | 'dfs' | 'pct' | 'random' | 'replay';

/** Strategies that cover their whole space (up to a preemption bound, if one is set). */
export const EXHAUSTIVE: readonly StrategyName[] = ['dpor', 'dfs'];

export interface ExploreConfig {
  readonly strategy: StrategyName;
  /** Stop after this many executions (Infinity: no limit). */
  readonly maxExecutions: number;
  /** Root seed of random and pct: execution i runs with deriveSeed(seed, i). */
  readonly seed: number;
  /** dpor and dfs: explore schedules with at most 0, 1, ... K preemptions, in turn. */
  readonly preemptionBound?: number;
  /** pct: the bug depth d. */
  readonly pctDepth?: number;
  /** Step budget of one execution. */
  readonly maxSteps?: number;
  /** replay: the schedule to run. */
  readonly schedule?: string;
}

/** One independent piece of an exploration. */
export type TaskSpec =
  /** The subtree below a decision prefix, searched with at most `bound` preemptions. */
  | { readonly kind: 'search'; readonly prefix: readonly number[]; readonly bound: number | null }
  /** Executions [from, to) of a sampling strategy. */
  | { readonly kind: 'sample'; readonly from: number; readonly to: number }
  | { readonly kind: 'replay'; readonly schedule: string };

/** The PCT parameters and the per-run guarantee they give. */
export interface PctParams {
  /** Bug depth d. */
  readonly depth: number;
  /** Threads n (the most seen in calibration runs). */
  readonly threads: number;
  /** Scheduling decisions k per run (the most seen in calibration runs). */
  readonly steps: number;
}

/** What every task of a plan needs besides its own spec. */
export interface TaskContext {
  readonly strategy: StrategyName;
  readonly maxExecutions: number;
  readonly seed: number;
  readonly maxSteps?: number;
  readonly preemptionBound?: number;
  readonly pct?: PctParams;
}

/** A deterministic work list: the same for every worker and shard count. */
export interface Plan extends TaskContext {
  readonly tasks: readonly TaskSpec[];
}

/** The first failing execution a task found. */
export interface FoundFailure {
  /** Its position among the task's executions, from 1. */
  readonly execution: number;
  /** Every decision it made (untrimmed), to replay and shrink it. */
  readonly decisions: readonly number[];
  readonly signature: string;
}

export interface TaskResult {
  readonly executions: number;
  /** Executions stopped early by sleep sets (their continuations were covered elsewhere). */
  readonly redundant: number;
  /** True when the task covered everything it was given. */
  readonly complete: boolean;
  readonly failure?: FoundFailure;
}

/** The combined result of a plan's tasks, in task order. */
export interface Exploration {
  readonly strategy: StrategyName;
  readonly executions: number;
  readonly redundant: number;
  /** True when an exhaustive strategy covered its whole space and nothing failed. */
  readonly complete: boolean;
  readonly tasks: number;
  readonly preemptionBound?: number;
  readonly pct?: PctParams;
  /** The first failing execution in task order, and its task. */
  readonly failure?: FoundFailure & { readonly task: number };
}

/** Limits and hooks of one task run. */
export interface TaskLimits {
  /** Executions this task may make. */
  readonly budget: number;
  readonly maxSteps?: number;
  /** Asked between executions: true stops the task (incomplete). */
  readonly shouldStop?: () => boolean;
  /** Called after every execution, with its result (null when sleep sets cut it short). */
  readonly onExecution?: (r: RunResult | null) => void;
  /** Go on after the first failure (it is still the one reported); default false. */
  readonly keepGoing?: boolean;
}
