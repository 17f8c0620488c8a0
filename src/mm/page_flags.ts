/**
 * Page flags: include/linux/page-flags.h (v6.18, x86-64 with CONFIG_MMU, CONFIG_MEMORY_FAILURE).
 *
 * Bits 0-22 are the kernel's enum pageflags, in the kernel's order. The kernel keeps a few more
 * facts elsewhere; the model keeps them as flag bits above __NR_PAGEFLAGS, where the kernel keeps
 * zone/node/section numbers:
 *  - PG_anon  stands for FOLIO_MAPPING_ANON, the low bit of folio->mapping;
 *  - PG_ksm   stands for FOLIO_MAPPING_ANON_KSM;
 *  - PG_hugetlb and PG_buddy stand for the page types PGTY_hugetlb and PGTY_buddy (page_type).
 *
 * Policies follow the kernel: folio_* accessors act on the folio (the caller passes its head
 * pfn); PageAnonExclusive and PageHWPoison act on the given page (PF_ANY); PG_large_rmappable
 * and PG_partially_mapped live in page[1] (FOLIO_SECOND_PAGE).
 */
import type { PhysMem } from './physmem.js';

/** include/linux/page-flags.h: enum pageflags. @fidelity exact */
export const PG_locked = 0;
export const PG_writeback = 1;
export const PG_referenced = 2;
export const PG_uptodate = 3;
export const PG_dirty = 4;
export const PG_lru = 5;
export const PG_head = 6;
export const PG_waiters = 7;
export const PG_active = 8;
export const PG_workingset = 9;
export const PG_owner_priv_1 = 10;
export const PG_owner_2 = 11;
export const PG_arch_1 = 12;
export const PG_reserved = 13;
export const PG_private = 14;
export const PG_private_2 = 15;
export const PG_reclaim = 16;
export const PG_swapbacked = 17;
export const PG_unevictable = 18;
export const PG_dropbehind = 19;
export const PG_mlocked = 20;
export const PG_uncached = 21;
export const PG_hwpoison = 22;
export const __NR_PAGEFLAGS = 23;
/** include/linux/page-flags.h: aliases. @fidelity exact */
export const PG_readahead = PG_reclaim;
export const PG_swapcache = PG_owner_priv_1;
export const PG_checked = PG_owner_priv_1;
export const PG_anon_exclusive = PG_owner_2;
export const PG_mappedtodisk = PG_owner_2;
export const PG_fscache = PG_private_2;
export const PG_isolated = PG_reclaim;
export const PG_reported = PG_uptodate;
/** Second-page (FOLIO_SECOND_PAGE) aliases. @fidelity exact */
export const PG_has_hwpoisoned = PG_active;
export const PG_large_rmappable = PG_workingset;
export const PG_partially_mapped = PG_reclaim;

/** Model stand-ins (see the file comment). @fidelity custom */
export const PG_anon = 24;
export const PG_ksm = 25;
export const PG_hugetlb = 26;
export const PG_buddy = 27;

/** mm/page_alloc.c: PAGE_FLAGS_CHECK_AT_FREE (bits that must be clear when a page is freed). @fidelity simplified */
export const PAGE_FLAGS_CHECK_AT_FREE =
  (1 << PG_lru) |
  (1 << PG_locked) |
  (1 << PG_private) |
  (1 << PG_private_2) |
  (1 << PG_writeback) |
  (1 << PG_reserved) |
  (1 << PG_active) |
  (1 << PG_unevictable) |
  (1 << PG_mlocked);

/** test_bit(nr, &page->flags). @fidelity exact */
export function test_page_flag(m: PhysMem, pfn: number, nr: number): boolean {
  return (m.flags[pfn] & (1 << nr)) !== 0;
}

/** set_bit(nr, &page->flags). @fidelity exact */
export function set_page_flag(m: PhysMem, pfn: number, nr: number): void {
  m.flags[pfn] = m.flags[pfn] | (1 << nr);
}

/** clear_bit(nr, &page->flags). @fidelity exact */
export function clear_page_flag(m: PhysMem, pfn: number, nr: number): void {
  m.flags[pfn] = m.flags[pfn] & ~(1 << nr);
}

/** test_and_set_bit(nr, &page->flags): returns the old value. @fidelity exact */
export function test_and_set_page_flag(m: PhysMem, pfn: number, nr: number): boolean {
  const old = test_page_flag(m, pfn, nr);
  set_page_flag(m, pfn, nr);
  return old;
}

/** test_and_clear_bit(nr, &page->flags): returns the old value. @fidelity exact */
export function test_and_clear_page_flag(m: PhysMem, pfn: number, nr: number): boolean {
  const old = test_page_flag(m, pfn, nr);
  clear_page_flag(m, pfn, nr);
  return old;
}

type FolioTest = (m: PhysMem, folio: number) => boolean;
type FolioOp = (m: PhysMem, folio: number) => void;

function tester(nr: number): FolioTest {
  const mask = 1 << nr;
  return (m, folio) => (m.flags[folio] & mask) !== 0;
}

function setter(nr: number): FolioOp {
  const mask = 1 << nr;
  return (m, folio) => {
    m.flags[folio] = m.flags[folio] | mask;
  };
}

function clearer(nr: number): FolioOp {
  const mask = ~(1 << nr);
  return (m, folio) => {
    m.flags[folio] = m.flags[folio] & mask;
  };
}

// include/linux/page-flags.h: FOLIO_FLAG(name, FOLIO_HEAD_PAGE) accessors. @fidelity exact
/** include/linux/page-flags.h: folio_test_locked. @fidelity exact */
export const folio_test_locked = tester(PG_locked);
/** include/linux/page-flags.h: __folio_set_locked. @fidelity exact */
export const __folio_set_locked = setter(PG_locked);
/** include/linux/page-flags.h: __folio_clear_locked. @fidelity exact */
export const __folio_clear_locked = clearer(PG_locked);
/** include/linux/page-flags.h: folio_test_writeback. @fidelity exact */
export const folio_test_writeback = tester(PG_writeback);
/** include/linux/page-flags.h: folio_set_writeback (set_page_writeback). @fidelity exact */
export const folio_set_writeback = setter(PG_writeback);
/** include/linux/page-flags.h: folio_clear_writeback. @fidelity exact */
export const folio_clear_writeback = clearer(PG_writeback);
/** include/linux/page-flags.h: folio_test_referenced. @fidelity exact */
export const folio_test_referenced = tester(PG_referenced);
/** include/linux/page-flags.h: folio_set_referenced. @fidelity exact */
export const folio_set_referenced = setter(PG_referenced);
/** include/linux/page-flags.h: folio_clear_referenced. @fidelity exact */
export const folio_clear_referenced = clearer(PG_referenced);
/** include/linux/page-flags.h: folio_test_uptodate. @fidelity exact */
export const folio_test_uptodate = tester(PG_uptodate);
/** include/linux/page-flags.h: folio_mark_uptodate. @fidelity exact */
export const folio_mark_uptodate = setter(PG_uptodate);
/** include/linux/page-flags.h: folio_clear_uptodate. @fidelity exact */
export const folio_clear_uptodate = clearer(PG_uptodate);
/** include/linux/page-flags.h: folio_test_dirty. @fidelity exact */
export const folio_test_dirty = tester(PG_dirty);
/** include/linux/page-flags.h: folio_set_dirty. @fidelity exact */
export const folio_set_dirty = setter(PG_dirty);
/** include/linux/page-flags.h: folio_clear_dirty. @fidelity exact */
export const folio_clear_dirty = clearer(PG_dirty);
/** include/linux/page-flags.h: folio_test_lru. @fidelity exact */
export const folio_test_lru = tester(PG_lru);
/** include/linux/page-flags.h: folio_set_lru. @fidelity exact */
export const folio_set_lru = setter(PG_lru);
/** include/linux/page-flags.h: folio_clear_lru. @fidelity exact */
export const folio_clear_lru = clearer(PG_lru);
/** include/linux/page-flags.h: folio_test_active. @fidelity exact */
export const folio_test_active = tester(PG_active);
/** include/linux/page-flags.h: folio_set_active. @fidelity exact */
export const folio_set_active = setter(PG_active);
/** include/linux/page-flags.h: folio_clear_active. @fidelity exact */
export const folio_clear_active = clearer(PG_active);
/** include/linux/page-flags.h: folio_test_workingset. @fidelity exact */
export const folio_test_workingset = tester(PG_workingset);
/** include/linux/page-flags.h: folio_set_workingset. @fidelity exact */
export const folio_set_workingset = setter(PG_workingset);
/** include/linux/page-flags.h: folio_clear_workingset. @fidelity exact */
export const folio_clear_workingset = clearer(PG_workingset);
/** include/linux/page-flags.h: folio_test_checked (PG_owner_priv_1 for filesystems). @fidelity exact */
export const folio_test_checked = tester(PG_checked);
/** include/linux/page-flags.h: folio_set_checked. @fidelity exact */
export const folio_set_checked = setter(PG_checked);
/** include/linux/page-flags.h: folio_clear_checked. @fidelity exact */
export const folio_clear_checked = clearer(PG_checked);
/** include/linux/page-flags.h: folio_test_mappedtodisk (PG_owner_2 for filesystems). @fidelity exact */
export const folio_test_mappedtodisk = tester(PG_mappedtodisk);
/** include/linux/page-flags.h: folio_test_private_2. @fidelity exact */
export const folio_test_private_2 = tester(PG_private_2);
/** include/linux/page-flags.h: folio_test_private. @fidelity exact */
export const folio_test_private = tester(PG_private);
/** include/linux/page-flags.h: folio_set_private. @fidelity exact */
export const folio_set_private = setter(PG_private);
/** include/linux/page-flags.h: folio_clear_private. @fidelity exact */
export const folio_clear_private = clearer(PG_private);
/** include/linux/page-flags.h: folio_test_reclaim. @fidelity exact */
export const folio_test_reclaim = tester(PG_reclaim);
/** include/linux/page-flags.h: folio_set_reclaim. @fidelity exact */
export const folio_set_reclaim = setter(PG_reclaim);
/** include/linux/page-flags.h: folio_clear_reclaim. @fidelity exact */
export const folio_clear_reclaim = clearer(PG_reclaim);
/** include/linux/page-flags.h: folio_test_swapbacked. @fidelity exact */
export const folio_test_swapbacked = tester(PG_swapbacked);
/** include/linux/page-flags.h: folio_set_swapbacked / __folio_set_swapbacked. @fidelity exact */
export const folio_set_swapbacked = setter(PG_swapbacked);
/** include/linux/page-flags.h: folio_clear_swapbacked. @fidelity exact */
export const folio_clear_swapbacked = clearer(PG_swapbacked);
/** include/linux/page-flags.h: folio_test_unevictable. @fidelity exact */
export const folio_test_unevictable = tester(PG_unevictable);
/** include/linux/page-flags.h: folio_set_unevictable. @fidelity exact */
export const folio_set_unevictable = setter(PG_unevictable);
/** include/linux/page-flags.h: folio_clear_unevictable. @fidelity exact */
export const folio_clear_unevictable = clearer(PG_unevictable);
/** include/linux/page-flags.h: folio_test_mlocked. @fidelity exact */
export const folio_test_mlocked = tester(PG_mlocked);
/** include/linux/page-flags.h: folio_set_mlocked. @fidelity exact */
export const folio_set_mlocked = setter(PG_mlocked);
/** include/linux/page-flags.h: folio_clear_mlocked. @fidelity exact */
export const folio_clear_mlocked = clearer(PG_mlocked);
/** include/linux/page-flags.h: folio_test_dropbehind. @fidelity exact */
export const folio_test_dropbehind = tester(PG_dropbehind);
/** include/linux/page-flags.h: folio_set_dropbehind. @fidelity exact */
export const folio_set_dropbehind = setter(PG_dropbehind);
/** include/linux/page-flags.h: folio_clear_dropbehind. @fidelity exact */
export const folio_clear_dropbehind = clearer(PG_dropbehind);
/** include/linux/page-flags.h: folio_test_waiters (the engine keeps the waitqueue). @fidelity exact */
export const folio_test_waiters = tester(PG_waiters);
/** include/linux/page-flags.h: folio_test_head. @fidelity exact */
export const folio_test_head = tester(PG_head);
/** include/linux/page-flags.h: folio_test_hugetlb (PGTY_hugetlb). @fidelity simplified */
export const folio_test_hugetlb = tester(PG_hugetlb);
/** include/linux/page-flags.h: PageBuddy (PGTY_buddy). @fidelity simplified */
export const PageBuddy = tester(PG_buddy);
/** include/linux/page-flags.h: PageReserved (PF_NO_COMPOUND). @fidelity exact */
export const PageReserved = tester(PG_reserved);
/** include/linux/page-flags.h: SetPageReserved. @fidelity exact */
export const SetPageReserved = setter(PG_reserved);
/** include/linux/page-flags.h: ClearPageReserved. @fidelity exact */
export const ClearPageReserved = clearer(PG_reserved);
/** include/linux/page-flags.h: PageHWPoison (PF_ANY). @fidelity exact */
export const PageHWPoison = tester(PG_hwpoison);
/** include/linux/page-flags.h: SetPageHWPoison. @fidelity exact */
export const SetPageHWPoison = setter(PG_hwpoison);

/** include/linux/page-flags.h: ClearPageHWPoison. @fidelity exact */
export const ClearPageHWPoison = clearer(PG_hwpoison);

/** include/linux/page-flags.h: folio_test_swapcache (needs PG_swapbacked too). @fidelity exact */
export function folio_test_swapcache(m: PhysMem, folio: number): boolean {
  const f = m.flags[folio];
  return (f & (1 << PG_swapbacked)) !== 0 && (f & (1 << PG_swapcache)) !== 0;
}

/** include/linux/page-flags.h: folio_set_swapcache. @fidelity exact */
export const folio_set_swapcache = setter(PG_swapcache);
/** include/linux/page-flags.h: folio_clear_swapcache. @fidelity exact */
export const folio_clear_swapcache = clearer(PG_swapcache);

/** include/linux/page-flags.h: folio_test_anon (FOLIO_MAPPING_ANON). @fidelity simplified */
export const folio_test_anon = tester(PG_anon);

/** include/linux/page-flags.h: folio_test_ksm (mapping flags == FOLIO_MAPPING_KSM). @fidelity simplified */
export function folio_test_ksm(m: PhysMem, folio: number): boolean {
  const f = m.flags[folio];
  return (f & (1 << PG_anon)) !== 0 && (f & (1 << PG_ksm)) !== 0;
}

/** include/linux/page-flags.h: folio_test_large_rmappable (FOLIO_SECOND_PAGE). @fidelity exact */
export function folio_test_large_rmappable(m: PhysMem, folio: number): boolean {
  return folio_test_head(m, folio) && test_page_flag(m, folio + 1, PG_large_rmappable);
}

/** include/linux/page-flags.h: folio_set_large_rmappable. @fidelity exact */
export function folio_set_large_rmappable(m: PhysMem, folio: number): void {
  set_page_flag(m, folio + 1, PG_large_rmappable);
}

/** include/linux/page-flags.h: folio_test_partially_mapped (FOLIO_SECOND_PAGE). @fidelity exact */
export function folio_test_partially_mapped(m: PhysMem, folio: number): boolean {
  return folio_test_head(m, folio) && test_page_flag(m, folio + 1, PG_partially_mapped);
}
