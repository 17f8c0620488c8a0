// The examples of docs/errors.md for the codes of the interpreter and the catalogue extensions
// give exactly the errors the page shows.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ScenarioError } from '../../../src/scenario/errors.js';
import { run, scenario } from './helpers.js';

const PAGE = readFileSync(
  fileURLToPath(new URL('../../../docs/errors.md', import.meta.url)),
  'utf8',
);

function example(code: string): { yaml: string; shown: string } {
  const section = PAGE.slice(PAGE.indexOf(`### ${code}\n`));
  const block = /```yaml\n([\s\S]*?)```\n/.exec(section)!;
  const rest = section.slice(block.index + block[0].length);
  const shown = /```\n(?:\$ .*\n)?([\s\S]*?)```/.exec(rest)![1]!.trimEnd();
  return { yaml: block[1]!, shown };
}

/** The message of the error the example gives: at load time, or running it (thread b first). */
function messageOf(yaml: string): string {
  try {
    const p = scenario(yaml, 'demo.yaml');
    return run(p, 'gs1:1').report.error?.message ?? 'no error';
  } catch (e) {
    if (e instanceof ScenarioError) return e.message;
    throw e;
  }
}

describe('docs/errors.md examples', () => {
  for (const code of ['GS107', 'GS160', 'GS161']) {
    it(code, () => {
      const { yaml, shown } = example(code);
      expect(messageOf(yaml)).toBe(shown);
    });
  }
});
