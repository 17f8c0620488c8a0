/**
 * compileScenario: a validated ScenarioSpec -> a Program. Its setup boots a Kernel with the
 * scenario's machine, creates the processes listed under `processes:` (children made by `fork`
 * are bound when the fork step runs), and spawns one user thread per scenario thread, running
 * its steps in order. Its finish keeps the scenario's report of the execution.
 */
import { Kernel, type KernelConfig } from '../../kernel/kernel.js';
import type { Machine, RunResult } from '../../sim/machine.js';
import type { Sched } from '../../sim/thread.js';
import type { ViolationExpectation } from '../../sim/verdict.js';
import { executorRegistry, setupScenarioState } from '../exec/index.js';
import type { Binding, ScenarioSpec, ThreadSpec, ViolationsExpectation } from '../spec.js';
import { installScenarioCheckers } from './checkers.js';
import { NameObjects } from './footprint.js';
import { kernelConfig } from './kernel-config.js';
import type { ScenarioProgram } from './program.js';
import { reportOf, type ScenarioReport } from './results.js';
import { RunState } from './run.js';
import { guarded, runSteps } from './runner.js';
import { ThreadRun, type ExecutorMap } from './thread-run.js';
import './trace-kinds.js';

/** A thread body written in TypeScript (defineScenario), given its running thread. */
export type ThreadBody = (tr: ThreadRun) => Sched<void>;

export interface CompileOptions {
  /** Executors by operation name; default: every executor the model has. */
  readonly executors?: ExecutorMap;
  /** TypeScript bodies by thread name; a thread without one runs its spec steps. */
  readonly bodies?: ReadonlyMap<string, ThreadBody>;
}

export function violationExpectation(v: ViolationsExpectation): ViolationExpectation {
  return v.kind === 'list' ? v.ids : v.kind;
}

function startProcesses(run: RunState, processes: readonly Binding[]): void {
  for (const b of processes) {
    const p = run.k.createProcess(b.name);
    run.bind(b.name, { kind: 'process', outcome: { primary: p, ret: p.tgid } });
  }
}

interface Start {
  readonly run: RunState;
  readonly executors: ExecutorMap;
  readonly names: NameObjects | null;
}

function startThread(s: Start, t: ThreadSpec, body: ThreadBody): void {
  const { run } = s;
  const process = run.lookup(t.process.name)?.outcome.primary;
  if (process === undefined) throw new Error(`thread ${t.name}: no process ${t.process.name}`);
  const tr = new ThreadRun(run, s.executors, t.name, process as ThreadRun['process'], s.names);
  // A declarative body's first act is to compute its first step's point (runSteps): a private
  // start. TypeScript bodies may do anything first.
  tr.task = run.k.spawnUser(tr.process, t.name, () => guarded(tr, () => body(tr)), {
    privateStart: s.names !== null,
  });
}

/** The Program of a scenario (from a file, or from defineScenario with TypeScript bodies). */
export function compileScenario(spec: ScenarioSpec, opts: CompileOptions = {}): ScenarioProgram {
  const executors = opts.executors ?? executorRegistry;
  const config: KernelConfig = kernelConfig(spec.machine);
  const order = [...spec.bindings.keys()];
  const runs = new WeakMap<Machine, RunState>();
  const reports = new WeakMap<RunResult, ScenarioReport>();
  const bodyOf = (t: ThreadSpec): ThreadBody =>
    opts.bodies?.get(t.name) ?? ((tr) => runSteps(tr, t.steps));
  // TypeScript bodies may bind and read names anywhere: their steps touch everything.
  const names = opts.bodies === undefined ? new NameObjects(spec) : null;
  return {
    kind: 'scenario',
    name: spec.id,
    ...(spec.description !== null ? { description: spec.description } : {}),
    tags: spec.tags,
    file: spec.file,
    threadNames: spec.threads.map((t) => t.name),
    quirks: spec.kernel.quirks,
    expect: { violations: violationExpectation(spec.expect.violations) },
    expectation: spec.expect.explore,
    setup(m: Machine) {
      const run = new RunState(m, new Kernel(m, config));
      installScenarioCheckers(run.k, spec.expect.violations);
      setupScenarioState(run.k, spec);
      runs.set(m, run);
      startProcesses(run, spec.processes);
      for (const e of spec.events) run.event(e); // objects in a fixed order, every execution
      for (const t of spec.threads) startThread({ run, executors, names }, t, bodyOf(t));
    },
    finish(m: Machine, r: RunResult) {
      const run = runs.get(m);
      if (run !== undefined) reports.set(r, reportOf(run, order, r.violations));
    },
    report: (r: RunResult) => reports.get(r),
  };
}
