/**
 * Write-protect faults: mm/memory.c (v6.18) do_wp_page and its helpers. A write (or a GUP
 * unshare, FAULT_FLAG_UNSHARE) to a present, non-writable PTE either reuses the page (private
 * mapping: the page is PageAnonExclusive, or wp_can_reuse_anon_folio proves it is; shared
 * mapping: always, after ->page_mkwrite) or copies it (wp_page_copy). Every decision is traced
 * as `mm.cow` with its reason.
 */
import { PageAnonExclusive, SetPageAnonExclusive, is_zero_pfn } from '../../mm/anon.js';
import {
  copy_highpage,
  folio_get,
  folio_ref_count,
  folio_test_large,
  page_folio,
} from '../../mm/folio.js';
import { PAGE_SIZE, addr_to_vpn } from '../../mm/layout.js';
import { folio_large_mapcount, folio_test_large_maybe_mapped_shared } from '../../mm/mapcount.js';
import {
  MM_ANONPAGES,
  dec_mm_counter,
  inc_mm_counter,
  mm_counter_file,
} from '../../mm/mm_types.js';
import { folio_put } from '../../mm/page_free.js';
import {
  PageHWPoison,
  folio_mark_uptodate,
  folio_test_anon,
  folio_test_ksm,
  folio_test_swapcache,
} from '../../mm/page_flags.js';
import {
  pfn_pte,
  pte_mkdirty,
  pte_mksoft_dirty,
  pte_mkuffd_wp,
  pte_mkyoung,
  pte_pfn,
  pte_soft_dirty,
  pte_uffd_wp,
  pte_write,
} from '../../mm/pgtable_types.js';
import { Access } from '../../sim/footprint.js';
import type { Sched } from '../../sim/thread.js';
import {
  FAULT_FLAG_MKWRITE,
  FAULT_FLAG_RETRY_NOWAIT,
  FAULT_FLAG_UNSHARE,
  FAULT_FLAG_WRITE,
  VM_FAULT_COMPLETED,
  VM_FAULT_ERROR,
  VM_FAULT_HWPOISON,
  VM_FAULT_LOCKED,
  VM_FAULT_NOPAGE,
  VM_FAULT_OOM,
  VM_FAULT_WRITE,
} from '../include/fault_flags.js';
import { VM_MAYSHARE, VM_SHARED, VM_UFFD_WP } from '../include/vm_flags.js';
import { handle_userfault } from '../fs/userfaultfd.js';
import type { Kernel } from '../kernel.js';
import { folioObj, pteObj } from '../objects.js';
import {
  fault_flag_allow_retry_first,
  folio_lock,
  folio_mark_dirty,
  folio_trylock,
  folio_unlock,
  release_fault_lock,
} from './filemap.js';
import {
  folio_add_lru,
  folio_prealloc,
  maybe_mkwrite,
  userfaultfd_pte_wp,
  vm_normal_page,
  vma_mm,
} from './internal.js';
import { vmf_anon_prepare } from './memory_anon.js';
import { count_vm_event } from './mm_state.js';
import {
  MMU_NOTIFY_CLEAR,
  mmu_notifier_invalidate_range_end,
  mmu_notifier_invalidate_range_start,
  mmu_notifier_range_init,
} from './mmu_notifier.js';
import { vma_file, type vm_fault, type vm_fault_t } from './mm_types.js';
import { pte_offset_map_lock, pte_unmap_unlock } from './pgtable_generic.js';
import {
  RMAP_EXCLUSIVE,
  folio_add_new_anon_rmap,
  folio_move_anon_rmap,
  folio_remove_rmap_ptes,
} from './rmap.js';
import { mm_solo } from './solo.js';
import { folio_free_swap } from './swap.js';

function traceCow(
  k: Kernel,
  vmf: vm_fault,
  action: 'reuse' | 'copy',
  reason: string,
  old: number,
  nw: number,
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
      old,
      new: nw,
    },
    action === 'reuse' ? 'mm/memory.c: do_wp_page' : 'mm/memory.c: wp_page_copy',
  );
}

/**
 * Quirk dirty-cow: before v6.1 (cb8d86331343 "mm: remove VM_FAULT_WRITE") do_wp_page answered a
 * write fault it resolved (reuse, or a copy it installed) with VM_FAULT_WRITE, which the pre-v4.9
 * faultin_page took as "COW is broken" (gup_fault.ts). The current kernel returns 0.
 */
function vm_fault_write(k: Kernel): vm_fault_t {
  return k.m.quirk('dirty-cow') ? VM_FAULT_WRITE : 0;
}

/**
 * mm/memory.c: wp_page_reuse(vmf, folio): make the PTE young, dirty and (with VM_WRITE)
 * writable, then drop the PTE lock. Only for FAULT_FLAG_WRITE.
 * @fidelity exact
 */
export function* wp_page_reuse(vmf: vm_fault, folio: number): Sched<void> {
  const mm = vma_mm(vmf.vma);
  const k = mm.k;
  if ((vmf.flags & FAULT_FLAG_WRITE) === 0)
    throw new Error('VM_BUG_ON: wp_page_reuse without FAULT_FLAG_WRITE');
  if (folio >= 0 && folio_test_anon(k.mem, folio) && !PageAnonExclusive(k.mem, vmf.page)) {
    throw new Error('VM_BUG_ON: wp_page_reuse of a non-exclusive anon page');
  }
  if (!mm_solo(k.m)) yield k.m.at('wp_page_reuse', pteObj(vmf.pte), Access.Write);
  const entry = maybe_mkwrite(pte_mkdirty(pte_mkyoung(vmf.orig_pte)), vmf.vma);
  if (entry !== k.pool.get(vmf.pte)) k.pool.set(vmf.pte, entry); // ptep_set_access_flags
  yield* pte_unmap_unlock(vmf);
  count_vm_event(k, 'PGREUSE');
}

/**
 * mm/memory.c: __wp_can_reuse_large_anon_folio(folio, vma): every reference is a mapping in
 * this mm (large mapcount == refcount, not marked mapped-shared).
 * @fidelity exact
 */
function* __wp_can_reuse_large_anon_folio(k: Kernel, folio: number): Sched<string | null> {
  const m = k.mem;
  if (folio_large_mapcount(m, folio) <= 1) return 'large folio mapped once (free it up instead)';
  if (folio_test_large_maybe_mapped_shared(m, folio))
    return 'large folio maybe mapped by another mm';
  if (folio_test_swapcache(m, folio)) {
    if (!(yield* folio_trylock(k, folio))) return 'swapcache folio locked';
    folio_free_swap(k, folio);
    yield* folio_unlock(k, folio);
  }
  if (folio_large_mapcount(m, folio) !== folio_ref_count(m, folio))
    return 'extra references (refcount > mapcount)';
  return null;
}

/**
 * mm/memory.c: wp_can_reuse_anon_folio(folio, vma): null when the folio may be reused (it is
 * then moved to the VMA's anon_vma), else why not.
 * @fidelity simplified: LRU batches are not modelled, so maybe_in_lru_cache is always false
 */
function* wp_can_reuse_anon_folio(k: Kernel, folio: number, vmf: vm_fault): Sched<string | null> {
  const m = k.mem;
  if (folio_test_large(m, folio)) return yield* __wp_can_reuse_large_anon_folio(k, folio);
  const in_swapcache = folio_test_swapcache(m, folio) ? 1 : 0;
  if (folio_test_ksm(m, folio)) return 'KSM page';
  if (folio_ref_count(m, folio) > 1 + in_swapcache)
    return `refcount ${folio_ref_count(m, folio)} > 1`;
  if (!(yield* folio_trylock(k, folio))) return 'folio locked by someone else';
  if (folio_test_swapcache(m, folio)) folio_free_swap(k, folio);
  if (folio_test_ksm(m, folio) || folio_ref_count(m, folio) !== 1) {
    const why = folio_test_ksm(m, folio)
      ? 'KSM page'
      : `refcount ${folio_ref_count(m, folio)} != 1`;
    yield* folio_unlock(k, folio);
    return why;
  }
  folio_move_anon_rmap(k, folio, vmf.vma);
  yield* folio_unlock(k, folio);
  return null;
}

/**
 * mm/memory.c: do_wp_page(vmf): entered with the PTE lock held; returns with it released.
 * @fidelity exact
 */
export function* do_wp_page(vmf: vm_fault): Sched<vm_fault_t> {
  const unshare = (vmf.flags & FAULT_FLAG_UNSHARE) !== 0;
  const vma = vmf.vma;
  const k = vma_mm(vma).k;
  if (!unshare && userfaultfd_pte_wp(vma, k.pool.get(vmf.pte))) {
    yield* pte_unmap_unlock(vmf);
    return yield* handle_userfault(vmf, VM_UFFD_WP);
  }
  vmf.page = vm_normal_page(k, vma, vmf.orig_pte);
  const folio = vmf.page >= 0 ? page_folio(k.mem, vmf.page) : -1;
  if ((vma.vm_flags & (VM_SHARED | VM_MAYSHARE)) !== 0) {
    if (vmf.page < 0) {
      yield* wp_page_reuse(vmf, -1); // wp_pfn_shared without ->pfn_mkwrite
      return 0;
    }
    return yield* wp_page_shared(vmf, folio);
  }
  if (folio >= 0 && folio_test_anon(k.mem, folio)) {
    const exclusive = PageAnonExclusive(k.mem, vmf.page);
    const why = exclusive ? null : yield* wp_can_reuse_anon_folio(k, folio, vmf);
    if (why === null) {
      if (!exclusive) SetPageAnonExclusive(k.mem, vmf.page);
      traceCow(
        k,
        vmf,
        'reuse',
        exclusive ? 'PageAnonExclusive' : 'wp_can_reuse_anon_folio: sole reference',
        folio,
        folio,
      );
      if (unshare) {
        yield* pte_unmap_unlock(vmf);
        return 0;
      }
      yield* wp_page_reuse(vmf, folio);
      return vm_fault_write(k);
    }
    return yield* copyAfterUnlock(vmf, folio, why);
  }
  const reason =
    folio < 0 ? 'zero page or special mapping' : 'page-cache page in a private mapping';
  return yield* copyAfterUnlock(vmf, folio, reason);
}

function* copyAfterUnlock(vmf: vm_fault, folio: number, reason: string): Sched<vm_fault_t> {
  const k = vma_mm(vmf.vma).k;
  if (folio >= 0) folio_get(k.mem, folio);
  yield* pte_unmap_unlock(vmf, folio >= 0 ? folioObj(folio) : undefined, Access.Read);
  if (folio >= 0 && folio_test_ksm(k.mem, folio)) count_vm_event(k, 'COW_KSM');
  return yield* wp_page_copy(vmf, reason);
}

/**
 * mm/memory.c: wp_page_copy(vmf): allocate a new anonymous page, copy (or zero) it, and replace
 * the PTE if it did not change meanwhile. Called without the PTE lock, with a reference on the
 * old folio. For an unshare fault the new PTE stays read-only.
 * @fidelity exact
 */
export function* wp_page_copy(vmf: vm_fault, reason = 'copy'): Sched<vm_fault_t> {
  const unshare = (vmf.flags & FAULT_FLAG_UNSHARE) !== 0;
  const vma = vmf.vma;
  const mm = vma_mm(vma);
  const k = mm.k;
  const old_folio = vmf.page >= 0 ? page_folio(k.mem, vmf.page) : -1;
  const oldObj = old_folio >= 0 ? folioObj(old_folio) : undefined;
  let ret = vmf_anon_prepare(k, vmf);
  if (ret !== 0) {
    if (old_folio >= 0) folio_put(k.mem, old_folio);
    return ret;
  }
  const pfn_is_zero = is_zero_pfn(k.mem, pte_pfn(vmf.orig_pte));
  let new_folio = folio_prealloc(k, pfn_is_zero);
  if (new_folio < 0) {
    if (old_folio >= 0) folio_put(k.mem, old_folio);
    return VM_FAULT_OOM;
  }
  if (!pfn_is_zero) {
    if (vmf.page >= 0 && PageHWPoison(k.mem, vmf.page)) {
      folio_put(k.mem, new_folio);
      if (old_folio >= 0) folio_put(k.mem, old_folio);
      return VM_FAULT_HWPOISON;
    }
    if (vmf.page >= 0) copy_highpage(k.mem, new_folio, vmf.page);
    else k.mem.content[new_folio] = 0;
  }
  folio_mark_uptodate(k.mem, new_folio);
  // mmu notifier hook: secondary MMUs drop the old page before the PTE is replaced.
  const page_start = vmf.address - (vmf.address % PAGE_SIZE);
  const range = mmu_notifier_range_init(
    MMU_NOTIFY_CLEAR,
    0,
    mm,
    page_start,
    page_start + PAGE_SIZE,
  );
  yield* mmu_notifier_invalidate_range_start(range);
  vmf.pte = yield* pte_offset_map_lock(
    mm,
    vmf.pmd,
    addr_to_vpn(vmf.address),
    vmf,
    Access.Write,
    oldObj,
  );
  let copied = false;
  if (vmf.pte >= 0 && k.pool.get(vmf.pte) === vmf.orig_pte) {
    if (old_folio >= 0) {
      if (!folio_test_anon(k.mem, old_folio)) {
        dec_mm_counter(mm, mm_counter_file(k.mem, old_folio));
        inc_mm_counter(mm, MM_ANONPAGES);
      }
    } else {
      inc_mm_counter(mm, MM_ANONPAGES);
    }
    let entry = pte_mkyoung(pfn_pte(new_folio, vma.vm_page_prot));
    if (unshare) {
      if (pte_soft_dirty(vmf.orig_pte)) entry = pte_mksoft_dirty(entry);
      if (pte_uffd_wp(vmf.orig_pte)) entry = pte_mkuffd_wp(entry);
    } else {
      entry = maybe_mkwrite(pte_mkdirty(entry), vma);
    }
    k.pool.set(vmf.pte, 0); // ptep_clear_flush
    folio_add_new_anon_rmap(k, new_folio, vma, vmf.address, RMAP_EXCLUSIVE);
    folio_add_lru(k, new_folio);
    if (unshare && pte_write(entry)) throw new Error('BUG: unshare made a writable PTE');
    k.pool.set(vmf.pte, entry);
    if (old_folio >= 0) folio_remove_rmap_ptes(k, old_folio, vmf.page, 1, vma);
    traceCow(k, vmf, 'copy', reason, old_folio, new_folio);
    new_folio = old_folio;
    copied = true;
  }
  if (vmf.pte >= 0) yield* pte_unmap_unlock(vmf, oldObj);
  yield* mmu_notifier_invalidate_range_end(range);
  if (new_folio >= 0) folio_put(k.mem, new_folio);
  if (old_folio >= 0) {
    if (copied && folio_test_swapcache(k.mem, old_folio)) folio_free_swap(k, old_folio);
    folio_put(k.mem, old_folio);
  }
  ret = copied && !unshare ? vm_fault_write(k) : 0;
  return ret;
}

/**
 * mm/memory.c: do_page_mkwrite(vmf, folio): tell the file the page becomes writable. Returns
 * with the folio locked (VM_FAULT_LOCKED), 0 to retry, or an error.
 * @fidelity exact
 */
export function* do_page_mkwrite(vmf: vm_fault, folio: number): Sched<vm_fault_t> {
  const k = vma_mm(vmf.vma).k;
  const f = vma_file(vmf.vma);
  const old_flags = vmf.flags;
  vmf.flags = FAULT_FLAG_WRITE | FAULT_FLAG_MKWRITE;
  const hook = f?.vm_ops.page_mkwrite;
  let ret = hook === undefined ? 0 : yield* hook.call(f!.vm_ops, vmf);
  vmf.flags = old_flags;
  if ((ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE)) !== 0) return ret;
  if ((ret & VM_FAULT_LOCKED) === 0) {
    yield* folio_lock(k, folio);
    if (k.mem.mapping[folio] === 0) {
      yield* folio_unlock(k, folio);
      return 0;
    }
    ret |= VM_FAULT_LOCKED;
  }
  return ret;
}

/** mm/memory.c: finish_mkwrite_fault(vmf, folio): VM_FAULT_NOPAGE if the PTE changed meanwhile. @fidelity exact */
export function* finish_mkwrite_fault(vmf: vm_fault, folio: number): Sched<vm_fault_t> {
  const mm = vma_mm(vmf.vma);
  vmf.pte = yield* pte_offset_map_lock(mm, vmf.pmd, addr_to_vpn(vmf.address), vmf);
  if (vmf.pte < 0) return VM_FAULT_NOPAGE;
  if (mm.k.pool.get(vmf.pte) !== vmf.orig_pte) {
    yield* pte_unmap_unlock(vmf);
    return VM_FAULT_NOPAGE;
  }
  yield* wp_page_reuse(vmf, folio);
  return 0;
}

/**
 * mm/memory.c: fault_dirty_shared_page(vmf): dirty the locked folio, unlock it, and (first
 * attempt with FAULT_FLAG_ALLOW_RETRY) drop mmap_lock for balance_dirty_pages: then
 * VM_FAULT_COMPLETED.
 * @fidelity simplified (balance_dirty_pages does not throttle)
 */
export function* fault_dirty_shared_page(vmf: vm_fault): Sched<vm_fault_t> {
  const k = vma_mm(vmf.vma).k;
  const folio = page_folio(k.mem, vmf.page);
  const page_mkwrite = vma_file(vmf.vma)?.vm_ops.page_mkwrite !== undefined;
  const dirtied = folio_mark_dirty(k, folio);
  const mapping = k.mem.mapping[folio];
  yield* folio_unlock(k, folio);
  if ((dirtied || page_mkwrite) && mapping !== 0) {
    const flags = vmf.flags;
    if (fault_flag_allow_retry_first(flags) && (flags & FAULT_FLAG_RETRY_NOWAIT) === 0) {
      yield* release_fault_lock(vmf);
      return VM_FAULT_COMPLETED;
    }
  }
  return 0;
}

/** mm/memory.c: wp_page_shared(vmf, folio): write fault on a read-only PTE of a shared mapping. @fidelity exact */
export function* wp_page_shared(vmf: vm_fault, folio: number): Sched<vm_fault_t> {
  const k = vma_mm(vmf.vma).k;
  folio_get(k.mem, folio);
  let ret = 0;
  if (vma_file(vmf.vma)?.vm_ops.page_mkwrite !== undefined) {
    yield* pte_unmap_unlock(vmf, folioObj(folio));
    let tmp = yield* do_page_mkwrite(vmf, folio);
    if (tmp === 0 || (tmp & (VM_FAULT_ERROR | VM_FAULT_NOPAGE)) !== 0) {
      folio_put(k.mem, folio);
      return tmp;
    }
    tmp = yield* finish_mkwrite_fault(vmf, folio);
    if ((tmp & (VM_FAULT_ERROR | VM_FAULT_NOPAGE)) !== 0) {
      yield* folio_unlock(k, folio);
      folio_put(k.mem, folio);
      return tmp;
    }
  } else {
    yield* wp_page_reuse(vmf, folio);
    yield* folio_lock(k, folio);
  }
  ret |= yield* fault_dirty_shared_page(vmf);
  folio_put(k.mem, folio);
  return ret;
}
