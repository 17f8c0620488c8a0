/**
 * Results depend only on the program and the settings: the same seed gives the same result, and
 * however the plan's tasks are run (in another order, by shards, with larger budgets) they
 * combine to what one sequential run reports.
 */
import { describe, expect, it } from 'vitest';
import { combine } from '../../src/explore/combine.js';
import { explore, runInOrder } from '../../src/explore/explore.js';
import { planExploration, shardTasks } from '../../src/explore/plan.js';
import { contextOf, runTask } from '../../src/explore/task.js';
import type { ExploreConfig, Plan, TaskResult } from '../../src/explore/types.js';
import { defineProgram, type Program } from '../../src/sim/program.js';
import { lostUpdate } from '../sim/programs.js';

/** Lost update with three threads: fails when an increment is lost. */
const racy: Program = defineProgram({
  name: 'racy',
  setup(m) {
    const out = { value: 0 };
    lostUpdate(3, 1, out).setup(m);
    m.addEndChecker({
      id: 'test.lost',
      description: 'no increment is lost',
      kernelRef: '-',
      atEnd: () => {
        if (out.value !== 3)
          m.report({ id: 'test.lost', message: `counter ${out.value}`, rule: '-' });
      },
    });
  },
});

const configs: ExploreConfig[] = [
  { strategy: 'dpor', maxExecutions: Infinity, seed: 0 },
  { strategy: 'dfs', maxExecutions: 500, seed: 0 },
  { strategy: 'dpor', maxExecutions: Infinity, seed: 0, preemptionBound: 1 },
  { strategy: 'random', maxExecutions: 700, seed: 42 },
  { strategy: 'pct', maxExecutions: 700, seed: 42, pctDepth: 2 },
];

/** Run every task on its own, with the whole budget, in reverse order: as workers might. */
function scattered(p: Program, plan: Plan, order: readonly number[]): (TaskResult | undefined)[] {
  const results = new Array<TaskResult | undefined>(plan.tasks.length);
  for (const j of [...order].reverse()) {
    results[j] = runTask(p, contextOf(plan), plan.tasks[j]!, { budget: plan.maxExecutions });
  }
  return results;
}

/** The same counter without the check: it passes, so explorations run into their limits. */
const quiet = lostUpdate(3, 1, { value: 0 });

describe('determinism', () => {
  it('an execution limit cuts scattered tasks where a sequential run stops', () => {
    for (const cfg of [
      { strategy: 'dfs', maxExecutions: 37, seed: 0 },
      { strategy: 'dpor', maxExecutions: 20, seed: 0 },
      { strategy: 'random', maxExecutions: 333, seed: 3 },
    ] as const) {
      const plan = planExploration(quiet, cfg);
      const sequential = combine(plan, runInOrder(quiet, plan));
      expect(sequential.executions).toBe(cfg.maxExecutions);
      expect(sequential.complete).toBe(false);
      expect(
        combine(
          plan,
          scattered(
            quiet,
            plan,
            plan.tasks.map((_, j) => j),
          ),
        ),
      ).toEqual(sequential);
    }
  });

  for (const cfg of configs) {
    const name = `${cfg.strategy}${cfg.preemptionBound !== undefined ? ` bound ${cfg.preemptionBound}` : ''}`;

    it(`${name}: the same settings give the same result`, () => {
      expect(explore(racy, cfg)).toEqual(explore(racy, cfg));
    });

    it(`${name}: scattered tasks and shards combine to the sequential result`, () => {
      const plan = planExploration(racy, cfg);
      const sequential = combine(plan, runInOrder(racy, plan));
      const all = plan.tasks.map((_, j) => j);
      expect(combine(plan, scattered(racy, plan, all))).toEqual(sequential);
      const merged = new Array<TaskResult | undefined>(plan.tasks.length);
      for (let i = 1; i <= 3; i++) {
        const part = scattered(racy, plan, shardTasks(plan, i, 3));
        part.forEach((r, j) => (merged[j] = r ?? merged[j]));
      }
      expect(combine(plan, merged)).toEqual(sequential);
    });
  }

  it('a random exploration finds the lost update, reproducibly', () => {
    const o = explore(racy, configs[3]!);
    expect(o.counterexample?.signature).toBe('test.lost');
  });
});
