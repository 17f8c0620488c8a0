/**
 * Folio ownership facts GUP depends on: mapping/index, PageAnonExclusive, the zero pages,
 * folio_is_longterm_pinnable() and folio_expected_ref_count().
 * Sources: include/linux/page-flags.h, include/linux/mm.h, include/linux/huge_mm.h (v6.18).
 *
 * folio->mapping holds an id (anon_vma id for anon folios, address_space id for file folios,
 * 0 for NULL); the FOLIO_MAPPING_ANON/KSM low bits are the PG_anon/PG_ksm stand-ins.
 */
import { MmBug, VM_BUG_ON } from './bug.js';
import { folio_order, page_folio } from './folio.js';
import { folio_mapcount } from './mapcount.js';
import {
  PG_anon,
  PG_anon_exclusive,
  PG_ksm,
  folio_test_anon,
  folio_test_hugetlb,
  folio_test_private,
  folio_test_swapcache,
} from './page_flags.js';
import {
  ZONE_DEVICE_COHERENT,
  ZONE_DEVICE_FSDAX,
  folio_is_zone_movable,
  folio_migratetype,
  type PhysMem,
} from './physmem.js';
import { MIGRATE_CMA, MIGRATE_ISOLATE } from './zone.js';

/** Store folio->mapping and its FOLIO_MAPPING_ANON/KSM bits (rmap's __folio_set_anon et al.). @fidelity custom */
export function folio_set_mapping(
  m: PhysMem,
  folio: number,
  id: number,
  anon: boolean,
  ksm = false,
): void {
  m.mapping[folio] = id;
  const bits = (1 << PG_anon) | (1 << PG_ksm);
  const set = (anon ? 1 << PG_anon : 0) | (anon && ksm ? 1 << PG_ksm : 0);
  m.flags[folio] = (m.flags[folio] & ~bits) | set;
}

/** include/linux/page-flags.h: folio_raw_mapping(folio): the id without the flag bits. @fidelity simplified */
export function folio_raw_mapping(m: PhysMem, folio: number): number {
  return m.mapping[folio];
}

/** include/linux/pagemap.h: folio_index / folio->index. @fidelity exact */
export function folio_index(m: PhysMem, folio: number): number {
  return m.index[folio];
}

/** Store folio->index. @fidelity exact */
export function folio_set_index(m: PhysMem, folio: number, index: number): void {
  m.index[folio] = index;
}

/** include/linux/pagemap.h: page_pgoff(folio, page). @fidelity exact */
export function page_pgoff(m: PhysMem, folio: number, page: number): number {
  return m.index[folio] + (page - folio);
}

/** include/linux/mm_types.h: page_private(page) (folio->swap.val for swap-cache folios). @fidelity exact */
export function page_private(m: PhysMem, pfn: number): number {
  return m.priv[pfn];
}

/** include/linux/mm_types.h: set_page_private(page, v). @fidelity exact */
export function set_page_private(m: PhysMem, pfn: number, v: number): void {
  m.priv[pfn] = v;
}

/** include/linux/page-flags.h: PageAnonExclusive(page). @fidelity exact */
export function PageAnonExclusive(m: PhysMem, page: number): boolean {
  const folio = page_folio(m, page);
  VM_BUG_ON(!folio_test_anon(m, folio), 'PageAnonExclusive on a non-anon page');
  const p = folio_test_hugetlb(m, folio) ? folio : page;
  return (m.flags[p] & (1 << PG_anon_exclusive)) !== 0;
}

function checkAnonNotKsm(m: PhysMem, page: number, op: string): void {
  const folio = page_folio(m, page);
  const anonNotKsm = (m.flags[folio] & ((1 << PG_anon) | (1 << PG_ksm))) === 1 << PG_anon;
  if (!anonNotKsm) throw new MmBug(`VM_BUG_ON: ${op} on a page that is not anon (or is KSM)`);
  if (folio_test_hugetlb(m, folio) && folio !== page)
    throw new MmBug(`VM_BUG_ON: ${op} on a hugetlb tail page`);
}

/** include/linux/page-flags.h: SetPageAnonExclusive(page). @fidelity exact */
export function SetPageAnonExclusive(m: PhysMem, page: number): void {
  checkAnonNotKsm(m, page, 'SetPageAnonExclusive');
  m.flags[page] = m.flags[page] | (1 << PG_anon_exclusive);
}

/** include/linux/page-flags.h: ClearPageAnonExclusive(page). @fidelity exact */
export function ClearPageAnonExclusive(m: PhysMem, page: number): void {
  checkAnonNotKsm(m, page, 'ClearPageAnonExclusive');
  m.flags[page] = m.flags[page] & ~(1 << PG_anon_exclusive);
}

/** include/linux/pgtable.h: is_zero_pfn(pfn). @fidelity exact */
export function is_zero_pfn(m: PhysMem, pfn: number): boolean {
  return pfn === m.zero_pfn;
}

/** include/linux/pgtable.h: my_zero_pfn(addr) (one zero page on x86). @fidelity exact */
export function my_zero_pfn(m: PhysMem): number {
  return m.zero_pfn;
}

/** include/linux/pgtable.h: is_zero_folio(folio). @fidelity exact */
export function is_zero_folio(m: PhysMem, folio: number): boolean {
  return folio === m.zero_pfn;
}

/** include/linux/huge_mm.h: is_huge_zero_folio(folio). @fidelity exact */
export function is_huge_zero_folio(m: PhysMem, folio: number): boolean {
  return m.huge_zero_pfn >= 0 && folio === m.huge_zero_pfn;
}

/** include/linux/huge_mm.h: is_huge_zero_pfn(pfn). @fidelity exact */
export function is_huge_zero_pfn(m: PhysMem, pfn: number): boolean {
  return m.huge_zero_pfn >= 0 && pfn === m.huge_zero_pfn;
}

/**
 * include/linux/mm.h: folio_is_longterm_pinnable(folio) (CONFIG_MIGRATION, CONFIG_CMA).
 * ZONE_DEVICE facts come from m.hooks (this layer models no device memory).
 * @fidelity exact
 */
export function folio_is_longterm_pinnable(m: PhysMem, folio: number): boolean {
  const mt = folio_migratetype(m, folio);
  if (mt === MIGRATE_CMA || mt === MIGRATE_ISOLATE) return false;
  if (is_zero_folio(m, folio)) return true;
  const dev = m.hooks.zone_device_type(folio);
  if (dev === ZONE_DEVICE_COHERENT) return false;
  if (dev === ZONE_DEVICE_FSDAX) return false;
  return !folio_is_zone_movable(m, folio);
}

/** include/linux/mm.h: folio_expected_ref_count(folio). @fidelity exact */
export function folio_expected_ref_count(m: PhysMem, folio: number): number {
  const order = folio_order(m, folio);
  let ref_count = 0;
  if (folio_test_swapcache(m, folio)) ref_count += 1 << order;
  if (!folio_test_anon(m, folio)) {
    if (m.mapping[folio] !== 0) ref_count += 1 << order;
    if (folio_test_private(m, folio)) ref_count += 1;
  }
  return ref_count + folio_mapcount(m, folio);
}
