// The user documentation covers what the loader accepts and every error it reports.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { catalogue, errorCodes, TOP_LEVEL_KEYS } from '../../src/scenario/index.js';
import { scenarioTables } from '../../src/scenario/values/constants.js';

const doc = (name: string) =>
  readFileSync(fileURLToPath(new URL(`../../docs/${name}`, import.meta.url)), 'utf8');

describe('docs/errors.md', () => {
  const text = doc('errors.md');

  it('explains every error code, with its title, and no other', () => {
    for (const [code, title] of Object.entries(errorCodes)) {
      expect(text, code).toContain(`### ${code}\n`);
      expect(text, code).toContain(`| [${code}](#${code.toLowerCase()}) | ${title} |`);
    }
    const documented = [...text.matchAll(/^### (GS\d+)$/gm)].map((m) => m[1]);
    expect(documented).toEqual(Object.keys(errorCodes));
  });
});

describe('docs/scenario-format.md', () => {
  const text = doc('scenario-format.md');

  it('has a row for every operation, naming each of its arguments', () => {
    for (const op of catalogue) {
      const section = text.slice(text.indexOf('## Operations'), text.indexOf('## Expectations'));
      const row = section.split('\n').find((line) => line.startsWith(`| \`${op.name}\` |`));
      expect(row, op.name).toBeDefined();
      for (const arg of Object.keys(op.args))
        expect(row, `${op.name}.${arg}`).toContain(`\`${arg}\``);
      expect(text, op.name).toContain(`- ${op.example}`);
    }
  });

  it('describes every top-level key and every constant family', () => {
    for (const key of TOP_LEVEL_KEYS) expect(text, key).toContain(`| \`${key}\` |`);
    for (const table of scenarioTables)
      expect(text, table.family).toContain(`**\`${table.family}\`**`);
  });
});
