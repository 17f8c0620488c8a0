/**
 * A small dom0 for the Xen tests: a machine (with quirks), the GUP checkers installed, one
 * process, and a thread body run to the end.
 */
import { installCheckers } from '../../../src/check/index.js';
import { Kernel } from '../../../src/kernel/kernel.js';
import type { Process } from '../../../src/kernel/sched/task.js';
import { Machine, type RunResult } from '../../../src/sim/machine.js';
import type { Sched } from '../../../src/sim/thread.js';

export const PAGE = 4096;
export const BASE = 0x7f0000000000;

export interface Dom0 {
  readonly m: Machine;
  readonly k: Kernel;
  readonly p: Process;
}

export function boot(quirks: string[] = []): Dom0 {
  const m = new Machine({ trace: true, quirks });
  const k = new Kernel(m, { memory: 16 * 1024 * 1024 });
  const p = k.createProcess('qemu');
  installCheckers(k);
  return { m, k, p };
}

/** Run `body` as a thread of the process; the run's result. */
export function run(d: Dom0, body: () => Sched<unknown>): RunResult {
  d.k.spawnUser(d.p, 'main', body);
  return d.m.run();
}

/** Violation ids of a run, sorted. */
export function ids(r: RunResult): string[] {
  return r.violations.map((v) => v.id);
}
