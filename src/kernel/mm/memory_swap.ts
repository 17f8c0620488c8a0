/**
 * Faults on non-present, non-none PTEs: mm/memory.c (v6.18) do_swap_page, handle_pte_marker and
 * mm/migrate.c migration_entry_wait. A swap entry is read back through the swap layer's hook
 * (swap.ts); the swap PTE's exclusive bit (pte_swp_exclusive) restores PageAnonExclusive, so an
 * exclusive page comes back writable without a COW, and a shared one comes back read-only.
 * @fidelity simplified: order-0 swap-in only (no large-folio swap-in), no KSM copy, no device
 * private or device-exclusive entries (VM_FAULT_SIGBUS), no SWP_STABLE_WRITES backends.
 */
import { PageAnonExclusive } from '../../mm/anon.js';
import { page_folio } from '../../mm/folio.js';
import { addr_to_vpn } from '../../mm/layout.js';
import { MM_ANONPAGES, MM_SWAPENTS, add_mm_counter } from '../../mm/mm_types.js';
import { folio_put } from '../../mm/page_free.js';
import {
  PageHWPoison,
  folio_test_anon,
  folio_test_swapcache,
  folio_test_uptodate,
} from '../../mm/page_flags.js';
import {
  pfn_pte,
  pte_mkdirty,
  pte_mksoft_dirty,
  pte_mkuffd_wp,
  pte_mkwrite,
  pte_write,
} from '../../mm/pgtable_types.js';
import {
  PTE_MARKER_GUARD,
  PTE_MARKER_POISONED,
  PTE_MARKER_UFFD_WP,
  is_hwpoison_entry,
  is_migration_entry,
  is_pte_marker_entry,
  non_swap_entry,
  pte_marker_get,
  pte_swp_exclusive,
  pte_swp_soft_dirty,
  pte_swp_uffd_wp,
  pte_to_swp_entry,
  swp_offset_pfn,
} from '../../mm/swapops.js';
import { Access } from '../../sim/footprint.js';
import type { Sched } from '../../sim/thread.js';
import {
  FAULT_FLAG_WRITE,
  VM_FAULT_ERROR,
  VM_FAULT_HWPOISON,
  VM_FAULT_MAJOR,
  VM_FAULT_OOM,
  VM_FAULT_RETRY,
  VM_FAULT_SIGBUS,
  VM_FAULT_SIGSEGV,
} from '../include/fault_flags.js';
import { VM_LOCKED, VM_WRITE } from '../include/vm_flags.js';
import type { Kernel } from '../kernel.js';
import { folioObj } from '../objects.js';
import { folio_lock_or_retry, folio_unlock, folio_wait_locked } from './filemap.js';
import { pte_needs_soft_dirty_wp, userfaultfd_pte_wp, userfaultfd_wp, vma_mm } from './internal.js';
import { do_anonymous_page } from './memory_anon.js';
import { do_fault } from './memory_file.js';
import { do_wp_page } from './memory_wp.js';
import type { mm_struct } from './mm_struct.js';
import type { vm_fault, vm_fault_t } from './mm_types.js';
import { pte_offset_map_lock, pte_unmap_unlock, type PtlRef } from './pgtable_generic.js';
import {
  RMAP_EXCLUSIVE,
  RMAP_NONE,
  folio_add_anon_rmap_ptes,
  folio_add_new_anon_rmap,
} from './rmap.js';
import { folio_free_swap, swap_cache_get_folio, swap_free_nr, swapin_readahead } from './swap.js';
import { vma_is_anonymous } from '../../mm/vma.js';

/**
 * mm/migrate.c: migration_entry_wait(mm, pmd, address): if the PTE is still a migration entry,
 * wait until the migrating folio is unlocked (migration holds its lock), then let the fault
 * retry. The wait takes no reference (mm/filemap.c: migration_entry_wait_on_locked), so a
 * waiter never makes the migration it waits for fail its reference count check.
 * @fidelity exact
 */
export function* migration_entry_wait(mm: mm_struct, pmdp: number, address: number): Sched<void> {
  const k = mm.k;
  const ref: PtlRef = { ptl: null };
  const ptep = yield* pte_offset_map_lock(mm, pmdp, addr_to_vpn(address), ref, Access.Read);
  if (ptep < 0) return;
  const pte = k.pool.get(ptep);
  if (pte === 0 || (pte & 1) !== 0 || !is_migration_entry(pte_to_swp_entry(pte))) {
    yield* pte_unmap_unlock(ref);
    return;
  }
  const folio = page_folio(k.mem, swp_offset_pfn(pte_to_swp_entry(pte)));
  yield* pte_unmap_unlock(ref, folioObj(folio));
  yield* folio_wait_locked(k, folio);
}

/** mm/memory.c: pte_marker_clear(vmf). @fidelity exact */
function* pte_marker_clear(vmf: vm_fault): Sched<vm_fault_t> {
  const mm = vma_mm(vmf.vma);
  vmf.pte = yield* pte_offset_map_lock(mm, vmf.pmd, addr_to_vpn(vmf.address), vmf);
  if (vmf.pte < 0) return 0;
  if (mm.k.pool.get(vmf.pte) === vmf.orig_pte) mm.k.pool.set(vmf.pte, 0);
  yield* pte_unmap_unlock(vmf);
  return 0;
}

/** mm/memory.c: handle_pte_marker(vmf). @fidelity exact */
function* handle_pte_marker(vmf: vm_fault): Sched<vm_fault_t> {
  const marker = pte_marker_get(pte_to_swp_entry(vmf.orig_pte));
  if (marker === 0) return VM_FAULT_SIGBUS;
  if ((marker & PTE_MARKER_POISONED) !== 0) return VM_FAULT_HWPOISON;
  if ((marker & PTE_MARKER_GUARD) !== 0) return VM_FAULT_SIGSEGV;
  if ((marker & PTE_MARKER_UFFD_WP) !== 0) {
    if (!userfaultfd_wp(vmf.vma)) return yield* pte_marker_clear(vmf);
    return yield* vma_is_anonymous(vmf.vma) ? do_anonymous_page(vmf) : do_fault(vmf);
  }
  return VM_FAULT_SIGBUS;
}

/** mm/memory.c: should_try_to_free_swap(si, folio, vma, exclusive, fault_flags). @fidelity simplified */
function should_try_to_free_swap(
  k: Kernel,
  folio: number,
  vmf: vm_fault,
  exclusive: boolean,
): boolean {
  if (!folio_test_swapcache(k.mem, folio)) return false;
  if ((vmf.vma.vm_flags & VM_LOCKED) !== 0) return true;
  return (vmf.flags & FAULT_FLAG_WRITE) !== 0 && exclusive;
}

function* nonSwap(vmf: vm_fault, entry: number): Sched<vm_fault_t> {
  const mm = vma_mm(vmf.vma);
  if (is_migration_entry(entry)) {
    yield* migration_entry_wait(mm, vmf.pmd, vmf.address);
    return 0;
  }
  if (is_hwpoison_entry(entry)) return VM_FAULT_HWPOISON;
  if (is_pte_marker_entry(entry)) return yield* handle_pte_marker(vmf);
  return VM_FAULT_SIGBUS; // device private / exclusive entries are not modelled
}

/**
 * mm/memory.c: do_swap_page(vmf): bring a swapped-out anonymous page back (order 0).
 * @fidelity simplified (see the file comment)
 */
export function* do_swap_page(vmf: vm_fault): Sched<vm_fault_t> {
  const vma = vmf.vma;
  const mm = vma_mm(vma);
  const k = mm.k;
  const entry = pte_to_swp_entry(vmf.orig_pte);
  if (non_swap_entry(entry)) return yield* nonSwap(vmf, entry);
  let ret: vm_fault_t = 0;
  let folio = swap_cache_get_folio(k, entry);
  if (folio < 0) {
    folio = yield* swapin_readahead(k, entry, vmf);
    if (folio < 0) {
      vmf.pte = yield* pte_offset_map_lock(mm, vmf.pmd, addr_to_vpn(vmf.address), vmf);
      if (vmf.pte >= 0) {
        if (k.pool.get(vmf.pte) === vmf.orig_pte) ret = VM_FAULT_OOM;
        yield* pte_unmap_unlock(vmf);
      }
      return ret;
    }
    ret = VM_FAULT_MAJOR;
  }
  ret |= yield* folio_lock_or_retry(k, folio, vmf);
  if ((ret & VM_FAULT_RETRY) !== 0) {
    folio_put(k.mem, folio);
    return ret;
  }
  const page = folio;
  if (!folio_test_swapcache(k.mem, folio) || k.mem.priv[folio] !== entry)
    return yield* outPage(k, folio, ret);
  if (PageHWPoison(k.mem, page)) return yield* outPage(k, folio, VM_FAULT_HWPOISON);
  vmf.pte = yield* pte_offset_map_lock(
    mm,
    vmf.pmd,
    addr_to_vpn(vmf.address),
    vmf,
    Access.Write,
    folioObj(folio),
  );
  if (vmf.pte < 0 || k.pool.get(vmf.pte) !== vmf.orig_pte) return yield* outNomap(vmf, folio, ret);
  if (!folio_test_uptodate(k.mem, folio)) return yield* outNomap(vmf, folio, VM_FAULT_SIGBUS);
  if (folio_test_anon(k.mem, folio) && PageAnonExclusive(k.mem, page)) {
    throw new Error('BUG_ON: a swap PTE points at a PageAnonExclusive swapcache page');
  }
  const exclusive = pte_swp_exclusive(vmf.orig_pte);
  add_mm_counter(mm, MM_ANONPAGES, 1);
  add_mm_counter(mm, MM_SWAPENTS, -1);
  let pte = pfn_pte(page, vma.vm_page_prot);
  if (pte_swp_soft_dirty(vmf.orig_pte)) pte = pte_mksoft_dirty(pte);
  if (pte_swp_uffd_wp(vmf.orig_pte)) pte = pte_mkuffd_wp(pte);
  if (exclusive) {
    if (
      (vma.vm_flags & VM_WRITE) !== 0 &&
      !userfaultfd_pte_wp(vma, pte) &&
      !pte_needs_soft_dirty_wp(vma, pte)
    ) {
      pte = pte_mkwrite(pte);
      if ((vmf.flags & FAULT_FLAG_WRITE) !== 0) pte = pte_mkdirty(pte);
    }
  }
  vmf.orig_pte = pte;
  if (!folio_test_anon(k.mem, folio))
    folio_add_new_anon_rmap(k, folio, vma, vmf.address, exclusive ? RMAP_EXCLUSIVE : RMAP_NONE);
  else
    folio_add_anon_rmap_ptes(
      k,
      folio,
      page,
      1,
      vma,
      vmf.address,
      exclusive ? RMAP_EXCLUSIVE : RMAP_NONE,
    );
  swap_free_nr(k, entry, 1);
  if (pte_write(pte) && !PageAnonExclusive(k.mem, page))
    throw new Error('VM_BUG_ON: writable non-exclusive anon page');
  k.pool.set(vmf.pte, pte);
  if (should_try_to_free_swap(k, folio, vmf, exclusive)) folio_free_swap(k, folio);
  yield* folio_unlock(k, folio);
  if ((vmf.flags & FAULT_FLAG_WRITE) !== 0 && !pte_write(pte)) {
    ret |= yield* do_wp_page(vmf);
    if ((ret & VM_FAULT_ERROR) !== 0) ret &= VM_FAULT_ERROR;
    return ret;
  }
  yield* pte_unmap_unlock(vmf);
  return ret;
}

function* outNomap(vmf: vm_fault, folio: number, ret: vm_fault_t): Sched<vm_fault_t> {
  if (vmf.pte >= 0) yield* pte_unmap_unlock(vmf, folioObj(folio));
  return yield* outPage(vma_mm(vmf.vma).k, folio, ret);
}

function* outPage(k: Kernel, folio: number, ret: vm_fault_t): Sched<vm_fault_t> {
  if (folio_test_swapcache(k.mem, folio)) folio_free_swap(k, folio);
  yield* folio_unlock(k, folio);
  folio_put(k.mem, folio);
  return ret;
}
