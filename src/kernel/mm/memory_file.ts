/**
 * Faults on file-backed (and shmem) mappings: mm/memory.c (v6.18) do_fault, do_read_fault,
 * do_cow_fault, do_shared_fault, __do_fault, finish_fault and set_pte_range. The file's
 * vm_ops->fault finds the page-cache folio; these functions map it (or a private copy of it).
 * @fidelity simplified: no fault-around (->map_pages), no PMD mapping of page-cache THPs
 * (do_set_pmd): large page-cache folios are mapped with PTEs.
 */
import {
  copy_highpage,
  folio_nr_pages,
  folio_put,
  folio_ref_add,
  page_folio,
} from '../../mm/index.js';
import { PAGE_SIZE, PTRS_PER_PTE, addr_to_vpn, pte_index } from '../../mm/layout.js';
import { MM_ANONPAGES, add_mm_counter, mm_counter_file } from '../../mm/mm_types.js';
import { PageHWPoison, folio_mark_uptodate, folio_test_dirty } from '../../mm/page_flags.js';
import {
  pfn_pte,
  pmd_none,
  pte_mkdirty,
  pte_mkuffd_wp,
  pte_mkyoung,
  pte_none,
  pte_write,
} from '../../mm/pgtable_types.js';
import { pte_alloc } from '../../mm/pgtable_walk.js';
import { vma_pages } from '../../mm/vma.js';
import type { Sched } from '../../sim/thread.js';
import {
  FAULT_FLAG_WRITE,
  VM_FAULT_DONE_COW,
  VM_FAULT_ERROR,
  VM_FAULT_HWPOISON,
  VM_FAULT_LOCKED,
  VM_FAULT_NOPAGE,
  VM_FAULT_OOM,
  VM_FAULT_RETRY,
  VM_FAULT_SIGBUS,
} from '../include/fault_flags.js';
import { VM_SHARED } from '../include/vm_flags.js';
import type { Kernel } from '../kernel.js';
import { folio_lock, folio_test_locked, folio_unlock } from './filemap.js';
import {
  folio_add_lru,
  folio_prealloc,
  maybe_mkwrite,
  userfaultfd_armed,
  vma_mm,
} from './internal.js';
import { vmf_anon_prepare, vmf_orig_pte_uffd_wp, vmf_pte_changed } from './memory_anon.js';
import { do_page_mkwrite, fault_dirty_shared_page } from './memory_wp.js';
import { vma_file, type vm_fault, type vm_fault_t } from './mm_types.js';
import { pte_offset_map_lock, pte_unmap_unlock } from './pgtable_generic.js';
import { RMAP_EXCLUSIVE, folio_add_file_rmap_ptes, folio_add_new_anon_rmap } from './rmap.js';
import { mm_solo } from './solo.js';

/** mm/memory.c: __do_fault(vmf): call vm_ops->fault; returns with vmf.page locked. @fidelity simplified */
function* __do_fault(k: Kernel, vmf: vm_fault): Sched<vm_fault_t> {
  const f = vma_file(vmf.vma);
  const fault = f?.vm_ops.fault;
  if (f === null || fault === undefined) return VM_FAULT_SIGBUS;
  const ret = yield* fault.call(f.vm_ops, vmf);
  if ((ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE | VM_FAULT_RETRY | VM_FAULT_DONE_COW)) !== 0)
    return ret;
  const folio = page_folio(k.mem, vmf.page);
  if (PageHWPoison(k.mem, vmf.page)) {
    if ((ret & VM_FAULT_LOCKED) !== 0) yield* folio_unlock(k, folio);
    folio_put(k.mem, folio);
    vmf.page = -1;
    return VM_FAULT_HWPOISON;
  }
  if ((ret & VM_FAULT_LOCKED) === 0) yield* folio_lock(k, folio);
  else if (!folio_test_locked(k, folio))
    throw new Error('VM_BUG_ON_PAGE: ->fault returned an unlocked page');
  return ret;
}

/** mm/memory.c: set_pte_range(vmf, folio, page, nr, addr). @fidelity exact */
export function set_pte_range(
  k: Kernel,
  vmf: vm_fault,
  folio: number,
  page: number,
  nr: number,
  addr: number,
): void {
  const vma = vmf.vma;
  const write = (vmf.flags & FAULT_FLAG_WRITE) !== 0;
  let entry = pte_mkyoung(pfn_pte(page, vma.vm_page_prot));
  if (write) entry = maybe_mkwrite(pte_mkdirty(entry), vma);
  else if (pte_write(entry) && folio_test_dirty(k.mem, folio)) entry = pte_mkdirty(entry);
  if (vmf_orig_pte_uffd_wp(vmf)) entry = pte_mkuffd_wp(entry);
  if (write && (vma.vm_flags & VM_SHARED) === 0) {
    if (nr !== 1) throw new Error('VM_BUG_ON_FOLIO: COW of more than one page');
    folio_add_new_anon_rmap(k, folio, vma, addr, RMAP_EXCLUSIVE);
    folio_add_lru(k, folio);
  } else {
    folio_add_file_rmap_ptes(k, folio, page, nr, vma);
  }
  const ptep = vmf.pte - (addr_to_vpn(vmf.address) - addr_to_vpn(addr));
  for (let i = 0; i < nr; i++) k.pool.set(ptep + i, entry + i * PAGE_SIZE);
}

/**
 * mm/memory.c: finish_fault(vmf): map the prepared page (vmf.cow_page for a COW fault, else
 * vmf.page), the whole large folio when it fits the VMA and the page table.
 * @fidelity simplified (no do_set_pmd)
 */
export function* finish_fault(vmf: vm_fault): Sched<vm_fault_t> {
  const vma = vmf.vma;
  const mm = vma_mm(vma);
  const k = mm.k;
  const is_cow = (vmf.flags & FAULT_FLAG_WRITE) !== 0 && (vma.vm_flags & VM_SHARED) === 0;
  let page = is_cow ? vmf.cow_page : vmf.page;
  const folio = page_folio(k.mem, page);
  if (pmd_none(k.pool.get(vmf.pmd))) pte_alloc(k.pool, mm, vmf.pmd);
  let nr = folio_nr_pages(k.mem, folio);
  let addr = vmf.address;
  if (userfaultfd_armed(vma)) nr = 1;
  else if (nr > 1) {
    const idx = page - folio;
    const vma_off = vmf.pgoff - vma.vm_pgoff;
    const pte_off = pte_index(addr_to_vpn(vmf.address));
    if (
      vma_off < idx ||
      vma_off + (nr - idx) > vma_pages(vma) ||
      pte_off < idx ||
      pte_off + (nr - idx) > PTRS_PER_PTE
    ) {
      nr = 1;
    } else {
      addr = vmf.address - idx * PAGE_SIZE;
      page = folio;
    }
  }
  vmf.pte = yield* pte_offset_map_lock(mm, vmf.pmd, addr_to_vpn(vmf.address), vmf);
  if (vmf.pte < 0) return VM_FAULT_NOPAGE;
  if (nr > 1 && !mm_solo(k.m)) yield k.m.point('set_pte_range');
  const first = vmf.pte - (addr_to_vpn(vmf.address) - addr_to_vpn(addr));
  let changed = false;
  if (nr === 1) changed = vmf_pte_changed(k, vmf);
  else for (let i = 0; i < nr; i++) if (!pte_none(k.pool.get(first + i))) changed = true;
  if (changed) {
    if (nr > 1) {
      nr = 1; // the kernel retries with needs_fallback: one page
      page = is_cow ? vmf.cow_page : vmf.page;
      addr = vmf.address;
      if (!vmf_pte_changed(k, vmf)) changed = false;
    }
    if (changed) {
      yield* pte_unmap_unlock(vmf);
      return VM_FAULT_NOPAGE;
    }
  }
  folio_ref_add(k.mem, folio, nr - 1);
  set_pte_range(k, vmf, folio, page, nr, addr);
  add_mm_counter(mm, is_cow ? MM_ANONPAGES : mm_counter_file(k.mem, folio), nr);
  yield* pte_unmap_unlock(vmf);
  return 0;
}

/** mm/memory.c: do_read_fault(vmf). @fidelity simplified (no fault-around) */
function* do_read_fault(k: Kernel, vmf: vm_fault): Sched<vm_fault_t> {
  let ret = yield* __do_fault(k, vmf);
  if ((ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE | VM_FAULT_RETRY)) !== 0) return ret;
  ret |= yield* finish_fault(vmf);
  const folio = page_folio(k.mem, vmf.page);
  yield* folio_unlock(k, folio);
  if ((ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE | VM_FAULT_RETRY)) !== 0) folio_put(k.mem, folio);
  return ret;
}

/** mm/memory.c: do_cow_fault(vmf): a write fault on a private file mapping copies the page. @fidelity exact */
function* do_cow_fault(k: Kernel, vmf: vm_fault): Sched<vm_fault_t> {
  let ret = vmf_anon_prepare(k, vmf);
  if (ret !== 0) return ret;
  const folio = folio_prealloc(k, false);
  if (folio < 0) return VM_FAULT_OOM;
  vmf.cow_page = folio;
  ret = yield* __do_fault(k, vmf);
  if ((ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE | VM_FAULT_RETRY)) !== 0) {
    folio_put(k.mem, folio);
    return ret;
  }
  if ((ret & VM_FAULT_DONE_COW) !== 0) return ret;
  if (PageHWPoison(k.mem, vmf.page)) ret = VM_FAULT_HWPOISON;
  else {
    copy_highpage(k.mem, folio, vmf.page);
    folio_mark_uptodate(k.mem, folio);
    ret |= yield* finish_fault(vmf);
  }
  const src = page_folio(k.mem, vmf.page);
  yield* folio_unlock(k, src);
  folio_put(k.mem, src);
  if ((ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE | VM_FAULT_RETRY)) !== 0) folio_put(k.mem, folio);
  return ret;
}

/** mm/memory.c: do_shared_fault(vmf): a write fault on a shared mapping, with ->page_mkwrite. @fidelity exact */
function* do_shared_fault(k: Kernel, vmf: vm_fault): Sched<vm_fault_t> {
  let ret = yield* __do_fault(k, vmf);
  if ((ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE | VM_FAULT_RETRY)) !== 0) return ret;
  const folio = page_folio(k.mem, vmf.page);
  if (vma_file(vmf.vma)?.vm_ops.page_mkwrite !== undefined) {
    yield* folio_unlock(k, folio);
    const tmp = yield* do_page_mkwrite(vmf, folio);
    if (tmp === 0 || (tmp & (VM_FAULT_ERROR | VM_FAULT_NOPAGE)) !== 0) {
      folio_put(k.mem, folio);
      return tmp;
    }
  }
  ret |= yield* finish_fault(vmf);
  if ((ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE | VM_FAULT_RETRY)) !== 0) {
    yield* folio_unlock(k, folio);
    folio_put(k.mem, folio);
    return ret;
  }
  ret |= yield* fault_dirty_shared_page(vmf);
  return ret;
}

/**
 * mm/memory.c: do_fault(vmf): a missing PTE in a file-backed VMA: read, COW or shared fault.
 * @fidelity exact
 */
export function* do_fault(vmf: vm_fault): Sched<vm_fault_t> {
  const vma = vmf.vma;
  const mm = vma_mm(vma);
  const k = mm.k;
  const f = vma_file(vma);
  if (f === null || f.vm_ops.fault === undefined) {
    vmf.pte = yield* pte_offset_map_lock(mm, vmf.pmd, addr_to_vpn(vmf.address), vmf);
    if (vmf.pte < 0) return VM_FAULT_SIGBUS;
    const ret = pte_none(k.pool.get(vmf.pte)) ? VM_FAULT_SIGBUS : VM_FAULT_NOPAGE;
    yield* pte_unmap_unlock(vmf);
    return ret;
  }
  if ((vmf.flags & FAULT_FLAG_WRITE) === 0) return yield* do_read_fault(k, vmf);
  if ((vma.vm_flags & VM_SHARED) === 0) return yield* do_cow_fault(k, vmf);
  return yield* do_shared_fault(k, vmf);
}
