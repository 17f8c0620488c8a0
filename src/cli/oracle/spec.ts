/**
 * Loading a scenario for the reproducer: the full operation catalogue of the format (the
 * reproducer needs no model), every quirk id (a scenario with quirks loads, and is refused by
 * name), any well-formed checker id.
 */
import { QUIRKS } from '../../kernel/quirks.js';
import { loadScenario, type ScenarioSpec } from '../../scenario/index.js';

export function loadSpec(file: string, text: string): ScenarioSpec {
  return loadScenario(file, text, { quirks: QUIRKS.map((q) => q.id) });
}
