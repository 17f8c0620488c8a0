/**
 * A scenario as a Program: what the explorer, `gupsim run` and the catalogue run. Besides the
 * Program fields it carries the catalogue metadata and, for each finished execution, the
 * scenario's report (results, expectations, runtime input error).
 */
import type { RunResult } from '../../sim/machine.js';
import type { Program } from '../../sim/program.js';
import type { ScenarioReport } from './results.js';

export interface ScenarioProgram extends Program {
  readonly kind: 'scenario';
  /** Catalogue tags. */
  readonly tags: readonly string[];
  /** The file it was loaded from, or a label for a TypeScript scenario. */
  readonly file: string;
  /** The scenario's threads, by name, in order. */
  readonly threadNames: readonly string[];
  /** The report of an execution this program ran (undefined for another program's). */
  report(r: RunResult): ScenarioReport | undefined;
}

export function isScenarioProgram(p: Program): p is ScenarioProgram {
  return (p as Partial<ScenarioProgram>).kind === 'scenario';
}
