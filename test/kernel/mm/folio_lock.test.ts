// The folio lock (include/linux/pagemap.h: folio_trylock, folio_lock; mm/filemap.c:
// folio_unlock): its plain fast path for a thread that runs alone, and the holder it records
// for deadlock reports (a typed array by pfn, not a Map).
import { describe, expect, it } from 'vitest';
import { exploreDfs } from '../../../src/explore/index.js';
import { Kernel } from '../../../src/kernel/kernel.js';
import {
  folio_lock,
  folio_lock_holder,
  folio_test_locked,
  folio_trylock,
  folio_unlock,
  solo_folio_trylock,
  solo_folio_unlock,
} from '../../../src/kernel/mm/filemap.js';
import { GFP_USER, folio_alloc } from '../../../src/mm/index.js';
import { defineProgram, ReplayChooser, runProgram, type Machine } from '../../../src/sim/index.js';

const MiB = 1024 * 1024;

describe('folio_trylock / folio_unlock as plain calls when the caller runs alone', () => {
  it('takes a free lock, refuses a held one, and records and forgets the holder', () => {
    let seen: (string | number | boolean | null)[] = [];
    const p = defineProgram({
      name: 'solo-folio-lock',
      setup(mm: Machine) {
        const k = new Kernel(mm, { memory: 16 * MiB });
        const folio = folio_alloc(k.mem, GFP_USER, 0, 0);
        k.kthread_run('t1', function* () {
          seen = [
            solo_folio_trylock(k, folio),
            folio_lock_holder(k, folio),
            solo_folio_trylock(k, folio),
            yield* folio_trylock(k, folio),
            solo_folio_unlock(k, folio),
            folio_test_locked(k, folio),
            folio_lock_holder(k, folio),
          ];
        });
      },
    });
    const { result } = runProgram(p);
    expect(result.status).toBe('done');
    expect(seen).toEqual([1, 't1', 0, false, true, false, null]);
  });

  it('leaves a caller that does not run alone to the generators (-1, false)', () => {
    let seen: (number | boolean)[] = [];
    const p = defineProgram({
      name: 'shared-folio-lock',
      setup(mm: Machine) {
        const k = new Kernel(mm, { memory: 16 * MiB });
        const folio = folio_alloc(k.mem, GFP_USER, 0, 0);
        k.kthread_run('t1', function* () {
          const a = solo_folio_trylock(k, folio);
          yield* folio_lock(k, folio);
          seen = [a, solo_folio_unlock(k, folio), folio_test_locked(k, folio)];
          yield* folio_unlock(k, folio);
        });
        k.kthread_run('t2', function* () {
          yield* folio_lock(k, folio);
          yield* folio_unlock(k, folio);
        });
      },
    });
    const { result } = runProgram(p);
    expect(result.status).toBe('done');
    expect(seen).toEqual([-1, false, true]);
  });
});

describe('folio lock holders in deadlock reports', () => {
  it('an ABBA on two folio locks is reported as a wait-for cycle naming each holder', () => {
    const abba = defineProgram({
      name: 'folio-abba',
      setup(mm: Machine) {
        const k = new Kernel(mm, { memory: 16 * MiB });
        const a = folio_alloc(k.mem, GFP_USER, 0, 0);
        const b = folio_alloc(k.mem, GFP_USER, 0, 0);
        k.kthread_run('t1', function* () {
          yield* folio_lock(k, a);
          yield* folio_lock(k, b);
          yield* folio_unlock(k, b);
          yield* folio_unlock(k, a);
        });
        k.kthread_run('t2', function* () {
          yield* folio_lock(k, b);
          yield* folio_lock(k, a);
          yield* folio_unlock(k, a);
          yield* folio_unlock(k, b);
        });
      },
    });
    let failing = '';
    const r = exploreDfs(abba, {
      onExecution: (res) => {
        if (res.status === 'deadlock') failing ||= res.schedule;
      },
    });
    expect(r.complete).toBe(true);
    expect(failing).not.toBe('');
    const { result } = runProgram(abba, { chooser: new ReplayChooser(failing) });
    expect(result.status).toBe('deadlock');
    const d = result.violations.find((v) => v.id === 'sched.deadlock')!;
    expect(d.message).toMatch(
      /t\d waits for folio lock of pfn \d+ held by t\d; t\d waits for folio lock of pfn \d+ held by t\d/,
    );
  });
});
