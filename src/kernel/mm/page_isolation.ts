/**
 * Pageblock isolation, the kernel half (mm/page_isolation.c, v6.18: has_unmovable_pages,
 * start_isolate_page_range, undo_isolate_page_range, test_pages_isolated). Isolating a pageblock
 * (MIGRATE_ISOLATE) keeps the allocator out of it: its free pages move to the isolate free
 * list and pages freed into it stay there. The free-list moves are src/mm/contig.ts.
 *
 * has_unmovable_pages refuses a pageblock that holds something migration can never move: a
 * PageReserved page, a page not on the LRU (kernel memory) outside ZONE_MOVABLE, or a CMA
 * pageblock when the caller is not cma_alloc. In ZONE_MOVABLE every allocated page is assumed
 * movable; a pinned page is found only later, when its migration fails.
 * @fidelity simplified: no movable_ops pages, no PageOffline, no partial-pageblock ranges
 */
import {
  PageReserved,
  ZONE_MOVABLE,
  buddy_order,
  folio_nr_pages,
  folio_test_hugetlb,
  folio_test_lru,
  get_pageblock_isolate,
  is_migrate_cma,
  get_pageblock_migratetype,
  page_folio,
  page_zonenum,
  pageblock_nr_pages,
  set_migratetype_isolate,
  unset_migratetype_isolate,
} from '../../mm/index.js';
import { PG_buddy } from '../../mm/page_flags.js';
import type { Sched } from '../../sim/thread.js';
import { EBUSY } from '../include/errno.js';
import type { Kernel } from '../kernel.js';
import { mm_solo } from './solo.js';

/** include/linux/page-isolation.h: enum pb_isolate_mode. @fidelity exact */
export const PB_ISOLATE_MODE_MEM_OFFLINE = 0;
export const PB_ISOLATE_MODE_CMA_ALLOC = 1;
export const PB_ISOLATE_MODE_OTHER = 2;

/** Where isolation or the final check stopped: the errno and the page that made it. */
export interface IsolationResult {
  readonly ret: number;
  /** The first page that is in the way, or -1. */
  readonly pfn: number;
  readonly why: string;
}

function isBuddy(k: Kernel, pfn: number): boolean {
  return (k.mem.flags[pfn]! & (1 << PG_buddy)) !== 0;
}

/**
 * mm/page_isolation.c: has_unmovable_pages(start_pfn, end_pfn, mode, flags): the first page of
 * one pageblock that can never be migrated, or -1 (with the reason in `why`).
 * @fidelity simplified (see the file comment)
 */
export function has_unmovable_pages(
  k: Kernel,
  start_pfn: number,
  end_pfn: number,
  mode: number,
  why: { text: string },
): number {
  const mem = k.mem;
  if (is_migrate_cma(get_pageblock_migratetype(mem, start_pfn))) {
    if (mode === PB_ISOLATE_MODE_CMA_ALLOC) return -1;
    why.text = 'CMA pageblock (only cma_alloc may isolate it)';
    return start_pfn;
  }
  const movable = page_zonenum(mem, start_pfn) === ZONE_MOVABLE;
  for (let pfn = start_pfn; pfn < end_pfn; pfn++) {
    if (PageReserved(mem, pfn)) {
      why.text = 'PageReserved';
      return pfn;
    }
    if (movable) continue;
    if (isBuddy(k, pfn)) {
      pfn += (1 << buddy_order(mem, pfn)) - 1;
      continue;
    }
    const folio = page_folio(mem, pfn);
    if (mem._refcount[folio] === 0) continue;
    if (folio_test_hugetlb(mem, folio) || folio_test_lru(mem, folio)) {
      pfn = folio + folio_nr_pages(mem, folio) - 1;
      continue;
    }
    why.text = 'allocated and not on the LRU (kernel memory)';
    return pfn;
  }
  return -1;
}

/**
 * mm/page_isolation.c: start_isolate_page_range(start_pfn, end_pfn, mode): isolate every
 * pageblock of the (pageblock-aligned) range, or none: -EBUSY at the first pageblock that is
 * already isolated or holds an unmovable page.
 * @fidelity simplified
 */
export function* start_isolate_page_range(
  k: Kernel,
  start_pfn: number,
  end_pfn: number,
  mode: number,
): Sched<IsolationResult> {
  if (!mm_solo(k.m)) yield k.m.point('start_isolate_page_range');
  const mem = k.mem;
  for (let pfn = start_pfn; pfn < end_pfn; pfn += pageblock_nr_pages) {
    const why = { text: '' };
    const bad = get_pageblock_isolate(mem, pfn)
      ? pfn
      : has_unmovable_pages(k, pfn, pfn + pageblock_nr_pages, mode, why);
    if (bad < 0 && set_migratetype_isolate(mem, pfn) === 0) continue;
    for (let p = start_pfn; p < pfn; p += pageblock_nr_pages) unset_migratetype_isolate(mem, p);
    return { ret: -EBUSY, pfn: bad < 0 ? pfn : bad, why: why.text || 'pageblock already isolated' };
  }
  return { ret: 0, pfn: -1, why: '' };
}

/** mm/page_isolation.c: undo_isolate_page_range(start_pfn, end_pfn): back to the pageblocks' types. @fidelity simplified */
export function* undo_isolate_page_range(
  k: Kernel,
  start_pfn: number,
  end_pfn: number,
): Sched<void> {
  if (!mm_solo(k.m)) yield k.m.point('undo_isolate_page_range');
  for (let pfn = start_pfn; pfn < end_pfn; pfn += pageblock_nr_pages)
    unset_migratetype_isolate(k.mem, pfn);
}

/**
 * mm/page_isolation.c: test_pages_isolated(start_pfn, end_pfn, mode): 0 when every pageblock
 * is isolated and every page is free (on the isolate free list); else -EBUSY and the first page
 * still in use.
 * @fidelity simplified
 */
export function test_pages_isolated(
  k: Kernel,
  start_pfn: number,
  end_pfn: number,
): IsolationResult {
  const mem = k.mem;
  for (let pfn = start_pfn; pfn < end_pfn; pfn += pageblock_nr_pages) {
    if (!get_pageblock_isolate(mem, pfn))
      return { ret: -EBUSY, pfn, why: 'pageblock not isolated' };
  }
  for (let pfn = start_pfn; pfn < end_pfn; pfn++) {
    if (!isBuddy(k, pfn)) return { ret: -EBUSY, pfn, why: 'page still in use' };
    pfn += (1 << buddy_order(mem, pfn)) - 1;
  }
  return { ret: 0, pfn: -1, why: '' };
}
