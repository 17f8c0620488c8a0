// TypeScript scenarios: the same checks on their settings as a file, typed steps that run
// exactly as YAML steps do, names, expectations and events from code.
import { describe, expect, it } from 'vitest';
import { arg, defineScenario } from '../../../src/scenario/define.js';
import { mmap_read_lock, mmap_read_unlock } from '../../../src/scenario/ops/locks.js';
import { expect as expectOp } from '../../../src/scenario/ops/user_memory.js';
import { down_read, up_read } from '../../../src/sim/locking/rwsem.js';
import { everyInterleaving, run } from './helpers.js';

describe('defineScenario', () => {
  it('checks its settings with the loader rules and codes', () => {
    const bad = (s: Partial<Parameters<typeof defineScenario>[0]>) => () =>
      defineScenario({ scenario: 't', threads: { main: { *body() {} } }, ...s });
    expect(bad({ scenario: 'Bad_Id' })).toThrow(/GS106/);
    expect(bad({ kernel: { quirks: ['dirty-cwo'] } })).toThrow(/GS122 unknown quirk 'dirty-cwo'/);
    expect(bad({ machine: { memory: '4KB' } })).toThrow(/GS110/);
    expect(bad({ tags: ['Bad'] })).toThrow(/GS107/);
    expect(bad({ expect: { violations: ['no-such-checker'] } })).toThrow(/GS151/);
  });

  it('runs typed steps, binds names, records expectations', () => {
    const p = defineScenario({
      scenario: 'typed',
      tags: ['test'],
      threads: {
        main: {
          *body(ctx) {
            const r = yield* ctx.step(mmap_read_lock, {}, { as: 'r' });
            yield* ctx.step(mmap_read_unlock, {});
            ctx.bind('answer', 42);
            yield* ctx.step(expectOp, { value: arg.value('r.ret'), equals: arg.value(0) });
            ctx.expect(r.ret === 0 && ctx.get('answer') === 42, 'r.ret is 0, answer is 42');
          },
        },
      },
    });
    const { report, verdict } = run(p);
    expect(p.tags).toEqual(['test']);
    expect(report.results).toEqual({ init: 'pid 1', r: 0, answer: 42 });
    expect(report.expectations.map((e) => [e.step, e.ok, e.message])).toEqual([
      [3, true, 'r.ret == 0'],
      [3, true, 'r.ret is 0, answer is 42'],
    ]);
    expect(verdict.pass).toBe(true);
  });

  it('lets a thread call the kernel surface directly and order threads with events', () => {
    const p = defineScenario({
      scenario: 'direct',
      threads: {
        a: {
          *body(ctx) {
            yield* down_read(ctx.process.mm!.mmap_lock);
            ctx.bind('held', 1);
            yield* ctx.signal('go');
            yield* up_read(ctx.process.mm!.mmap_lock);
          },
        },
        b: {
          *body(ctx) {
            yield* ctx.wait('go');
            yield ctx.point('read');
            ctx.expect(ctx.get('held') === 1, 'a bound held before it signalled');
          },
        },
      },
    });
    expect(everyInterleaving(p).failing).toEqual([]);
  });

  it('reports a name not bound yet as GS160 with the thread and step', () => {
    const p = defineScenario({
      scenario: 'early',
      threads: {
        main: {
          *body(ctx) {
            yield ctx.point('read');
            ctx.get('nothing');
          },
        },
      },
    });
    expect(run(p).report.error?.message).toBe(
      "early (TypeScript): thread main, step 0: GS160 'nothing' is not bound yet when thread 'main' runs ctx.get\n" +
        '  accepted: a name bound before the step runs: order the threads with signal and wait',
    );
  });
});
