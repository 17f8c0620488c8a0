/**
 * The executor registry: every operation the model can run, collected from the `*Executors`
 * arrays of exec/<group>.ts. The loader is given only these operations, so a scenario that uses
 * an operation of the format without an executor is refused (GS132) instead of skipping it.
 *
 * Adding a group: export `const <group>Executors: readonly ExecutorEntry[]` from
 * exec/<group>.ts (one `defineExecutor(descriptor, function* (ctx, args) { ... })` per
 * operation) and add it to EXECUTOR_GROUPS below.
 */
import type { Kernel } from '../../kernel/kernel.js';
import { operationRegistry, type OperationRegistry } from '../operation.js';
import type { ScenarioSpec } from '../spec.js';
import { addressSpaceExecutors } from './address_space.js';
import { consumerExecutors } from './consumers.js';
import { expectExecutors } from './expect.js';
import { fileExecutors, setupScenarioFiles } from './files.js';
import { gupExecutors } from './gup.js';
import { iovIterExecutors } from './iov_iter.js';
import { kvmExecutors } from './kvm.js';
import { lockExecutors } from './locks.js';
import { mmEventExecutors } from './mm_events.js';
import { mmReclaimExecutors } from './mm_reclaim.js';
import { procExecutors } from './proc.js';
import { processExecutors } from './processes.js';
import { syncExecutors } from './sync.js';
import { throughPinExecutors } from './through_pin.js';
import type { ExecutorEntry } from './types.js';
import { userMemoryExecutors } from './user_memory.js';
import { userfaultfdExecutors } from './userfaultfd.js';
import { xenExecutors } from './xen.js';

const EXECUTOR_GROUPS: readonly (readonly ExecutorEntry[])[] = [
  lockExecutors,
  syncExecutors,
  expectExecutors,
  fileExecutors,
  mmEventExecutors,
  mmReclaimExecutors,
  addressSpaceExecutors,
  processExecutors,
  userMemoryExecutors,
  gupExecutors,
  throughPinExecutors,
  iovIterExecutors,
  userfaultfdExecutors,
  consumerExecutors,
  procExecutors,
  xenExecutors,
  kvmExecutors,
];

/**
 * What the executor groups set up on a fresh kernel before the threads start: the files of
 * `files:`. Throws when the machine cannot hold them.
 */
export function setupScenarioState(k: Kernel, spec: Pick<ScenarioSpec, 'files'>): void {
  setupScenarioFiles(k, spec.files);
}

function registry(entries: readonly ExecutorEntry[]): ReadonlyMap<string, ExecutorEntry> {
  const map = new Map<string, ExecutorEntry>();
  for (const e of entries) {
    if (map.has(e.op.name)) throw new Error(`two executors for '${e.op.name}'`);
    map.set(e.op.name, e);
  }
  return map;
}

/** Operation name -> executor. */
export const executorRegistry: ReadonlyMap<string, ExecutorEntry> = registry(
  EXECUTOR_GROUPS.flat(),
);

/** The descriptors of the operations the model implements: what the loader accepts. */
export const implementedOperations: OperationRegistry = operationRegistry(
  [...executorRegistry.values()].map((e) => e.op),
);

export type { Executor, ExecContext, ExecutorEntry, PagesBinding, StepOutcome } from './types.js';
export { defineExecutor } from './types.js';
