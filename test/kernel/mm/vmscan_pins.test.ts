/**
 * shrink_folio_list's rules for folios with extra references (mm/vmscan.c, mm/rmap.c):
 * one rule per test, with the reason the trace gives (`mm.reclaim` events).
 *
 *   process:  [ a ] one private anonymous page, written once
 *   swap:     machine.swap = 64 KiB
 */
import { describe, expect, it } from 'vitest';
import {
  PageAnonExclusive,
  folio_ref_add,
  folio_test_active,
  folio_test_swapcache,
  is_swap_pte,
  pte_present,
  pte_swp_exclusive,
  pte_write,
} from '../../../src/mm/index.js';
import { MADV_PAGEOUT } from '../../../src/kernel/include/mman.js';
import { kernel_clone } from '../../../src/kernel/kernel/fork.js';
import { do_madvise } from '../../../src/kernel/mm/madvise.js';
import { get_nr_swap_pages, total_swap_pages } from '../../../src/kernel/mm/swapfile.js';
import { try_to_free_pages } from '../../../src/kernel/mm/vmscan.js';
import type { Sched } from '../../../src/sim/index.js';
import {
  KiB,
  PAGE,
  fakePin,
  fakeUnpin,
  load,
  mmapAnon,
  pfnOf,
  pteOf,
  runTask,
  store,
  type World,
} from './helpers.js';

const SWAP = { swap: 64 * KiB };

/** The reasons shrink_folio_list gave for `folio` so far. */
function reasons(w: World, folio: number): string[] {
  const out: string[] = [];
  for (const e of w.m.trace.events) {
    if (e.kind !== 'mm.reclaim') continue;
    const a = e.args as { folio: number; action: string; reason: string };
    if (a.folio === folio) out.push(`${a.action}: ${a.reason}`);
  }
  return out;
}

function* pageout(w: World, a: number): Sched<void> {
  expect(yield* do_madvise(w.k, w.mm, a, PAGE, MADV_PAGEOUT)).toBe(0);
}

describe('reclaim and pins', () => {
  it('a maybe-pinned anon folio gets no swap slot (shrink_folio_list: folio_maybe_dma_pinned before folio_alloc_swap)', () => {
    runTask(function* (w, t) {
      const a = yield* mmapAnon(w, t, PAGE);
      yield* store(w, t, a, PAGE, 1);
      const folio = pfnOf(w, w.mm, a);
      fakePin(w, w.mm, folio);
      expect(yield* try_to_free_pages(w.k, 1)).toBe(0);
      // still mapped, no slot used, and the trace says why
      expect(pfnOf(w, w.mm, a)).toBe(folio);
      expect(get_nr_swap_pages(w.k)).toBe(total_swap_pages(w.k));
      expect(reasons(w, folio).some((r) => r.includes('maybe DMA-pinned: no swap slot'))).toBe(
        true,
      );
      fakeUnpin(w, folio);
    }, SWAP);
  });

  it('an unpinned anon folio is swapped out on the second pass: the first only clears its young PTE (folio_check_references)', () => {
    runTask(function* (w, t) {
      const a = yield* mmapAnon(w, t, PAGE);
      yield* store(w, t, a, PAGE, 1);
      const folio = pfnOf(w, w.mm, a);
      expect(yield* try_to_free_pages(w.k, 1)).toBe(1);
      expect(is_swap_pte(pteOf(w, w.mm, a))).toBe(true);
      expect(reasons(w, folio)[0]).toMatch(/^keep_locked: young PTE/);
      expect(yield* load(w, t, a)).toBe(1);
    }, SWAP);
  });

  it('a FOLL_GET reference: the PTE becomes an exclusive swap entry, the folio stays in the swap cache, and a write reuses it (pageout PAGE_KEEP; do_swap_page)', () => {
    runTask(function* (w, t) {
      const a = yield* mmapAnon(w, t, PAGE);
      yield* store(w, t, a, PAGE, 1);
      const folio = pfnOf(w, w.mm, a);
      folio_ref_add(w.k.mem, folio, 1); // get_user_pages(FOLL_GET), as O_DIRECT once did
      yield* pageout(w, a);
      const pte = pteOf(w, w.mm, a);
      expect(is_swap_pte(pte) && pte_swp_exclusive(pte)).toBe(true);
      expect(folio_test_swapcache(w.k.mem, folio)).toBe(true);
      expect(reasons(w, folio).at(-1)).toMatch(/refcount 3 is not 1 \+ 1/);
      // the write fault finds the folio in the swap cache; the exclusive bit says reuse it
      yield* store(w, t, a, PAGE, 2);
      expect(pfnOf(w, w.mm, a)).toBe(folio);
      expect(pte_write(pteOf(w, w.mm, a))).toBe(true);
      expect(PageAnonExclusive(w.k.mem, folio)).toBe(true);
      folio_ref_add(w.k.mem, folio, -1); // put_page
    }, SWAP);
  });

  it('a clean swap-cache folio with a FOLL_GET reference is not freed: __remove_mapping cannot freeze the refcount', () => {
    runTask(function* (w, t) {
      const a = yield* mmapAnon(w, t, PAGE);
      yield* store(w, t, a, PAGE, 1);
      yield* pageout(w, a);
      expect(yield* load(w, t, a)).toBe(1); // back, clean, still in the swap cache
      const folio = pfnOf(w, w.mm, a);
      folio_ref_add(w.k.mem, folio, 1);
      yield* pageout(w, a);
      expect(folio_test_swapcache(w.k.mem, folio)).toBe(true);
      expect(reasons(w, folio).at(-1)).toMatch(/stays in the swap cache: __remove_mapping/);
      folio_ref_add(w.k.mem, folio, -1);
    }, SWAP);
  });

  it('a pinned page already in the swap cache is not unmapped: folio_try_share_anon_rmap_pte refuses and the folio is activated', () => {
    runTask(function* (w, t) {
      const a = yield* mmapAnon(w, t, PAGE);
      yield* store(w, t, a, PAGE, 1);
      yield* pageout(w, a);
      expect(yield* load(w, t, a)).toBe(1);
      const folio = pfnOf(w, w.mm, a);
      expect(folio_test_swapcache(w.k.mem, folio)).toBe(true);
      fakePin(w, w.mm, folio);
      yield* pageout(w, a);
      expect(pte_present(pteOf(w, w.mm, a))).toBe(true);
      expect(PageAnonExclusive(w.k.mem, folio)).toBe(true);
      expect(folio_test_active(w.k.mem, folio)).toBe(true);
      expect(reasons(w, folio).at(-1)).toMatch(/folio_try_share_anon_rmap_pte/);
      fakeUnpin(w, folio);
    }, SWAP);
  });

  it('MADV_PAGEOUT skips a folio another process maps too (madvise_cold_or_pageout_pte_range)', () => {
    runTask(function* (w, t) {
      const a = yield* mmapAnon(w, t, PAGE);
      yield* store(w, t, a, PAGE, 1);
      const folio = pfnOf(w, w.mm, a);
      const c = yield* kernel_clone(w.k, w.p);
      expect(typeof c).not.toBe('number');
      yield* pageout(w, a);
      expect(pfnOf(w, w.mm, a)).toBe(folio);
      expect(get_nr_swap_pages(w.k)).toBe(total_swap_pages(w.k));
    }, SWAP);
  });
});
