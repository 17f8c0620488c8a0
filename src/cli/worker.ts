/**
 * A worker thread of the explorer's pool (piscina runs this module's default export): load the
 * program once per file, run one task of a plan, count executions into a shared counter.
 */
import { runTask } from '../explore/task.js';
import type { TaskContext, TaskResult, TaskSpec } from '../explore/types.js';
import type { Program } from '../sim/program.js';
import { loadProgram } from './load.js';

export interface WorkerTask {
  /** Absolute path of the program. */
  readonly file: string;
  readonly ctx: TaskContext;
  readonly spec: TaskSpec;
  readonly budget: number;
  /** Wall-clock time (ms since the epoch) after which the task stops, incomplete. */
  readonly deadline?: number;
  /** Executions are counted into slot 0 (for the progress bar). */
  readonly counter?: SharedArrayBuffer;
}

const programs = new Map<string, Promise<Program>>();

export default async function work(t: WorkerTask): Promise<TaskResult> {
  let p = programs.get(t.file);
  if (p === undefined) programs.set(t.file, (p = loadProgram(t.file)));
  const counter = t.counter !== undefined ? new Int32Array(t.counter) : null;
  const deadline = t.deadline;
  return runTask(await p, t.ctx, t.spec, {
    budget: t.budget,
    ...(deadline !== undefined ? { shouldStop: () => Date.now() > deadline } : {}),
    ...(counter !== null ? { onExecution: () => void Atomics.add(counter, 0, 1) } : {}),
  });
}
