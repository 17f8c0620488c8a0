/**
 * Explorer benchmarks (issue 7):
 * - executions per second on one core, per strategy, for a two-thread program of about twenty
 *   scheduling points (target 50,000);
 * - reduction: executions plain DFS needs over executions DPOR needs, per race program (target
 *   10x where DFS needs more than 1,000);
 * - scaling: executions per second with two worker threads over one (target 1.7x).
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { catalogueFiles, PACKAGE_ROOT } from '../src/cli/catalogue.js';
import { loadProgram } from '../src/cli/load.js';
import { runInOrder } from '../src/explore/explore.js';
import { planExploration } from '../src/explore/plan.js';
import type * as PoolNs from '../src/cli/worker-pool.js';
import type { PoolJob } from '../src/cli/worker-pool.js';
import type * as TaskNs from '../src/explore/task.js';
import type { ExploreConfig, Plan, StrategyName } from '../src/explore/types.js';
import {
  Access,
  RwSemaphore,
  defineProgram,
  down_read,
  down_write,
  objId,
  objectSpace,
  up_read,
  up_write,
  type Machine,
  type Program,
  type Sched,
} from '../src/sim/index.js';
import type { BenchResult } from './result.js';

const SPACE = objectSpace('bench.explore');

/** `threads` threads each do `rounds` racy load/store increments of one counter (passes). */
function counter(threads: number, rounds: number): Program {
  return defineProgram({
    name: `counter-${threads}x${rounds}`,
    setup(m: Machine) {
      const cell = { v: 0 };
      for (let t = 0; t < threads; t++) {
        m.spawn(`t${t}`, function* () {
          for (let r = 0; r < rounds; r++) {
            yield m.at('load', objId(SPACE, 0), Access.Read);
            const v = cell.v;
            yield m.at('store', objId(SPACE, 0), Access.Write);
            cell.v = v + 1;
          }
        });
      }
    },
  });
}

/** A body of `counter` as a top-level generator: one function for every execution. */
function* increments(m: Machine, cell: { v: number }, rounds: number): Sched<void> {
  for (let r = 0; r < rounds; r++) {
    yield m.at('load', objId(SPACE, 0), Access.Read);
    const v = cell.v;
    yield m.at('store', objId(SPACE, 0), Access.Write);
    cell.v = v + 1;
  }
}

/**
 * `counter` with its thread bodies written as `() => increments(...)` (the shape scenario
 * threads take) rather than as a `function*` made anew by every setup: V8 gives each new
 * generator function a hidden class of its own, in the old generation, which keeps the whole
 * execution alive through the next young collections. Same executions, less garbage collection.
 */
function counterTopLevel(threads: number, rounds: number): Program {
  return defineProgram({
    name: `counter-${threads}x${rounds}`,
    setup(m: Machine) {
      const cell = { v: 0 };
      for (let t = 0; t < threads; t++) m.spawn(`t${t}`, () => increments(m, cell, rounds));
    },
  });
}

/** Each thread works on its own objects, then races once on a shared one: a typical kernel race. */
function privateThenRace(threads: number, work: number): Program {
  return defineProgram({
    name: `private-then-race-${threads}x${work}`,
    setup(m: Machine) {
      const shared = { v: 0 };
      for (let t = 0; t < threads; t++) {
        m.spawn(`t${t}`, function* () {
          for (let i = 0; i < work; i++) yield m.at('private', objId(SPACE, 100 + t), Access.Write);
          yield m.at('load', objId(SPACE, 1), Access.Read);
          const v = shared.v;
          yield m.at('store', objId(SPACE, 1), Access.Write);
          shared.v = v + 1;
        });
      }
    },
  });
}

/** Readers walk page-table entries under mmap_lock for reading while a writer changes one. */
function readersAndWriter(readers: number, ptes: number): Program {
  return defineProgram({
    name: `rwsem-readers-${readers}-writer-ptes-${ptes}`,
    setup(m: Machine) {
      const sem = new RwSemaphore(m, 'mmap_lock');
      for (let r = 0; r < readers; r++) {
        m.spawn(`reader${r}`, function* () {
          yield* down_read(sem);
          for (let i = 0; i < ptes; i++) yield m.at('walk', objId(SPACE, 200 + i), Access.Read);
          yield* up_read(sem);
        });
      }
      m.spawn('writer', function* () {
        yield* down_write(sem);
        yield m.at('zap', objId(SPACE, 200), Access.Write);
        yield* up_write(sem);
      });
    },
  });
}

function executions(
  p: Program,
  cfg: ExploreConfig,
): { executions: number; complete: boolean; ms: number } {
  let n = 0;
  const t0 = performance.now();
  const plan = planExploration(p, cfg);
  const results = runInOrder(p, plan, { keepGoing: true, onExecution: () => void n++ });
  return { executions: n, complete: results.every((r) => r.complete), ms: performance.now() - t0 };
}

function throughput(strategy: StrategyName, topLevel = false): BenchResult {
  // 22 steps, about 20 scheduling decisions per execution
  const p = topLevel ? counterTopLevel(2, 5) : counter(2, 5);
  const cfg: ExploreConfig = { strategy, maxExecutions: 100_000, seed: 1 };
  executions(p, { ...cfg, maxExecutions: 20_000 }); // warm up
  let best = 0;
  for (let i = 0; i < 3; i++) {
    const r = executions(p, cfg);
    best = Math.max(best, r.executions / (r.ms / 1000));
  }
  return {
    name: `explore: ${strategy} executions/s (2 threads, ~20 points${topLevel ? ', top-level bodies' : ''})`,
    value: best,
    unit: 'exec/s',
    target: 50_000,
    higherIsBetter: true,
  };
}

const DFS_CAP = 200_000;

function reduction(p: Program): BenchResult {
  const dfs = executions(p, { strategy: 'dfs', maxExecutions: DFS_CAP, seed: 0 });
  const dpor = executions(p, { strategy: 'dpor', maxExecutions: DFS_CAP, seed: 0 });
  const note = `dfs ${dfs.executions}${dfs.complete ? '' : '+ (capped)'}, dpor ${dpor.executions}`;
  return {
    name: `explore: dpor reduction, ${p.name}`,
    value: dfs.executions / dpor.executions,
    unit: 'x',
    ...(dfs.executions > 1000 ? { target: 10, higherIsBetter: true } : {}),
    note,
  };
}

async function catalogueReductions(): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  for (const file of catalogueFiles())
    out.push(reduction(await loadProgram(join(PACKAGE_ROOT, file))));
  return out;
}

const DIST = new URL('../dist/', import.meta.url);

/** A program file the worker threads can load: the counter, with no failure to stop at. */
function workloadFile(): string {
  const src = fileURLToPath(new URL('index.js', DIST));
  const dir = mkdtempSync(join(tmpdir(), 'gupsim-bench-'));
  const file = join(dir, 'counter.mts');
  writeFileSync(
    file,
    `import { Access, defineProgram, objId, objectSpace } from ${JSON.stringify(src)};
const S = objectSpace('bench.scaling');
function* body(m, cell) {
  for (let r = 0; r < 5; r++) {
    yield m.at('load', objId(S, 0), Access.Read); const v = cell.v;
    yield m.at('store', objId(S, 0), Access.Write); cell.v = v + 1;
  }
}
export default defineProgram({ name: 'scaling', setup(m) {
  const cell = { v: 0 };
  for (let t = 0; t < 2; t++) m.spawn('t' + t, () => body(m, cell));
} });
`,
  );
  return file;
}

type PoolModule = typeof PoolNs;
type TaskModule = typeof TaskNs;

/** Executions per second of a warmed-up pool of `threads` workers over the plan's tasks. */
async function poolRate(
  m: PoolModule,
  t: TaskModule,
  file: string,
  plan: Plan,
  threads: number,
): Promise<number> {
  const pool = new m.ExplorePool(threads);
  const ctx = t.contextOf(plan);
  const job = (queue: number[], budget: number, count: { n: number }): PoolJob => ({
    queue,
    input: (j) => ({ file, ctx, spec: plan.tasks[j]!, budget }),
    done: (_j, r) => void (count.n += r.executions),
    failedAt: () => Infinity,
    stopped: () => false,
  });
  try {
    // Warm up: every worker loads the program (start-up is measured apart from throughput).
    await pool.run(
      job(
        Array.from({ length: threads }, (_, j) => j),
        10,
        { n: 0 },
      ),
    );
    const count = { n: 0 };
    const t0 = performance.now();
    await pool.run(
      job(
        plan.tasks.map((_, j) => j),
        Infinity,
        count,
      ),
    );
    return count.n / ((performance.now() - t0) / 1000);
  } finally {
    await pool.destroy();
  }
}

/**
 * Worker threads run the built CLI (dist/): under tsx, a worker thread cannot load TypeScript
 * programs, so this figure needs `npm run build` first.
 */
async function scaling(): Promise<BenchResult> {
  const name = 'explore: 2 workers over 1 (executions/s)';
  if (!existsSync(fileURLToPath(new URL('cli/worker-pool.js', DIST)))) {
    return { name, value: NaN, unit: 'x', skipped: 'run npm run build first (workers run dist/)' };
  }
  const m = (await import(new URL('cli/worker-pool.js', DIST).href)) as PoolModule;
  const t = (await import(new URL('explore/task.js', DIST).href)) as TaskModule;
  const file = workloadFile();
  const p = await loadProgram(file);
  const plan = planExploration(p, { strategy: 'random', maxExecutions: 1_000_000, seed: 1 });
  const one = await poolRate(m, t, file, plan, 1);
  const two = await poolRate(m, t, file, plan, 2);
  const ceiling = await parallelCeiling();
  return {
    name,
    value: two / one,
    unit: 'x',
    target: 1.7,
    higherIsBetter: true,
    note: `1 worker ${Math.round(one)}/s, 2 workers ${Math.round(two)}/s; random, 1M executions, after start-up; this machine gives 2 busy threads ${ceiling.toFixed(2)}x the work of 1 right now`,
  };
}

/** What two busy threads get done over one on this machine now (2.0 on two idle cores). */
async function parallelCeiling(): Promise<number> {
  const loop = `const { parentPort } = require('node:worker_threads');
    let n = 0; const t0 = Date.now();
    while (Date.now() - t0 < 1000) { let x = 0; for (let i = 0; i < 1e6; i++) x += i; n += x > 0 ? 1 : 0; }
    parentPort.postMessage(n);`;
  const work = async (k: number): Promise<number> => {
    const counts = await Promise.all(
      Array.from(
        { length: k },
        () => new Promise<number>((done) => new Worker(loop, { eval: true }).on('message', done)),
      ),
    );
    return counts.reduce((a, b) => a + b, 0);
  };
  return (await work(2)) / (await work(1));
}

/** The scaling figure alone (`npm run bench -- explore-scaling`): a minute on an idle machine. */
export async function runExploreScalingBench(): Promise<BenchResult[]> {
  return [await scaling()];
}

export async function runExploreBench(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  for (const s of ['dpor', 'dfs', 'random', 'pct'] as const) results.push(throughput(s));
  results.push(throughput('dpor', true));
  for (const p of [
    counter(2, 3),
    counter(2, 4),
    privateThenRace(2, 6),
    privateThenRace(3, 3),
    readersAndWriter(2, 3),
  ]) {
    results.push(reduction(p));
  }
  results.push(...(await catalogueReductions()));
  results.push(await scaling());
  return results;
}
