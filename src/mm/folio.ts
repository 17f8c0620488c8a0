/**
 * Folio identity and reference counts: include/linux/page-flags.h (page_folio, PageTail),
 * include/linux/mm.h (folio_order, folio_get), include/linux/page_ref.h (v6.18).
 *
 * A page handle is its pfn; a folio handle is the pfn of its head page. `_refcount` is an
 * Int32Array, so it wraps at 2^31 exactly like atomic_t.
 */
import { VM_BUG_ON } from './bug.js';
import { PG_head } from './page_flags.js';
import type { PhysMem } from './physmem.js';

/** include/linux/page-flags.h: page_folio(page) (head found by alignment, see physmem.ts). @fidelity simplified */
export function page_folio(m: PhysMem, pfn: number): number {
  return pfn & -(1 << m.compound_order[pfn]);
}

/** include/linux/page-flags.h: compound_head(page). @fidelity simplified */
export function compound_head(m: PhysMem, pfn: number): number {
  return page_folio(m, pfn);
}

/** include/linux/page-flags.h: PageHead(page). @fidelity exact */
export function PageHead(m: PhysMem, pfn: number): boolean {
  return (m.flags[pfn] & (1 << PG_head)) !== 0;
}

/** include/linux/page-flags.h: PageTail(page). @fidelity simplified */
export function PageTail(m: PhysMem, pfn: number): boolean {
  return m.compound_order[pfn] !== 0 && !PageHead(m, pfn);
}

/** include/linux/page-flags.h: PageCompound(page). @fidelity simplified */
export function PageCompound(m: PhysMem, pfn: number): boolean {
  return m.compound_order[pfn] !== 0;
}

/** include/linux/page-flags.h: folio_test_large(folio). @fidelity exact */
export function folio_test_large(m: PhysMem, folio: number): boolean {
  return PageHead(m, folio);
}

/** include/linux/mm.h: folio_order(folio). @fidelity exact */
export function folio_order(m: PhysMem, folio: number): number {
  return PageHead(m, folio) ? m.compound_order[folio] : 0;
}

/** include/linux/mm.h: folio_nr_pages(folio). @fidelity exact */
export function folio_nr_pages(m: PhysMem, folio: number): number {
  return 1 << folio_order(m, folio);
}

/** include/linux/mm.h: folio_page(folio, n). @fidelity exact */
export function folio_page(folio: number, n: number): number {
  return folio + n;
}

/** include/linux/mm.h: folio_page_idx(folio, page). @fidelity exact */
export function folio_page_idx(folio: number, page: number): number {
  return page - folio;
}

/** include/linux/mm.h: folio_contains(folio, pfn): is pfn one of the folio's pages. @fidelity exact */
export function folio_contains_pfn(m: PhysMem, folio: number, pfn: number): boolean {
  return pfn >= folio && pfn < folio + folio_nr_pages(m, folio);
}

/** include/linux/page_ref.h: page_ref_count(page). @fidelity exact */
export function page_ref_count(m: PhysMem, pfn: number): number {
  return m._refcount[pfn];
}

/** include/linux/page_ref.h: folio_ref_count(folio). @fidelity exact */
export function folio_ref_count(m: PhysMem, folio: number): number {
  return m._refcount[folio];
}

/** include/linux/page_ref.h: set_page_count(page, v). @fidelity exact */
export function set_page_count(m: PhysMem, pfn: number, v: number): void {
  m._refcount[pfn] = v;
}

/** include/linux/page_ref.h: folio_ref_add(folio, nr). @fidelity exact */
export function folio_ref_add(m: PhysMem, folio: number, nr: number): void {
  m._refcount[folio] = m._refcount[folio] + nr;
}

/** include/linux/page_ref.h: folio_ref_sub(folio, nr). @fidelity exact */
export function folio_ref_sub(m: PhysMem, folio: number, nr: number): void {
  m._refcount[folio] = m._refcount[folio] - nr;
}

/** include/linux/page_ref.h: folio_ref_inc(folio). @fidelity exact */
export function folio_ref_inc(m: PhysMem, folio: number): void {
  folio_ref_add(m, folio, 1);
}

/** include/linux/page_ref.h: folio_ref_dec(folio). @fidelity exact */
export function folio_ref_dec(m: PhysMem, folio: number): void {
  folio_ref_sub(m, folio, 1);
}

/** include/linux/page_ref.h: folio_ref_sub_return(folio, nr). @fidelity exact */
export function folio_ref_sub_return(m: PhysMem, folio: number, nr: number): number {
  folio_ref_sub(m, folio, nr);
  return m._refcount[folio];
}

/** include/linux/page_ref.h: folio_ref_sub_and_test(folio, nr). @fidelity exact */
export function folio_ref_sub_and_test(m: PhysMem, folio: number, nr: number): boolean {
  return folio_ref_sub_return(m, folio, nr) === 0;
}

/** include/linux/page_ref.h: folio_ref_dec_and_test(folio). @fidelity exact */
export function folio_ref_dec_and_test(m: PhysMem, folio: number): boolean {
  return folio_ref_sub_return(m, folio, 1) === 0;
}

/** include/linux/page_ref.h: folio_ref_try_add(folio, nr): add unless the count is zero. @fidelity exact */
export function folio_ref_try_add(m: PhysMem, folio: number, nr: number): boolean {
  if (m._refcount[folio] === 0) return false;
  folio_ref_add(m, folio, nr);
  return true;
}

/** include/linux/page_ref.h: folio_try_get(folio). @fidelity exact */
export function folio_try_get(m: PhysMem, folio: number): boolean {
  return folio_ref_try_add(m, folio, 1);
}

/** include/linux/page_ref.h: folio_ref_freeze(folio, count): cmpxchg(count -> 0). @fidelity exact */
export function folio_ref_freeze(m: PhysMem, folio: number, count: number): boolean {
  if (m._refcount[folio] !== count) return false;
  m._refcount[folio] = 0;
  return true;
}

/** include/linux/page_ref.h: folio_ref_unfreeze(folio, count). @fidelity exact */
export function folio_ref_unfreeze(m: PhysMem, folio: number, count: number): void {
  VM_BUG_ON(m._refcount[folio] !== 0, 'folio_ref_unfreeze of an unfrozen folio');
  m._refcount[folio] = count;
}

/** include/linux/mm.h: folio_get(folio) (VM_BUG_ON_FOLIO on a zero or negative count). @fidelity exact */
export function folio_get(m: PhysMem, folio: number): void {
  VM_BUG_ON(m._refcount[folio] <= 0, 'folio_get on a folio with refcount <= 0');
  folio_ref_inc(m, folio);
}

/** include/linux/mm.h: get_page(page) = folio_get(page_folio(page)). @fidelity exact */
export function get_page(m: PhysMem, pfn: number): void {
  folio_get(m, page_folio(m, pfn));
}

/** One content byte per 4 KiB page: what a read of the page returns. @fidelity custom */
export function page_content(m: PhysMem, pfn: number): number {
  return m.content[pfn];
}

/** Store the content byte of a page (a CPU or DMA write of the whole page). @fidelity custom */
export function set_page_content(m: PhysMem, pfn: number, value: number): void {
  m.content[pfn] = value;
}

/** include/linux/highmem.h: copy_highpage(to, from) on the content model. @fidelity simplified */
export function copy_highpage(m: PhysMem, to: number, from: number): void {
  m.content[to] = m.content[from];
}
