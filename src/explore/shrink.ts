/**
 * Shrinking a counterexample: greedy edits of the failing schedule, each replayed leniently
 * (see replay.ts) and kept only if the run fails the same way (same failure signature) and is
 * smaller: fewer preemptions, then fewer steps, then fewer decisions, and never a longer
 * schedule. Edits, tried in this order until none helps: let a preempted thread go on instead;
 * cut the schedule after a preemption (the default chooser, which never preempts, finishes the
 * run); cut the schedule short; drop one decision.
 */
import type { Program } from '../sim/program.js';
import { decodeSchedule } from '../sim/schedule.js';
import { execute } from './execute.js';
import { LenientReplay } from './replay.js';
import { failureSignature } from './signature.js';

export interface Measured {
  /** The schedule string that replays the run exactly. */
  readonly schedule: string;
  readonly preemptions: number;
  readonly steps: number;
  /** Decisions in the schedule (trailing default decisions are not written). */
  readonly length: number;
}

export interface ShrinkResult {
  readonly found: Measured;
  readonly shrunk: Measured;
  /** Replays the shrinking made. */
  readonly runs: number;
}

interface Candidate extends Measured {
  readonly decisions: readonly number[];
  /** Where the run preempted a thread, and which. */
  readonly preempts: readonly { readonly at: number; readonly current: number }[];
}

/** Default budget of replays for one shrink. */
export const SHRINK_RUNS = 2000;

export function shrink(
  p: Program,
  decisions: readonly number[],
  signature: string,
  opts: { readonly maxSteps?: number; readonly maxRuns?: number } = {},
): ShrinkResult {
  let runs = 0;
  const maxRuns = opts.maxRuns ?? SHRINK_RUNS;
  const attempt = (cand: readonly number[]): Candidate | null => {
    runs++;
    return measure(p, cand, signature, opts.maxSteps);
  };
  const first = attempt(decisions);
  if (first === null)
    throw new Error(`the failing schedule does not fail the same way when replayed (${signature})`);
  let best = first;
  for (let improved = true; improved && runs < maxRuns;) {
    improved = false;
    for (const cand of edits(best)) {
      if (runs >= maxRuns) break;
      const c = attempt(cand);
      if (c !== null && smaller(c, best)) {
        best = c;
        improved = true;
        break;
      }
    }
  }
  return { found: strip(first), shrunk: strip(best), runs };
}

function measure(
  p: Program,
  decisions: readonly number[],
  signature: string,
  maxSteps: number | undefined,
): Candidate | null {
  const chooser = new LenientReplay(decisions);
  const { result } = execute(p, chooser, maxSteps)!;
  if (failureSignature(p, result) !== signature) return null;
  const kept = decodeSchedule(result.schedule);
  const preempts = chooser.log
    .map((d, at) => ({ at, current: d.current, preempt: d.preempt }))
    .filter((d) => d.preempt && d.at < kept.length);
  return {
    schedule: result.schedule,
    preemptions: result.preemptions,
    steps: result.steps,
    length: kept.length,
    decisions: kept,
    preempts,
  };
}

/** Candidate schedules derived from `c`, most promising first. */
function* edits(c: Candidate): Generator<readonly number[]> {
  const d = c.decisions;
  for (const { at, current } of c.preempts) {
    yield [...d.slice(0, at), current, ...d.slice(at + 1)];
    yield d.slice(0, at);
  }
  for (let n = 0; n < d.length; n++) yield d.slice(0, n);
  for (let i = 0; i < d.length; i++) yield [...d.slice(0, i), ...d.slice(i + 1)];
}

function smaller(a: Measured, b: Measured): boolean {
  if (a.length > b.length) return false;
  if (a.preemptions !== b.preemptions) return a.preemptions < b.preemptions;
  if (a.steps !== b.steps) return a.steps < b.steps;
  return a.length < b.length;
}

function strip(c: Measured): Measured {
  return { schedule: c.schedule, preemptions: c.preemptions, steps: c.steps, length: c.length };
}
