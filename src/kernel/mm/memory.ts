/**
 * The page-fault entry of mm/memory.c (v6.18): handle_mm_fault, sanitize_fault_flags,
 * __handle_mm_fault (the walk and the huge-PMD cases) and handle_pte_fault (the dispatch to
 * do_anonymous_page, do_fault, do_swap_page and do_wp_page). The handlers are in memory_anon.ts,
 * memory_wp.ts, memory_file.ts and memory_swap.ts.
 *
 * Scheduling points: the walk reads the PMD and PTE without locks (pmdp_get_lockless,
 * ptep_get_lockless), so __handle_mm_fault declares them; every page-table lock taken declares
 * the entry it guards (pgtable_generic.ts). All points are elided when the faulting thread runs
 * alone (solo.ts).
 */
import { addr_to_vpn, pte_index } from '../../mm/layout.js';
import { table_ptr } from '../../mm/pgtable.js';
import {
  entry_table,
  pmd_leaf,
  pmd_none,
  pmd_present,
  pmd_protnone,
  pmd_trans_huge,
  pmd_write,
  pte_mkdirty,
  pte_mkyoung,
  pte_none,
  pte_present,
  pte_protnone,
  pte_write,
  pud_leaf,
} from '../../mm/pgtable_types.js';
import { pgd_offset, pmd_alloc, pmd_lookup, pud_alloc, pud_lookup } from '../../mm/pgtable_walk.js';
import { is_pmd_migration_entry } from '../../mm/swapops.js';
import {
  is_cow_mapping,
  linear_page_index,
  vma_is_anonymous,
  type VmAreaStruct,
} from '../../mm/vma.js';
import { Access } from '../../sim/footprint.js';
import type { Sched } from '../../sim/thread.js';
import { maskAnd } from '../include/bits.js';
import {
  FAULT_FLAG_ORIG_PTE_VALID,
  FAULT_FLAG_TRIED,
  FAULT_FLAG_UNSHARE,
  FAULT_FLAG_WRITE,
  VM_FAULT_ERROR,
  VM_FAULT_FALLBACK,
  VM_FAULT_MAJOR,
  VM_FAULT_OOM,
  VM_FAULT_RETRY,
  VM_FAULT_SIGBUS,
  VM_FAULT_SIGSEGV,
} from '../include/fault_flags.js';
import { VM_DROPPABLE, VM_HUGETLB, VM_MAYWRITE, VM_WRITE } from '../include/vm_flags.js';
import type { Kernel } from '../kernel.js';
import { pteObj } from '../objects.js';
import {
  huge_pmd_set_accessed,
  create_huge_pmd,
  wp_huge_pmd,
  thp_vma_allowable_order,
  PMD_ORDER_TVA,
} from './huge_memory.js';
import { pmd_migration_entry_wait } from './huge_memory_split.js';
import { hugetlb_fault } from './hugetlb.js';
import { userfaultfd_missing, vma_is_accessible, vma_mm } from './internal.js';
import type { mm_struct } from './mm_struct.js';
import { do_anonymous_page, do_anonymous_page_solo } from './memory_anon.js';
import { do_fault } from './memory_file.js';
import { do_swap_page } from './memory_swap.js';
import { do_wp_page } from './memory_wp.js';
import { count_vm_event } from './mm_state.js';
import { faultFlagNames, vmFaultNames } from './mm_trace.js';
import { vm_fault, type vm_fault_t } from './mm_types.js';
import { pte_unmap_unlock } from './pgtable_generic.js';
import { mm_solo, ptl_lock, solo_spin_lock } from './solo.js';
import './mm_trace.js';

/** mm/memory.c: sanitize_fault_flags(vma, &flags): 0, or VM_FAULT_SIGSEGV for impossible flags. @fidelity exact */
export function sanitize_fault_flags(vma: VmAreaStruct, flags: { v: number }): vm_fault_t {
  if ((flags.v & FAULT_FLAG_UNSHARE) !== 0) {
    if ((flags.v & FAULT_FLAG_WRITE) !== 0) return VM_FAULT_SIGSEGV;
    if (!is_cow_mapping(vma.vm_flags)) flags.v &= ~FAULT_FLAG_UNSHARE;
  } else if ((flags.v & FAULT_FLAG_WRITE) !== 0) {
    if ((vma.vm_flags & VM_MAYWRITE) === 0) return VM_FAULT_SIGSEGV;
    if ((vma.vm_flags & VM_WRITE) === 0 && !is_cow_mapping(vma.vm_flags)) return VM_FAULT_SIGSEGV;
  }
  return 0;
}

/**
 * mm/memory.c: handle_mm_fault(vma, address, flags, regs). The caller holds mmap_lock for
 * reading; on VM_FAULT_RETRY or VM_FAULT_COMPLETED the lock has been released (the vma may be
 * gone). Returns the VM_FAULT_* bits.
 * @fidelity simplified: no memcg OOM, no per-VMA lock, no NUMA hinting faults
 */
export function* handle_mm_fault(
  vma: VmAreaStruct,
  address: number,
  flags: number,
  regs: unknown = null,
): Sched<vm_fault_t> {
  const mm = vma_mm(vma);
  const k = mm.k;
  const m = k.m;
  m.enter('mm/memory.c: handle_mm_fault');
  const f = { v: flags };
  let ret = sanitize_fault_flags(vma, f);
  if (ret === 0) {
    const droppable = maskAnd(vma.vm_flags, VM_DROPPABLE) !== 0;
    if ((vma.vm_flags & VM_HUGETLB) !== 0) ret = yield* hugetlb_fault(mm, vma, address, f.v);
    else ret = yield* __handle_mm_fault(vma, address, f.v);
    if (droppable) ret &= ~VM_FAULT_OOM;
  }
  return handle_mm_fault_done(mm, address, f.v, ret, regs);
}

/** The end of handle_mm_fault: mm_account_fault, the mm.fault event, leaving the function. */
function handle_mm_fault_done(
  mm: mm_struct,
  address: number,
  flags: number,
  ret: vm_fault_t,
  regs: unknown,
): vm_fault_t {
  const m = mm.k.m;
  mm_account_fault(mm.k, regs, flags, ret);
  if (m.trace.enabled) {
    m.emit(
      'mm.fault',
      { mm: mm.mm_id, address, flags: faultFlagNames(flags), result: vmFaultNames(ret) },
      'mm/memory.c: handle_mm_fault',
    );
  }
  m.leave();
  return ret;
}

/**
 * Whether handle_mm_fault_solo can take this fault (no side effect): an anonymous VMA without
 * userfaultfd MISSING registration, no huge PMD to create or handle, and the PTE none, so that
 * handle_mm_fault would go straight to do_anonymous_page. Otherwise the caller runs the
 * generator.
 * @fidelity custom
 */
export function handle_mm_fault_solo_ok(vma: VmAreaStruct, address: number): boolean {
  if ((vma.vm_flags & VM_HUGETLB) !== 0 || !vma_is_anonymous(vma) || userfaultfd_missing(vma))
    return false;
  const mm = vma_mm(vma);
  const k = mm.k;
  const pool = k.pool;
  const vpn = addr_to_vpn(address);
  const pmdp = pmd_lookup(pool, mm, vpn);
  let pmd = 0;
  if (pmdp >= 0) {
    pmd = pool.get(pmdp);
  } else {
    const pudp = pud_lookup(pool, mm, vpn);
    if (pudp >= 0 && pud_leaf(pool.get(pudp))) return false;
  }
  if (pmd_none(pmd)) return !thp_vma_allowable_order(k, vma, vma.vm_flags, 'pagefault');
  if (pmd_leaf(pmd) || !pmd_present(pmd)) return false;
  return pte_none(pool.get(table_ptr(entry_table(pmd), pte_index(vpn))));
}

/**
 * handle_mm_fault for a faulting thread that runs alone and holds no lock, when
 * handle_mm_fault_solo_ok said yes: the same steps (sanitize_fault_flags, the walk allocating
 * the upper levels, handle_pte_fault's dispatch to do_anonymous_page, the accounting and the
 * mm.fault event) as plain calls. The mmap_lock is held for reading by the caller.
 * @fidelity custom
 */
export function handle_mm_fault_solo(
  vma: VmAreaStruct,
  address: number,
  flags: number,
  regs: unknown,
): vm_fault_t {
  const mm = vma_mm(vma);
  const k = mm.k;
  const m = k.m;
  m.enter('mm/memory.c: handle_mm_fault');
  const f = { v: flags };
  let ret = sanitize_fault_flags(vma, f);
  if (ret === 0) {
    const droppable = maskAnd(vma.vm_flags, VM_DROPPABLE) !== 0;
    ret = __handle_mm_fault_solo(vma, address, f.v);
    if (droppable) ret &= ~VM_FAULT_OOM;
  }
  return handle_mm_fault_done(mm, address, f.v, ret, regs);
}

/** __handle_mm_fault and handle_pte_fault on handle_mm_fault_solo's path. */
function __handle_mm_fault_solo(vma: VmAreaStruct, address: number, flags: number): vm_fault_t {
  const mm = vma_mm(vma);
  const k = mm.k;
  const pool = k.pool;
  const vpn = addr_to_vpn(address);
  const vmf = new vm_fault(vma, address, flags, linear_page_index(vma, address - (address % 4096)));
  const pudp = pud_alloc(pool, mm, pgd_offset(mm, vpn), vpn);
  if (pud_leaf(pool.get(pudp))) return VM_FAULT_SIGBUS;
  vmf.pmd = pmd_alloc(pool, mm, pudp, vpn);
  const pmd = pool.get(vmf.pmd);
  if (pmd_none(pmd)) {
    if (thp_vma_allowable_order(k, vma, vma.vm_flags, PMD_ORDER_TVA.pagefault))
      throw new Error('handle_mm_fault_solo: a huge PMD fault (handle_mm_fault_solo_ok)');
    vmf.orig_pmd = pmd;
    vmf.pte = -1;
    vmf.flags &= ~FAULT_FLAG_ORIG_PTE_VALID;
  } else {
    vmf.orig_pmd = pmd;
    if (pmd_leaf(pmd) || !pmd_present(pmd))
      throw new Error('handle_mm_fault_solo: not a PTE table (handle_mm_fault_solo_ok)');
    vmf.pte = table_ptr(entry_table(pmd), pte_index(vpn));
    vmf.orig_pte = pool.get(vmf.pte);
    vmf.flags |= FAULT_FLAG_ORIG_PTE_VALID;
    if (!pte_none(vmf.orig_pte))
      throw new Error('handle_mm_fault_solo: the PTE is not none (handle_mm_fault_solo_ok)');
    vmf.pte = -1;
  }
  return do_anonymous_page_solo(vmf);
}

/** mm/memory.c: mm_account_fault(mm, regs, address, flags, ret) (vm events only). @fidelity simplified */
function mm_account_fault(k: Kernel, regs: unknown, flags: number, ret: vm_fault_t): void {
  if ((ret & VM_FAULT_RETRY) !== 0) return;
  count_vm_event(k, 'PGFAULT');
  if ((ret & VM_FAULT_ERROR) !== 0) return;
  const major = (ret & VM_FAULT_MAJOR) !== 0 || (flags & FAULT_FLAG_TRIED) !== 0;
  count_vm_event(k, major ? 'PGMAJFAULT' : 'PGMINFAULT');
  if (regs === null) count_vm_event(k, 'PGFAULT_GUP');
}

/**
 * Declare the lockless PMD (and PTE) reads of the walk, then re-read: if the PMD changed between
 * the declaration and the step, declare again (so the step touches exactly what it declared).
 * @fidelity custom
 */
function* declare_walk(vmf: vm_fault): Sched<void> {
  const mm = vma_mm(vmf.vma);
  const pool = mm.k.pool;
  const m = mm.k.m;
  if (mm_solo(m)) return;
  for (;;) {
    const pmd = pool.get(vmf.pmd);
    const p = m.at(
      '__handle_mm_fault',
      pteObj(vmf.pmd),
      pmd_none(pmd) ? Access.Write : Access.Read,
    );
    if (!pmd_none(pmd) && !pmd_leaf(pmd) && pmd_present(pmd)) {
      p.also(pteObj(table_ptr(entry_table(pmd), pte_index(addr_to_vpn(vmf.address)))), Access.Read);
    }
    yield p;
    if (pool.get(vmf.pmd) === pmd) return;
  }
}

/**
 * mm/memory.c: __handle_mm_fault(vma, address, flags): walk (allocating the upper levels), try a
 * huge PMD, else handle_pte_fault.
 * @fidelity simplified: no anonymous PUD THPs (the kernel has none either), no NUMA hinting
 */
export function* __handle_mm_fault(
  vma: VmAreaStruct,
  address: number,
  flags: number,
): Sched<vm_fault_t> {
  const mm = vma_mm(vma);
  const k = mm.k;
  const pool = k.pool;
  const vpn = addr_to_vpn(address);
  const vmf = new vm_fault(vma, address, flags, linear_page_index(vma, address - (address % 4096)));
  const pudp = pud_alloc(pool, mm, pgd_offset(mm, vpn), vpn);
  if (pud_leaf(pool.get(pudp))) return VM_FAULT_SIGBUS; // no PUD leaves outside hugetlb
  vmf.pmd = pmd_alloc(pool, mm, pudp, vpn);
  if (!mm_solo(k.m)) yield* declare_walk(vmf);
  if (
    pmd_none(pool.get(vmf.pmd)) &&
    thp_vma_allowable_order(k, vma, vma.vm_flags, PMD_ORDER_TVA.pagefault)
  ) {
    const ret = yield* create_huge_pmd(vmf);
    if ((ret & VM_FAULT_FALLBACK) === 0) return ret;
  } else {
    vmf.orig_pmd = pool.get(vmf.pmd);
    if (!pmd_none(vmf.orig_pmd)) {
      if (!pmd_present(vmf.orig_pmd)) {
        if (is_pmd_migration_entry(vmf.orig_pmd)) yield* pmd_migration_entry_wait(mm, vmf.pmd);
        return 0;
      }
      if (pmd_trans_huge(vmf.orig_pmd)) {
        if (pmd_protnone(vmf.orig_pmd) && vma_is_accessible(vma)) {
          throw new Error('do_huge_pmd_numa_page: NUMA hinting faults are not modelled');
        }
        if ((flags & (FAULT_FLAG_WRITE | FAULT_FLAG_UNSHARE)) !== 0 && !pmd_write(vmf.orig_pmd)) {
          const ret = yield* wp_huge_pmd(vmf);
          if ((ret & VM_FAULT_FALLBACK) === 0) return ret;
        } else {
          yield* huge_pmd_set_accessed(vmf);
          return 0;
        }
      }
    }
  }
  return yield* handle_pte_fault(vmf);
}

/** mm/memory.c: do_pte_missing(vmf). @fidelity exact */
function do_pte_missing(vmf: vm_fault): Sched<vm_fault_t> {
  return vma_is_anonymous(vmf.vma) ? do_anonymous_page(vmf) : do_fault(vmf);
}

/**
 * mm/memory.c: handle_pte_fault(vmf): dispatch on the PTE read without the lock, then, for a
 * present PTE, re-check it under the PTE lock and either COW (do_wp_page) or just mark it
 * young/dirty (ptep_set_access_flags).
 * @fidelity exact (NUMA hinting faults are not modelled)
 */
export function* handle_pte_fault(vmf: vm_fault): Sched<vm_fault_t> {
  const mm = vma_mm(vmf.vma);
  const pool = mm.k.pool;
  const pmd = pool.get(vmf.pmd);
  if (pmd_none(pmd)) {
    vmf.pte = -1;
    vmf.flags &= ~FAULT_FLAG_ORIG_PTE_VALID;
  } else {
    if (pmd_leaf(pmd) || !pmd_present(pmd)) return 0; // became huge meanwhile: retry the access
    vmf.pte = table_ptr(entry_table(pmd), pte_index(addr_to_vpn(vmf.address)));
    vmf.orig_pte = pool.get(vmf.pte);
    vmf.flags |= FAULT_FLAG_ORIG_PTE_VALID;
    if (pte_none(vmf.orig_pte)) vmf.pte = -1;
  }
  if (vmf.pte < 0) return yield* do_pte_missing(vmf);
  if (!pte_present(vmf.orig_pte)) return yield* do_swap_page(vmf);
  if (pte_protnone(vmf.orig_pte) && vma_is_accessible(vmf.vma)) {
    throw new Error('do_numa_page: NUMA hinting faults are not modelled');
  }
  const ptl = mm.ptlock(entry_table(pmd));
  if (!solo_spin_lock(ptl)) yield* ptl_lock(ptl, 0, pteObj(vmf.pte), Access.Write);
  vmf.ptl = ptl;
  let entry = vmf.orig_pte;
  if (pool.get(vmf.pte) !== entry) {
    yield* pte_unmap_unlock(vmf);
    return 0;
  }
  if ((vmf.flags & (FAULT_FLAG_WRITE | FAULT_FLAG_UNSHARE)) !== 0) {
    if (!pte_write(entry)) return yield* do_wp_page(vmf);
    if ((vmf.flags & FAULT_FLAG_WRITE) !== 0) entry = pte_mkdirty(entry);
  }
  entry = pte_mkyoung(entry);
  if (entry !== vmf.orig_pte) pool.set(vmf.pte, entry); // ptep_set_access_flags
  yield* pte_unmap_unlock(vmf);
  return 0;
}
