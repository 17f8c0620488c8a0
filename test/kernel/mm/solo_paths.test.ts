/**
 * A thread that runs alone takes anonymous faults (do_user_addr_fault_solo -> handle_mm_fault_solo
 * -> do_anonymous_page_solo) and fork's page-table copy (copy_small_anon_ptes,
 * copy_huge_pmd_solo) through plain calls; with another thread alive the same work goes through
 * the generators of arch/x86/mm/fault.c: do_user_addr_fault, mm/memory.c: handle_mm_fault,
 * do_anonymous_page, copy_pte_range and mm/huge_memory.c: copy_huge_pmd. Both must leave the
 * same memory: every memmap array, every page-table entry and the RSS counters.
 */
import { describe, expect, it } from 'vitest';
import { kernel_clone } from '../../../src/kernel/kernel/fork.js';
import { get_mm_counter, MM_ANONPAGES } from '../../../src/mm/index.js';
import { Completion, complete, wait_for_completion } from '../../../src/sim/index.js';
import type { mm_struct } from '../../../src/kernel/mm/mm_struct.js';
import type { task_struct } from '../../../src/kernel/sched/task.js';
import { boot, fakePin, folioOf, load, MiB, mmapAnon, PAGE, store } from './helpers.js';

interface Outcome {
  readonly memory: string[];
  readonly tables: number[];
  readonly rss: number[];
  readonly loads: number[];
}

/** Run the workload, alone or beside an idle thread, and snapshot what it left. */
function workload(thp: boolean, pinned: boolean, alone: boolean): Outcome {
  const w = boot({
    memory: 128 * MiB,
    thp: [
      { size: 2 * MiB, policy: thp ? 'always' : 'never' },
      { size: 64 * 1024, policy: 'always' },
    ],
  });
  const idle = new Completion(w.m, 'idle');
  const loads: number[] = [];
  const children: mm_struct[] = [];
  const t: { task: task_struct | null } = { task: null };
  t.task = w.k.spawnUser(w.p, 'main', function* () {
    const task = t.task!;
    const a = yield* mmapAnon(w, task, 8 * MiB);
    yield* store(w, task, a, 5 * MiB + 3 * PAGE, 7);
    loads.push(yield* load(w, task, a + 6 * MiB));
    yield* store(w, task, a + 7 * MiB + PAGE, 20 * PAGE, 9);
    if (pinned) fakePin(w, w.mm, folioOf(w, w.mm, a + 2 * PAGE));
    const c1 = yield* kernel_clone(w.k, w.p);
    if (typeof c1 !== 'number') children.push(c1.mm as mm_struct);
    yield* store(w, task, a + 10 * PAGE, 30 * PAGE, 11);
    const c2 = yield* kernel_clone(w.k, w.p);
    if (typeof c2 !== 'number') children.push(c2.mm as mm_struct);
    loads.push(yield* load(w, task, a + 10 * PAGE));
    yield* complete(idle);
  });
  if (!alone) {
    w.k.spawnUser(w.p, 'idle', function* () {
      yield* wait_for_completion(idle);
    });
  }
  const r = w.m.run();
  expect(r.status).toBe('done');
  expect(children).toHaveLength(2);
  const mem = w.k.mem as unknown as Record<string, unknown>;
  const memory = Object.keys(mem)
    .sort()
    .filter((key) => ArrayBuffer.isView(mem[key]))
    .map((key) => {
      const v = mem[key] as ArrayBufferView;
      return `${key}:${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64')}`;
    });
  const pool = w.k.pool;
  const tables = Array.from(pool.entries.subarray(0, pool.high_water * 512));
  const rss = [w.mm, ...children].map((mm) => get_mm_counter(mm, MM_ANONPAGES));
  return { memory, tables, rss, loads };
}

describe('the solo fault and fork paths', () => {
  for (const thp of [false, true]) {
    for (const pinned of [false, true]) {
      it(`leave the state the generators leave (${thp ? 'THP' : '4 KiB and mTHP'}${pinned ? ', a pinned folio' : ''})`, () => {
        const alone = workload(thp, pinned, true);
        const beside = workload(thp, pinned, false);
        expect(alone.loads).toEqual([0, 11]);
        expect(alone.rss).toEqual(beside.rss);
        expect(alone.tables).toEqual(beside.tables);
        expect(alone.memory).toEqual(beside.memory);
      });
    }
  }
});
