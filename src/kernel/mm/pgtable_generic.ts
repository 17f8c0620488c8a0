/**
 * Page-table locks and locked lookups: mm/pgtable-generic.c (__pte_offset_map_lock,
 * pmdp_invalidate), include/linux/mm.h (pte_offset_map_lock, pte_unmap_unlock, pmd_lock,
 * pte_alloc_map_lock) and mm/memory.c (pmd_install), v6.18.
 *
 * The split locks are mm->ptlock(table) (src/kernel/mm/mm_struct.ts): a PTE table's lock guards
 * its entries, a PMD table's lock guards PMD leaves. Acquiring one is a scheduling point that also
 * declares the entry the critical section reads and writes (solo.ts: ptl_lock).
 * @fidelity simplified: no RCU-protected pte_offset_map (tables are only freed under the write
 * mmap_lock here, so a PTE table seen under the read lock cannot go away).
 */
import { pte_index } from '../../mm/layout.js';
import { table_ptr, type PgtablePool } from '../../mm/pgtable.js';
import { entry_table, pmd_leaf, pmd_none, pmd_present } from '../../mm/pgtable_types.js';
import { pte_alloc } from '../../mm/pgtable_walk.js';
import { Access, type ObjId } from '../../sim/footprint.js';
import type { SpinLock } from '../../sim/locking/spinlock.js';
import type { Sched } from '../../sim/thread.js';
import { pteObj } from '../objects.js';
import type { mm_struct } from './mm_struct.js';
import { ptl_lock, ptl_unlock, solo_spin_lock, solo_spin_unlock } from './solo.js';

/** Where a locked lookup leaves the lock it took (vmf->ptl, or a local spinlock_t *ptl). */
export interface PtlRef {
  ptl: SpinLock | null;
}

/** The PTE pointer for vpn under a PMD that points to a PTE table, or -1 (pte_offset_map). @fidelity simplified */
export function pte_offset_map(pool: PgtablePool, pmdp: number, vpn: number): number {
  const pmd = pool.get(pmdp);
  if (pmd_none(pmd) || pmd_leaf(pmd) || !pmd_present(pmd)) return -1;
  return table_ptr(entry_table(pmd), pte_index(vpn));
}

/**
 * include/linux/mm.h: pte_offset_map_lock(mm, pmd, addr, &ptl): the PTE pointer with its table's
 * lock held, or -1 (the PMD is none or a leaf: the caller retries or bails out). `acc` is how
 * the critical section uses the PTE (declared on the lock's scheduling point); `extra` is one more
 * object it touches (the folio whose rmap it changes).
 * @fidelity simplified
 */
export function* pte_offset_map_lock(
  mm: mm_struct,
  pmdp: number,
  vpn: number,
  ref: PtlRef,
  acc: Access = Access.Write,
  extra: ObjId | undefined = undefined,
): Sched<number> {
  const pool = mm.k.pool;
  const ptep = pte_offset_map(pool, pmdp, vpn);
  if (ptep < 0) return -1;
  const ptl = mm.ptlock(entry_table(pool.get(pmdp)));
  if (!solo_spin_lock(ptl)) yield* ptl_lock(ptl, 0, pteObj(ptep), acc, extra);
  ref.ptl = ptl;
  return ptep;
}

/** include/linux/mm.h: pte_unmap_unlock(pte, ptl); `obj` is what the step after the release touches. @fidelity exact */
export function* pte_unmap_unlock(
  ref: PtlRef,
  obj: ObjId | undefined = undefined,
  acc: Access = Access.Write,
): Sched<void> {
  const ptl = ref.ptl;
  if (ptl === null) throw new Error('pte_unmap_unlock without a page-table lock');
  ref.ptl = null;
  if (!solo_spin_unlock(ptl)) yield* ptl_unlock(ptl, obj, acc);
}

/** include/linux/mm.h: pmd_lockptr(mm, pmd): the split lock of the PMD table holding pmdp. @fidelity exact */
export function pmd_lockptr(mm: mm_struct, pmdp: number): SpinLock {
  return mm.ptlock((pmdp / 512) | 0);
}

/** include/linux/mm.h: pmd_lock(mm, pmd): take the PMD table's lock; the critical section touches the entry. @fidelity exact */
export function* pmd_lock(
  mm: mm_struct,
  pmdp: number,
  acc: Access = Access.Write,
): Sched<SpinLock> {
  const ptl = pmd_lockptr(mm, pmdp);
  yield* ptl_lock(ptl, 0, pteObj(pmdp), acc);
  return ptl;
}

/** spin_unlock of a PMD lock; `obj` is what the step after the release touches. @fidelity exact */
export function* pmd_unlock(ptl: SpinLock, obj: ObjId | undefined = undefined): Sched<void> {
  yield* ptl_unlock(ptl, obj);
}

/**
 * include/linux/mm.h: pte_alloc_map_lock(mm, pmd, addr, &ptl): allocate the PTE table if the PMD
 * is none (pmd_install), then pte_offset_map_lock. -1 when the PMD became a leaf.
 * @fidelity simplified (the table allocation never fails)
 */
export function* pte_alloc_map_lock(
  mm: mm_struct,
  pmdp: number,
  vpn: number,
  ref: PtlRef,
): Sched<number> {
  pte_alloc(mm.k.pool, mm, pmdp);
  return yield* pte_offset_map_lock(mm, pmdp, vpn, ref);
}
