/**
 * hugetlb pools: struct hstate and its free list, mm/hugetlb.c (v6.18).
 * Free pool folios have refcount 0 and sit on the hstate's free list (most recently freed
 * first, like list_move onto hugepage_freelists[nid]); dequeue unfreezes them to refcount 1.
 * Reservations, subpools, cgroups, surplus pages and vmemmap optimisation are not modelled.
 */
import { MmBug } from './bug.js';
import { folio_is_longterm_pinnable } from './anon.js';
import { folio_order } from './folio.js';
import {
  F_ENTIRE_MAPCOUNT,
  F_LARGE_MAPCOUNT,
  F_PINCOUNT,
  folio_large_field_get,
} from './mapcount.js';
import { PG_head, PG_hugetlb, PG_hwpoison } from './page_flags.js';
import type { PhysMem } from './physmem.js';

/** include/linux/hugetlb.h: struct hstate (one per huge page size). @fidelity simplified */
export class Hstate {
  /** hugepage_freelists[0]: the head of the list is the last element. */
  readonly free: number[] = [];
  /** Every folio of this size that boot or later allocation put in the pool. */
  nr_huge_pages = 0;
  free_huge_pages = 0;

  constructor(readonly order: number) {}

  /** include/linux/hugetlb.h: huge_page_size(h) in bytes. */
  get size(): number {
    return 2 ** (this.order + 12);
  }

  /** The sysfs directory name, hugepages-<size>kB. */
  get name(): string {
    return `hugepages-${this.size / 1024}kB`;
  }
}

/** mm/hugetlb.c: size_to_hstate(size): the pool of a size in bytes, or undefined. @fidelity exact */
export function size_to_hstate(m: PhysMem, size: number): Hstate | undefined {
  return m.hstates.find((h) => h.size === size);
}

/** include/linux/hugetlb.h: folio_hstate(folio). @fidelity exact */
export function folio_hstate(m: PhysMem, folio: number): Hstate | undefined {
  const order = folio_order(m, folio);
  return m.hstates.find((h) => h.order === order);
}

/** mm/hugetlb.c: enqueue_hugetlb_folio(h, folio) (VM_BUG_ON_FOLIO on a non-zero refcount). @fidelity exact */
export function enqueue_hugetlb_folio(m: PhysMem, h: Hstate, folio: number): void {
  if (m._refcount[folio] !== 0)
    throw new MmBug(`VM_BUG_ON_FOLIO: enqueue of hugetlb folio ${folio} with refcount`);
  h.free.push(folio);
  h.free_huge_pages++;
}

/**
 * mm/hugetlb.c: dequeue_hugetlb_folio_node_exact(h, nid): the first free folio that is not
 * hwpoisoned and, when the task has PF_MEMALLOC_PIN (`pin`), is long-term pinnable.
 * Returns the folio with refcount 1, or -1.
 * @fidelity exact
 */
export function dequeue_hugetlb_folio(m: PhysMem, h: Hstate, pin: boolean): number {
  for (let i = h.free.length - 1; i >= 0; i--) {
    const folio = h.free[i];
    if (pin && !folio_is_longterm_pinnable(m, folio)) continue;
    if ((m.flags[folio] & (1 << PG_hwpoison)) !== 0) continue;
    h.free.splice(i, 1);
    h.free_huge_pages--;
    m._refcount[folio] = 1;
    return folio;
  }
  return -1;
}

/** mm/hugetlb.c: free_huge_folio(folio): back onto the pool's free list. @fidelity simplified */
export function free_huge_folio(m: PhysMem, folio: number): void {
  const h = folio_hstate(m, folio);
  if (h === undefined) throw new MmBug(`free_huge_folio: no hstate for folio ${folio}`);
  const mapped =
    folio_large_field_get(m, folio, F_LARGE_MAPCOUNT) !== -1 ||
    folio_large_field_get(m, folio, F_ENTIRE_MAPCOUNT) !== -1;
  if (mapped) throw new MmBug(`VM_BUG_ON_FOLIO: free_huge_folio of mapped folio ${folio}`);
  if (folio_large_field_get(m, folio, F_PINCOUNT) !== 0) {
    throw new MmBug(`VM_BUG_ON_FOLIO: free_huge_folio of pinned folio ${folio}`);
  }
  m.mapping[folio] = 0;
  m.index[folio] = 0;
  m.flags[folio] = (1 << PG_head) | (1 << PG_hugetlb) | (m.flags[folio] & (1 << PG_hwpoison));
  const nr = 1 << h.order;
  for (let p = folio + 1; p < folio + nr; p++) m.flags[p] = m.flags[p] & (1 << PG_hwpoison);
  enqueue_hugetlb_folio(m, h, folio);
}

/** mm/hugetlb.c: prep_new_hugetlb_folio + add to the pool (folio already compound, refcount frozen to 0). @fidelity simplified */
export function hugetlb_add_new_folio(m: PhysMem, h: Hstate, folio: number): void {
  m.flags[folio] = m.flags[folio] | (1 << PG_hugetlb);
  m._refcount[folio] = 0;
  h.nr_huge_pages++;
  enqueue_hugetlb_folio(m, h, folio);
}
