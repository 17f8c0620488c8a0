/**
 * The law partial-order reduction must keep: DPOR reaches exactly the outcomes plain exhaustive
 * DFS reaches (final states, deadlocks, checker reports), on generated programs with locks,
 * completions, data choices, undeclared points and fatal signals; and on the catalogue it fails
 * exactly when DFS does.
 */
import fc from 'fast-check';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalogueFiles, PACKAGE_ROOT } from '../../src/cli/catalogue.js';
import { loadProgram } from '../../src/cli/load.js';
import { exploreDfs } from '../../src/explore/dfs.js';
import { explore } from '../../src/explore/explore.js';
import { failureSignature } from '../../src/explore/signature.js';
import { abba } from '../sim/programs.js';
import { rwSpecs, specs } from './generated.js';
import { reachedBy, reachedByBaseline, sorted } from './helpers.js';

const CAP = 4000;

describe('DPOR reaches what exhaustive DFS reaches', () => {
  it('on generated programs: the same set of outcomes', () => {
    fc.assert(
      fc.property(specs, (spec) => {
        const dfs = reachedByBaseline(spec, CAP);
        fc.pre(dfs.complete);
        const dpor = reachedBy(spec, { strategy: 'dpor' });
        expect(sorted(dpor.outcomes)).toEqual(sorted(dfs.outcomes));
        expect(dpor.executions).toBeLessThanOrEqual(dfs.executions);
      }),
      { numRuns: 60, seed: 20261123 },
    );
  });

  it('on generated rw_semaphore programs (readers commute): the same set of outcomes', () => {
    fc.assert(
      fc.property(rwSpecs, (spec) => {
        const dfs = reachedByBaseline(spec, CAP);
        fc.pre(dfs.complete);
        const dpor = reachedBy(spec, { strategy: 'dpor' });
        expect(sorted(dpor.outcomes)).toEqual(sorted(dfs.outcomes));
        expect(dpor.executions).toBeLessThanOrEqual(dfs.executions);
      }),
      { numRuns: 80, seed: 20261124 },
    );
  });

  it('within a preemption bound: bounded DPOR reaches what bounded DFS reaches', () => {
    fc.assert(
      fc.property(specs, fc.nat(2), (spec, bound) => {
        const dfs = reachedBy(spec, {
          strategy: 'dfs',
          preemptionBound: bound,
          maxExecutions: CAP,
        });
        fc.pre(dfs.complete);
        const dpor = reachedBy(spec, { strategy: 'dpor', preemptionBound: bound });
        expect(sorted(dpor.outcomes)).toEqual(sorted(dfs.outcomes));
      }),
      { numRuns: 30, seed: 7 },
    );
  });

  it('on every catalogue entry: DPOR fails exactly when DFS does', async () => {
    for (const file of catalogueFiles()) {
      const p = await loadProgram(join(PACKAGE_ROOT, file));
      let failure: string | null = null;
      const dfs = exploreDfs(p, {
        maxExecutions: 1500,
        onExecution: (r) => (failure = failureSignature(p, r)) === null,
      });
      if (failure === null && !dfs.complete) continue; // too big for the baseline
      const dpor = explore(p, { strategy: 'dpor', maxExecutions: Infinity, seed: 0 });
      expect(dpor.counterexample !== undefined, file).toBe(failure !== null);
    }
  }, 900_000);

  it('on a lock-order inversion: finds the deadlock lockdep predicted', () => {
    const p = { ...abba, expect: { violations: ['lockdep.circular'] } };
    const dpor = explore(p, { strategy: 'dpor', maxExecutions: Infinity, seed: 0 });
    expect(dpor.counterexample?.signature).toMatch(/^sched\.deadlock: deadlock: t\d waits for/);
  });
});
