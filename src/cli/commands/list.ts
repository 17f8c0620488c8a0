/** `gupsim list`: the bundled catalogue with descriptions and tags. */
import { join } from 'node:path';
import { isScenarioProgram } from '../../scenario/interp/program.js';
import { catalogueFiles, PACKAGE_ROOT } from '../catalogue.js';
import { loadProgram } from '../load.js';
import { bold, dim, out } from '../style.js';

export interface CatalogueEntry {
  readonly name: string;
  readonly file: string;
  readonly kind: 'scenario' | 'program';
  readonly description: string;
  readonly tags: readonly string[];
  readonly expectation: 'pass' | 'fail';
}

export async function catalogueEntries(): Promise<CatalogueEntry[]> {
  const entries: CatalogueEntry[] = [];
  for (const file of catalogueFiles()) {
    const p = await loadProgram(join(PACKAGE_ROOT, file));
    entries.push({
      name: p.name,
      file,
      kind: isScenarioProgram(p) ? 'scenario' : 'program',
      description: p.description ?? '',
      tags: isScenarioProgram(p) ? p.tags : [],
      expectation: p.expectation ?? 'pass',
    });
  }
  return entries;
}

export async function listCommand(flags: { json?: boolean }): Promise<number> {
  const entries = await catalogueEntries();
  if (flags.json === true) {
    out(JSON.stringify(entries, null, 2));
    return 0;
  }
  for (const e of entries) {
    const tags = e.tags.length === 0 ? '' : `  ${dim(e.tags.map((t) => `#${t}`).join(' '))}`;
    const demo = e.expectation === 'fail' ? '  [bug demonstration: exploring finds a failure]' : '';
    out(`${bold(e.name)}  ${e.file}${demo}${tags}\n    ${e.description}`);
  }
  return 0;
}
