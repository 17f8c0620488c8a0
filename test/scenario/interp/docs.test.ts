// docs/scenario-format.md keeps its operation reference true to the model: the "model" column
// says "yes" exactly for the operations with an executor. Regenerate after adding executors:
//   GUPSIM_UPDATE_DOCS=1 npx vitest run test/scenario/interp/docs.test.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { catalogue } from '../../../src/scenario/index.js';
import { executorRegistry } from '../../../src/scenario/exec/index.js';
import { operationReference, replaceReference } from '../../../src/scenario/interp/reference.js';

const PATH = fileURLToPath(new URL('../../../docs/scenario-format.md', import.meta.url));

describe('docs/scenario-format.md operation reference', () => {
  const reference = operationReference((name) => executorRegistry.has(name));

  it('is generated from the catalogue and the executor registry', () => {
    const text = readFileSync(PATH, 'utf8');
    const fresh = replaceReference(text, reference);
    if (process.env['GUPSIM_UPDATE_DOCS'] === '1' && fresh !== text) writeFileSync(PATH, fresh);
    expect(
      fresh === text,
      'regenerate: GUPSIM_UPDATE_DOCS=1 npx vitest run test/scenario/interp/docs.test.ts',
    ).toBe(true);
  });

  it("says 'yes' in the model column exactly for the operations with an executor", () => {
    for (const op of catalogue) {
      const row = reference.split('\n').find((l) => l.startsWith(`| \`${op.name}\` |`));
      expect(row, op.name).toBeDefined();
      expect(
        row!.endsWith(executorRegistry.has(op.name) ? '| yes |' : '| not yet |'),
        op.name,
      ).toBe(true);
    }
  });

  it('has an executor only for operations of the catalogue', () => {
    const names = new Set(catalogue.map((op) => op.name));
    for (const name of executorRegistry.keys()) expect(names.has(name), name).toBe(true);
  });
});
