/**
 * Mapcounts, pincounts and MM-id tracking of folios: include/linux/mm.h, include/linux/mm_types.h,
 * mm/internal.h, fs/proc/internal.h (v6.18, CONFIG_64BIT, CONFIG_PAGE_MAPCOUNT, CONFIG_MM_ID).
 *
 * Raw values are stored as the kernel stores them: per-page _mapcount starts at -1, the large
 * folio fields _large_mapcount, _entire_mapcount and _mm_id_mapcount[] start at -1, and
 * _nr_pages_mapped and _pincount at 0. The large folio fields live in page[1] (see physmem.ts);
 * rmap code reads and writes them through folio_large_field_{get,set,add}.
 */
import { VM_BUG_ON } from './bug.js';
import { folio_ref_count, folio_test_large } from './folio.js';
import { folio_test_hugetlb } from './page_flags.js';
import type { PhysMem } from './physmem.js';

/** include/linux/mm.h: GUP_PIN_COUNTING_BIAS. @fidelity exact */
export const GUP_PIN_COUNTING_BIAS = 1 << 10;

/** mm/internal.h: ENTIRELY_MAPPED, the _nr_pages_mapped marker of an entire (PMD) mapping. @fidelity exact */
export const ENTIRELY_MAPPED = 0x800000;
/** mm/internal.h: FOLIO_PAGES_MAPPED. @fidelity exact */
export const FOLIO_PAGES_MAPPED = ENTIRELY_MAPPED - 1;

/** include/linux/mm_types.h: MM_ID_BITS / MM_ID_MASK on 64-bit (mm_id_t is u32). @fidelity exact */
export const MM_ID_BITS = 31;
export const MM_ID_MASK = 0x7fffffff;
/** include/linux/mm_types.h: MM_ID_DUMMY, MM_ID_MIN. @fidelity exact */
export const MM_ID_DUMMY = 0;
export const MM_ID_MIN = 1;
/** include/linux/mm_types.h: FOLIO_MM_IDS_SHARED_BITNUM = 2 * MM_ID_BITS + 1 = bit 31 of _mm_id[1]. */
const MM_IDS_SHARED_BIT = 1 << 31;

/** Large-folio fields, named after struct folio members. @fidelity exact (layout: see physmem.ts) */
export const F_LARGE_MAPCOUNT = 0;
export const F_NR_PAGES_MAPPED = 1;
export const F_ENTIRE_MAPCOUNT = 2;
export const F_PINCOUNT = 3;
export const F_MM_ID_MAPCOUNT_0 = 4;
export const F_MM_ID_MAPCOUNT_1 = 5;
export const F_MM_ID_0 = 6;
export const F_MM_ID_1 = 7;

function fieldArray(m: PhysMem, field: number): Int32Array {
  switch (field) {
    case F_LARGE_MAPCOUNT:
      return m.lru_next;
    case F_NR_PAGES_MAPPED:
      return m.lru_prev;
    case F_ENTIRE_MAPCOUNT:
    case F_PINCOUNT:
      return m.mapping_i32;
    case F_MM_ID_MAPCOUNT_0:
    case F_MM_ID_MAPCOUNT_1:
      return m.index_i32;
    default:
      return m.priv_i32;
  }
}

function fieldSlot(folio: number, field: number): number {
  const page1 = folio + 1;
  if (field === F_LARGE_MAPCOUNT || field === F_NR_PAGES_MAPPED) return page1;
  return 2 * page1 + ((field - F_ENTIRE_MAPCOUNT) & 1);
}

/** atomic_read(&folio->X) for a large-folio field X. @fidelity exact */
export function folio_large_field_get(m: PhysMem, folio: number, field: number): number {
  return fieldArray(m, field)[fieldSlot(folio, field)];
}

/** atomic_set(&folio->X, v) for a large-folio field X. @fidelity exact */
export function folio_large_field_set(m: PhysMem, folio: number, field: number, v: number): void {
  fieldArray(m, field)[fieldSlot(folio, field)] = v;
}

/** atomic_add_return(delta, &folio->X) for a large-folio field X. @fidelity exact */
export function folio_large_field_add(
  m: PhysMem,
  folio: number,
  field: number,
  delta: number,
): number {
  const a = fieldArray(m, field);
  const i = fieldSlot(folio, field);
  a[i] = a[i] + delta;
  return a[i];
}

/** mm/internal.h: prep_compound_head's initial values of the page[1] folio fields. @fidelity exact */
export function folio_init_large_fields(m: PhysMem, folio: number): void {
  folio_large_field_set(m, folio, F_LARGE_MAPCOUNT, -1);
  folio_large_field_set(m, folio, F_NR_PAGES_MAPPED, 0);
  folio_large_field_set(m, folio, F_ENTIRE_MAPCOUNT, -1);
  folio_large_field_set(m, folio, F_PINCOUNT, 0);
  folio_large_field_set(m, folio, F_MM_ID_MAPCOUNT_0, -1);
  folio_large_field_set(m, folio, F_MM_ID_MAPCOUNT_1, -1);
  folio_large_field_set(m, folio, F_MM_ID_0, 0);
  folio_large_field_set(m, folio, F_MM_ID_1, 0);
}

/** include/linux/mm.h: folio_large_mapcount(folio). @fidelity exact */
export function folio_large_mapcount(m: PhysMem, folio: number): number {
  return folio_large_field_get(m, folio, F_LARGE_MAPCOUNT) + 1;
}

/** include/linux/mm.h: folio_mapcount(folio). @fidelity exact */
export function folio_mapcount(m: PhysMem, folio: number): number {
  if (!folio_test_large(m, folio)) return m._mapcount[folio] + 1;
  return folio_large_mapcount(m, folio);
}

/** include/linux/mm.h: folio_mapped(folio). @fidelity exact */
export function folio_mapped(m: PhysMem, folio: number): boolean {
  return folio_mapcount(m, folio) >= 1;
}

/** include/linux/mm.h: folio_entire_mapcount(folio) (VM_BUG_ON_FOLIO on a small folio). @fidelity exact */
export function folio_entire_mapcount(m: PhysMem, folio: number): number {
  VM_BUG_ON(!folio_test_large(m, folio), 'folio_entire_mapcount of a small folio');
  return folio_large_field_get(m, folio, F_ENTIRE_MAPCOUNT) + 1;
}

/** mm/internal.h: folio_nr_pages_mapped(folio). @fidelity exact */
export function folio_nr_pages_mapped(m: PhysMem, folio: number): number {
  return folio_large_field_get(m, folio, F_NR_PAGES_MAPPED) & FOLIO_PAGES_MAPPED;
}

/** fs/proc/internal.h: folio_precise_page_mapcount(folio, page) (v6.18's page_mapcount). @fidelity exact */
export function folio_precise_page_mapcount(m: PhysMem, folio: number, page: number): number {
  let mapcount = m._mapcount[page] + 1;
  if (folio_test_large(m, folio)) mapcount += folio_entire_mapcount(m, folio);
  return mapcount;
}

/** include/linux/rmap.h: folio_mm_id(folio, idx). @fidelity exact */
export function folio_mm_id(m: PhysMem, folio: number, idx: number): number {
  return folio_large_field_get(m, folio, F_MM_ID_0 + idx) & MM_ID_MASK;
}

/** include/linux/rmap.h: folio_set_mm_id(folio, idx, id) (keeps the flag bit). @fidelity exact */
export function folio_set_mm_id(m: PhysMem, folio: number, idx: number, id: number): void {
  const old = folio_large_field_get(m, folio, F_MM_ID_0 + idx);
  folio_large_field_set(m, folio, F_MM_ID_0 + idx, (old & ~MM_ID_MASK) | (id & MM_ID_MASK));
}

/** test_bit(FOLIO_MM_IDS_SHARED_BITNUM, &folio->_mm_ids). @fidelity exact */
export function folio_test_large_maybe_mapped_shared(m: PhysMem, folio: number): boolean {
  return (folio_large_field_get(m, folio, F_MM_ID_1) & MM_IDS_SHARED_BIT) !== 0;
}

/** __set_bit / __clear_bit(FOLIO_MM_IDS_SHARED_BITNUM, &folio->_mm_ids). @fidelity exact */
export function folio_assign_mm_ids_shared(m: PhysMem, folio: number, shared: boolean): void {
  const old = folio_large_field_get(m, folio, F_MM_ID_1);
  const v = shared ? old | MM_IDS_SHARED_BIT : old & ~MM_IDS_SHARED_BIT;
  folio_large_field_set(m, folio, F_MM_ID_1, v);
}

/** include/linux/mm.h: folio_maybe_mapped_shared(folio) (CONFIG_MM_ID=y). @fidelity exact */
export function folio_maybe_mapped_shared(m: PhysMem, folio: number): boolean {
  const mapcount = folio_mapcount(m, folio);
  if (!folio_test_large(m, folio) || folio_test_hugetlb(m, folio)) return mapcount > 1;
  if (mapcount <= 1) return false;
  return folio_test_large_maybe_mapped_shared(m, folio);
}

/** include/linux/mm.h: folio_has_pincount(folio) (64-bit: every large folio). @fidelity exact */
export function folio_has_pincount(m: PhysMem, folio: number): boolean {
  return folio_test_large(m, folio);
}

/** include/linux/mm.h: folio_maybe_dma_pinned(folio). @fidelity exact */
export function folio_maybe_dma_pinned(m: PhysMem, folio: number): boolean {
  if (folio_has_pincount(m, folio)) return folio_large_field_get(m, folio, F_PINCOUNT) > 0;
  return folio_ref_count(m, folio) >>> 0 >= GUP_PIN_COUNTING_BIAS;
}
