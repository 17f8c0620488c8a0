/**
 * Anonymous faults on a missing PTE: mm/memory.c (v6.18) do_anonymous_page, alloc_anon_folio
 * (mTHP: PTE-mapped large folios of the enabled orders), map_anon_folio_pte_nopf/_pf and
 * vmf_anon_prepare. A read fault maps the shared zero page (special, read-only); a write fault
 * maps a new zeroed, exclusive, writable page.
 */
import { my_zero_pfn } from '../../mm/anon.js';
import { folio_nr_pages, folio_order, folio_ref_add } from '../../mm/folio.js';
import { GFP_TRANSHUGE, GFP_TRANSHUGE_LIGHT, __GFP_ZERO } from '../../mm/gfp.js';
import { addr_to_vpn, pte_index, PAGE_SIZE } from '../../mm/layout.js';
import { MM_ANONPAGES, add_mm_counter } from '../../mm/mm_types.js';
import { folio_alloc } from '../../mm/page_alloc.js';
import { folio_put } from '../../mm/page_free.js';
import { folio_mark_uptodate } from '../../mm/page_flags.js';
import { table_ptr } from '../../mm/pgtable.js';
import {
  entry_table,
  pfn_pte,
  pmd_none,
  pte_mkdirty,
  pte_mkspecial,
  pte_mkuffd_wp,
  pte_mkwrite,
  pte_mkyoung,
  pte_none,
} from '../../mm/pgtable_types.js';
import { pte_alloc } from '../../mm/pgtable_walk.js';
import { is_pte_marker } from '../../mm/swapops.js';
import type { VmAreaStruct } from '../../mm/vma.js';
import type { Sched } from '../../sim/thread.js';
import {
  FAULT_FLAG_ORIG_PTE_VALID,
  FAULT_FLAG_WRITE,
  VM_FAULT_OOM,
  VM_FAULT_SIGBUS,
} from '../include/fault_flags.js';
import { VM_HUGEPAGE, VM_SHARED, VM_UFFD_MISSING, VM_WRITE } from '../include/vm_flags.js';
import { handle_userfault } from '../fs/userfaultfd.js';
import type { Kernel } from '../kernel.js';
import { thp_vma_allowable_orders, thp_vma_suitable_orders } from './huge_memory.js';
import {
  current_pflags,
  folio_add_lru,
  folio_prealloc,
  mm_forbids_zeropage,
  userfaultfd_armed,
  userfaultfd_missing,
  userfaultfd_wp,
  vma_mm,
} from './internal.js';
import { count_vm_event } from './mm_state.js';
import type { vm_fault, vm_fault_t } from './mm_types.js';
import { pte_offset_map, pte_offset_map_lock, pte_unmap_unlock } from './pgtable_generic.js';
import { RMAP_EXCLUSIVE, anon_vma_prepare, folio_add_new_anon_rmap } from './rmap.js';
import type { mm_struct } from './mm_struct.js';
import { mm_solo, solo_spin_lock, solo_spin_unlock } from './solo.js';

/** mm/memory.c: vmf_pte_changed(vmf): the PTE is no longer what the fault saw. @fidelity exact */
export function vmf_pte_changed(k: Kernel, vmf: vm_fault): boolean {
  const pte = k.pool.get(vmf.pte);
  if ((vmf.flags & FAULT_FLAG_ORIG_PTE_VALID) !== 0) return pte !== vmf.orig_pte;
  return !pte_none(pte);
}

/** mm/memory.c: vmf_orig_pte_uffd_wp(vmf): the original PTE was a uffd-wp marker. @fidelity exact */
export function vmf_orig_pte_uffd_wp(vmf: vm_fault): boolean {
  if (!userfaultfd_wp(vmf.vma)) return false;
  if ((vmf.flags & FAULT_FLAG_ORIG_PTE_VALID) === 0) return false;
  return is_pte_marker(vmf.orig_pte);
}

/** mm/memory.c: vmf_anon_prepare(vmf) (no per-VMA lock: anon_vma_prepare). @fidelity simplified */
export function vmf_anon_prepare(k: Kernel, vmf: vm_fault): vm_fault_t {
  return anon_vma_prepare(k, vmf.vma) === 0 ? 0 : VM_FAULT_OOM;
}

/** mm/memory.c: pte_range_none(pte, nr_pages). @fidelity exact */
function pte_range_none(k: Kernel, ptep: number, nr: number): boolean {
  for (let i = 0; i < nr; i++) if (!pte_none(k.pool.get(ptep + i))) return false;
  return true;
}

/** mm/huge_memory.c: vma_thp_gfp_mask(vma) (defrag "madvise", the default). @fidelity simplified */
export function vma_thp_gfp_mask(vma: VmAreaStruct): number {
  return (vma.vm_flags & VM_HUGEPAGE) !== 0 ? GFP_TRANSHUGE : GFP_TRANSHUGE_LIGHT;
}

/**
 * mm/memory.c: alloc_anon_folio(vmf): the largest enabled mTHP order (below the PMD order) whose
 * aligned range is all none and fits the VMA, else an order-0 zeroed folio. -1 on OOM, -2 when
 * the page table vanished (ERR_PTR(-EAGAIN)).
 * @fidelity simplified (no memcg, no mempolicy)
 */
function* alloc_anon_folio(k: Kernel, vmf: vm_fault): Sched<number> {
  const vma = vmf.vma;
  let orders = 0;
  if (!userfaultfd_armed(vma)) {
    orders = thp_vma_allowable_orders(k, vma, vma.vm_flags, 'pagefault', (1 << 9) - 1);
    orders = thp_vma_suitable_orders(vma, vmf.address, orders);
  }
  if (orders !== 0 && !mm_solo(k.m)) yield k.m.point('alloc_anon_folio');
  return alloc_anon_folio_orders(k, vmf, orders);
}

/** alloc_anon_folio after its scheduling point (the orders the VMA allows at this address). */
function alloc_anon_folio_orders(k: Kernel, vmf: vm_fault, orders: number): number {
  const vma = vmf.vma;
  if (orders !== 0) {
    const pmd = k.pool.get(vmf.pmd);
    if (pmd_none(pmd)) return -2;
    const base = table_ptr(entry_table(pmd), 0);
    const vpn = addr_to_vpn(vmf.address);
    for (let order = 8; order >= 2; order--) {
      if ((orders & (1 << order)) === 0) continue;
      const start = pte_index(vpn - (vpn % (1 << order)));
      if (!pte_range_none(k, base + start, 1 << order)) orders &= ~(1 << order);
    }
    for (let order = 8; order >= 2; order--) {
      if ((orders & (1 << order)) === 0) continue;
      const folio = folio_alloc(
        k.mem,
        vma_thp_gfp_mask(vma) | __GFP_ZERO,
        order,
        current_pflags(k),
      );
      if (folio >= 0) return folio;
      count_vm_event(k, `MTHP_ANON_FAULT_FALLBACK_${order}`);
    }
  }
  return folio_prealloc(k, true);
}

/** alloc_anon_folio for a caller that runs alone: the same choice, without the scheduling point. */
function alloc_anon_folio_solo(k: Kernel, vmf: vm_fault): number {
  const vma = vmf.vma;
  let orders = 0;
  if (!userfaultfd_armed(vma)) {
    orders = thp_vma_allowable_orders(k, vma, vma.vm_flags, 'pagefault', (1 << 9) - 1);
    orders = thp_vma_suitable_orders(vma, vmf.address, orders);
  }
  return alloc_anon_folio_orders(k, vmf, orders);
}

/** Any mTHP order enabled at all for this VMA (skips the order search otherwise). @fidelity custom */
function mthpPossible(k: Kernel, vma: VmAreaStruct): boolean {
  return thp_vma_allowable_orders(k, vma, vma.vm_flags, 'pagefault', (1 << 9) - 1) !== 0;
}

/** mm/memory.c: map_anon_folio_pte_nopf(folio, pte, vma, addr, uffd_wp). @fidelity exact */
export function map_anon_folio_pte_nopf(
  k: Kernel,
  folio: number,
  ptep: number,
  vma: VmAreaStruct,
  addr: number,
  uffd_wp: boolean,
): void {
  const nr = folio_nr_pages(k.mem, folio);
  let entry = pte_mkyoung(pfn_pte(folio, vma.vm_page_prot));
  if ((vma.vm_flags & VM_WRITE) !== 0) entry = pte_mkwrite(pte_mkdirty(entry));
  if (uffd_wp) entry = pte_mkuffd_wp(entry);
  folio_ref_add(k.mem, folio, nr - 1);
  folio_add_new_anon_rmap(k, folio, vma, addr, RMAP_EXCLUSIVE);
  folio_add_lru(k, folio);
  for (let i = 0; i < nr; i++) k.pool.set(ptep + i, entry + i * PAGE_SIZE);
}

/**
 * mm/memory.c: do_anonymous_page(vmf): a missing PTE in an anonymous VMA.
 * @fidelity exact
 */
export function* do_anonymous_page(vmf: vm_fault): Sched<vm_fault_t> {
  const vma = vmf.vma;
  const mm = vma_mm(vma);
  const k = mm.k;
  if ((vma.vm_flags & VM_SHARED) !== 0) return VM_FAULT_SIGBUS;
  pte_alloc(k.pool, mm, vmf.pmd);
  if ((vmf.flags & FAULT_FLAG_WRITE) === 0 && !mm_forbids_zeropage(mm)) {
    let entry = pte_mkspecial(pfn_pte(my_zero_pfn(k.mem), vma.vm_page_prot));
    vmf.pte = yield* pte_offset_map_lock(mm, vmf.pmd, addr_to_vpn(vmf.address), vmf);
    if (vmf.pte < 0) return 0;
    if (!vmf_pte_changed(k, vmf)) {
      if (userfaultfd_missing(vma)) {
        yield* pte_unmap_unlock(vmf);
        return yield* handle_userfault(vmf, VM_UFFD_MISSING);
      }
      if (vmf_orig_pte_uffd_wp(vmf)) entry = pte_mkuffd_wp(entry);
      k.pool.set(vmf.pte, entry);
    }
    yield* pte_unmap_unlock(vmf);
    return 0;
  }
  const ret = vmf_anon_prepare(k, vmf);
  if (ret !== 0) return ret;
  const folio = mthpPossible(k, vma) ? yield* alloc_anon_folio(k, vmf) : folio_prealloc(k, true);
  if (folio === -2) return 0;
  if (folio < 0) return VM_FAULT_OOM;
  const nr = folio_nr_pages(k.mem, folio);
  const addr = vmf.address - (vmf.address % (nr * PAGE_SIZE));
  folio_mark_uptodate(k.mem, folio);
  vmf.pte = yield* pte_offset_map_lock(mm, vmf.pmd, addr_to_vpn(addr), vmf);
  if (vmf.pte < 0) {
    folio_put(k.mem, folio);
    return 0;
  }
  if (nr > 1 && !mm_solo(k.m)) yield k.m.point('set_ptes');
  if ((nr === 1 && vmf_pte_changed(k, vmf)) || (nr > 1 && !pte_range_none(k, vmf.pte, nr))) {
    yield* pte_unmap_unlock(vmf);
    folio_put(k.mem, folio);
    return 0;
  }
  if (userfaultfd_missing(vma)) {
    yield* pte_unmap_unlock(vmf);
    folio_put(k.mem, folio);
    return yield* handle_userfault(vmf, VM_UFFD_MISSING);
  }
  map_anon_folio_pte_nopf(k, folio, vmf.pte, vma, addr, vmf_orig_pte_uffd_wp(vmf));
  add_mm_counter(mm, MM_ANONPAGES, nr);
  if (nr > 1) count_vm_event(k, `MTHP_ANON_FAULT_ALLOC_${folio_order(k.mem, folio)}`);
  yield* pte_unmap_unlock(vmf);
  return 0;
}

/**
 * do_anonymous_page for a faulting thread that runs alone and holds no lock (see
 * memory.ts: handle_mm_fault_solo), in a VMA without userfaultfd MISSING registration: the same
 * steps as do_anonymous_page, with the PTE lock taken and released as plain calls (it is free:
 * only the caller could hold it) and no generator frames. Its scheduling points are the ones
 * do_anonymous_page elides when alone.
 * @fidelity custom
 */
export function do_anonymous_page_solo(vmf: vm_fault): vm_fault_t {
  const vma = vmf.vma;
  const mm = vma_mm(vma);
  const k = mm.k;
  const pool = k.pool;
  if ((vma.vm_flags & VM_SHARED) !== 0) return VM_FAULT_SIGBUS;
  pte_alloc(pool, mm, vmf.pmd);
  if ((vmf.flags & FAULT_FLAG_WRITE) === 0 && !mm_forbids_zeropage(mm)) {
    let entry = pte_mkspecial(pfn_pte(my_zero_pfn(k.mem), vma.vm_page_prot));
    vmf.pte = pte_offset_map_lock_solo(mm, vmf.pmd, addr_to_vpn(vmf.address), vmf);
    if (vmf.pte < 0) return 0;
    if (!vmf_pte_changed(k, vmf)) {
      if (vmf_orig_pte_uffd_wp(vmf)) entry = pte_mkuffd_wp(entry);
      pool.set(vmf.pte, entry);
    }
    pte_unmap_unlock_solo(vmf);
    return 0;
  }
  const ret = vmf_anon_prepare(k, vmf);
  if (ret !== 0) return ret;
  const folio = mthpPossible(k, vma) ? alloc_anon_folio_solo(k, vmf) : folio_prealloc(k, true);
  if (folio === -2) return 0;
  if (folio < 0) return VM_FAULT_OOM;
  const nr = folio_nr_pages(k.mem, folio);
  const addr = vmf.address - (vmf.address % (nr * PAGE_SIZE));
  folio_mark_uptodate(k.mem, folio);
  vmf.pte = pte_offset_map_lock_solo(mm, vmf.pmd, addr_to_vpn(addr), vmf);
  if (vmf.pte < 0) {
    folio_put(k.mem, folio);
    return 0;
  }
  if ((nr === 1 && vmf_pte_changed(k, vmf)) || (nr > 1 && !pte_range_none(k, vmf.pte, nr))) {
    pte_unmap_unlock_solo(vmf);
    folio_put(k.mem, folio);
    return 0;
  }
  map_anon_folio_pte_nopf(k, folio, vmf.pte, vma, addr, vmf_orig_pte_uffd_wp(vmf));
  add_mm_counter(mm, MM_ANONPAGES, nr);
  if (nr > 1) count_vm_event(k, `MTHP_ANON_FAULT_ALLOC_${folio_order(k.mem, folio)}`);
  pte_unmap_unlock_solo(vmf);
  return 0;
}

/** pte_offset_map_lock when the PTE lock is known to be free and the caller runs alone. */
function pte_offset_map_lock_solo(mm: mm_struct, pmdp: number, vpn: number, vmf: vm_fault): number {
  const pool = mm.k.pool;
  const ptep = pte_offset_map(pool, pmdp, vpn);
  if (ptep < 0) return -1;
  const ptl = mm.ptlock(entry_table(pool.get(pmdp)));
  if (!solo_spin_lock(ptl)) throw new Error('do_anonymous_page_solo: the PTE lock is not free');
  vmf.ptl = ptl;
  return ptep;
}

/** pte_unmap_unlock when the caller runs alone. */
function pte_unmap_unlock_solo(vmf: vm_fault): void {
  const ptl = vmf.ptl;
  if (ptl === null) throw new Error('pte_unmap_unlock without a page-table lock');
  vmf.ptl = null;
  if (!solo_spin_unlock(ptl)) throw new Error('do_anonymous_page_solo: not alone');
}
