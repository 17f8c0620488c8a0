/** docs/oracle.md lists every step with the door it goes through, or why none does, as doors.ts says. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/cli/catalogue.js';
import { DOORS } from '../../src/cli/repro/index.js';
import { catalogue } from '../../src/scenario/index.js';

const DOC = readFileSync(join(PACKAGE_ROOT, 'docs', 'oracle.md'), 'utf8');

describe('docs/oracle.md: the door map', () => {
  for (const op of catalogue) {
    it(`has the row of ${op.name}`, () => {
      const d = DOORS[op.name]!;
      const maps = d.maps === 'yes' ? 'yes' : d.maps === 'partly' ? 'partly' : 'refused';
      expect(DOC).toContain(`| \`${op.name}\` | ${maps} | ${d.door} | ${d.why} |`);
    });
  }
});
