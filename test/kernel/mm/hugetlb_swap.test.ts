/**
 * hugetlb (mm/hugetlb.c: hugetlb_fault, hugetlb_wp, copy_hugetlb_page_range) and swap-in
 * (mm/memory.c: do_swap_page) through a minimal test swap layer: the swap PTE's exclusive bit
 * restores PageAnonExclusive, so COW after fork still holds for swapped pages.
 */
import { describe, expect, it } from 'vitest';
import {
  PageAnonExclusive,
  folio_mapcount,
  folio_ref_add,
  folio_put,
  pte_swp_exclusive,
  pte_write,
  pte_present,
  is_swap_pte,
  folio_set_swapcache,
  folio_clear_swapcache,
  folio_test_swapcache,
  folio_ref_count,
} from '../../../src/mm/index.js';
import {
  MAP_ANONYMOUS,
  MAP_HUGETLB,
  MAP_PRIVATE,
  MAP_SHARED,
  PROT_READ,
  PROT_WRITE,
} from '../../../src/kernel/include/mman.js';
import { kernel_clone } from '../../../src/kernel/kernel/fork.js';
import { user_write } from '../../../src/kernel/arch/x86/mm/fault.js';
import { mmState } from '../../../src/kernel/mm/mm_state.js';
import { try_to_unmap } from '../../../src/kernel/mm/rmap_walk.js';
import { folio_lock, folio_unlock } from '../../../src/kernel/mm/filemap.js';
import type { mm_struct } from '../../../src/kernel/mm/mm_struct.js';
import type { Process, task_struct } from '../../../src/kernel/sched/task.js';
import type { Sched } from '../../../src/sim/index.js';
import {
  MiB,
  PAGE,
  load,
  mmapAnon,
  pmdOf,
  pfnOf,
  pteOf,
  runTask,
  store,
  type World,
} from './helpers.js';
import { pmd_pfn, pmd_write } from '../../../src/mm/index.js';

const HUGE = { hugetlb: { '2MiB': 4 } };

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

describe('hugetlb', () => {
  it('a MAP_HUGETLB write fault maps a pool page with one PMD (hugetlb_no_page)', () => {
    runTask(function* (w, t) {
      const a = yield* mmapAnon(
        w,
        t,
        2 * MiB,
        PROT_READ | PROT_WRITE,
        MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB,
      );
      expect(a % (2 * MiB)).toBe(0);
      yield* store(w, t, a + PAGE, PAGE, 7);
      const folio = pmd_pfn(pmdOf(w, w.mm, a));
      expect(PageAnonExclusive(w.k.mem, folio)).toBe(true);
      expect(yield* load(w, t, a + PAGE)).toBe(7);
      expect(w.k.mem.hstates[0]!.free_huge_pages).toBe(3);
    }, HUGE);
  });

  it('hugetlb COW after fork: the writer copies, the other keeps the old data (hugetlb_wp)', () => {
    runTask(function* (w, t) {
      const a = yield* mmapAnon(
        w,
        t,
        2 * MiB,
        PROT_READ | PROT_WRITE,
        MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB,
      );
      yield* store(w, t, a, PAGE, 1);
      const c = yield* fork(w);
      yield* store(w, t, a, PAGE, 2);
      expect(yield* load(w, childTask(c, t), a)).toBe(1);
      yield* store(w, childTask(c, t), a + PAGE, PAGE, 3);
      expect(yield* load(w, t, a + PAGE)).toBe(0);
    }, HUGE);
  });

  it('hugetlb_wp reuses a page mapped once even with an extra reference (the mapcount rule)', () => {
    runTask(function* (w, t) {
      const a = yield* mmapAnon(
        w,
        t,
        2 * MiB,
        PROT_READ | PROT_WRITE,
        MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB,
      );
      yield* store(w, t, a, PAGE, 1);
      const folio = pmd_pfn(pmdOf(w, w.mm, a));
      const c = yield* fork(w);
      yield* store(w, childTask(c, t), a, PAGE, 5); // the child copies: the parent's page is mapped once again
      folio_ref_add(w.k.mem, folio, 1); // a FOLL_GET reference
      yield* store(w, t, a, PAGE, 6);
      expect(pmd_pfn(pmdOf(w, w.mm, a))).toBe(folio);
      expect(pmd_write(pmdOf(w, w.mm, a))).toBe(true);
      folio_put(w.k.mem, folio);
    }, HUGE);
  });

  it('MAP_SHARED hugetlb pages are shared with the child; an empty pool gives SIGBUS (-EFAULT)', () => {
    runTask(function* (w, t) {
      const a = yield* mmapAnon(
        w,
        t,
        2 * MiB,
        PROT_READ | PROT_WRITE,
        MAP_SHARED | MAP_ANONYMOUS | MAP_HUGETLB,
      );
      yield* store(w, t, a, PAGE, 1);
      const c = yield* fork(w);
      yield* store(w, childTask(c, t), a, PAGE, 2);
      expect(yield* load(w, t, a)).toBe(2);
      const b = yield* mmapAnon(
        w,
        t,
        8 * MiB,
        PROT_READ | PROT_WRITE,
        MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB,
      );
      let failed = 0;
      for (let i = 0; i < 4; i++)
        if ((yield* user_write(w.k, t, b + i * 2 * MiB, PAGE, 1)) < 0) failed++;
      expect(failed).toBe(1);
    }, HUGE);
  });
});

/** A swap layer for tests: swap entries are numbered slots; the folio stays in the swap cache. */
function installTestSwap(w: World): Map<number, number> {
  const cache = new Map<number, number>();
  const counts = new Map<number, number>();
  mmState(w.k).swap = {
    swap_cache_get_folio(entry) {
      const f = cache.get(entry);
      if (f === undefined) return -1;
      folio_ref_add(w.k.mem, f, 1);
      return f;
    },
    *swapin_readahead() {
      yield* [];
      return -1;
    },
    swap_free_nr(entry, nr) {
      for (let i = 0; i < nr; i++) counts.set(entry + i, (counts.get(entry + i) ?? 1) - 1);
    },
    swap_duplicate(entry) {
      counts.set(entry, (counts.get(entry) ?? 0) + 1);
      return 0;
    },
    folio_free_swap(folio) {
      const entry = w.k.mem.priv[folio]!;
      if ((counts.get(entry) ?? 0) > 0) return false;
      cache.delete(entry);
      folio_clear_swapcache(w.k.mem, folio);
      w.k.mem.priv[folio] = 0;
      folio_put(w.k.mem, folio);
      return true;
    },
    swap_count(entry) {
      return counts.get(entry) ?? 0;
    },
  };
  return cache;
}

/** add_to_swap: put the folio in the swap cache at a fresh slot (the cache holds a reference). */
function addToSwap(w: World, cache: Map<number, number>, folio: number): void {
  const entry = 100 + cache.size;
  cache.set(entry, folio);
  folio_set_swapcache(w.k.mem, folio);
  w.k.mem.priv[folio] = entry;
  folio_ref_add(w.k.mem, folio, 1);
}

describe('swap', () => {
  it('swap-out remembers PageAnonExclusive; swap-in maps the page writable again without COW (do_swap_page)', () => {
    runTask(function* (w, t) {
      const cache = installTestSwap(w);
      const a = yield* mmapAnon(w, t, PAGE);
      yield* store(w, t, a, PAGE, 4);
      const folio = pfnOf(w, w.mm, a);
      addToSwap(w, cache, folio);
      yield* folio_lock(w.k, folio);
      expect(yield* try_to_unmap(w.k, folio)).toBe(true);
      yield* folio_unlock(w.k, folio);
      const swp = pteOf(w, w.mm, a);
      expect(is_swap_pte(swp) && pte_swp_exclusive(swp)).toBe(true);
      expect(PageAnonExclusive(w.k.mem, folio)).toBe(false);
      yield* store(w, t, a, PAGE, 5);
      expect(pfnOf(w, w.mm, a)).toBe(folio);
      expect(pte_write(pteOf(w, w.mm, a))).toBe(true);
      expect(PageAnonExclusive(w.k.mem, folio)).toBe(true);
      expect(folio_test_swapcache(w.k.mem, folio)).toBe(false);
    });
  });

  it('COW after fork of a swapped page: the child maps it read-only, writes copy (copy_nonpresent_pte)', () => {
    runTask(function* (w, t) {
      const cache = installTestSwap(w);
      const a = yield* mmapAnon(w, t, PAGE);
      yield* store(w, t, a, PAGE, 4);
      const folio = pfnOf(w, w.mm, a);
      addToSwap(w, cache, folio);
      yield* folio_lock(w.k, folio);
      expect(yield* try_to_unmap(w.k, folio)).toBe(true);
      yield* folio_unlock(w.k, folio);
      const c = yield* fork(w);
      expect(pte_swp_exclusive(pteOf(w, w.mm, a))).toBe(false);
      const ct = childTask(c, t);
      expect(yield* load(w, ct, a)).toBe(4);
      expect(
        pte_present(pteOf(w, c.mm as mm_struct, a)) && !pte_write(pteOf(w, c.mm as mm_struct, a)),
      ).toBe(true);
      yield* store(w, t, a, PAGE, 6);
      expect(yield* load(w, ct, a)).toBe(4);
      expect(folio_mapcount(w.k.mem, folio)).toBeLessThanOrEqual(1);
      expect(folio_ref_count(w.k.mem, folio)).toBeGreaterThan(0);
    });
  });

  it('a pinned exclusive page is not unmapped for swap-out (folio_try_share_anon_rmap_pte -EBUSY)', () => {
    runTask(function* (w, t) {
      const cache = installTestSwap(w);
      const a = yield* mmapAnon(w, t, PAGE);
      yield* store(w, t, a, PAGE, 4);
      const folio = pfnOf(w, w.mm, a);
      addToSwap(w, cache, folio);
      folio_ref_add(w.k.mem, folio, 1024);
      yield* folio_lock(w.k, folio);
      expect(yield* try_to_unmap(w.k, folio)).toBe(false);
      yield* folio_unlock(w.k, folio);
      expect(pfnOf(w, w.mm, a)).toBe(folio);
      expect(PageAnonExclusive(w.k.mem, folio)).toBe(true);
      folio_ref_add(w.k.mem, folio, -1024);
      mmState(w.k).swap!.folio_free_swap(folio);
    });
  });
});
