// The fast lanes against the general code they shortcut (STYLE.md: a fast table checked against
// an obviously-correct reference):
//  - GUP-fast alone (gup_fast_walk_solo, whose fast_pte_lane takes runs of plain PTEs) against
//    the same walk with a scheduling point before every step (gup_fast_pgd_range, taken when
//    another thread is alive): same pages, counts, pin accounting, ledger and bail-out reasons;
//  - unpin_user_pages (one gup_put_folio per folio run, the small-folio put inline) against
//    unpin_user_page entry by entry (mm/gup.c: gup_folio_next batching changes no count);
//  - the long-term pin's "every folio pinnable" scan against collect_longterm_unpinnable_folios.
import { describe, expect, it } from 'vitest';
import {
  FOLL_GET,
  FOLL_LONGTERM,
  FOLL_PIN,
  FOLL_WRITE,
} from '../../../src/kernel/include/gup_flags.js';
import { VM_HUGEPAGE } from '../../../src/kernel/include/vm_flags.js';
import * as gup from '../../../src/kernel/mm/gup.js';
import { collect_longterm_unpinnable_folios } from '../../../src/kernel/mm/gup_longterm.js';
import { gupState } from '../../../src/kernel/mm/gup_state.js';
import { mmap_read_lock, mmap_read_unlock } from '../../../src/kernel/mm/mmap_lock.js';
import {
  F_PINCOUNT,
  NR_FOLL_PIN_ACQUIRED,
  NR_FOLL_PIN_RELEASED,
  folio_large_field_get,
  node_page_state,
  page_folio,
} from '../../../src/mm/index.js';
import { Completion, complete, wait_for_completion } from '../../../src/sim/locking/waitqueue.js';
import type { Sched } from '../../../src/sim/thread.js';
import { BASE, PAGE, RW, anonVma, boot, ids, run, touch, type World } from './harness.js';

const MiB2 = 2 * 1024 * 1024;
/** Three PMDs of small pages: the walk crosses two PTE-table boundaries. */
const NR = 3 * 512;
/** Read-faulted, so mapped to the zero page (a special PTE): the lane must stop there. */
const HOLE = 700;

interface Outcome {
  rets: number[];
  pages: number[];
  refcounts: number[];
  flags: number[];
  pinned: number[];
  gotten: number[];
  takers: string[];
  acquired: number;
  outstanding: number;
  bails: string[];
  violations: string[];
}

/** The state GUP left on the pages it returned. */
function snapshot(
  w: World,
  pages: Int32Array,
  rets: number[],
): Omit<Outcome, 'bails' | 'violations'> {
  const s = gupState(w.k);
  const mem = w.k.mem;
  const frames = [...pages].filter((p) => p >= 0);
  return {
    rets,
    pages: [...pages],
    refcounts: frames.map((p) => mem._refcount[p]!),
    flags: frames.map((p) => mem.flags[p]!),
    pinned: frames.map((p) => s.pinned[p]!),
    gotten: frames.map((p) => s.gotten[p]!),
    takers: frames.map((p) => s.takers.get(s.taker[p]!)?.api ?? '?'),
    acquired: node_page_state(mem.vmstat, NR_FOLL_PIN_ACQUIRED),
    outstanding: s.outstanding,
  };
}

/**
 * Map NR pages (written, but HOLE read-faulted), run GUP-fast over them (FOLL_GET:
 * get_user_pages_fast_only, stopping at HOLE, then two calls after it; FOLL_PIN:
 * pin_user_pages_fast up to HOLE and a run after it), snapshot, release everything. With
 * `company`, a second thread is alive (waiting) meanwhile, so GUP-fast takes its stepped walk.
 */
function walk(flags: number, company: boolean): Outcome {
  const w = boot();
  anonVma(w, BASE, NR * PAGE);
  const pages = new Int32Array(NR).fill(-1);
  const rets: number[] = [];
  const done = new Completion(w.m, 'done');
  const pin = (flags & FOLL_PIN) !== 0;
  const calls: [number, number][] = pin
    ? [
        [0, HOLE],
        [HOLE + 1, 64],
      ]
    : [
        [0, NR], // stops at HOLE
        [HOLE + 1, 64], // a run inside one PTE table
        [HOLE + 65, NR - HOLE - 65], // the rest, across a PTE-table boundary
      ];
  let snap: Omit<Outcome, 'bails' | 'violations'> | null = null;
  const r = run(w, function* () {
    yield* touch(w, BASE, HOLE * PAGE);
    yield* touch(w, BASE + HOLE * PAGE, PAGE, false);
    yield* touch(w, BASE + (HOLE + 1) * PAGE, (NR - HOLE - 1) * PAGE);
    if (company) w.k.spawnUser(w.p, 'waiter', () => wait_for_completion(done));
    for (const [at, nr] of calls) {
      const start = BASE + at * PAGE;
      rets.push(
        pin
          ? yield* gup.pin_user_pages_fast(w.k, start, nr, flags & ~FOLL_PIN, pages, at)
          : yield* gup.get_user_pages_fast_only(w.k, start, nr, flags & ~FOLL_GET, pages, at),
      );
    }
    snap = snapshot(w, pages, rets);
    for (const p of pages) if (p >= 0) (pin ? gup.unpin_user_page : gup.put_page)(w.k, p);
    if (company) yield* complete(done);
  });
  return {
    ...snap!,
    bails: r.trace
      .filter((e) => e.kind === 'gup.fast-bail')
      .map((e) => (e.args as { reason: string }).reason),
    violations: ids(r),
  };
}

describe('GUP-fast alone (the PTE lane) takes exactly what the stepped walk takes', () => {
  it('FOLL_GET: same pages, references, PG_referenced, ledger, and the same stop at the zero page', () => {
    const alone = walk(FOLL_GET, false);
    const stepped = walk(FOLL_GET, true);
    expect(alone.rets).toEqual([HOLE, 64, NR - HOLE - 65]);
    expect(alone.bails[0]).toContain('special');
    expect(alone).toEqual(stepped);
    expect(alone.outstanding).toBe(NR - 1);
    expect(alone.violations).toEqual([]);
  });

  for (const [name, flags] of [
    ['FOLL_PIN', FOLL_PIN],
    ['FOLL_PIN | FOLL_WRITE', FOLL_PIN | FOLL_WRITE],
    ['FOLL_PIN | FOLL_LONGTERM', FOLL_PIN | FOLL_LONGTERM],
  ] as const) {
    it(`${name}: same pins (GUP_PIN_COUNTING_BIAS), nr_foll_pin_acquired and ledger`, () => {
      const alone = walk(flags, false);
      const stepped = walk(flags, true);
      expect(alone.rets).toEqual([HOLE, 64]);
      expect(alone.acquired).toBe(HOLE + 64);
      expect(alone).toEqual(stepped);
      expect(alone.violations).toEqual([]);
    });
  }
});

/** Pin `nr` pages at BASE + first pages of a THP region, then release them with `release`. */
function releaseRun(release: (w: World, pages: Int32Array) => void): number[] {
  const w = boot({ memory: 64 * 1024 * 1024 });
  anonVma(w, BASE, MiB2 + 8 * PAGE, RW | VM_HUGEPAGE);
  const pages = new Int32Array(24).fill(-1);
  const seen: number[] = [];
  const r = run(w, function* (): Sched<void> {
    yield* touch(w, BASE, PAGE); // a PMD-mapped THP
    yield* touch(w, BASE + MiB2, 8 * PAGE); // small folios after it
    yield* mmap_read_lock(w.mm);
    // 12 THP pages (the last 12 of the folio), a gap (NULL), then 8 small pages, one twice.
    expect(yield* gup.pin_user_pages(w.k, BASE + MiB2 - 12 * PAGE, 12, FOLL_WRITE, pages, 0)).toBe(
      12,
    );
    expect(yield* gup.pin_user_pages(w.k, BASE + MiB2, 8, 0, pages, 13)).toBe(8);
    expect(yield* gup.pin_user_pages(w.k, BASE + MiB2, 1, 0, pages, 21)).toBe(1);
    yield* mmap_read_unlock(w.mm);
    const mem = w.k.mem;
    const head = page_folio(mem, pages[0]!);
    release(w, pages);
    const s = gupState(w.k);
    seen.push(
      folio_large_field_get(mem, head, F_PINCOUNT),
      mem._refcount[head]!,
      ...[...pages.subarray(13, 21)].map((p) => mem._refcount[p]!),
      node_page_state(mem.vmstat, NR_FOLL_PIN_RELEASED),
      s.outstanding,
      s.pinned.reduce((a, b) => a + b, 0),
    );
  });
  expect(ids(r)).toEqual([]);
  return seen;
}

describe('unpin_user_pages batches per folio as unpin_user_page one by one would release', () => {
  it('a THP run, a NULL entry, small folios and a repeated entry', () => {
    const batched = releaseRun((w, pages) => gup.unpin_user_pages(w.k, pages, pages.length));
    const single = releaseRun((w, pages) => {
      for (const p of pages) if (p >= 0) gup.unpin_user_page(w.k, p);
    });
    expect(batched).toEqual(single);
    // Every pin released: no _pincount left, the counters balance, the ledger is empty.
    expect(batched[0]).toBe(0);
    expect(batched.slice(-3)).toEqual([21, 0, 0]);
  });

  it('a release of a pin not held is still reported (double release), the rest released', () => {
    const w = boot();
    anonVma(w, BASE, 4 * PAGE);
    const pages = new Int32Array(4);
    const r = run(w, function* () {
      yield* touch(w, BASE, 4 * PAGE);
      expect(yield* gup.pin_user_pages_fast(w.k, BASE, 4, FOLL_WRITE, pages)).toBe(4);
      gup.unpin_user_pages(w.k, pages, 4);
      gup.unpin_user_pages(w.k, pages, 2);
    });
    expect(ids(r)).toContain('gup.double-release');
    expect(gupState(w.k).outstanding).toBe(0);
  });
});

describe('FOLL_LONGTERM: the pinnable scan agrees with collect_longterm_unpinnable_folios', () => {
  it('nothing to migrate in normal memory: the pins stay, nothing is isolated', () => {
    const w = boot();
    anonVma(w, BASE, 8 * PAGE);
    const pages = new Int32Array(8);
    let collected = -1;
    const r = run(w, function* () {
      yield* touch(w, BASE, 8 * PAGE);
      yield* mmap_read_lock(w.mm);
      expect(yield* gup.pin_user_pages(w.k, BASE, 8, FOLL_LONGTERM, pages)).toBe(8);
      yield* mmap_read_unlock(w.mm);
      const list: number[] = [];
      collected = collect_longterm_unpinnable_folios(w.k, list, {
        entries: pages,
        off: 0,
        has_folios: false,
        nr_entries: 8,
      });
      expect(list).toEqual([]);
      gup.unpin_user_pages(w.k, pages, 8);
    });
    expect(collected).toBe(0);
    expect(ids(r)).toEqual([]);
  });
});
