/**
 * Freeing pages and folios: mm/page_alloc.c (free_pages_prepare, free_tail_page_prepare,
 * __free_pages_ok, split_large_buddy, __free_pages) and mm/swap.c (folio_put, __folio_put),
 * v6.18. Freeing a page in a bad state (mapped, referenced, locked, on the LRU...) is reported
 * as a model bug, where the kernel would print "Bad page state" and leak the page.
 */
import { bad_page } from './bug.js';
import { FPI_NONE, __free_one_page } from './buddy.js';
import { folio_order, folio_ref_dec_and_test, folio_ref_sub_and_test, PageHead } from './folio.js';
import { free_huge_folio } from './hugetlb.js';
import { pageblock_nr_pages, pageblock_order } from './layout.js';
import {
  F_ENTIRE_MAPCOUNT,
  F_LARGE_MAPCOUNT,
  F_NR_PAGES_MAPPED,
  F_PINCOUNT,
  folio_large_field_get,
} from './mapcount.js';
import {
  PAGE_FLAGS_CHECK_AT_FREE,
  PG_active,
  PG_anon,
  PG_hwpoison,
  PG_lru,
  PG_unevictable,
  folio_test_hugetlb,
} from './page_flags.js';
import { get_pageblock_migratetype, page_zone, type PhysMem } from './physmem.js';

function checkFreePage(m: PhysMem, pfn: number): void {
  if (m._mapcount[pfn] !== -1) bad_page(pfn, 'nonzero mapcount');
  if (m._refcount[pfn] !== 0) bad_page(pfn, 'nonzero _refcount');
  if ((m.flags[pfn] & PAGE_FLAGS_CHECK_AT_FREE) !== 0)
    bad_page(pfn, 'PAGE_FLAGS_CHECK_AT_FREE flag(s) set');
}

/** mm/page_alloc.c: free_tail_page_prepare(head_page, page). @fidelity simplified */
function free_tail_page_prepare(m: PhysMem, head: number, pfn: number): void {
  if (pfn === head + 1) {
    if (folio_large_field_get(m, head, F_ENTIRE_MAPCOUNT) !== -1)
      bad_page(pfn, 'nonzero entire_mapcount');
    if (folio_large_field_get(m, head, F_LARGE_MAPCOUNT) !== -1)
      bad_page(pfn, 'nonzero large_mapcount');
    if (folio_large_field_get(m, head, F_NR_PAGES_MAPPED) !== 0)
      bad_page(pfn, 'nonzero nr_pages_mapped');
    if (folio_large_field_get(m, head, F_PINCOUNT) !== 0) bad_page(pfn, 'nonzero pincount');
  } else if (m.mapping[pfn] !== 0) {
    bad_page(pfn, 'corrupted mapping in tail page');
  }
  resetPage(m, pfn);
}

function resetPage(m: PhysMem, pfn: number): void {
  m.flags[pfn] = m.flags[pfn] & (1 << PG_hwpoison);
  m.mapping[pfn] = 0;
  m.index[pfn] = 0;
  m.priv[pfn] = 0;
  m.lru_next[pfn] = 0;
  m.lru_prev[pfn] = 0;
  m.compound_order[pfn] = 0;
}

/** mm/page_alloc.c: free_pages_prepare(page, order): check and clear a block about to be freed. @fidelity simplified */
export function free_pages_prepare(m: PhysMem, pfn: number, order: number): void {
  const nr = 1 << order;
  const compound = PageHead(m, pfn);
  for (let p = pfn + 1; p < pfn + nr; p++) {
    checkFreePage(m, p);
    if (compound) free_tail_page_prepare(m, pfn, p);
    else resetPage(m, p);
  }
  if ((m.flags[pfn] & (1 << PG_anon)) !== 0) m.mapping[pfn] = 0; // PageMappingFlags: anon
  if (m.mapping[pfn] !== 0) bad_page(pfn, 'non-NULL mapping');
  checkFreePage(m, pfn);
  resetPage(m, pfn);
}

/** mm/page_alloc.c: split_large_buddy + __free_one_page: free per pageblock above pageblock order. @fidelity exact */
function free_one_page(m: PhysMem, pfn: number, order: number, fpi: number): void {
  const zone = page_zone(m, pfn);
  if (order <= pageblock_order) {
    __free_one_page(m, pfn, zone, order, get_pageblock_migratetype(m, pfn), fpi);
    return;
  }
  for (let p = pfn; p < pfn + (1 << order); p += pageblock_nr_pages) {
    __free_one_page(m, p, zone, pageblock_order, get_pageblock_migratetype(m, p), fpi);
  }
}

/** mm/page_alloc.c: __free_pages_ok / free_frozen_pages(page, order): refcount already 0. @fidelity simplified */
export function free_frozen_pages(m: PhysMem, pfn: number, order: number, fpi = FPI_NONE): void {
  free_pages_prepare(m, pfn, order);
  free_one_page(m, pfn, order, fpi);
}

/** mm/page_alloc.c: __free_pages(page, order): drop a reference; free what is no longer referenced. @fidelity exact */
export function __free_pages(m: PhysMem, pfn: number, order: number): void {
  const head = PageHead(m, pfn);
  if (folio_ref_dec_and_test(m, pfn)) {
    free_frozen_pages(m, pfn, order);
  } else if (!head) {
    while (order-- > 0) free_frozen_pages(m, pfn + (1 << order), order);
  }
}

/** include/linux/gfp.h: __free_page(page). @fidelity exact */
export function __free_page(m: PhysMem, pfn: number): void {
  __free_pages(m, pfn, 0);
}

/** mm/swap.c: page_cache_release(folio): take the folio off the LRU. @fidelity simplified */
function page_cache_release(m: PhysMem, folio: number): void {
  if ((m.flags[folio] & (1 << PG_lru)) === 0) return;
  m.hooks.lru_del(folio);
  m.flags[folio] = m.flags[folio] & ~((1 << PG_lru) | (1 << PG_active) | (1 << PG_unevictable));
}

/** mm/swap.c: __folio_put(folio): the last reference is gone. @fidelity simplified */
export function __folio_put(m: PhysMem, folio: number): void {
  if (folio_test_hugetlb(m, folio)) {
    free_huge_folio(m, folio);
    return;
  }
  page_cache_release(m, folio);
  free_frozen_pages(m, folio, folio_order(m, folio));
}

/** include/linux/mm.h: folio_put(folio). @fidelity exact */
export function folio_put(m: PhysMem, folio: number): void {
  if (folio_ref_dec_and_test(m, folio)) __folio_put(m, folio);
}

/** include/linux/mm.h: folio_put_refs(folio, refs). @fidelity exact */
export function folio_put_refs(m: PhysMem, folio: number, refs: number): void {
  if (folio_ref_sub_and_test(m, folio, refs)) __folio_put(m, folio);
}
