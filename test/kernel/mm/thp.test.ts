/**
 * Transparent huge pages (mm/huge_memory.c, mm/khugepaged.c): PMD-mapped THP faults, COW of a
 * THP after fork (whole-PMD reuse, or split and copy one page), PTE-mapped and partially
 * unmapped THPs, the huge zero page, folio split failing with extra references, collapse.
 */
import { describe, expect, it } from 'vitest';
import {
  PageAnonExclusive,
  folio_mapcount,
  folio_nr_pages,
  folio_ref_add,
  folio_put,
  folio_ref_sub,
  folio_test_large,
  page_folio,
  pmd_leaf,
  pmd_pfn,
  pmd_write,
  pte_write,
  GUP_PIN_COUNTING_BIAS,
  folio_large_field_add,
  F_PINCOUNT,
  MMF_HAS_PINNED,
  mm_flags_set,
} from '../../../src/mm/index.js';
import { kernel_clone } from '../../../src/kernel/kernel/fork.js';
import { do_exit } from '../../../src/kernel/kernel/exit.js';
import { split_folio } from '../../../src/kernel/mm/huge_memory_split.js';
import { folio_lock, folio_unlock } from '../../../src/kernel/mm/filemap.js';
import { do_madvise } from '../../../src/kernel/mm/madvise.js';
import { do_mremap } from '../../../src/kernel/mm/mremap.js';
import {
  MADV_COLLAPSE,
  MADV_DONTNEED,
  MADV_HUGEPAGE,
  MREMAP_FIXED,
  MREMAP_MAYMOVE,
} from '../../../src/kernel/include/mman.js';
import type { mm_struct } from '../../../src/kernel/mm/mm_struct.js';
import type { Process, task_struct } from '../../../src/kernel/sched/task.js';
import type { Sched } from '../../../src/sim/index.js';
import {
  MiB,
  PAGE,
  load,
  mmapAnon,
  munmap,
  pfnOf,
  pmdOf,
  pteOf,
  runTask,
  store,
  type World,
} from './helpers.js';

const THP = { thp: [{ size: 2 * MiB, policy: 'always' as const }] };
const HPAGE = 2 * MiB;

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

/** Map 2 MiB of anonymous memory at a PMD-aligned address and write-fault it as one THP. */
function* thpBuffer(w: World, t: task_struct, value = 1): Sched<number> {
  const a = yield* mmapAnon(w, t, HPAGE);
  expect(a % HPAGE).toBe(0);
  yield* store(w, t, a, PAGE, value);
  return a;
}

describe('THP', () => {
  it('a write fault in a THP-enabled VMA maps a PMD-sized exclusive folio (do_huge_pmd_anonymous_page)', () => {
    runTask(function* (w, t) {
      const a = yield* thpBuffer(w, t);
      const pmd = pmdOf(w, w.mm, a);
      expect(pmd_leaf(pmd) && pmd_write(pmd)).toBe(true);
      const folio = pmd_pfn(pmd);
      expect(folio_nr_pages(w.k.mem, folio)).toBe(512);
      expect(PageAnonExclusive(w.k.mem, folio)).toBe(true);
      // the whole 2 MiB is backed: a store at the end needs no fault of its own
      yield* store(w, t, a + HPAGE - PAGE, PAGE, 2);
      expect(yield* load(w, t, a + HPAGE - PAGE)).toBe(2);
    }, THP);
  });

  it('a read fault maps the huge zero folio; a write replaces it with a THP (do_huge_zero_wp_pmd)', () => {
    runTask(function* (w, t) {
      const a = yield* mmapAnon(w, t, HPAGE);
      expect(yield* load(w, t, a)).toBe(0);
      expect(pmd_pfn(pmdOf(w, w.mm, a))).toBe(w.k.mem.huge_zero_pfn);
      yield* store(w, t, a + PAGE, PAGE, 3);
      const pmd = pmdOf(w, w.mm, a);
      expect(pmd_leaf(pmd) && pmd_pfn(pmd) !== w.k.mem.huge_zero_pfn).toBe(true);
      expect(yield* load(w, t, a + PAGE)).toBe(3);
      expect(yield* load(w, t, a)).toBe(0);
    }, THP);
  });

  it('COW after fork of a PMD-mapped THP never leaks in either direction (copy_huge_pmd, do_huge_pmd_wp_page)', () => {
    runTask(function* (w, t) {
      const a = yield* thpBuffer(w, t, 1);
      const c = yield* fork(w);
      const ct = childTask(c, t);
      expect(pmd_write(pmdOf(w, w.mm, a))).toBe(false);
      // parent write: the shared THP is split and only the written page is copied
      yield* store(w, t, a, PAGE, 5);
      expect(yield* load(w, ct, a)).toBe(1);
      // child write elsewhere in the THP: its own copy, the parent does not see it
      yield* store(w, ct, a + 7 * PAGE, PAGE, 6);
      expect(yield* load(w, t, a + 7 * PAGE)).toBe(0);
      expect(yield* load(w, ct, a + 7 * PAGE)).toBe(6);
      expect(yield* load(w, t, a)).toBe(5);
    }, THP);
  });

  it('after the child exits, the parent reuses the whole THP (do_huge_pmd_wp_page: refcount 1)', () => {
    runTask(function* (w, t) {
      const a = yield* thpBuffer(w, t, 1);
      const folio = pmd_pfn(pmdOf(w, w.mm, a));
      const c = yield* fork(w);
      yield* do_exit(w.k, c);
      yield* store(w, t, a, PAGE, 2);
      const pmd = pmdOf(w, w.mm, a);
      expect(pmd_leaf(pmd) && pmd_write(pmd) && pmd_pfn(pmd) === folio).toBe(true);
    }, THP);
  });

  it('fork splits a maybe-pinned THP and copies its exclusive pages for the child (copy_huge_pmd -EAGAIN)', () => {
    runTask(function* (w, t) {
      const a = yield* thpBuffer(w, t, 1);
      const folio = pmd_pfn(pmdOf(w, w.mm, a));
      folio_ref_add(w.k.mem, folio, 1);
      folio_large_field_add(w.k.mem, folio, F_PINCOUNT, 1); // a FOLL_PIN on a large folio
      mm_flags_set(MMF_HAS_PINNED, w.mm);
      const c = yield* fork(w);
      // the parent's PMD was split; its PTEs still map the pinned folio, writable
      expect(pmd_leaf(pmdOf(w, w.mm, a))).toBe(false);
      expect(page_folio(w.k.mem, pfnOf(w, w.mm, a))).toBe(folio);
      expect(pte_write(pteOf(w, w.mm, a))).toBe(true);
      // the child has copies
      expect(page_folio(w.k.mem, pfnOf(w, c.mm as mm_struct, a))).not.toBe(folio);
      yield* store(w, t, a, PAGE, 9);
      expect(w.k.mem.content[folio]).toBe(9);
      expect(yield* load(w, childTask(c, t), a)).toBe(1);
      folio_large_field_add(w.k.mem, folio, F_PINCOUNT, -1); // unpin
      folio_put(w.k.mem, folio);
    }, THP);
  });

  it('COW of a PTE-mapped THP: a partially unmapped THP still copies on write after fork', () => {
    runTask(function* (w, t) {
      const a = yield* thpBuffer(w, t, 1);
      const folio = pmd_pfn(pmdOf(w, w.mm, a));
      // unmap the second half: the PMD is split, the folio is PTE-mapped and partially mapped
      expect(yield* munmap(w, t, a + HPAGE / 2, HPAGE / 2)).toBe(0);
      expect(pmd_leaf(pmdOf(w, w.mm, a))).toBe(false);
      expect(folio_test_large(w.k.mem, folio)).toBe(true);
      expect(folio_mapcount(w.k.mem, folio)).toBe(256);
      const c = yield* fork(w);
      const ct = childTask(c, t);
      yield* store(w, ct, a + PAGE, PAGE, 7);
      expect(yield* load(w, t, a + PAGE)).toBe(0);
      yield* store(w, t, a, PAGE, 8);
      expect(yield* load(w, ct, a)).toBe(1);
    }, THP);
  });

  it('splitting a THP fails with -EAGAIN while it has an extra reference, then succeeds (split_folio)', () => {
    runTask(function* (w, t) {
      const a = yield* thpBuffer(w, t, 1);
      const folio = pmd_pfn(pmdOf(w, w.mm, a));
      folio_ref_add(w.k.mem, folio, 1); // our reference (the caller's)
      folio_ref_add(w.k.mem, folio, GUP_PIN_COUNTING_BIAS); // someone else's
      yield* folio_lock(w.k, folio);
      expect(yield* split_folio(w.k, folio)).toBe(-11);
      folio_ref_sub(w.k.mem, folio, GUP_PIN_COUNTING_BIAS);
      expect(yield* split_folio(w.k, folio)).toBe(0);
      yield* folio_unlock(w.k, folio);
      folio_put(w.k.mem, folio); // the caller's reference, now on the first small folio
      expect(folio_test_large(w.k.mem, folio)).toBe(false);
      expect(page_folio(w.k.mem, pfnOf(w, w.mm, a + PAGE))).toBe(folio + 1);
      expect(yield* load(w, t, a)).toBe(1);
    }, THP);
  });

  it('mremap of part of a THP splits the PMD and moves the PTEs; data follows (move_page_tables)', () => {
    runTask(function* (w, t) {
      const a = yield* thpBuffer(w, t, 1);
      yield* store(w, t, a + 4 * PAGE, PAGE, 4);
      const folio = pmd_pfn(pmdOf(w, w.mm, a));
      const dst = yield* mmapAnon(w, t, 16 * PAGE);
      const moved = yield* do_mremap(
        w.k,
        w.mm,
        a + 4 * PAGE,
        4 * PAGE,
        4 * PAGE,
        MREMAP_MAYMOVE | MREMAP_FIXED,
        dst,
      );
      expect(moved).toBe(dst);
      expect(page_folio(w.k.mem, pfnOf(w, w.mm, dst))).toBe(folio);
      expect(yield* load(w, t, dst)).toBe(4);
      expect(yield* load(w, t, a)).toBe(1);
      // the hole left behind reads as unmapped
      expect(pfnOf(w, w.mm, a + 4 * PAGE)).toBe(-1);
      expect(folio_mapcount(w.k.mem, folio)).toBe(512);
    }, THP);
  });

  it('MADV_COLLAPSE turns PTE-mapped small pages into one THP, refuses pinned pages (madvise_collapse)', () => {
    runTask(function* (w, t) {
      // small pages first: the default policy is "madvise" and the VMA has no VM_HUGEPAGE
      const a = yield* mmapAnon(w, t, HPAGE);
      for (let i = 0; i < 8; i++) yield* store(w, t, a + i * PAGE, PAGE, 10 + i);
      expect(pmd_leaf(pmdOf(w, w.mm, a))).toBe(false);
      const pinned = pfnOf(w, w.mm, a);
      folio_ref_add(w.k.mem, pinned, GUP_PIN_COUNTING_BIAS);
      expect(yield* do_madvise(w.k, w.mm, a, HPAGE, MADV_COLLAPSE)).toBe(-11);
      folio_ref_sub(w.k.mem, pinned, GUP_PIN_COUNTING_BIAS);
      expect(yield* do_madvise(w.k, w.mm, a, HPAGE, MADV_COLLAPSE)).toBe(0);
      expect(pmd_leaf(pmdOf(w, w.mm, a))).toBe(true);
      for (let i = 0; i < 8; i++) expect(yield* load(w, t, a + i * PAGE)).toBe(10 + i);
      expect(yield* load(w, t, a + 100 * PAGE)).toBe(0);
    });
  });

  it('MADV_DONTNEED of a whole THP frees it; of a part splits the PMD (zap_huge_pmd, __split_huge_pmd)', () => {
    runTask(function* (w, t) {
      const a = yield* thpBuffer(w, t, 1);
      yield* do_madvise(w.k, w.mm, a, 4 * PAGE, MADV_DONTNEED);
      expect(pmd_leaf(pmdOf(w, w.mm, a))).toBe(false);
      expect(yield* load(w, t, a)).toBe(0);
      expect(yield* load(w, t, a + 8 * PAGE)).toBe(0);
      yield* store(w, t, a + 8 * PAGE, PAGE, 3);
      yield* do_madvise(w.k, w.mm, a, HPAGE, MADV_DONTNEED);
      expect(yield* load(w, t, a + 8 * PAGE)).toBe(0);
    }, THP);
  });

  it('MADV_HUGEPAGE enables THP for a VMA under the "madvise" policy', () => {
    runTask(function* (w, t) {
      const a = yield* mmapAnon(w, t, HPAGE);
      expect(yield* do_madvise(w.k, w.mm, a, HPAGE, MADV_HUGEPAGE)).toBe(0);
      yield* store(w, t, a, PAGE, 1);
      expect(pmd_leaf(pmdOf(w, w.mm, a))).toBe(true);
    });
  });
});
