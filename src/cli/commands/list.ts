/** `gupsim list`: the bundled catalogue with descriptions. */
import { join } from 'node:path';
import { catalogueFiles, PACKAGE_ROOT } from '../catalogue.js';
import { loadProgram } from '../load.js';
import { bold, out } from '../style.js';

export async function listCommand(flags: { json?: boolean }): Promise<number> {
  const entries = [];
  for (const file of catalogueFiles()) {
    const p = await loadProgram(join(PACKAGE_ROOT, file));
    entries.push({
      name: p.name,
      file,
      description: p.description ?? '',
      expectation: p.expectation ?? 'pass',
    });
  }
  if (flags.json === true) out(JSON.stringify(entries, null, 2));
  else
    for (const e of entries)
      out(`${bold(e.name)}  ${e.file}  [${e.expectation}]\n    ${e.description}`);
  return 0;
}
