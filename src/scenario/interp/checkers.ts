/**
 * Checker ids a scenario may list under `expect.violations`: the engine's own (deadlock,
 * lockdep, ...) and the model's (src/check). Every execution of a scenario runs the always-on
 * checkers, plus the ones its `expect.violations` list names.
 */
import {
  checker,
  checkerInfos,
  installAlwaysOnCheckers,
  installCheckers,
} from '../../check/index.js';
import type { Kernel } from '../../kernel/kernel.js';
import { ENGINE_CHECKERS, type CheckerInfo } from '../../sim/violation.js';
import type { ViolationsExpectation } from '../spec.js';

/** Every checker the model has, by id: the engine's, then the model's. */
export function knownCheckers(): readonly CheckerInfo[] {
  return [...ENGINE_CHECKERS, ...checkerInfos()];
}

export function knownCheckerIds(): string[] {
  return knownCheckers().map((c) => c.id);
}

/** Attach the always-on checkers and those the end expectation names to a fresh kernel. */
export function installScenarioCheckers(k: Kernel, expected: ViolationsExpectation): void {
  installAlwaysOnCheckers(k);
  if (expected.kind !== 'list') return;
  const model = expected.ids.filter((id) => checker(id) !== undefined);
  if (model.length > 0) installCheckers(k, model);
}
