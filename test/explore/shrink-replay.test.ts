/**
 * Counterexamples: replaying any reported schedule reproduces the same failure, and shrinking
 * never returns a longer schedule (nor one with more preemptions).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { explore } from '../../src/explore/explore.js';
import { replay } from '../../src/explore/replay.js';
import { shrink } from '../../src/explore/shrink.js';
import type { StrategyName } from '../../src/explore/types.js';
import { abba } from '../sim/programs.js';
import { programOf, specs } from './generated.js';

const abbaDemo = { ...abba, expect: { violations: ['lockdep.circular'] } };

describe('counterexamples', () => {
  it('replay to the same failure, and shrink to no longer and no more preemptive schedules', () => {
    fc.assert(
      fc.property(
        specs,
        fc.constantFrom<StrategyName>('dpor', 'dfs', 'random', 'pct'),
        (spec, strategy) => {
          const p = programOf(spec);
          const o = explore(p, { strategy, maxExecutions: 2000, seed: 1 });
          const c = o.counterexample;
          fc.pre(c !== undefined);
          expect(replay(p, c.found.schedule).signature).toBe(c.signature);
          expect(replay(p, c.shrunk.schedule).signature).toBe(c.signature);
          expect(c.shrunk.length).toBeLessThanOrEqual(c.found.length);
          expect(c.shrunk.preemptions).toBeLessThanOrEqual(c.found.preemptions);
        },
      ),
      { numRuns: 40, seed: 99 },
    );
  });

  it('shrinks a random ABBA deadlock to its one necessary preemption', () => {
    const o = explore(abbaDemo, { strategy: 'random', maxExecutions: 1000, seed: 5 });
    const c = o.counterexample!;
    expect(c.signature).toMatch(/^sched\.deadlock/);
    expect(c.shrunk.preemptions).toBe(1);
    expect(replay(abbaDemo, c.shrunk.schedule).result.status).toBe('deadlock');
  });

  it('keeps a schedule that is already minimal', () => {
    const o = explore(abbaDemo, { strategy: 'dpor', maxExecutions: Infinity, seed: 0 });
    const c = o.counterexample!;
    const again = shrink(
      abbaDemo,
      [...replay(abbaDemo, c.shrunk.schedule).machine.decisions()],
      c.signature,
    );
    expect(again.shrunk).toEqual(c.shrunk);
  });
});
