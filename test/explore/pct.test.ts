/**
 * PCT: the per-run guarantee is the paper's bound, and on a bug that needs one thread to run
 * twenty steps without interruption (depth 1) PCT finds it in about half its runs, where a
 * random walk needs 2^20 (the example of shuttle's PCT tests).
 */
import { describe, expect, it } from 'vitest';
import { explore } from '../../src/explore/explore.js';
import { describePct, pctMissBound, pctPerRun } from '../../src/explore/pct.js';
import { Access, defineProgram, objId, objectSpace } from '../../src/sim/index.js';

const SPACE = objectSpace('test.pct');

/** Fails when `reader` runs after all twenty steps of `writer`. */
const longRun = defineProgram({
  name: 'long-run',
  setup(m) {
    let count = 0;
    m.spawn('writer', function* () {
      for (let i = 0; i < 20; i++) {
        yield m.at('inc', objId(SPACE, 0), Access.Write);
        count++;
      }
    });
    m.spawn('reader', function* () {
      yield m.at('read', objId(SPACE, 0), Access.Read);
      if (count === 20)
        m.report({ id: 'test.saw-all', message: 'the reader saw every increment', rule: '-' });
    });
  },
});

function failures(strategy: 'pct' | 'random', runs: number): number {
  let failed = 0;
  for (let seed = 0; seed < runs; seed++) {
    const o = explore(longRun, { strategy, maxExecutions: 1, seed, pctDepth: 1 });
    if (o.counterexample !== undefined) failed++;
  }
  return failed;
}

describe('PCT', () => {
  it('states the per-run guarantee 1/(n k^(d-1))', () => {
    const params = { depth: 3, threads: 2, steps: 10 };
    expect(pctPerRun(params)).toBe(1 / 200);
    expect(pctMissBound(params, 200)).toBeCloseTo((199 / 200) ** 200);
    expect(describePct(params, 200)).toContain('probability >= 1/(n*k^2) = 0.500%');
  });

  it('finds a depth-1 bug in about half its runs; a random walk does not', () => {
    expect(failures('pct', 40)).toBeGreaterThan(10);
    expect(failures('random', 40)).toBe(0);
  });

  it('reports its parameters with the exploration', () => {
    const o = explore(longRun, { strategy: 'pct', maxExecutions: 50, seed: 7, pctDepth: 2 });
    expect(o.exploration.pct).toMatchObject({ depth: 2, threads: 2 });
    expect(o.exploration.pct!.steps).toBeGreaterThan(0);
  });
});
