/**
 * Swap-out and swap-in through reclaim (mm/vmscan.c: shrink_folio_list, reclaim_pages;
 * mm/madvise.c: madvise_pageout; mm/memory.c: do_swap_page): the swap PTE remembers
 * PageAnonExclusive, so an exclusive page comes back writable without a COW and a shared one
 * comes back read-only.
 *
 *   process:  [ a ] one private anonymous page
 *   swap:     [hdr][slot 1][slot 2]...        (machine.swap = 64 KiB: 15 usable slots)
 */
import { describe, expect, it } from 'vitest';
import {
  PageAnonExclusive,
  folio_ref_count,
  folio_test_swapcache,
  is_swap_pte,
  pte_swp_exclusive,
  pte_to_swp_entry,
  pte_write,
  swp_offset,
} from '../../../src/mm/index.js';
import { MADV_PAGEOUT } from '../../../src/kernel/include/mman.js';
import { kernel_clone } from '../../../src/kernel/kernel/fork.js';
import { do_madvise } from '../../../src/kernel/mm/madvise.js';
import type { mm_struct } from '../../../src/kernel/mm/mm_struct.js';
import { vm_event } from '../../../src/kernel/mm/mm_state.js';
import { __swap_count, get_nr_swap_pages, swap_info } from '../../../src/kernel/mm/swapfile.js';
import type { Process, task_struct } from '../../../src/kernel/sched/task.js';
import type { Sched } from '../../../src/sim/index.js';
import { KiB, PAGE, load, mmapAnon, pfnOf, pteOf, runTask, store, type World } from './helpers.js';

const SWAP = { swap: 64 * KiB };

function* pageout(w: World, mm: mm_struct, a: number, len = PAGE): Sched<void> {
  expect(yield* do_madvise(w.k, mm, a, len, MADV_PAGEOUT)).toBe(0);
}

function* fork(w: World): Sched<Process> {
  const c = yield* kernel_clone(w.k, w.p);
  if (typeof c === 'number') throw new Error(`fork failed: ${c}`);
  return c;
}

function childTask(c: Process, t: task_struct): task_struct {
  return Object.assign(Object.create(Object.getPrototypeOf(t) as object) as task_struct, t, {
    mm: c.mm,
  });
}

describe('swap round trip', () => {
  it('MADV_PAGEOUT swaps an exclusive page out to an exclusive swap entry and frees it (shrink_folio_list, __remove_mapping)', () => {
    runTask(function* (w, t) {
      const a = yield* mmapAnon(w, t, PAGE);
      yield* store(w, t, a, PAGE, 0x11);
      const free = get_nr_swap_pages(w.k);
      yield* pageout(w, w.mm, a);
      const pte = pteOf(w, w.mm, a);
      // try_to_unmap_one: the PTE became the slot's swap entry, exclusive bit set
      expect(is_swap_pte(pte) && pte_swp_exclusive(pte)).toBe(true);
      // pageout wrote the data; __remove_mapping took the folio out of the swap cache
      const entry = pte_to_swp_entry(pte);
      expect(swap_info(w.k)!.data[swp_offset(entry)]).toBe(0x11);
      expect(swap_info(w.k)!.cache.size).toBe(0);
      expect(__swap_count(w.k, entry)).toBe(1);
      expect(get_nr_swap_pages(w.k)).toBe(free - 1);
      expect(vm_event(w.k, 'PSWPOUT')).toBe(1);
    }, SWAP);
  });

  it('a write fault on an exclusive swap entry maps the page writable at once, no COW (do_swap_page)', () => {
    runTask(function* (w, t) {
      const a = yield* mmapAnon(w, t, PAGE);
      yield* store(w, t, a, PAGE, 0x11);
      yield* pageout(w, w.mm, a);
      yield* store(w, t, a, PAGE, 0x22);
      const folio = pfnOf(w, w.mm, a);
      expect(pte_write(pteOf(w, w.mm, a))).toBe(true);
      expect(PageAnonExclusive(w.k.mem, folio)).toBe(true);
      // should_try_to_free_swap: a write to an exclusive page frees its slot
      expect(folio_test_swapcache(w.k.mem, folio)).toBe(false);
      expect(vm_event(w.k, 'PSWPIN')).toBe(1);
      expect(get_nr_swap_pages(w.k)).toBe(swap_info(w.k)!.max - 1);
    }, SWAP);
  });

  it('a read fault brings the data back and the page stays in the swap cache (do_swap_page)', () => {
    runTask(function* (w, t) {
      const a = yield* mmapAnon(w, t, PAGE);
      yield* store(w, t, a, PAGE, 0x11);
      yield* pageout(w, w.mm, a);
      expect(yield* load(w, t, a)).toBe(0x11);
      const folio = pfnOf(w, w.mm, a);
      // exclusive: mapped writable even on a read fault; the clean copy in swap is kept
      expect(pte_write(pteOf(w, w.mm, a))).toBe(true);
      expect(folio_test_swapcache(w.k.mem, folio)).toBe(true);
    }, SWAP);
  });

  it('after fork, the swapped page comes back read-only and non-exclusive; a write copies (do_swap_page, do_wp_page)', () => {
    runTask(function* (w, t) {
      const a = yield* mmapAnon(w, t, PAGE);
      yield* store(w, t, a, PAGE, 0x11);
      yield* pageout(w, w.mm, a);
      const c = yield* fork(w);
      // copy_nonpresent_pte: both PTEs hold the entry, neither exclusive
      expect(pte_swp_exclusive(pteOf(w, w.mm, a))).toBe(false);
      expect(__swap_count(w.k, pte_to_swp_entry(pteOf(w, w.mm, a)))).toBe(2);
      expect(yield* load(w, t, a)).toBe(0x11);
      expect(pte_write(pteOf(w, w.mm, a))).toBe(false);
      yield* store(w, t, a, PAGE, 0x22);
      expect(yield* load(w, childTask(c, t), a)).toBe(0x11);
    }, SWAP);
  });

  it('without swap space MADV_PAGEOUT leaves the page mapped (folio_alloc_swap -ENOMEM)', () => {
    runTask(function* (w, t) {
      const a = yield* mmapAnon(w, t, PAGE);
      yield* store(w, t, a, PAGE, 0x11);
      const folio = pfnOf(w, w.mm, a);
      yield* pageout(w, w.mm, a);
      expect(pfnOf(w, w.mm, a)).toBe(folio);
      expect(folio_ref_count(w.k.mem, folio)).toBe(1);
    });
  });
});
