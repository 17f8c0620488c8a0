/**
 * PMD-mapped anonymous THP: mm/huge_memory.c (v6.18) faults (do_huge_pmd_anonymous_page with
 * the huge zero folio, do_huge_pmd_wp_page, do_huge_zero_wp_pmd, huge_pmd_set_accessed),
 * fork (copy_huge_pmd), zap (zap_huge_pmd) and the THP policy (thp_vma_allowable_orders).
 * Splitting is in huge_memory_split.ts.
 */
import { PageAnonExclusive, SetPageAnonExclusive, is_huge_zero_pfn } from '../../mm/anon.js';
import { folio_get, folio_ref_count } from '../../mm/folio.js';
import { HPAGE_PMD_NR, PMD_SIZE } from '../../mm/layout.js';
import {
  MM_ANONPAGES,
  MMF_HUGE_ZERO_FOLIO,
  add_mm_counter,
  mm_counter_file,
  mm_flags_test_and_set,
} from '../../mm/mm_types.js';
import { __GFP_ZERO } from '../../mm/gfp.js';
import { folio_alloc, get_huge_zero_folio } from '../../mm/page_alloc.js';
import { folio_put } from '../../mm/page_free.js';
import {
  folio_mark_uptodate,
  folio_set_dirty,
  folio_test_anon,
  folio_test_swapcache,
} from '../../mm/page_flags.js';
import { PGTABLE_LEVEL_PTE } from '../../mm/pgtable.js';
import {
  pfn_pmd,
  pmd_dirty,
  pmd_mkdirty,
  pmd_mkold,
  pmd_mkspecial,
  pmd_mkyoung,
  pmd_none,
  pmd_pfn,
  pmd_present,
  pmd_trans_huge,
  pmd_uffd_wp,
  pmd_clear_uffd_wp,
  pmd_wrprotect,
} from '../../mm/pgtable_types.js';
import {
  mm_dec_nr_ptes,
  mm_inc_nr_ptes,
  pgtable_trans_huge_deposit,
  pgtable_trans_huge_withdraw,
} from '../../mm/pgtable_walk.js';
import { is_pmd_migration_entry } from '../../mm/swapops.js';
import { vma_is_anonymous, type VmAreaStruct } from '../../mm/vma.js';
import { Access } from '../../sim/footprint.js';
import type { Sched } from '../../sim/thread.js';
import { maskAnd } from '../include/bits.js';
import {
  FAULT_FLAG_UNSHARE,
  FAULT_FLAG_WRITE,
  VM_FAULT_FALLBACK,
  VM_FAULT_WRITE,
} from '../include/fault_flags.js';
import { EAGAIN } from '../include/errno.js';
import {
  VM_HUGEPAGE,
  VM_HUGETLB,
  VM_MAYSHARE,
  VM_NOHUGEPAGE,
  VM_SHARED,
  VM_SPECIAL,
  VM_UFFD_MISSING,
  VM_UFFD_WP,
} from '../include/vm_flags.js';
import { handle_userfault } from '../fs/userfaultfd.js';
import type { Kernel } from '../kernel.js';
import { folioObj, mmFlagsObj, pteObj } from '../objects.js';
import { folio_lock, folio_trylock, folio_unlock } from './filemap.js';
import {
  current_pflags,
  folio_add_lru,
  maybe_pmd_mkwrite,
  mm_forbids_zeropage,
  userfaultfd_missing,
  userfaultfd_wp,
  vma_mm,
} from './internal.js';
import { vma_thp_gfp_mask, vmf_anon_prepare } from './memory_anon.js';
import { count_vm_event, mmState } from './mm_state.js';
import type { mm_struct } from './mm_struct.js';
import { vma_file, type vm_fault, type vm_fault_t } from './mm_types.js';
import { pmd_lock, pmd_lockptr, pmd_unlock } from './pgtable_generic.js';
import {
  RMAP_EXCLUSIVE,
  folio_add_new_anon_rmap,
  folio_move_anon_rmap,
  folio_remove_rmap_pmd,
  folio_try_dup_anon_rmap_pmd,
} from './rmap.js';
import { mm_solo, ptl_lock, ptl_unlock, solo_spin_lock, solo_spin_unlock } from './solo.js';
import { __split_huge_pmd } from './huge_memory_split.js';
import { folio_free_swap } from './swap.js';
import type { mmu_gather } from './mmu_gather.js';
import { tlb_remove_folio } from './mmu_gather.js';

/** Which caller asks thp_vma_allowable_orders (enum tva_type). */
export type TvaType = 'pagefault' | 'khugepaged' | 'forced_collapse' | 'smaps';
/** PMD order for thp_vma_allowable_order callers. @fidelity custom */
export const PMD_ORDER_TVA = { pagefault: 'pagefault' as TvaType };
const PMD_ORDER = 9;

/**
 * mm/huge_memory.c: __thp_vma_allowable_orders(vma, vm_flags, type, orders): the orders of
 * anonymous THP (bit n = order n) this VMA may use, from the per-size sysfs policy
 * ('always', or 'madvise' with VM_HUGEPAGE; MADV_COLLAPSE ignores the policy).
 * @fidelity simplified: anonymous VMAs only (file and shmem THP are the file layer's), no
 * prctl(PR_SET_THP_DISABLE), no 'inherit' policy
 */
export function thp_vma_allowable_orders(
  k: Kernel,
  vma: VmAreaStruct,
  vm_flags: number,
  type: TvaType,
  orders: number,
): number {
  if (maskAnd(vm_flags, VM_NOHUGEPAGE) !== 0 || maskAnd(vm_flags, VM_HUGETLB) !== 0) return 0;
  if (!vma_is_anonymous(vma) || maskAnd(vm_flags, VM_SPECIAL) !== 0) return 0;
  if (type === 'forced_collapse') return orders & (1 << PMD_ORDER);
  const policy = mmState(k).thpPolicy;
  let allowed = 0;
  for (let order = 2; order <= PMD_ORDER; order++) {
    const p = policy[order];
    if (p === 'always' || (p === 'madvise' && maskAnd(vm_flags, VM_HUGEPAGE) !== 0))
      allowed |= 1 << order;
  }
  return allowed & orders;
}

/** include/linux/huge_mm.h: thp_vma_allowable_order(vma, vm_flags, type, order). @fidelity exact */
export function thp_vma_allowable_order(
  k: Kernel,
  vma: VmAreaStruct,
  vm_flags: number,
  type: TvaType,
  order = PMD_ORDER,
): boolean {
  return thp_vma_allowable_orders(k, vma, vm_flags, type, 1 << order) !== 0;
}

/** include/linux/huge_mm.h: thp_vma_suitable_order(vma, addr, order). @fidelity exact */
export function thp_vma_suitable_order(vma: VmAreaStruct, addr: number, order: number): boolean {
  const nr = 2 ** order;
  const size = nr * 4096;
  const haddr = addr - (addr % size);
  if (!vma_is_anonymous(vma) && (vma.vm_start / 4096 - vma.vm_pgoff) % nr !== 0) return false;
  if (vma_is_anonymous(vma) && (vma.vm_start / 4096 - vma.vm_pgoff) % nr !== 0) return false;
  return haddr >= vma.vm_start && haddr + size <= vma.vm_end;
}

/** include/linux/huge_mm.h: thp_vma_suitable_orders(vma, addr, orders). @fidelity exact */
export function thp_vma_suitable_orders(vma: VmAreaStruct, addr: number, orders: number): number {
  for (let order = 2; order <= PMD_ORDER; order++) {
    if ((orders & (1 << order)) !== 0 && !thp_vma_suitable_order(vma, addr, order))
      orders &= ~(1 << order);
  }
  return orders;
}

/** include/linux/huge_mm.h: is_huge_zero_pmd(pmd). @fidelity exact */
export function is_huge_zero_pmd(k: Kernel, pmd: number): boolean {
  return pmd_present(pmd) && is_huge_zero_pfn(k.mem, pmd_pfn(pmd));
}

/** mm/huge_memory.c: mm_get_huge_zero_folio(mm): the huge zero folio (allocated on first use), or -1. @fidelity simplified */
function mm_get_huge_zero_folio(k: Kernel, mm: mm_struct): number {
  const f = get_huge_zero_folio(k.mem);
  if (f >= 0) mm_flags_test_and_set(MMF_HUGE_ZERO_FOLIO, mm);
  return f;
}

/** A PTE table to deposit under a huge PMD (pte_alloc_one). @fidelity simplified (never fails) */
function pte_alloc_one(k: Kernel, mm: mm_struct): number {
  return k.pool.alloc_table(PGTABLE_LEVEL_PTE, mm.mm_id);
}

/** mm/huge_memory.c: map_anon_folio_pmd_pf(folio, pmd, vma, haddr) + deposit. @fidelity exact */
function map_anon_folio_pmd(
  k: Kernel,
  folio: number,
  pmdp: number,
  vma: VmAreaStruct,
  haddr: number,
  pgtable: number,
): void {
  const mm = vma_mm(vma);
  const entry = maybe_pmd_mkwrite(pmd_mkdirty(pmd_mkyoung(pfn_pmd(folio, vma.vm_page_prot))), vma);
  folio_add_new_anon_rmap(k, folio, vma, haddr, RMAP_EXCLUSIVE);
  folio_add_lru(k, folio);
  pgtable_trans_huge_deposit(k.pool, pmdp, pgtable);
  k.pool.set(pmdp, entry);
  add_mm_counter(mm, MM_ANONPAGES, HPAGE_PMD_NR);
  mm_inc_nr_ptes(mm);
  count_vm_event(k, 'THP_FAULT_ALLOC');
}

/** mm/huge_memory.c: vma_alloc_anon_folio_pmd(vma, addr): a zeroed PMD-order folio, or -1. @fidelity simplified */
function vma_alloc_anon_folio_pmd(k: Kernel, vma: VmAreaStruct): number {
  const folio = folio_alloc(
    k.mem,
    vma_thp_gfp_mask(vma) | __GFP_ZERO,
    PMD_ORDER,
    current_pflags(k),
  );
  if (folio < 0) {
    count_vm_event(k, 'THP_FAULT_FALLBACK');
    return -1;
  }
  folio_mark_uptodate(k.mem, folio);
  return folio;
}

/**
 * mm/huge_memory.c: do_huge_pmd_anonymous_page(vmf): map a new THP (write) or the huge zero
 * folio (read) with one PMD; VM_FAULT_FALLBACK to use PTEs.
 * @fidelity exact
 */
export function* do_huge_pmd_anonymous_page(vmf: vm_fault): Sched<vm_fault_t> {
  const vma = vmf.vma;
  const mm = vma_mm(vma);
  const k = mm.k;
  const haddr = vmf.address - (vmf.address % PMD_SIZE);
  if (!thp_vma_suitable_order(vma, haddr, PMD_ORDER)) return VM_FAULT_FALLBACK;
  const ret = vmf_anon_prepare(k, vmf);
  if (ret !== 0) return ret;
  if (
    (vmf.flags & FAULT_FLAG_WRITE) === 0 &&
    !mm_forbids_zeropage(mm) &&
    mmState(k).thpUseZeroPage
  ) {
    const zero = mm_get_huge_zero_folio(k, mm);
    if (zero < 0) {
      count_vm_event(k, 'THP_FAULT_FALLBACK');
      return VM_FAULT_FALLBACK;
    }
    const pgtable = pte_alloc_one(k, mm);
    const ptl = yield* pmd_lock(mm, vmf.pmd);
    const uffd = pmd_none(k.pool.get(vmf.pmd)) && userfaultfd_missing(vma);
    if (pmd_none(k.pool.get(vmf.pmd)) && !uffd) {
      pgtable_trans_huge_deposit(k.pool, vmf.pmd, pgtable);
      k.pool.set(vmf.pmd, pmd_mkspecial(pfn_pmd(zero, vma.vm_page_prot)));
      mm_inc_nr_ptes(mm);
    } else {
      k.pool.free_table(pgtable);
    }
    yield* pmd_unlock(ptl);
    return uffd ? yield* handle_userfault(vmf, VM_UFFD_MISSING) : 0;
  }
  const folio = vma_alloc_anon_folio_pmd(k, vma);
  if (folio < 0) return VM_FAULT_FALLBACK;
  const pgtable = pte_alloc_one(k, mm);
  const ptl = yield* pmd_lock(mm, vmf.pmd);
  if (!pmd_none(k.pool.get(vmf.pmd)) || userfaultfd_missing(vma)) {
    const uffd = pmd_none(k.pool.get(vmf.pmd));
    yield* pmd_unlock(ptl);
    k.pool.free_table(pgtable);
    folio_put(k.mem, folio);
    return uffd ? yield* handle_userfault(vmf, VM_UFFD_MISSING) : 0;
  }
  map_anon_folio_pmd(k, folio, vmf.pmd, vma, haddr, pgtable);
  yield* pmd_unlock(ptl);
  return 0;
}

/** mm/memory.c: create_huge_pmd(vmf). @fidelity exact */
export function* create_huge_pmd(vmf: vm_fault): Sched<vm_fault_t> {
  if (vma_is_anonymous(vmf.vma)) return yield* do_huge_pmd_anonymous_page(vmf);
  const f = vma_file(vmf.vma);
  const hook = f?.vm_ops.huge_fault;
  if (hook !== undefined) return yield* hook.call(f!.vm_ops, vmf, PMD_ORDER);
  return VM_FAULT_FALLBACK;
}

/** mm/huge_memory.c: huge_pmd_set_accessed(vmf) (touch_pmd). @fidelity exact */
export function* huge_pmd_set_accessed(vmf: vm_fault): Sched<void> {
  const mm = vma_mm(vmf.vma);
  const ptl = yield* pmd_lock(mm, vmf.pmd);
  const pool = mm.k.pool;
  if (pool.get(vmf.pmd) === vmf.orig_pmd) {
    let e = pmd_mkyoung(vmf.orig_pmd);
    if ((vmf.flags & FAULT_FLAG_WRITE) !== 0) e = pmd_mkdirty(e);
    if (e !== vmf.orig_pmd) pool.set(vmf.pmd, e);
  }
  yield* pmd_unlock(ptl);
}

/** mm/huge_memory.c: do_huge_zero_wp_pmd(vmf): replace the huge zero PMD by a new THP. @fidelity exact */
function* do_huge_zero_wp_pmd(vmf: vm_fault): Sched<vm_fault_t> {
  const vma = vmf.vma;
  const mm = vma_mm(vma);
  const k = mm.k;
  const haddr = vmf.address - (vmf.address % PMD_SIZE);
  const folio = vma_alloc_anon_folio_pmd(k, vma);
  if (folio < 0) return VM_FAULT_FALLBACK;
  const ptl = yield* pmd_lock(mm, vmf.pmd);
  if (k.pool.get(vmf.pmd) !== vmf.orig_pmd) {
    folio_put(k.mem, folio);
  } else {
    k.pool.set(vmf.pmd, 0); // pmdp_huge_clear_flush; the deposited table stays
    const pgtable = pgtable_trans_huge_withdraw(k.pool, vmf.pmd);
    mm_dec_nr_ptes(mm);
    map_anon_folio_pmd(k, folio, vmf.pmd, vma, haddr, pgtable);
  }
  yield* pmd_unlock(ptl);
  return 0;
}

function traceHugeCow(
  k: Kernel,
  vmf: vm_fault,
  action: 'reuse' | 'copy',
  reason: string,
  folio: number,
): void {
  if (!k.m.trace.enabled) return;
  k.m.emit(
    'mm.cow',
    {
      mm: vmf.vma.vm_mm.mm_id,
      address: vmf.address,
      action,
      unshare: (vmf.flags & FAULT_FLAG_UNSHARE) !== 0,
      reason,
      old: folio,
      new: folio,
    },
    'mm/huge_memory.c: do_huge_pmd_wp_page',
  );
}

/**
 * mm/huge_memory.c: do_huge_pmd_wp_page(vmf): reuse the THP when its head is PageAnonExclusive
 * or it has no other reference; otherwise split the PMD and let the PTE fault path COW one page
 * (VM_FAULT_FALLBACK).
 * @fidelity exact
 */
export function* do_huge_pmd_wp_page(vmf: vm_fault): Sched<vm_fault_t> {
  const unshare = (vmf.flags & FAULT_FLAG_UNSHARE) !== 0;
  const vma = vmf.vma;
  const mm = vma_mm(vma);
  const k = mm.k;
  const pool = k.pool;
  const orig_pmd = vmf.orig_pmd;
  if (is_huge_zero_pmd(k, orig_pmd)) {
    const ret = yield* do_huge_zero_wp_pmd(vmf);
    if ((ret & VM_FAULT_FALLBACK) === 0) return ret;
    yield* __split_huge_pmd(vma, vmf.pmd, vmf.address, false);
    return VM_FAULT_FALLBACK;
  }
  const folio = pmd_pfn(orig_pmd);
  const ptl = pmd_lockptr(mm, vmf.pmd);
  yield* ptl_lock(ptl, 0, pteObj(vmf.pmd), Access.Write, folioObj(folio));
  if (pool.get(vmf.pmd) !== orig_pmd) {
    yield* ptl_unlock(ptl);
    return 0;
  }
  let reuse = PageAnonExclusive(k.mem, folio);
  let reason = 'PageAnonExclusive';
  if (!reuse) {
    if (!(yield* folio_trylock(k, folio))) {
      folio_get(k.mem, folio);
      yield* ptl_unlock(ptl);
      yield* folio_lock(k, folio);
      yield* ptl_lock(ptl, 0, pteObj(vmf.pmd), Access.Write, folioObj(folio));
      if (pool.get(vmf.pmd) !== orig_pmd) {
        yield* ptl_unlock(ptl);
        yield* folio_unlock(k, folio);
        folio_put(k.mem, folio);
        return 0;
      }
      folio_put(k.mem, folio);
    }
    if (PageAnonExclusive(k.mem, folio)) {
      reuse = true;
    } else if (
      folio_ref_count(k.mem, folio) <=
      1 + (folio_test_swapcache(k.mem, folio) ? HPAGE_PMD_NR : 0)
    ) {
      if (folio_test_swapcache(k.mem, folio)) folio_free_swap(k, folio);
      if (folio_ref_count(k.mem, folio) === 1) {
        folio_move_anon_rmap(k, folio, vma);
        SetPageAnonExclusive(k.mem, folio);
        reuse = true;
        reason = 'sole reference';
      }
    }
    if (!reuse) reason = `refcount ${folio_ref_count(k.mem, folio)} > 1`;
    yield* folio_unlock(k, folio);
  }
  if (reuse) {
    traceHugeCow(k, vmf, 'reuse', reason, folio);
    if (!unshare) {
      const entry = maybe_pmd_mkwrite(pmd_mkdirty(pmd_mkyoung(orig_pmd)), vma);
      if (!mm_solo(k.m)) yield k.m.at('pmdp_set_access_flags', pteObj(vmf.pmd), Access.Write);
      pool.set(vmf.pmd, entry);
    }
    yield* ptl_unlock(ptl);
    // quirk dirty-cow: before v6.1 a write fault resolved here also answered VM_FAULT_WRITE
    return !unshare && k.m.quirk('dirty-cow') ? VM_FAULT_WRITE : 0;
  }
  traceHugeCow(k, vmf, 'copy', `${reason}: split the PMD, COW on PTEs`, folio);
  yield* ptl_unlock(ptl);
  yield* __split_huge_pmd(vma, vmf.pmd, vmf.address, false);
  return VM_FAULT_FALLBACK;
}

/** mm/memory.c: wp_huge_pmd(vmf). @fidelity exact */
export function* wp_huge_pmd(vmf: vm_fault): Sched<vm_fault_t> {
  const vma = vmf.vma;
  if (vma_is_anonymous(vma)) {
    if ((vmf.flags & FAULT_FLAG_UNSHARE) === 0 && userfaultfd_wp(vma) && pmd_uffd_wp(vmf.orig_pmd))
      return yield* handle_userfault(vmf, VM_UFFD_WP);
    return yield* do_huge_pmd_wp_page(vmf);
  }
  if ((vma.vm_flags & (VM_SHARED | VM_MAYSHARE)) !== 0) {
    const f = vma_file(vma);
    const hook = f?.vm_ops.huge_fault;
    if (hook !== undefined) {
      const ret = yield* hook.call(f!.vm_ops, vmf, PMD_ORDER);
      if ((ret & VM_FAULT_FALLBACK) === 0) return ret;
    }
  }
  yield* __split_huge_pmd(vma, vmf.pmd, vmf.address, false);
  return VM_FAULT_FALLBACK;
}

/**
 * mm/huge_memory.c: copy_huge_pmd(dst_mm, src_mm, dst_pmd, src_pmd, addr, dst_vma, src_vma):
 * share an anonymous THP with the child (both PMDs write-protected), or, when the folio may be
 * pinned, split the source PMD and return -EAGAIN so copy_pte_range copies page by page.
 * @fidelity exact
 */
export function* copy_huge_pmd(
  dst_mm: mm_struct,
  src_mm: mm_struct,
  dst_pmd: number,
  src_pmd: number,
  addr: number,
  dst_vma: VmAreaStruct,
  src_vma: VmAreaStruct,
): Sched<number> {
  const k = src_mm.k;
  const pool = k.pool;
  if (!vma_is_anonymous(dst_vma)) return 0;
  const pgtable = pte_alloc_one(k, dst_mm);
  const dst_ptl = yield* pmd_lock(dst_mm, dst_pmd);
  const src_ptl = pmd_lockptr(src_mm, src_pmd);
  const pmd = pool.get(src_pmd);
  yield* ptl_lock(
    src_ptl,
    1,
    pteObj(src_pmd),
    Access.Write,
    pmd_trans_huge(pmd) ? folioObj(pmd_pfn(pmd)) : undefined,
    mmFlagsObj(src_mm.mm_id), // read: MMF_HAS_PINNED (folio_needs_cow_for_dma)
  );
  const ret = copy_huge_pmd_locked(dst_mm, dst_pmd, src_pmd, dst_vma, src_vma, pgtable);
  if (ret === COPY_PMD_SPLIT) {
    yield* ptl_unlock(src_ptl);
    yield* pmd_unlock(dst_ptl);
    yield* __split_huge_pmd(src_vma, src_pmd, addr, false);
    return -EAGAIN;
  }
  yield* ptl_unlock(src_ptl);
  yield* pmd_unlock(dst_ptl);
  return ret;
}

/** copy_huge_pmd_solo: the caller must run copy_huge_pmd (the generator) instead. */
export const COPY_PMD_NOT_SOLO = 1;
/** copy_huge_pmd_solo: the folio may be pinned: split the source PMD (__split_huge_pmd), then -EAGAIN. */
export const COPY_PMD_SPLIT = 2;

/**
 * copy_huge_pmd for a caller that runs alone (solo.ts: mm_solo) with both PMD locks free: the
 * same steps as copy_huge_pmd with the lock acquisitions taken as plain calls (no scheduling
 * point is elided that copy_huge_pmd would not elide too). Returns COPY_PMD_NOT_SOLO, having
 * done nothing, when the generator must run; COPY_PMD_SPLIT when copy_huge_pmd would go on to
 * split the source PMD (the caller does __split_huge_pmd and treats it as -EAGAIN); else what
 * copy_huge_pmd returns.
 * @fidelity custom
 */
export function copy_huge_pmd_solo(
  dst_mm: mm_struct,
  src_mm: mm_struct,
  dst_pmd: number,
  src_pmd: number,
  dst_vma: VmAreaStruct,
  src_vma: VmAreaStruct,
): number {
  if (!vma_is_anonymous(dst_vma)) return 0;
  const k = src_mm.k;
  if (!mm_solo(k.m)) return COPY_PMD_NOT_SOLO;
  // The locks are made in copy_huge_pmd's order (pmd_lock(dst), then pmd_lockptr(src)).
  const dst_ptl = pmd_lockptr(dst_mm, dst_pmd);
  const src_ptl = pmd_lockptr(src_mm, src_pmd);
  if (dst_ptl.owner !== null || src_ptl.owner !== null) return COPY_PMD_NOT_SOLO;
  const pgtable = pte_alloc_one(k, dst_mm);
  solo_spin_lock(dst_ptl);
  solo_spin_lock(src_ptl, 1);
  const ret = copy_huge_pmd_locked(dst_mm, dst_pmd, src_pmd, dst_vma, src_vma, pgtable);
  solo_spin_unlock(src_ptl);
  solo_spin_unlock(dst_ptl);
  return ret;
}

/**
 * The critical section of copy_huge_pmd, both PMD locks held: share the THP (both PMDs
 * write-protected, the deposited table, the counters), free the preallocated table when the
 * source is no longer a huge PMD (-EAGAIN), or return COPY_PMD_SPLIT, with the table freed and
 * no reference kept, when folio_try_dup_anon_rmap_pmd refuses (the folio may be pinned).
 * @fidelity exact
 */
function copy_huge_pmd_locked(
  dst_mm: mm_struct,
  dst_pmd: number,
  src_pmd: number,
  dst_vma: VmAreaStruct,
  src_vma: VmAreaStruct,
  pgtable: number,
): number {
  const k = dst_mm.k;
  const pool = k.pool;
  let pmd = pool.get(src_pmd);
  if (is_pmd_migration_entry(pmd)) {
    throw new Error('copy_huge_pmd: PMD migration entries are not created by this model');
  }
  if (!pmd_trans_huge(pmd)) {
    pool.free_table(pgtable);
    return -EAGAIN;
  }
  if (!is_huge_zero_pmd(k, pmd)) {
    const folio = pmd_pfn(pmd);
    folio_get(k.mem, folio);
    if (folio_try_dup_anon_rmap_pmd(k, folio, folio, dst_vma, src_vma) !== 0) {
      folio_put(k.mem, folio);
      pool.free_table(pgtable);
      return COPY_PMD_SPLIT;
    }
    add_mm_counter(dst_mm, MM_ANONPAGES, HPAGE_PMD_NR);
  }
  mm_inc_nr_ptes(dst_mm);
  pgtable_trans_huge_deposit(pool, dst_pmd, pgtable);
  pool.set(src_pmd, pmd_wrprotect(pmd)); // pmdp_set_wrprotect
  if (!userfaultfd_wp(dst_vma)) pmd = pmd_clear_uffd_wp(pmd);
  pool.set(dst_pmd, pmd_mkold(pmd_wrprotect(pmd)));
  return 0;
}

/**
 * mm/huge_memory.c: zap_huge_pmd(tlb, vma, pmd, addr): clear a huge PMD, free its deposited
 * table, remove the rmap and hand the folio to the mmu_gather. 1 when zapped.
 * @fidelity simplified (no DAX, no PMD migration entries)
 */
export function* zap_huge_pmd(tlb: mmu_gather, vma: VmAreaStruct, pmdp: number): Sched<number> {
  const mm = vma_mm(vma);
  const k = mm.k;
  const pool = k.pool;
  const cur = pool.get(pmdp);
  const ptl = pmd_lockptr(mm, pmdp);
  yield* ptl_lock(
    ptl,
    0,
    pteObj(pmdp),
    Access.Write,
    pmd_trans_huge(cur) && !is_huge_zero_pmd(k, cur) ? folioObj(pmd_pfn(cur)) : undefined,
  );
  const orig = pool.get(pmdp);
  if (!pmd_trans_huge(orig)) {
    yield* ptl_unlock(ptl);
    return 0;
  }
  pool.set(pmdp, 0);
  const table = pgtable_trans_huge_withdraw(pool, pmdp);
  if (table >= 0) {
    pool.free_table(table);
    mm_dec_nr_ptes(mm);
  }
  if (!is_huge_zero_pmd(k, orig)) {
    const folio = pmd_pfn(orig);
    folio_remove_rmap_pmd(k, folio, folio, vma);
    add_mm_counter(
      mm,
      folio_test_anon(k.mem, folio) ? MM_ANONPAGES : mm_counter_file(k.mem, folio),
      -HPAGE_PMD_NR,
    );
    if (pmd_dirty(orig)) folio_set_dirty(k.mem, folio);
    tlb_remove_folio(tlb, folio, 1);
  }
  yield* ptl_unlock(ptl);
  return 1;
}
