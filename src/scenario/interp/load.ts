/**
 * Loading a scenario file as a Program: the loader with the model's registries (the operations
 * that have executors, the quirks the model implements, the checker ids it reports), then a
 * trial boot of the machine, so every input problem is a ScenarioError before anything runs.
 */
import { Kernel } from '../../kernel/kernel.js';
import { MmConfigError } from '../../mm/boot.js';
import { Machine } from '../../sim/machine.js';
import { implementedQuirks } from '../../kernel/quirks.js';
import { ScenarioError } from '../errors.js';
import { implementedOperations, setupScenarioState } from '../exec/index.js';
import { loadScenario, type LoadOptions } from '../load.js';
import type { ScenarioSpec } from '../spec.js';
import { knownCheckerIds } from './checkers.js';
import { compileScenario } from './compile.js';
import { kernelConfig } from './kernel-config.js';
import type { ScenarioProgram } from './program.js';

/** The loader options of this model. */
export function modelLoadOptions(): LoadOptions {
  return {
    operations: implementedOperations,
    quirks: implementedQuirks(),
    checkers: knownCheckerIds(),
  };
}

/** Boot the scenario's machine once; a configuration the memory model refuses is GS120. */
function checkBoots(spec: ScenarioSpec): Kernel {
  try {
    return new Kernel(new Machine({ trace: false }), kernelConfig(spec.machine));
  } catch (e) {
    if (!(e instanceof MmConfigError)) throw e;
    throw new ScenarioError({
      code: 'GS120',
      pos: spec.pos,
      problem: `the machine cannot boot: ${e.message}`,
      accepted:
        'a machine configuration the memory model can lay out (docs/scenario-format.md#machine)',
    });
  }
}

/** Create the scenario's files on that machine once; files it cannot hold are GS121. */
function checkFiles(k: Kernel, spec: ScenarioSpec): void {
  try {
    setupScenarioState(k, spec);
  } catch (e) {
    if (!(e instanceof Error) || spec.files.length === 0) throw e;
    throw new ScenarioError({
      code: 'GS121',
      pos: spec.files[0]!.pos,
      problem: `the files cannot be created on this machine: ${e.message}`,
      accepted: 'files that fit the machine (docs/scenario-format.md#files)',
    });
  }
}

/** Scenario text -> validated spec, for this model. Throws ScenarioError for bad input. */
export function loadModelScenario(file: string, text: string): ScenarioSpec {
  const spec = loadScenario(file, text, modelLoadOptions());
  checkFiles(checkBoots(spec), spec);
  return spec;
}

/** Scenario text -> Program. Throws ScenarioError for bad input. */
export function loadScenarioProgram(file: string, text: string): ScenarioProgram {
  return compileScenario(loadModelScenario(file, text));
}
