/**
 * MADV_COLD and MADV_PAGEOUT: mm/madvise.c (v6.18) madvise_cold, madvise_pageout,
 * can_madv_lru_vma, can_do_file_pageout and madvise_cold_or_pageout_pte_range, which hand the
 * folios they isolate to reclaim_pages (mm/vmscan.c).
 *
 * Each present PTE of the range is made old; a folio mapped elsewhere as well (its mapcount
 * is not its page count: shared after fork, or a file page other processes map) is left
 * alone, so MADV_PAGEOUT only pages out what this mapping alone maps. MADV_COLD moves the
 * folios to the inactive list; MADV_PAGEOUT isolates them and reclaims them at once, ignoring
 * their references.
 * @fidelity simplified: large folios (PTE- or PMD-mapped THPs) are skipped instead of split or
 * paged out whole; every process may page out the file pages it maps (can_do_file_pageout's
 * owner and permission checks are taken as passed)
 */
import { folio_test_large } from '../../mm/folio.js';
import { addr_to_vpn } from '../../mm/layout.js';
import { folio_mapcount } from '../../mm/mapcount.js';
import {
  folio_clear_referenced,
  folio_set_workingset,
  folio_test_active,
  folio_test_anon,
  folio_test_lru,
  folio_test_unevictable,
} from '../../mm/page_flags.js';
import {
  pmd_leaf,
  pmd_present,
  pte_mkold,
  pte_present,
  pte_young,
} from '../../mm/pgtable_types.js';
import { pmd_lookup } from '../../mm/pgtable_walk.js';
import { vma_is_anonymous, type VmAreaStruct } from '../../mm/vma.js';
import type { Sched } from '../../sim/thread.js';
import { EINVAL } from '../include/errno.js';
import { MADV_PAGEOUT } from '../include/mman.js';
import { VM_HUGETLB, VM_LOCKED, VM_MAYSHARE, VM_PFNMAP } from '../include/vm_flags.js';
import type { Kernel } from '../kernel.js';
import { vm_normal_folio, vma_mm } from './internal.js';
import { pte_offset_map_lock, pte_unmap_unlock, type PtlRef } from './pgtable_generic.js';
import { mm_solo } from './solo.js';
import { folio_deactivate } from './swap_lru.js';
import { folio_isolate_lru, move_folios_to_lru, reclaim_pages } from './vmscan.js';

/** mm/madvise.c: can_madv_lru_vma(vma). @fidelity exact */
function can_madv_lru_vma(vma: VmAreaStruct): boolean {
  return (vma.vm_flags & (VM_LOCKED | VM_PFNMAP | VM_HUGETLB)) === 0;
}

/** mm/madvise.c: can_do_file_pageout(vma). @fidelity simplified (the caller is taken as owner or capable) */
function can_do_file_pageout(vma: VmAreaStruct): boolean {
  return vma.vm_file !== null;
}

/** What one PTE contributes: the folio to isolate (pageout) or deactivate (cold), or -1. */
function pte_folio(k: Kernel, vma: VmAreaStruct, ptep: number, anon_only: boolean): number {
  const pte = k.pool.get(ptep);
  if (!pte_present(pte)) return -1;
  const folio = vm_normal_folio(k, vma, pte);
  if (folio < 0 || folio_test_large(k.mem, folio)) return -1;
  if (!folio_test_lru(k.mem, folio) || folio_mapcount(k.mem, folio) !== 1) return -1;
  if (anon_only && !folio_test_anon(k.mem, folio)) return -1;
  if (pte_young(pte)) k.pool.set(ptep, pte_mkold(pte));
  folio_clear_referenced(k.mem, folio);
  if (folio_test_active(k.mem, folio)) folio_set_workingset(k.mem, folio);
  return folio;
}

/**
 * mm/madvise.c: madvise_cold_or_pageout_pte_range for [start, end) of the VMA, one PTE table
 * at a time under its lock. Returns the isolated folios (MADV_PAGEOUT).
 * @fidelity simplified (see the file comment)
 */
function* madvise_cold_or_pageout_pte_range(
  k: Kernel,
  vma: VmAreaStruct,
  start: number,
  end: number,
  pageout: boolean,
): Sched<number[]> {
  const mm = vma_mm(vma);
  const anon_only = pageout && !vma_is_anonymous(vma) && !can_do_file_pageout(vma);
  const isolated: number[] = [];
  const putback: number[] = [];
  for (let vpn = addr_to_vpn(start); vpn < addr_to_vpn(end);) {
    const tableEnd = Math.min(addr_to_vpn(end), (Math.floor(vpn / 512) + 1) * 512);
    const pmdp = pmd_lookup(k.pool, mm, vpn);
    const pmd = pmdp < 0 ? 0 : k.pool.get(pmdp);
    if (pmdp < 0 || !pmd_present(pmd) || pmd_leaf(pmd)) {
      vpn = tableEnd;
      continue;
    }
    const ref: PtlRef = { ptl: null };
    const first = yield* pte_offset_map_lock(mm, pmdp, vpn, ref);
    if (first < 0) {
      vpn = tableEnd;
      continue;
    }
    // the walk below touches every PTE of the table and their folios: one step that may touch anything
    if (!mm_solo(k.m)) yield k.m.point('madvise_cold_or_pageout_pte_range');
    for (let i = 0; vpn + i < tableEnd; i++) {
      const folio = pte_folio(k, vma, first + i, anon_only);
      if (folio < 0) continue;
      if (!pageout) folio_deactivate(k, folio);
      else if (folio_isolate_lru(k, folio))
        (folio_test_unevictable(k.mem, folio) ? putback : isolated).push(folio);
    }
    yield* pte_unmap_unlock(ref);
    vpn = tableEnd;
  }
  move_folios_to_lru(k, putback);
  return isolated;
}

/**
 * mm/madvise.c: madvise_cold(vma, start, end) and madvise_pageout(vma, start, end): 0, or
 * -EINVAL for a locked, PFN-map or hugetlb VMA.
 * @fidelity simplified (see the file comment)
 */
export function* madvise_cold_or_pageout(
  k: Kernel,
  vma: VmAreaStruct,
  start: number,
  end: number,
  behavior: number,
): Sched<number> {
  if (!can_madv_lru_vma(vma)) return -EINVAL;
  const pageout = behavior === MADV_PAGEOUT;
  if (
    pageout &&
    !vma_is_anonymous(vma) &&
    !can_do_file_pageout(vma) &&
    (vma.vm_flags & VM_MAYSHARE) !== 0
  )
    return 0;
  k.m.enter(pageout ? 'mm/madvise.c: madvise_pageout' : 'mm/madvise.c: madvise_cold');
  const folios = yield* madvise_cold_or_pageout_pte_range(k, vma, start, end, pageout);
  if (pageout) yield* reclaim_pages(k, folios);
  k.m.leave();
  return 0;
}
