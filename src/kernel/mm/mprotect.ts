/**
 * mprotect: mm/mprotect.c (v6.18) do_mprotect_pkey, mprotect_fixup, change_protection with
 * change_pte_range / change_huge_pmd, and can_change_pte_writable: the "make writable when
 * provably exclusive" optimisation. When a VMA becomes writable (MM_CP_TRY_CHANGE_WRITABLE), a
 * present PTE is made writable at once only if no write fault would be needed anyway: in a
 * private mapping the page must be an exclusive anonymous page (PageAnonExclusive); never when
 * soft-dirty tracking (pte_needs_soft_dirty_wp) or uffd-wp wants the write fault.
 * @fidelity simplified: no protection keys, no NUMA-hinting (MM_CP_PROT_NUMA), no VM_ACCOUNT
 * commit accounting, no mseal
 */
import { PageAnonExclusive } from '../../mm/anon.js';
import { page_folio } from '../../mm/folio.js';
import { folio_test_anon } from '../../mm/page_flags.js';
import { PAGE_SIZE, PMD_SIZE, addr_to_vpn } from '../../mm/layout.js';
import {
  entry_table,
  pmd_dirty,
  pmd_leaf,
  pmd_modify,
  pmd_mkwrite,
  pmd_none,
  pmd_pfn,
  pmd_protnone,
  pmd_soft_dirty,
  pmd_uffd_wp,
  pmd_write,
  pte_dirty,
  pte_modify,
  pte_mkwrite,
  pte_present,
  pte_protnone,
  pte_write,
} from '../../mm/pgtable_types.js';
import { pmd_lookup } from '../../mm/pgtable_walk.js';
import { find_vma, type VmAreaStruct } from '../../mm/vma.js';
import { Access } from '../../sim/footprint.js';
import type { Sched } from '../../sim/thread.js';
import { maskAnd, maskAndNot, maskOr } from '../include/bits.js';
import { EACCES, EINTR, EINVAL, ENOMEM } from '../include/errno.js';
import {
  PROT_EXEC,
  PROT_GROWSDOWN,
  PROT_GROWSUP,
  PROT_READ,
  PROT_SEM,
  PROT_WRITE,
} from '../include/mman.js';
import { VM_ACCESS_FLAGS, VM_HUGETLB, VM_SHARED, VM_WRITE } from '../include/vm_flags.js';
import type { Kernel } from '../kernel.js';
import { folioObj, pteObj } from '../objects.js';
import { __split_huge_pmd } from './huge_memory_split.js';
import { hstate_vma, hugetlb_walk } from './hugetlb.js';
import {
  pte_needs_soft_dirty_wp,
  userfaultfd_pte_wp,
  userfaultfd_wp,
  vm_normal_page,
  vma_mm,
  vma_soft_dirty_enabled,
} from './internal.js';
import { calc_vm_prot_bits } from './mmap.js';
import { mmap_write_lock_killable, mmap_write_unlock } from './mmap_lock.js';
import type { mm_struct } from './mm_struct.js';
import { pmd_lockptr } from './pgtable_generic.js';
import { mm_solo, ptl_lock, ptl_unlock } from './solo.js';
import { split_vma, vma_merge, vma_set_page_prot, vma_wants_writenotify } from './vma.js';

/** mm/mprotect.c: MM_CP_TRY_CHANGE_WRITABLE. @fidelity exact */
export const MM_CP_TRY_CHANGE_WRITABLE = 1 << 0;

/** mm/mprotect.c: can_change_pte_writable(vma, addr, pte). @fidelity exact */
export function can_change_pte_writable(k: Kernel, vma: VmAreaStruct, pte: number): boolean {
  if ((vma.vm_flags & VM_WRITE) === 0) return false;
  if (pte_protnone(pte)) return false;
  if (pte_needs_soft_dirty_wp(vma, pte)) return false;
  if (userfaultfd_pte_wp(vma, pte)) return false;
  if ((vma.vm_flags & VM_SHARED) === 0) {
    const page = vm_normal_page(k, vma, pte);
    return (
      page >= 0 && folio_test_anon(k.mem, page_folio(k.mem, page)) && PageAnonExclusive(k.mem, page)
    );
  }
  return pte_dirty(pte);
}

/** mm/huge_memory.c: can_change_pmd_writable(vma, addr, pmd). @fidelity exact */
function can_change_pmd_writable(k: Kernel, vma: VmAreaStruct, pmd: number): boolean {
  if ((vma.vm_flags & VM_WRITE) === 0) return false;
  if (pmd_protnone(pmd)) return false;
  if (vma_soft_dirty_enabled(vma) && !pmd_soft_dirty(pmd)) return false;
  if (userfaultfd_wp(vma) && pmd_uffd_wp(pmd)) return false;
  if ((vma.vm_flags & VM_SHARED) === 0) {
    const pfn = pmd_pfn(pmd);
    return (
      pfn !== k.mem.huge_zero_pfn && folio_test_anon(k.mem, pfn) && PageAnonExclusive(k.mem, pfn)
    );
  }
  return pmd_dirty(pmd);
}

/** mm/mprotect.c: vma_wants_manual_pte_write_upgrade(vma). @fidelity exact */
function vma_wants_manual_pte_write_upgrade(vma: VmAreaStruct): boolean {
  if ((vma.vm_flags & VM_SHARED) !== 0) return vma_wants_writenotify(vma);
  return (vma.vm_flags & VM_WRITE) !== 0;
}

/** mm/mprotect.c: change_pte_range(tlb, vma, pmd, addr, end, newprot, cp_flags). @fidelity exact (present PTEs) */
function* change_pte_range(
  k: Kernel,
  vma: VmAreaStruct,
  pmdp: number,
  addr: number,
  end: number,
  cp_flags: number,
): Sched<void> {
  const mm = vma_mm(vma);
  const pool = k.pool;
  const table = entry_table(pool.get(pmdp));
  const ptl = mm.ptlock(table);
  yield* ptl_lock(ptl);
  const solo = mm_solo(k.m);
  let ptep = table * 512 + (addr_to_vpn(addr) & 511);
  for (; addr !== end; addr += PAGE_SIZE, ptep++) {
    const oldpte = pool.get(ptep);
    if (!pte_present(oldpte)) continue;
    const page = vm_normal_page(k, vma, oldpte);
    if (!solo) {
      const p = k.m.at('change_pte_range', pteObj(ptep), Access.Write);
      yield page >= 0 ? p.also(folioObj(page_folio(k.mem, page)), Access.Read) : p;
    }
    let ptent = pte_modify(oldpte, vma.vm_page_prot);
    if (
      (cp_flags & MM_CP_TRY_CHANGE_WRITABLE) !== 0 &&
      !pte_write(ptent) &&
      can_change_pte_writable(k, vma, ptent)
    ) {
      ptent = pte_mkwrite(ptent);
    }
    if (ptent !== oldpte) pool.set(ptep, ptent);
  }
  yield* ptl_unlock(ptl);
}

/** mm/huge_memory.c: change_huge_pmd(tlb, vma, pmd, addr, newprot, cp_flags). @fidelity simplified */
function* change_huge_pmd(
  k: Kernel,
  vma: VmAreaStruct,
  pmdp: number,
  cp_flags: number,
): Sched<void> {
  const mm = vma_mm(vma);
  const ptl = pmd_lockptr(mm, pmdp);
  yield* ptl_lock(ptl, 0, pteObj(pmdp), Access.Write);
  const old = k.pool.get(pmdp);
  if (pmd_leaf(old)) {
    let entry = pmd_modify(old, vma.vm_page_prot);
    if (
      (cp_flags & MM_CP_TRY_CHANGE_WRITABLE) !== 0 &&
      !pmd_write(entry) &&
      can_change_pmd_writable(k, vma, entry)
    )
      entry = pmd_mkwrite(entry);
    if (entry !== old) k.pool.set(pmdp, entry);
  }
  yield* ptl_unlock(ptl);
}

/**
 * mm/mprotect.c: change_protection(tlb, vma, start, end, cp_flags): apply vma->vm_page_prot to
 * the present entries of [start, end). A huge PMD not fully inside the range is split first.
 * @fidelity simplified (hugetlb entries get the new protection without the write upgrade)
 */
export function* change_protection(
  k: Kernel,
  vma: VmAreaStruct,
  start: number,
  end: number,
  cp_flags: number,
): Sched<void> {
  const mm = vma_mm(vma);
  const pool = k.pool;
  if (maskAnd(vma.vm_flags, VM_HUGETLB) !== 0) {
    const h = hstate_vma(k, vma);
    for (let a = start; a < end; a += h.size) {
      const ep = hugetlb_walk(k, mm, a, h);
      if (ep < 0 || !pte_present(pool.get(ep))) continue;
      pool.set(ep, pmd_modify(pool.get(ep), vma.vm_page_prot));
    }
    return;
  }
  for (let addr = start; addr < end;) {
    const next = Math.min(end, addr - (addr % PMD_SIZE) + PMD_SIZE);
    const pmdp = pmd_lookup(pool, mm, addr_to_vpn(addr));
    if (pmdp >= 0) {
      let pmd = pool.get(pmdp);
      if (pmd_leaf(pmd)) {
        if (next - addr !== PMD_SIZE) yield* __split_huge_pmd(vma, pmdp, addr, false);
        else yield* change_huge_pmd(k, vma, pmdp, cp_flags);
        pmd = pool.get(pmdp);
      }
      if (!pmd_none(pmd) && !pmd_leaf(pmd))
        yield* change_pte_range(k, vma, pmdp, addr, next, cp_flags);
    }
    addr = next;
  }
}

/**
 * mm/mprotect.c: mprotect_fixup(vmi, tlb, vma, pprev, start, end, newflags): split the VMA to
 * [start, end), set its flags and page protection, change the PTEs, merge with neighbours.
 * @fidelity simplified
 */
export function* mprotect_fixup(
  k: Kernel,
  mm: mm_struct,
  vma: VmAreaStruct,
  start: number,
  end: number,
  newflags: number,
): Sched<number> {
  if (newflags === vma.vm_flags) return 0;
  if (start > vma.vm_start) {
    const r = yield* split_vma(k, mm, vma, start, true);
    if (r !== 0) return r;
  }
  if (end < vma.vm_end) {
    const r = yield* split_vma(k, mm, vma, end, false);
    if (r !== 0) return r;
  }
  vma.vm_flags = newflags;
  const cp_flags = vma_wants_manual_pte_write_upgrade(vma) ? MM_CP_TRY_CHANGE_WRITABLE : 0;
  vma_set_page_prot(vma);
  yield* change_protection(k, vma, start, end, cp_flags);
  vma_merge(k, mm, vma);
  return 0;
}

/**
 * mm/mprotect.c: do_mprotect_pkey(start, len, prot, -1): 0 or -EINVAL / -ENOMEM (a hole in the
 * range) / -EACCES (beyond VM_MAY*) / -EINTR.
 * @fidelity simplified (see the file comment)
 */
export function* do_mprotect_pkey(
  k: Kernel,
  mm: mm_struct,
  start: number,
  len: number,
  prot: number,
): Sched<number> {
  const grows = prot & (PROT_GROWSDOWN | PROT_GROWSUP);
  prot &= ~(PROT_GROWSDOWN | PROT_GROWSUP);
  if (grows === (PROT_GROWSDOWN | PROT_GROWSUP) || grows !== 0) return -EINVAL;
  if (start % PAGE_SIZE !== 0) return -EINVAL;
  if (len === 0) return 0;
  len = Math.ceil(len / PAGE_SIZE) * PAGE_SIZE;
  const end = start + len;
  if (end <= start || end > 2 ** 47) return -ENOMEM;
  if ((prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM)) !== 0) return -EINVAL;
  if ((yield* mmap_write_lock_killable(mm)) !== 0) return -EINTR;
  const ret = yield* mprotectLocked(k, mm, start, end, prot);
  yield* mmap_write_unlock(mm);
  if (k.m.trace.enabled) {
    k.m.emit(
      'mm.syscall',
      {
        mm: mm.mm_id,
        call: 'mprotect',
        args: `start=0x${start.toString(16)} len=${len} prot=${prot}`,
        ret,
      },
      'mm/mprotect.c: do_mprotect_pkey',
    );
  }
  return ret;
}

function* mprotectLocked(
  k: Kernel,
  mm: mm_struct,
  start: number,
  end: number,
  prot: number,
): Sched<number> {
  let vma = find_vma(mm, start);
  if (vma === null || vma.vm_start > start) return -ENOMEM;
  let nstart = start;
  let tmp = vma.vm_start;
  while (vma !== null && vma.vm_start < end) {
    if (vma.vm_start !== tmp) return -ENOMEM;
    const newflags = maskOr(calc_vm_prot_bits(prot), maskAndNot(vma.vm_flags, VM_ACCESS_FLAGS));
    if ((newflags & ~(newflags >>> 4) & VM_ACCESS_FLAGS) !== 0) return -EACCES;
    tmp = Math.min(vma.vm_end, end);
    const r = yield* mprotect_fixup(k, mm, vma, nstart, tmp, newflags);
    if (r !== 0) return r;
    nstart = tmp;
    if (nstart >= end) return 0;
    vma = find_vma(mm, nstart);
  }
  return nstart < end ? -ENOMEM : 0;
}
