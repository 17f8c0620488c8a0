/**
 * What GUP calls in the fault, COW and THP layer (mm/memory.c, mm/huge_memory.c, mm/swap.c):
 * the one place the GUP files import that layer from, so the seam is visible.
 */
import {
  _PAGE_ACCESSED,
  _PAGE_DIRTY,
  pte_alloc,
  set_pte_at,
  type VmAreaStruct,
} from '../../mm/index.js';
import type { Sched } from '../../sim/thread.js';
import { EEXIST } from '../include/errno.js';
import { FOLL_TOUCH, FOLL_WRITE } from '../include/gup_flags.js';
import type { Kernel } from '../kernel.js';
import { folio_mark_dirty } from './filemap.js';
import { vm_normal_page } from './internal.js';
import { split_huge_pmd as thp_split_huge_pmd } from './huge_memory_split.js';
import { handle_mm_fault as mm_handle_mm_fault } from './memory.js';
import type { mm_struct } from './mm_struct.js';
import type { vm_fault_t } from './mm_types.js';

export { folio_mark_dirty, vm_normal_page };

/** mm/swap.c: folio_mark_accessed(folio). @fidelity simplified: the LRU is not modelled here */
export function folio_mark_accessed(_k: Kernel, _folio: number): void {}

/**
 * mm/gup.c: follow_pfn_pte: a PFN entry without struct page; with FOLL_TOUCH mark it young
 * (and dirty for a write). Always -EEXIST.
 * @fidelity exact
 */
export function follow_pfn_pte(
  k: Kernel,
  _vma: VmAreaStruct,
  _address: number,
  ptep: number,
  flags: number,
): number {
  if ((flags & FOLL_TOUCH) !== 0) {
    const orig = k.pool.entries[ptep]!;
    let entry = orig;
    if ((flags & FOLL_WRITE) !== 0 && (entry & _PAGE_DIRTY) === 0) entry += _PAGE_DIRTY;
    if ((entry & _PAGE_ACCESSED) === 0) entry += _PAGE_ACCESSED;
    if (entry !== orig) set_pte_at(k.pool, ptep, entry);
  }
  return -EEXIST;
}

/** include/linux/mm.h: pte_alloc(mm, pmd) after a split emptied the PMD. @fidelity exact */
export function pte_alloc_for(k: Kernel, mm: mm_struct, pmdp: number): number {
  return pte_alloc(k.pool, mm, pmdp);
}

/** mm/huge_memory.c: touch_pmd(vma, addr, pmd, write): young, and dirty for a write. @fidelity exact */
export function touch_pmd(k: Kernel, _vma: VmAreaStruct, pmdp: number, write: boolean): void {
  const orig = k.pool.entries[pmdp]!;
  let entry = orig;
  if ((entry & _PAGE_ACCESSED) === 0) entry += _PAGE_ACCESSED;
  if (write && (entry & _PAGE_DIRTY) === 0) entry += _PAGE_DIRTY;
  if (entry !== orig) set_pte_at(k.pool, pmdp, entry);
}

/** mm/huge_memory.c: split_huge_pmd(vma, pmd, address). */
export function split_huge_pmd(
  _k: Kernel,
  vma: VmAreaStruct,
  pmdp: number,
  address: number,
): Sched<void> {
  return thp_split_huge_pmd(vma, pmdp, address);
}

/** mm/memory.c: handle_mm_fault(vma, address, flags, NULL): GUP passes no pt_regs. */
export function handle_mm_fault(
  _k: Kernel,
  vma: VmAreaStruct,
  address: number,
  flags: number,
): Sched<vm_fault_t> {
  return mm_handle_mm_fault(vma, address, flags, null);
}
