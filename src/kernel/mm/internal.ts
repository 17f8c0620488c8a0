/**
 * Small helpers of include/linux/mm.h, include/linux/userfaultfd_k.h and mm/internal.h that the
 * fault, fork, mprotect and madvise code share (v6.18).
 */
import { is_huge_zero_pfn, is_zero_pfn } from '../../mm/anon.js';
import { page_folio } from '../../mm/folio.js';
import { GFP_HIGHUSER_MOVABLE, __GFP_ZERO } from '../../mm/gfp.js';
import { folio_maybe_dma_pinned } from '../../mm/mapcount.js';
import { MMF_HAS_PINNED, mm_flags_test } from '../../mm/mm_types.js';
import { folio_alloc } from '../../mm/page_alloc.js';
import {
  _PAGE_RW,
  pte_mkwrite,
  pte_pfn,
  pte_soft_dirty,
  pte_special,
  pte_uffd_wp,
  pmd_mkwrite,
  pmd_pfn,
  pmd_special,
} from '../../mm/pgtable_types.js';
import type { VmAreaStruct } from '../../mm/vma.js';
import { maskAnd } from '../include/bits.js';
import {
  VM_ACCESS_FLAGS,
  VM_MIXEDMAP,
  VM_PFNMAP,
  VM_SOFTDIRTY,
  VM_UFFD_MINOR,
  VM_UFFD_MISSING,
  VM_UFFD_WP,
  VM_WRITE,
} from '../include/vm_flags.js';
import type { Kernel } from '../kernel.js';
import type { mm_struct } from './mm_struct.js';
import { lru_add_folio } from './swap_lru.js';

/** The mm_struct (with locks) of a VMA: every mm of the kernel layer is one. @fidelity custom */
export function vma_mm(vma: VmAreaStruct): mm_struct {
  return vma.vm_mm as mm_struct;
}

/** current->flags of the running thread (0 when it is not a kernel task). @fidelity custom */
export function current_pflags(k: Kernel): number {
  const t = k.m.current;
  if (t === null) return 0;
  try {
    return k.taskOf(t).flags;
  } catch {
    return 0;
  }
}

/**
 * include/linux/mm.h: folio_needs_cow_for_dma(vma, folio): fork must copy this anon folio now
 * because it may be DMA-pinned (MMF_HAS_PINNED and folio_maybe_dma_pinned).
 *
 * Quirk `fork-shares-pinned`: before 70e806e4e645 "mm: Do early cow for pinned pages during
 * fork() for ptes" (v5.9, with d042035eaf5f for huge PMDs and 4eae4efa2c29 for hugetlb), fork
 * write-protected and shared pinned pages like any other; with the quirk this returns false, so
 * copy_page_range() shares them.
 * @fidelity exact
 */
export function folio_needs_cow_for_dma(k: Kernel, vma: VmAreaStruct, folio: number): boolean {
  const mm = vma_mm(vma);
  if ((mm.write_protect_seq.sequence & 1) === 0)
    throw new Error('VM_BUG_ON: folio_needs_cow_for_dma outside a write_protect_seq write section');
  if (k.m.quirk('fork-shares-pinned')) return false;
  if (!mm_flags_test(MMF_HAS_PINNED, mm)) return false;
  return folio_maybe_dma_pinned(k.mem, folio);
}

/** include/linux/mm.h: maybe_mkwrite(pte, vma). @fidelity exact */
export function maybe_mkwrite(pte: number, vma: VmAreaStruct): number {
  return (vma.vm_flags & VM_WRITE) !== 0 ? pte_mkwrite(pte) : pte;
}

/** mm/huge_memory.c: maybe_pmd_mkwrite(pmd, vma). @fidelity exact */
export function maybe_pmd_mkwrite(pmd: number, vma: VmAreaStruct): number {
  return (vma.vm_flags & VM_WRITE) !== 0 ? pmd_mkwrite(pmd) : pmd;
}

/** include/linux/mm.h: vma_is_accessible(vma). @fidelity exact */
export function vma_is_accessible(vma: VmAreaStruct): boolean {
  return (vma.vm_flags & VM_ACCESS_FLAGS) !== 0;
}

/** mm/memory.c: vm_normal_page(vma, addr, pte): the pfn of a normal page, or -1 for special/zero. @fidelity simplified */
export function vm_normal_page(k: Kernel, vma: VmAreaStruct, pte: number): number {
  const pfn = pte_pfn(pte);
  if (pte_special(pte)) return -1;
  if ((vma.vm_flags & (VM_PFNMAP | VM_MIXEDMAP)) !== 0) return -1;
  if (is_zero_pfn(k.mem, pfn) || is_huge_zero_pfn(k.mem, pfn)) return -1;
  return pfn;
}

/** mm/memory.c: vm_normal_folio(vma, addr, pte): the folio, or -1. @fidelity simplified */
export function vm_normal_folio(k: Kernel, vma: VmAreaStruct, pte: number): number {
  const page = vm_normal_page(k, vma, pte);
  return page < 0 ? -1 : page_folio(k.mem, page);
}

/** mm/memory.c: vm_normal_page_pmd(vma, addr, pmd). @fidelity simplified */
export function vm_normal_page_pmd(k: Kernel, vma: VmAreaStruct, pmd: number): number {
  const pfn = pmd_pfn(pmd);
  if (pmd_special(pmd)) return -1;
  if (is_zero_pfn(k.mem, pfn) || is_huge_zero_pfn(k.mem, pfn)) return -1;
  return pfn;
}

/** include/linux/mm.h: vma_soft_dirty_enabled(vma) (CONFIG_MEM_SOFT_DIRTY). @fidelity exact */
export function vma_soft_dirty_enabled(vma: VmAreaStruct): boolean {
  return (vma.vm_flags & VM_SOFTDIRTY) === 0;
}

/** mm/internal.h: pte_needs_soft_dirty_wp(vma, pte). @fidelity exact */
export function pte_needs_soft_dirty_wp(vma: VmAreaStruct, pte: number): boolean {
  return vma_soft_dirty_enabled(vma) && !pte_soft_dirty(pte);
}

/** include/linux/userfaultfd_k.h: userfaultfd_wp(vma). @fidelity exact */
export function userfaultfd_wp(vma: VmAreaStruct): boolean {
  return (vma.vm_flags & VM_UFFD_WP) !== 0;
}

/** include/linux/userfaultfd_k.h: userfaultfd_missing(vma). @fidelity exact */
export function userfaultfd_missing(vma: VmAreaStruct): boolean {
  return (vma.vm_flags & VM_UFFD_MISSING) !== 0;
}

/** include/linux/userfaultfd_k.h: userfaultfd_armed(vma). @fidelity exact */
export function userfaultfd_armed(vma: VmAreaStruct): boolean {
  return maskAnd(vma.vm_flags, VM_UFFD_MISSING | VM_UFFD_WP | VM_UFFD_MINOR) !== 0;
}

/** include/linux/userfaultfd_k.h: userfaultfd_pte_wp(vma, pte). @fidelity exact */
export function userfaultfd_pte_wp(vma: VmAreaStruct, pte: number): boolean {
  return userfaultfd_wp(vma) && pte_uffd_wp(pte);
}

/** The PTE write bit, for callers that test raw entries. @fidelity custom */
export const PTE_RW = _PAGE_RW;

/**
 * mm/memory.c: vma_alloc_zeroed_movable_folio / folio_prealloc(mm, vma, addr, need_zero): a new
 * order-0 user folio (GFP_HIGHUSER_MOVABLE), or -1.
 * @fidelity simplified (no memcg charge, no mempolicy)
 */
export function folio_prealloc(k: Kernel, need_zero: boolean): number {
  const gfp = need_zero ? GFP_HIGHUSER_MOVABLE | __GFP_ZERO : GFP_HIGHUSER_MOVABLE;
  return folio_alloc(k.mem, gfp, 0, current_pflags(k));
}

/**
 * mm/swap.c: folio_add_lru_vma(folio, vma) / folio_add_lru: the folio goes on the LRU.
 * @fidelity simplified: the per-CPU LRU batch (and the reference it holds until drained) is not
 * modelled; the folio is on the LRU at once, so lru_add_drain() has nothing to do. The lists
 * are swap_lru.ts.
 */
export function folio_add_lru(k: Kernel, folio: number): void {
  lru_add_folio(k, folio);
}

/** mm/internal.h: mm_forbids_zeropage(mm) (s390 only). @fidelity exact */
export function mm_forbids_zeropage(_mm: mm_struct): boolean {
  return false;
}
