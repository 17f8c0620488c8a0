/**
 * The gupsim side of the oracle: run a scenario in the model under a schedule (the default one
 * unless given), keep its results and expectations, and read from the trace the order in which
 * whole steps ran, which is the order the reproducer follows.
 */
import type { ScenarioSpec } from '../../scenario/index.js';
import { ScenarioError } from '../../scenario/index.js';
import {
  loadScenarioProgram,
  type ExpectationRecord,
  type ResultValue,
  type ScenarioProgram,
} from '../../scenario/interp/index.js';
import { DefaultChooser, ReplayChooser, ScheduleMismatchError } from '../../sim/chooser.js';
import type { Machine, RunResult } from '../../sim/machine.js';
import { runProgram } from '../../sim/program.js';
import { ScheduleSyntaxError } from '../../sim/schedule.js';
import type { TraceEvent } from '../../sim/trace.js';
import { verdictOf } from '../report.js';
import { orderFromThreads, type StepOrder } from '../repro/index.js';

export interface GupsimSide {
  readonly verdict: 'pass' | 'fail';
  /** The run's status: done, deadlock, livelock, bug. */
  readonly status: string;
  readonly results: Readonly<Record<string, ResultValue>>;
  readonly expectations: readonly ExpectationRecord[];
  /** Checker ids reported. */
  readonly violations: readonly string[];
  readonly schedule: string;
  /** The order of whole steps, or why the run has none the host can follow. */
  readonly order: StepOrder | { readonly problem: string };
}

/** gupsim could not run the scenario: why (an operation the model lacks, an input error...). */
export interface GupsimUnavailable {
  readonly unavailable: string;
  /** An input error of the scenario itself (not a gap of the model). */
  readonly inputError?: boolean;
  /** The model broke (threw, or ended the run as a model bug): a gupsim bug. */
  readonly modelBug?: boolean;
}

export type GupsimOutcome = GupsimSide | GupsimUnavailable;

function unavailableOf(e: ScenarioError): GupsimUnavailable {
  if (e.code === 'GS132') return { unavailable: e.problem };
  if (e.code === 'GS122') return { unavailable: `the model lacks a quirk: ${e.problem}` };
  return { unavailable: e.message, inputError: true };
}

function load(file: string, text: string): ScenarioProgram | GupsimUnavailable {
  try {
    return loadScenarioProgram(file, text);
  } catch (e) {
    if (e instanceof ScenarioError) return unavailableOf(e);
    throw e;
  }
}

/**
 * Steps that do nothing to the kernel before they finish: a wait blocks, a signal fires, an
 * expectation reads in the engine step it finishes in. Their place in the order is where they
 * finish, whatever ran since they started.
 */
const ATOMIC_AT_DONE = new Set(['wait', 'signal', 'expect']);

/**
 * A step a thread may start while another thread's step is still inside the kernel: a blocking
 * read of a userfaultfd, which waits for the fault or event the other step queues
 * (handle_userfault, userfaultfd_event_wait_completion), so the host follows the model's order
 * without running the two steps one after the other; either may start first.
 */
const WAITS_FOR_FAULT = 'uffd_read';

export interface StepTimeline {
  /** The thread of each finished leaf step, in the order they finished. */
  readonly threads: string[];
  /** For each of them, how many steps had finished when it started (its own index if none ran meanwhile). */
  readonly starts: number[];
}

/**
 * The thread of each finished leaf step, in the order they finished, and when each started; or
 * why the run cannot be followed at step granularity (a step started while another thread's
 * step was half done, with no userfaultfd read between them to hold the host to that order).
 */
export function stepTimeline(
  events: readonly TraceEvent[],
  threadName: (id: number) => string,
): StepTimeline | { problem: string } {
  const open = new Map<string, { op: string; started: number; held: boolean }>();
  const threads: string[] = [];
  const starts: number[] = [];
  for (const e of events) {
    if (e.kind !== 'scenario.step' && e.kind !== 'scenario.done') continue;
    const args = e.args as { op: string; step: string };
    if (args.op === 'repeat') continue;
    const thread = threadName(e.thread);
    if (e.kind === 'scenario.done') {
      const mine = open.get(thread);
      open.delete(thread);
      starts.push(mine?.started ?? threads.length);
      threads.push(thread);
      continue;
    }
    if (ATOMIC_AT_DONE.has(args.op)) continue;
    const waits = args.op === WAITS_FOR_FAULT;
    for (const [other, o] of open) {
      if (other === thread) continue;
      if (waits || o.op === WAITS_FOR_FAULT) o.held = true;
      if (!o.held)
        return {
          problem: `thread ${thread} starts step ${args.step} while ${other}'s ${o.op} has not finished: the host runs whole steps`,
        };
    }
    // A step that starts while another thread's blocking read waits is as held as the read.
    const underRead = [...open.values()].some((o) => o.op === WAITS_FOR_FAULT);
    open.set(thread, { op: args.op, started: threads.length, held: waits || underRead });
  }
  return { threads, starts };
}

/** The thread of each finished leaf step, in the order they finished (see stepTimeline). */
export function stepThreads(
  events: readonly TraceEvent[],
  threadName: (id: number) => string,
): string[] | { problem: string } {
  const t = stepTimeline(events, threadName);
  return 'problem' in t ? t : t.threads;
}

function orderOf(spec: ScenarioSpec, m: Machine, r: RunResult): GupsimSide['order'] {
  const timeline = stepTimeline(r.trace, (id) => m.threads[id]?.name ?? `#${id}`);
  if ('problem' in timeline) return timeline;
  const schedule = r.schedule === 'gs1:' ? 'the default schedule' : `schedule ${r.schedule}`;
  const order = orderFromThreads(
    spec,
    timeline.threads,
    `gupsim's run under ${schedule}`,
    timeline.starts,
  );
  return order ?? { problem: 'the steps gupsim ran do not fit the scenario' };
}

function chooserOf(schedule: string | undefined): DefaultChooser | ReplayChooser {
  return schedule === undefined
    ? new DefaultChooser()
    : new ReplayChooser(schedule, new DefaultChooser());
}

/**
 * Run `file` (its text, and its spec as the full catalogue loads it) once in gupsim. A schedule
 * that does not parse or fit throws ScheduleSyntaxError / ScheduleMismatchError.
 */
export function runInGupsim(spec: ScenarioSpec, text: string, schedule?: string): GupsimOutcome {
  const program = load(spec.file, text);
  if ('unavailable' in program) return program;
  let run: ReturnType<typeof runProgram>;
  try {
    run = runProgram(program, { chooser: chooserOf(schedule), trace: true });
  } catch (e) {
    if (e instanceof ScheduleSyntaxError || e instanceof ScheduleMismatchError) throw e;
    return {
      unavailable: `the model threw: ${e instanceof Error ? e.message : String(e)}`,
      modelBug: true,
    };
  }
  const { machine, result } = run;
  if (result.status === 'bug') {
    const bug = result.violations.find((v) => v.id === 'model.bug');
    return {
      unavailable: `model bug: ${bug?.message ?? 'the run ended as a model bug'}`,
      modelBug: true,
    };
  }
  const report = program.report(result);
  if (report === undefined) return { unavailable: 'the run left no scenario report' };
  // A runtime input error stops a thread: what gupsim cannot do yet (GS161) or an order the
  // scenario does not hold (GS160). The host side still runs; the comparison is skipped.
  const e = report.error;
  if (e !== null) return { unavailable: `stopped at ${e.where}: ${e.code} ${e.problem}` };
  return {
    verdict: verdictOf(program, result).pass ? 'pass' : 'fail',
    status: result.status,
    results: report.results,
    expectations: report.expectations,
    violations: result.violations.map((v) => v.id),
    schedule: result.schedule,
    order: orderOf(spec, machine, result),
  };
}

export { ScheduleMismatchError, ScheduleSyntaxError };
