/**
 * PCT, probabilistic concurrency testing (Burckhardt, Kothari, Musuvathi, Nagarakatte,
 * ASPLOS'10). Each run gives the threads random distinct priorities (d and above) and picks
 * d-1 random change points among the run's k scheduling decisions; the highest-priority thread
 * that can run always runs, and at the i-th change point the thread about to run drops to
 * priority i. A bug of depth d (one that needs d ordering constraints) is found by each run
 * with probability at least 1/(n k^(d-1)) for n threads. Data choices are uniform.
 */
import {
  DefaultChooser,
  RandomChooser,
  type Chooser,
  type ThreadDecision,
} from '../sim/chooser.js';
import type { Program } from '../sim/program.js';
import { Rng, deriveSeed } from '../sim/rng.js';
import { execute } from './execute.js';
import type { PctParams } from './types.js';

export class PctChooser implements Chooser {
  private readonly rng: Rng;
  private readonly priority: number[] = [];
  /** changeAt[i] is the decision (from 1) at which the running thread drops to priority i+1. */
  private readonly changeAt: number[] = [];
  private decisions = 0;

  constructor(
    seed: number,
    private readonly params: PctParams,
  ) {
    this.rng = new Rng(seed >>> 0);
    const want = Math.min(params.depth - 1, params.steps);
    while (this.changeAt.length < want) {
      const k = 1 + this.rng.below(params.steps);
      if (!this.changeAt.includes(k)) this.changeAt.push(k);
    }
  }

  pickThread(d: ThreadDecision): number {
    this.decisions++;
    const i = this.changeAt.indexOf(this.decisions);
    if (i >= 0) this.priority[this.highest(d)] = i + 1;
    return this.highest(d);
  }

  pickValue(n: number): number {
    return this.rng.below(n);
  }

  private highest(d: ThreadDecision): number {
    let best = d.enabled[0]!;
    for (let i = 0; i < d.count; i++) {
      const id = d.enabled[i]!;
      if (this.prio(id) > this.prio(best)) best = id;
    }
    return best;
  }

  /** A thread's priority; a thread seen for the first time draws a random one above d. */
  private prio(id: number): number {
    let p = this.priority[id];
    if (p === undefined) this.priority[id] = p = this.params.depth + this.rng.float();
    return p;
  }
}

/** Counts thread decisions of the chooser it wraps. */
class Counting implements Chooser {
  decisions = 0;
  constructor(private readonly inner: Chooser) {}
  pickThread(d: ThreadDecision): number {
    this.decisions++;
    return this.inner.pickThread(d);
  }
  pickValue(n: number, label: string, index: number): number {
    return this.inner.pickValue(n, label, index);
  }
}

const CALIBRATION_RUNS = 8;

/** n and k for PCT: the most threads and thread decisions of a few deterministic runs. */
export function calibratePct(
  p: Program,
  depth: number,
  seed: number,
  maxSteps?: number,
): PctParams {
  let threads = 1;
  let steps = 1;
  const root = deriveSeed(seed, 0xffffffff);
  for (let c = 0; c <= CALIBRATION_RUNS; c++) {
    const inner = c === 0 ? new DefaultChooser() : new RandomChooser(deriveSeed(root, c));
    const counting = new Counting(inner);
    const done = execute(p, counting, maxSteps);
    if (done === null) continue;
    threads = Math.max(threads, done.machine.threads.length);
    steps = Math.max(steps, counting.decisions);
  }
  return { depth, threads, steps };
}

/** The probability that one run finds a given bug of depth d: at least 1/(n k^(d-1)). */
export function pctPerRun(params: PctParams): number {
  return 1 / (params.threads * params.steps ** (params.depth - 1));
}

/** An upper bound on the probability that `runs` runs all miss a given bug of depth d. */
export function pctMissBound(params: PctParams, runs: number): number {
  return (1 - pctPerRun(params)) ** runs;
}

/** The guarantee in one sentence, for people. */
export function describePct(params: PctParams, runs: number): string {
  const p = pctPerRun(params);
  const pct = (x: number): string => `${(x * 100).toPrecision(3)}%`;
  return (
    `PCT depth ${params.depth}, n=${params.threads} threads, k=${params.steps} decisions: each run finds a given ` +
    `bug of depth <= ${params.depth} with probability >= 1/(n*k^${params.depth - 1}) = ${pct(p)}; ` +
    `${runs} runs miss it with probability <= ${pct(pctMissBound(params, runs))}`
  );
}
