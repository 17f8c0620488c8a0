/**
 * /proc/PID/clear_refs: fs/proc/task_mmu.c (v6.18) clear_refs_write with clear_refs_pte_range,
 * clear_soft_dirty and clear_soft_dirty_pmd. Writing 4 starts soft-dirty tracking: every VMA
 * loses VM_SOFTDIRTY (so vma_soft_dirty_enabled, and write faults will be needed to set the bit
 * again), every present PTE is write-protected and its soft-dirty bit cleared, except a
 * writable PTE of a COW mapping whose page may be pinned (pte_is_pinned), which stays writable:
 * writes through it are then not tracked. 1-3 clear the young bits (all, anon, file-backed
 * VMAs); 5 resets the peak RSS.
 * @fidelity simplified (no hugetlb young clearing, no mmu notifiers)
 */
import { folio_maybe_dma_pinned } from '../../../mm/mapcount.js';
import { MMF_HAS_PINNED, get_mm_rss, mm_flags_test } from '../../../mm/mm_types.js';
import { folio_clear_referenced } from '../../../mm/page_flags.js';
import {
  entry_table,
  pmd_clear_soft_dirty,
  pmd_leaf,
  pmd_mkold,
  pmd_none,
  pmd_present,
  pmd_wrprotect,
  pte_clear_soft_dirty,
  pte_mkold,
  pte_none,
  pte_present,
  pte_write,
  pte_wrprotect,
} from '../../../mm/pgtable_types.js';
import { pmd_lookup } from '../../../mm/pgtable_walk.js';
import { is_swap_pte, pte_swp_clear_soft_dirty } from '../../../mm/swapops.js';
import { is_cow_mapping, type VmAreaStruct } from '../../../mm/vma.js';
import { Access } from '../../../sim/footprint.js';
import type { Sched } from '../../../sim/thread.js';
import { maskAnd, maskAndNot } from '../../include/bits.js';
import { EINTR, EINVAL } from '../../include/errno.js';
import { VM_HUGETLB, VM_SOFTDIRTY } from '../../include/vm_flags.js';
import type { Kernel } from '../../kernel.js';
import { pteObj } from '../../objects.js';
import { vm_normal_folio } from '../../mm/internal.js';
import { mmap_write_lock_killable, mmap_write_unlock } from '../../mm/mmap_lock.js';
import type { mm_struct } from '../../mm/mm_struct.js';
import { pmd_lockptr } from '../../mm/pgtable_generic.js';
import { mm_solo, ptl_lock, ptl_unlock } from '../../mm/solo.js';
import { vma_set_page_prot } from '../../mm/vma.js';

/** fs/proc/task_mmu.c: enum clear_refs_types. @fidelity exact */
export const CLEAR_REFS_ALL = 1;
export const CLEAR_REFS_ANON = 2;
export const CLEAR_REFS_MAPPED = 3;
export const CLEAR_REFS_SOFT_DIRTY = 4;
export const CLEAR_REFS_MM_HIWATER_RSS = 5;

/** fs/proc/task_mmu.c: pte_is_pinned(vma, addr, pte). @fidelity exact */
export function pte_is_pinned(k: Kernel, vma: VmAreaStruct, pte: number): boolean {
  if (!pte_write(pte)) return false;
  if (!is_cow_mapping(vma.vm_flags)) return false;
  if (!mm_flags_test(MMF_HAS_PINNED, vma.vm_mm)) return false;
  const folio = vm_normal_folio(k, vma, pte);
  return folio >= 0 && folio_maybe_dma_pinned(k.mem, folio);
}

function clear_pte(k: Kernel, vma: VmAreaStruct, ptep: number, type: number): void {
  const pool = k.pool;
  const pte = pool.get(ptep);
  if (type === CLEAR_REFS_SOFT_DIRTY) {
    if (pte_present(pte)) {
      if (pte_is_pinned(k, vma, pte)) return;
      pool.set(ptep, pte_clear_soft_dirty(pte_wrprotect(pte)));
    } else if (is_swap_pte(pte)) {
      pool.set(ptep, pte_swp_clear_soft_dirty(pte));
    }
    return;
  }
  if (!pte_present(pte)) return;
  const folio = vm_normal_folio(k, vma, pte);
  if (folio < 0) return;
  pool.set(ptep, pte_mkold(pte));
  folio_clear_referenced(k.mem, folio);
}

/** fs/proc/task_mmu.c: clear_refs_pte_range over one VMA (with the PMD case). */
function* clear_refs_vma(k: Kernel, mm: mm_struct, vma: VmAreaStruct, type: number): Sched<void> {
  const pool = k.pool;
  const solo = mm_solo(k.m);
  for (let addr = vma.vm_start; addr < vma.vm_end;) {
    const next = Math.min(vma.vm_end, addr - (addr % (512 * 4096)) + 512 * 4096);
    const pmdp = pmd_lookup(pool, mm, addr / 4096);
    if (pmdp < 0 || pmd_none(pool.get(pmdp))) {
      addr = next;
      continue;
    }
    if (pmd_leaf(pool.get(pmdp))) {
      const ptl = pmd_lockptr(mm, pmdp);
      yield* ptl_lock(ptl, 0, pteObj(pmdp), Access.Write);
      const pmd = pool.get(pmdp);
      if (pmd_present(pmd))
        pool.set(
          pmdp,
          type === CLEAR_REFS_SOFT_DIRTY
            ? pmd_clear_soft_dirty(pmd_wrprotect(pmd))
            : pmd_mkold(pmd),
        );
      yield* ptl_unlock(ptl);
      addr = next;
      continue;
    }
    const table = entry_table(pool.get(pmdp));
    const ptl = mm.ptlock(table);
    yield* ptl_lock(ptl);
    for (let a = addr; a < next; a += 4096) {
      const ptep = table * 512 + ((a / 4096) & 511);
      if (pte_none(pool.get(ptep))) continue;
      if (!solo) yield k.m.at('clear_refs_pte_range', pteObj(ptep), Access.Write);
      clear_pte(k, vma, ptep, type);
    }
    yield* ptl_unlock(ptl);
    addr = next;
  }
}

/**
 * fs/proc/task_mmu.c: clear_refs_write(file, buf): the number written to /proc/PID/clear_refs.
 * 0, or -EINVAL for another value, -EINTR.
 * @fidelity simplified (see the file comment)
 */
export function* clear_refs_write(k: Kernel, mm: mm_struct, type: number): Sched<number> {
  if (type < CLEAR_REFS_ALL || type > CLEAR_REFS_MM_HIWATER_RSS) return -EINVAL;
  if ((yield* mmap_write_lock_killable(mm)) !== 0) return -EINTR;
  if (type === CLEAR_REFS_MM_HIWATER_RSS) {
    mm.hiwater_rss = get_mm_rss(mm);
  } else {
    if (type === CLEAR_REFS_SOFT_DIRTY) {
      for (const vma of mm.mm_mt) {
        if (maskAnd(vma.vm_flags, VM_SOFTDIRTY) === 0) continue;
        vma.vm_flags = maskAndNot(vma.vm_flags, VM_SOFTDIRTY);
        vma_set_page_prot(vma);
      }
    }
    for (const vma of [...mm.mm_mt]) {
      if (maskAnd(vma.vm_flags, VM_HUGETLB) !== 0) continue;
      if (type === CLEAR_REFS_ANON && vma.vm_file !== null) continue;
      if (type === CLEAR_REFS_MAPPED && vma.vm_file === null) continue;
      yield* clear_refs_vma(k, mm, vma, type);
    }
  }
  yield* mmap_write_unlock(mm);
  if (k.m.trace.enabled)
    k.m.emit(
      'mm.syscall',
      { mm: mm.mm_id, call: 'clear_refs', args: `${type}`, ret: 0 },
      'fs/proc/task_mmu.c: clear_refs_write',
    );
  return 0;
}
