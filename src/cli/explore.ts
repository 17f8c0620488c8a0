/**
 * Exploration as the CLI drives it: plan the program's exploration, run the tasks (this shard's
 * share) in this thread and on a pool of worker threads, combine them in task order, shrink the
 * first failure and replay it with the trace on. The plan, and so the result, does not depend
 * on the number of workers or shards.
 */
import { resolve } from 'node:path';
import { combine } from '../explore/combine.js';
import { withCounterexample, type Counterexample } from '../explore/explore.js';
import { planExploration, shardTasks } from '../explore/plan.js';
import { contextOf, runTask } from '../explore/task.js';
import type { ExploreConfig, Exploration, Plan, TaskResult } from '../explore/types.js';
import { EXHAUSTIVE } from '../explore/types.js';
import type { Program } from '../sim/program.js';
import { runOnPool, cores } from './worker-pool.js';
import { Progress } from './worker-progress.js';
import type { WorkerTask } from './worker.js';

export interface Shard {
  /** 1-based. */
  readonly index: number;
  readonly count: number;
}

export interface Settings {
  readonly config: ExploreConfig;
  /** Worker threads; 'auto' starts in this thread and adds a pool (one per core) if it takes long. */
  readonly workers: number | 'auto';
  readonly shard?: Shard;
  readonly timeoutSeconds?: number;
  /** Show a progress bar on stderr (it shows only on a terminal). */
  readonly progress?: boolean;
}

export interface Report {
  readonly plan: Plan;
  /** The tasks this run took (all, or a shard's). */
  readonly taskIndices: readonly number[];
  readonly results: readonly (TaskResult | undefined)[];
  readonly exploration: Exploration;
  readonly counterexample?: Counterexample;
  /** Worker threads used (0: everything ran in this thread). */
  readonly workersUsed: number;
  readonly seconds: number;
}

/** How long 'auto' explores in this thread before it starts a pool. */
const AUTO_IN_PROCESS_MS = 1000;

/** Explore `program` (loaded from `file`) as `s` says. */
export async function exploreFile(file: string, program: Program, s: Settings): Promise<Report> {
  const t0 = Date.now();
  const plan = planExploration(program, s.config);
  const taskIndices =
    s.shard !== undefined
      ? shardTasks(plan, s.shard.index, s.shard.count)
      : plan.tasks.map((_, j) => j);
  const progress = new Progress(s.progress === true, `${program.name}:`);
  progress.start();
  const run = new TaskRunner(resolve(file), program, plan, taskIndices, s, progress, t0);
  let workersUsed = 0;
  try {
    workersUsed = await run.all();
  } finally {
    progress.stop();
  }
  // A shard reports its own first failure; merging picks the first over all shards.
  const exploration = combine(plan, run.results);
  const outcome = withCounterexample(program, plan, exploration);
  return {
    plan,
    taskIndices,
    results: run.results,
    ...outcome,
    workersUsed,
    seconds: (Date.now() - t0) / 1000,
  };
}

class TaskRunner {
  readonly results: (TaskResult | undefined)[];
  private readonly queue: number[];
  private failedAt = Infinity;
  private readonly deadline: number | undefined;

  constructor(
    private readonly file: string,
    private readonly program: Program,
    private readonly plan: Plan,
    private readonly indices: readonly number[],
    private readonly s: Settings,
    private readonly progress: Progress,
    private readonly t0: number,
  ) {
    this.results = new Array<TaskResult | undefined>(plan.tasks.length);
    this.queue = [...indices];
    this.deadline = s.timeoutSeconds !== undefined ? t0 + s.timeoutSeconds * 1000 : undefined;
  }

  /** Run every task; returns the number of worker threads used. */
  async all(): Promise<number> {
    const w = this.s.workers;
    const inProcessUntil = w === 1 ? Infinity : w === 'auto' ? this.t0 + AUTO_IN_PROCESS_MS : 0;
    this.inProcess(() => Date.now() < inProcessUntil);
    const threads = Math.min(w === 'auto' ? cores() : w, this.queue.length);
    if (this.queue.length === 0 || this.stopped()) return 0;
    if (threads <= 1) {
      this.inProcess(() => true);
      return 0;
    }
    await runOnPool(threads, {
      queue: this.queue,
      input: (j) => this.input(j),
      done: (j, r) => this.done(j, r),
      failedAt: () => this.failedAt,
      stopped: () => this.stopped(),
    });
    return threads;
  }

  private inProcess(go: () => boolean): void {
    const ctx = contextOf(this.plan);
    while (this.queue.length > 0 && go() && !this.stopped()) {
      const j = this.queue.shift()!;
      const budget = this.budget(j);
      if (j > this.failedAt || budget <= 0) continue;
      const r = runTask(this.program, ctx, this.plan.tasks[j]!, {
        budget,
        shouldStop: () => this.stopped(),
        onExecution: this.progress.tick,
      });
      this.done(j, r);
    }
  }

  private input(j: number): WorkerTask | null {
    const budget = this.budget(j);
    if (budget <= 0) return null;
    return {
      file: this.file,
      ctx: contextOf(this.plan),
      spec: this.plan.tasks[j]!,
      budget,
      ...(this.deadline !== undefined ? { deadline: this.deadline } : {}),
      counter: this.progress.counter,
    };
  }

  private done(j: number, r: TaskResult): void {
    this.results[j] = r;
    if (r.failure !== undefined) this.failedAt = Math.min(this.failedAt, j);
    this.progress.setCoverage(this.coverage());
  }

  /** What is left of the execution limit, counting the earlier tasks known so far. */
  private budget(j: number): number {
    let used = 0;
    for (let k = 0; k < j; k++) used += this.results[k]?.executions ?? 0;
    return this.plan.maxExecutions - used;
  }

  private coverage(): number {
    if (!EXHAUSTIVE.includes(this.plan.strategy)) {
      return Math.min(1, this.progress.executions / this.plan.maxExecutions);
    }
    const done = this.indices.filter((j) => this.results[j]?.complete === true).length;
    return done / Math.max(1, this.indices.length);
  }

  private stopped(): boolean {
    return this.deadline !== undefined && Date.now() > this.deadline;
  }
}
