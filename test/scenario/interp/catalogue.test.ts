// Every bundled scenario loads on this model, says what it is (description, tags), and behaves
// as it claims under the default schedule: a one-thread scenario has one execution, so that run
// is its whole exploration, passing or (a bug demonstration) failing. (npm start explores the
// multi-thread ones.)
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { run, scenario } from './helpers.js';

const DIR = fileURLToPath(new URL('../../../scenarios/', import.meta.url));
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.yaml'));

describe('the catalogue', () => {
  it('has scenarios', () => {
    expect(FILES.length).toBeGreaterThan(5);
  });

  for (const file of FILES) {
    it(`${file}: loads, is described and tagged, and behaves as it expects`, () => {
      const p = scenario(readFileSync(`${DIR}${file}`, 'utf8'), `scenarios/${file}`);
      expect(`${p.name}.yaml`).toBe(file);
      expect(p.description?.length ?? 0).toBeGreaterThan(20);
      expect(p.tags.length).toBeGreaterThan(0);
      const r = run(p);
      expect(r.report.error).toBeNull();
      if (p.threadNames.length === 1) {
        // one thread, one execution: that run is the whole exploration
        if (p.expectation === 'pass') expect(r.verdict.reasons).toEqual([]);
        else expect(r.verdict.pass).toBe(false);
      }
    });
  }
});
