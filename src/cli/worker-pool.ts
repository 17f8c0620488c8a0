/**
 * The pool of worker threads (piscina) that runs a plan's tasks in parallel: at most `threads`
 * tasks in flight, dispatched in task order; when a task fails, tasks after it are cancelled
 * (the first failure in task order is the one reported, so tasks before it run to the end).
 */
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { TaskResult } from '../explore/types.js';
import type { WorkerTask } from './worker.js';

/** The worker module beside this one (worker.ts when running from source under tsx). */
function workerFile(): string {
  const here = import.meta.url;
  return new URL(here.endsWith('.ts') ? './worker.ts' : './worker.js', here).href;
}

/**
 * Node options for the workers. A built worker starts clean: the loader of a TypeScript runner
 * the main thread may carry (tsx) would clash with the one the worker uses to load programs.
 */
function execArgv(file: string): string[] {
  return file.endsWith('.js') ? [] : process.execArgv;
}

export function cores(): number {
  return availableParallelism();
}

export interface PoolJob {
  /** Task indices, ascending. */
  readonly queue: number[];
  /** The worker input for task j (its budget is computed when it is dispatched). */
  readonly input: (j: number) => WorkerTask | null;
  /** A task finished. */
  readonly done: (j: number, r: TaskResult) => void;
  /** The first failing task so far (Infinity: none): tasks after it are not needed. */
  readonly failedAt: () => number;
  readonly stopped: () => boolean;
}

/** Worker threads that run tasks; they load each program once and keep it. */
export class ExplorePool {
  private readonly pool: Piscina;

  constructor(readonly threads: number) {
    const filename = workerFile();
    this.pool = new Piscina({
      filename,
      minThreads: threads,
      maxThreads: threads,
      execArgv: execArgv(filename),
    });
  }

  /** Run the job's tasks, at most `threads` at a time, in task order. */
  async run(job: PoolJob): Promise<void> {
    const inflight = new Map<number, AbortController>();
    let failure: unknown = null;
    await new Promise<void>((resolve) => {
      const pump = (): void => {
        while (
          inflight.size < this.threads &&
          job.queue.length > 0 &&
          !job.stopped() &&
          failure === null
        ) {
          const j = job.queue.shift()!;
          const input = j < job.failedAt() ? job.input(j) : null;
          if (input === null) continue;
          const ac = new AbortController();
          inflight.set(j, ac);
          (this.pool.run(input, { signal: ac.signal }) as Promise<TaskResult>)
            .then((r) => {
              job.done(j, r);
              for (const [k, c] of inflight) if (k > job.failedAt()) c.abort();
            })
            .catch((e: unknown) => {
              if (!(e instanceof Error && e.name === 'AbortError')) failure ??= e;
            })
            .finally(() => {
              inflight.delete(j);
              pump();
            });
        }
        if (inflight.size === 0) resolve();
      };
      pump();
    });
    if (failure !== null) throw failure;
  }

  destroy(): Promise<void> {
    return this.pool.destroy();
  }
}

/** Run the job's tasks on a new pool of `threads` worker threads. */
export async function runOnPool(threads: number, job: PoolJob): Promise<void> {
  const pool = new ExplorePool(threads);
  try {
    await pool.run(job);
  } finally {
    await pool.destroy();
  }
}
