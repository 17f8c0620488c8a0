/**
 * VMA operations of mm/vma.c (v6.18) that the system calls share: splitting and merging with
 * their anon_vma and file bookkeeping, vma_set_page_prot / vma_wants_writenotify, and munmap
 * (do_vmi_munmap: split the edge VMAs, zap, free page tables, remove the VMAs).
 */
import { PAGE_SIZE } from '../../mm/layout.js';
import { vm_get_page_prot } from '../../mm/pgtable_types.js';
import {
  __split_vma,
  find_vma,
  find_vma_intersection,
  mm_remove_vma,
  vma_can_merge,
  vma_next,
  vma_prev,
  type VmAreaStruct,
} from '../../mm/vma.js';
import type { Sched } from '../../sim/thread.js';
import { maskAnd, maskOr } from '../include/bits.js';
import { EINVAL, ENOMEM } from '../include/errno.js';
import { VM_IGNORE_MERGE } from '../../mm/vma.js';
import { VM_PFNMAP, VM_SHARED, VM_WRITE } from '../include/vm_flags.js';
import type { Kernel } from '../kernel.js';
import { userfaultfd_unmap_prep, type userfaultfd_unmap_ctx } from '../fs/userfaultfd_event.js';
import { vma_adjust_trans_huge } from './huge_memory_split.js';
import { userfaultfd_wp, vma_soft_dirty_enabled } from './internal.js';
import { free_pgtables, unmap_vmas } from './memory_zap.js';
import { mmState } from './mm_state.js';
import type { mm_struct } from './mm_struct.js';
import { vma_file } from './mm_types.js';
import { tlb_finish_mmu, tlb_gather_mmu } from './mmu_gather.js';
import { anon_vma_clone, unlink_anon_vmas } from './rmap.js';

/** mm/mmap.c: vma_wants_writenotify(vma, vm_page_prot): shared writable pages must start read-only. @fidelity simplified */
export function vma_wants_writenotify(vma: VmAreaStruct): boolean {
  const flags = vma.vm_flags;
  if ((flags & (VM_WRITE | VM_SHARED)) !== (VM_WRITE | VM_SHARED)) return false;
  const f = vma_file(vma);
  if (f?.vm_ops.page_mkwrite !== undefined) return true;
  if (vma_soft_dirty_enabled(vma)) return true;
  if (userfaultfd_wp(vma)) return true;
  if ((flags & VM_PFNMAP) !== 0) return false;
  return f !== null && f.writeback === true;
}

/** mm/mmap.c: vma_set_page_prot(vma): vm_page_prot from the flags, read-only when write-notify is wanted. @fidelity exact */
export function vma_set_page_prot(vma: VmAreaStruct): void {
  const flags = vma_wants_writenotify(vma) ? vma.vm_flags & ~VM_SHARED : vma.vm_flags;
  vma.vm_page_prot = vm_get_page_prot(flags);
}

/** Link a VMA to its file's i_mmap (vma_link_file). @fidelity simplified */
export function vma_link_file(vma: VmAreaStruct): void {
  const f = vma_file(vma);
  if (f !== null && !f.f_mapping.i_mmap.includes(vma)) f.f_mapping.i_mmap.push(vma);
}

/** Unlink a VMA from its file's i_mmap (unlink_file_vma). @fidelity simplified */
export function unlink_file_vma(vma: VmAreaStruct): void {
  const f = vma_file(vma);
  if (f === null) return;
  const i = f.f_mapping.i_mmap.indexOf(vma);
  if (i >= 0) f.f_mapping.i_mmap.splice(i, 1);
}

/** include/linux/fs.h: get_file / fput on a VMA's file, when the file layer counts references. @fidelity custom */
export function vma_get_file(vma: VmAreaStruct): void {
  const f = vma.vm_file as { f_count?: number } | null;
  if (f !== null && typeof f.f_count === 'number') f.f_count++;
}

/** Drop a VMA's file reference (fput); the model's own files release their cache at zero. @fidelity custom */
export function vma_fput(vma: VmAreaStruct): void {
  const f = vma.vm_file as { f_count?: number; release?: () => void } | null;
  if (f === null || typeof f.f_count !== 'number') return;
  f.f_count--;
  if (f.f_count === 0 && f.release !== undefined) f.release();
}

/**
 * mm/vma.c: __split_vma(vmi, vma, addr, new_below) with its side effects: the huge PMD
 * straddling addr is split first (vma_adjust_trans_huge), the new VMA joins the old one's
 * anon_vmas (anon_vma_clone), its file (get_file, i_mmap). 0 or -ENOMEM.
 * @fidelity simplified
 */
export function* split_vma(
  k: Kernel,
  mm: mm_struct,
  vma: VmAreaStruct,
  addr: number,
  new_below: boolean,
): Sched<number> {
  if (mm.map_count >= mmState(k).maxMapCount) return -ENOMEM;
  if (addr % PAGE_SIZE !== 0) return -EINVAL;
  yield* vma_adjust_trans_huge(vma, addr, addr, null);
  const nw = __split_vma(mm, vma, addr, new_below);
  anon_vma_clone(k, nw, vma);
  vma_get_file(nw);
  vma_link_file(nw);
  return 0;
}

/** Remove a VMA from the tree and its reverse maps (remove_vma + vma tree erase). @fidelity simplified */
export function remove_vma(mm: mm_struct, vma: VmAreaStruct): void {
  unlink_file_vma(vma);
  mm_remove_vma(mm, vma);
  vma_fput(vma);
  mm.total_vm -= (vma.vm_end - vma.vm_start) / PAGE_SIZE;
}

/**
 * mm/vma.c: vma_merge_existing_range / vma_expand, reduced: merge `vma` with its neighbours
 * when is_mergeable_vma allows; the absorbed VMA leaves its anon_vmas and file. Returns the
 * surviving VMA.
 * @fidelity simplified (see src/mm/vma.ts: vma_can_merge)
 */
export function vma_merge(k: Kernel, mm: mm_struct, vma: VmAreaStruct): VmAreaStruct {
  let cur = vma;
  const prev = vma_prev(mm, cur);
  if (prev !== null && vma_can_merge(prev, cur)) {
    absorb(k, mm, prev, cur);
    cur = prev;
  }
  const next = vma_next(mm, cur);
  if (next !== null && vma_can_merge(cur, next)) absorb(k, mm, cur, next);
  return cur;
}

function absorb(k: Kernel, mm: mm_struct, lower: VmAreaStruct, upper: VmAreaStruct): void {
  if (lower.anon_vma === null && upper.anon_vma !== null) {
    lower.anon_vma = upper.anon_vma;
    anon_vma_clone(k, lower, upper);
  }
  lower.vm_end = upper.vm_end;
  lower.vm_flags = maskOr(lower.vm_flags, maskAnd(upper.vm_flags, VM_IGNORE_MERGE));
  unlink_anon_vmas(k, upper);
  unlink_file_vma(upper);
  mm_remove_vma(mm, upper);
  vma_fput(upper);
}

/**
 * mm/vma.c: do_vmi_align_munmap(vmi, vma, mm, start, end, uf, unlock) via do_vmi_munmap:
 * unmap [start, end) (page-aligned, len > 0) with mmap_lock held for writing: split the edge
 * VMAs, zap their pages, free their page tables, remove them. With `uf`, each VMA goes through
 * userfaultfd_unmap_prep first (the caller sends the UFFD_EVENT_UNMAPs once mmap_lock is
 * dropped). 0 or -ENOMEM.
 * @fidelity simplified (no mseal, no mmap_lock downgrade)
 */
export function* do_vmi_munmap(
  k: Kernel,
  mm: mm_struct,
  start: number,
  end: number,
  reason = 'munmap',
  uf: userfaultfd_unmap_ctx[] | null = null,
): Sched<number> {
  let vma = find_vma_intersection(mm, start, end);
  if (vma === null) return 0;
  if (start > vma.vm_start) {
    if (end < vma.vm_end && mm.map_count >= mmState(k).maxMapCount) return -ENOMEM;
    const r = yield* split_vma(k, mm, vma, start, true);
    if (r !== 0) return r;
    vma = find_vma(mm, start)!;
  }
  const last = find_vma(mm, end - 1);
  if (last !== null && last.vm_start < end && last.vm_end > end) {
    const r = yield* split_vma(k, mm, last, end, true);
    if (r !== 0) return r;
  }
  const vmas: VmAreaStruct[] = [];
  for (
    let v: VmAreaStruct | null = find_vma(mm, start);
    v !== null && v.vm_start < end;
    v = vma_next(mm, v)
  )
    vmas.push(v);
  if (uf !== null) for (const v of vmas) yield* userfaultfd_unmap_prep(k, v, start, end, uf);
  const prev = vma_prev(mm, vmas[0]!);
  const next = vma_next(mm, vmas[vmas.length - 1]!);
  const tlb = tlb_gather_mmu(mm);
  yield* unmap_vmas(tlb, vmas, start, end, reason);
  free_pgtables(k, vmas, prev !== null ? prev.vm_end : 0, next !== null ? next.vm_start : 0);
  yield* tlb_finish_mmu(tlb);
  for (const v of vmas) remove_vma(mm, v);
  return 0;
}

/** mm/mmap.c: do_munmap(mm, start, len, uf): the range checks, then do_vmi_munmap. @fidelity exact */
export function* do_munmap(
  k: Kernel,
  mm: mm_struct,
  start: number,
  len: number,
  uf: userfaultfd_unmap_ctx[] | null = null,
): Sched<number> {
  if (start % PAGE_SIZE !== 0 || start > TASK_SIZE || len > TASK_SIZE - start) return -EINVAL;
  const end = start + Math.ceil(len / PAGE_SIZE) * PAGE_SIZE;
  if (end === start) return -EINVAL;
  return yield* do_vmi_munmap(k, mm, start, end, 'munmap', uf);
}

/** arch/x86: TASK_SIZE (47-bit user address space, minus the guard page). @fidelity exact */
export const TASK_SIZE = 0x7ffffffff000;
