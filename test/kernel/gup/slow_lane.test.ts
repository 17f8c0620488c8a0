// The slow path's solo lanes against the stepped page loop they shortcut (STYLE.md: a fast table
// checked against an obviously-correct reference): __get_user_pages alone (solo_lane, whose
// pte_run_solo takes runs of ordinary PTEs in one loop, and follow_page_mask_solo) against the
// same calls with another thread alive, where every page goes through the generator path
// (lookupOrFault: follow_page_mask under the page-table locks, faultin_page, takeStep). The two
// must take the same pages with the same references, pins, ledger, vm counters, faults,
// unshares and stop reasons (mm/gup.c: __get_user_pages, follow_page_pte, try_grab_folio).
import { describe, expect, it } from 'vitest';
import {
  FOLL_GET,
  FOLL_LONGTERM,
  FOLL_PIN,
  FOLL_WRITE,
} from '../../../src/kernel/include/gup_flags.js';
import { MADV_DONTNEED } from '../../../src/kernel/include/mman.js';
import { VM_HUGEPAGE, VM_IO } from '../../../src/kernel/include/vm_flags.js';
import { dup_mm } from '../../../src/kernel/kernel/fork.js';
import * as gup from '../../../src/kernel/mm/gup.js';
import { gupState } from '../../../src/kernel/mm/gup_state.js';
import { do_madvise } from '../../../src/kernel/mm/madvise.js';
import { mmap_read_lock, mmap_read_unlock } from '../../../src/kernel/mm/mmap_lock.js';
import {
  F_PINCOUNT,
  NR_FOLL_PIN_ACQUIRED,
  folio_large_field_get,
  folio_test_large,
  node_page_state,
  page_folio,
} from '../../../src/mm/index.js';
import { Completion, complete, wait_for_completion } from '../../../src/sim/locking/waitqueue.js';
import { BASE, PAGE, RW, anonVma, boot, ids, mapped, run, touch } from './harness.js';

const MiB2 = 2 * 1024 * 1024;
/** Three PMDs of small pages: the loop crosses two PTE-table boundaries (512, 1024). */
const NR = 3 * 512;
/** Read-faulted: mapped to the zero page. */
const HOLE = 700;
/** Never touched: no PTE (pte_none), faulted in by GUP itself. */
const NP = 900;
/** Shared with a forked mm and not written again: a R/O FOLL_PIN must unshare it. */
const SHARED = 1100;
/** A THP region after the small pages: 2 MiB PMD-mapped plus 8 small pages after it. */
const THP = BASE + 4 * MiB2;
const THP_NR = 512 + 8;
/** A THP whose last page was zapped (MADV_DONTNEED): its other 511 pages are PTE-mapped. */
const PTE_THP = BASE + 8 * MiB2;

interface Outcome {
  rets: number[];
  pages: number[];
  refcounts: number[];
  pincounts: number[];
  pinned: number[];
  gotten: number[];
  takers: string[];
  acquired: number;
  outstanding: number;
  events: string[];
  violations: string[];
}

/**
 * The calls: [region start, offset in pages, count]. The last runs past the THP VMA's end into a
 * VM_IO VMA in the same PTE table, whose written pages check_vma_flags refuses (-EFAULT).
 */
const CALLS: readonly [number, number, number][] = [
  [BASE, 0, NR],
  [PTE_THP, 0, 512],
  [THP, 0, THP_NR],
  [THP, 100, 20],
  [THP, THP_NR - 4, 8],
];

/**
 * Set up the small-page VMA (written; HOLE read-faulted; NP untouched; SHARED still shared with
 * a forked copy of the mm) and the THP VMA, then run CALLS with get_user_pages (FOLL_GET) or
 * pin_user_pages. With `company`, a second thread is alive (waiting) meanwhile, so the slow path
 * takes its stepped loop for every page.
 */
function calls(flags: number, company: boolean, debugVm: boolean): Outcome {
  const w = boot({ memory: 64 * 1024 * 1024 });
  gupState(w.k).debugVm = debugVm;
  anonVma(w, BASE, NR * PAGE);
  const total = CALLS.reduce((a, c) => a + c[2], 0);
  const pages = new Int32Array(total).fill(-1);
  const rets: number[] = [];
  const done = new Completion(w.m, 'done');
  const get = (flags & FOLL_GET) !== 0;
  let snap: Omit<Outcome, 'events' | 'violations'> | null = null;
  const r = run(w, function* () {
    const rest = (from: number, to: number): [number, number] => [
      BASE + from * PAGE,
      (to - from) * PAGE,
    ];
    for (const [a, b] of [
      [0, HOLE],
      [HOLE + 1, NP],
      [NP + 1, NR],
    ] as const)
      yield* touch(w, ...rest(a, b));
    yield* touch(w, BASE + HOLE * PAGE, PAGE, false);
    // fork: every anon page shared and write-protected; write them again except SHARED.
    expect(yield* dup_mm(w.k, w.mm)).not.toBeNull();
    for (const [a, b] of [
      [0, HOLE],
      [HOLE + 1, NP],
      [NP + 1, SHARED],
      [SHARED + 1, NR],
    ] as const)
      yield* touch(w, ...rest(a, b));
    anonVma(w, THP, THP_NR * PAGE, RW | VM_HUGEPAGE);
    yield* touch(w, THP, PAGE);
    yield* touch(w, THP + MiB2, 8 * PAGE);
    anonVma(w, THP + THP_NR * PAGE, 8 * PAGE, RW | VM_IO);
    yield* touch(w, THP + THP_NR * PAGE, 8 * PAGE);
    anonVma(w, PTE_THP, 512 * PAGE, RW | VM_HUGEPAGE);
    yield* touch(w, PTE_THP, PAGE);
    expect(yield* do_madvise(w.k, w.mm, PTE_THP + 511 * PAGE, PAGE, MADV_DONTNEED)).toBe(0);
    expect(folio_test_large(w.k.mem, page_folio(w.k.mem, mapped(w, PTE_THP)))).toBe(true);
    expect(folio_test_large(w.k.mem, page_folio(w.k.mem, mapped(w, THP)))).toBe(true);
    if (company) w.k.spawnUser(w.p, 'waiter', () => wait_for_completion(done));
    yield* mmap_read_lock(w.mm);
    let at = 0;
    for (const [region, from, nr] of CALLS) {
      const start = region + from * PAGE;
      gupState(w.k).where = `call at page ${at}`; // each call its own row in the ledger
      rets.push(
        get
          ? yield* gup.get_user_pages(w.k, start, nr, flags & ~FOLL_GET, pages, at)
          : yield* gup.pin_user_pages(w.k, start, nr, flags & ~FOLL_PIN, pages, at),
      );
      at += nr;
    }
    yield* mmap_read_unlock(w.mm);
    const s = gupState(w.k);
    const mem = w.k.mem;
    const frames = [...pages].filter((p) => p >= 0);
    snap = {
      rets,
      pages: [...pages],
      refcounts: frames.map((p) => mem._refcount[page_folio(mem, p)]!),
      pincounts: frames.map((p) =>
        folio_test_large(mem, page_folio(mem, p))
          ? folio_large_field_get(mem, page_folio(mem, p), F_PINCOUNT)
          : -1,
      ),
      pinned: frames.map((p) => s.pinned[p]!),
      gotten: frames.map((p) => s.gotten[p]!),
      takers: frames.map((p) => {
        const t = s.takers.get(s.taker[p]!);
        return t === undefined ? '?' : `${t.api} ${t.where}`;
      }),
      acquired: node_page_state(mem.vmstat, NR_FOLL_PIN_ACQUIRED),
      outstanding: s.outstanding,
    };
    for (const p of pages) if (p >= 0) (get ? gup.put_page : gup.unpin_user_page)(w.k, p);
    if (company) yield* complete(done);
  });
  return {
    ...snap!,
    events: r.trace
      .filter((e) => e.kind === 'gup.return' || e.kind === 'gup.unshare')
      .map((e) => `${e.kind} ${JSON.stringify(e.args)}`),
    violations: ids(r),
  };
}

describe('__get_user_pages alone (the solo lanes) takes exactly what the stepped loop takes', () => {
  // [name, flags, unshares, zero-page pins (not counted in nr_foll_pin_acquired)]: a read
  // fault at NP and at the zapped page of PTE_THP maps the zero page too.
  for (const [name, flags, unshares, zeroPins] of [
    ['FOLL_GET', FOLL_GET, 0, 0],
    ['FOLL_PIN (read-only: unshares the shared page, pins the zero page)', FOLL_PIN, 1, 3],
    [
      'FOLL_PIN | FOLL_WRITE (breaks COW of the zero page and the shared page)',
      FOLL_PIN | FOLL_WRITE,
      0,
      0,
    ],
    ['FOLL_PIN | FOLL_LONGTERM (unshares the zero page too)', FOLL_PIN | FOLL_LONGTERM, 4, 0],
  ] as const) {
    it(`${name}: same pages, references, pins, ledger, counters, unshares and stops`, () => {
      // CONFIG_DEBUG_VM off too: the lane then decides the shared page by gup_must_unshare alone.
      const alone = calls(flags, false, true);
      expect(alone).toEqual(calls(flags, true, true));
      expect(calls(flags, false, false)).toEqual(calls(flags, true, false));
      // Every call took all it asked for, but the last, stopped at the VM_IO VMA.
      expect(alone.rets).toEqual([NR, 512, THP_NR, 20, 4]);
      expect(alone.events.at(-1)).toContain('check_vma_flags');
      expect(alone.events.filter((e) => e.startsWith('gup.unshare'))).toHaveLength(unshares);
      const taken = NR + 512 + THP_NR + 20 + 4;
      expect(alone.outstanding).toBe(taken);
      if ((flags & FOLL_PIN) !== 0) expect(alone.acquired).toBe(taken - zeroPins);
      expect(alone.violations).toEqual([]);
    });
  }
});
