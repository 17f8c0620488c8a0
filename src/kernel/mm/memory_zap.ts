/**
 * Unmapping: mm/memory.c (v6.18) zap_pte_range, zap_pmd_range, __zap_vma_range / unmap_vmas,
 * zap_vma_range (zap_page_range_single) and free_pgtables. Entries are cleared and rmaps removed
 * under the page-table lock; the references the entries held go to the mmu_gather and are
 * dropped at the TLB flush.
 *
 * Scheduling points (when another thread can run): one per present PTE, declaring the PTE and
 * its folio, since GUP-fast may read the PTE and grab the folio concurrently.
 */
import { page_folio } from '../../mm/folio.js';
import {
  PAGE_SIZE,
  PMD_SIZE,
  addr_to_vpn,
  pgd_addr_end,
  pmd_addr_end,
  pud_addr_end,
} from '../../mm/layout.js';
import { MM_ANONPAGES, MM_SWAPENTS, add_mm_counter, mm_counter } from '../../mm/mm_types.js';
import { folio_set_dirty, folio_set_referenced, folio_test_anon } from '../../mm/page_flags.js';
import {
  entry_table,
  pmd_leaf,
  pmd_none,
  pte_dirty,
  pte_none,
  pte_present,
  pte_young,
  pud_leaf,
  pud_none,
} from '../../mm/pgtable_types.js';
import { free_pgd_range, pgd_offset, pmd_offset, pud_offset } from '../../mm/pgtable_walk.js';
import {
  is_hwpoison_entry,
  is_migration_entry,
  is_pte_marker_entry,
  non_swap_entry,
  pte_to_swp_entry,
  swp_offset_pfn,
} from '../../mm/swapops.js';
import { vma_is_anonymous, type VmAreaStruct } from '../../mm/vma.js';
import { Access } from '../../sim/footprint.js';
import type { Sched } from '../../sim/thread.js';
import { maskAnd } from '../include/bits.js';
import { VM_HUGETLB } from '../include/vm_flags.js';
import type { Kernel } from '../kernel.js';
import { folioObj, pteObj } from '../objects.js';
import { zap_huge_pmd } from './huge_memory.js';
import { __split_huge_pmd } from './huge_memory_split.js';
import { __unmap_hugepage_range } from './hugetlb.js';
import { vm_normal_page, vma_mm } from './internal.js';
import { tlb_finish_mmu, tlb_gather_mmu, tlb_remove_folio, type mmu_gather } from './mmu_gather.js';
import { folio_remove_rmap_ptes, unlink_anon_vmas } from './rmap.js';
import {
  MMU_NOTIFY_CLEAR,
  MMU_NOTIFY_UNMAP,
  mmu_notifier_invalidate_range_end,
  mmu_notifier_invalidate_range_start,
  mmu_notifier_range_init,
} from './mmu_notifier.js';
import { mm_solo, ptl_lock, ptl_unlock } from './solo.js';
import { swap_free_nr } from './swap.js';
import { vma_file } from './mm_types.js';

/** mm/internal.h: struct zap_details. @fidelity simplified */
export interface zap_details {
  /** Do not zap private (COWed anonymous) pages (unmap_mapping_pages without even_cows). */
  readonly skip_cows?: boolean;
  /** ZAP_FLAG_DROP_MARKER: also drop uffd-wp and guard markers. */
  readonly drop_markers?: boolean;
}

function trace(
  k: Kernel,
  mm: number,
  start: number,
  end: number,
  pages: number,
  reason: string,
): void {
  if (k.m.trace.enabled)
    k.m.emit('mm.zap', { mm, start, end, pages, reason }, 'mm/memory.c: zap_pte_range');
}

/** mm/memory.c: zap_nonpresent_ptes for one entry: 1 when cleared. @fidelity simplified (no device entries) */
function zap_nonpresent(
  k: Kernel,
  vma: VmAreaStruct,
  ptep: number,
  pte: number,
  d: zap_details | null,
): boolean {
  const mm = vma_mm(vma);
  const entry = pte_to_swp_entry(pte);
  if (!non_swap_entry(entry)) {
    if (d?.skip_cows === true) return false;
    add_mm_counter(mm, MM_SWAPENTS, -1);
    swap_free_nr(k, entry, 1);
  } else if (is_migration_entry(entry)) {
    const folio = page_folio(k.mem, swp_offset_pfn(entry));
    if (d?.skip_cows === true && folio_test_anon(k.mem, folio)) return false;
    add_mm_counter(mm, mm_counter(k.mem, folio), -1);
  } else if (is_pte_marker_entry(entry)) {
    if (!vma_is_anonymous(vma) && d?.drop_markers !== true) return false;
  } else if (is_hwpoison_entry(entry)) {
    if (d?.skip_cows === true) return false;
  } else {
    throw new Error('zap: device entries are not modelled');
  }
  k.pool.set(ptep, 0);
  return true;
}

/**
 * mm/memory.c: zap_pte_range(tlb, vma, pmd, addr, end, details): clear the PTEs of one table.
 * @fidelity simplified (no PTE-table reclaim, no uffd-wp marker installation)
 */
function* zap_pte_range(
  tlb: mmu_gather,
  vma: VmAreaStruct,
  pmdp: number,
  addr: number,
  end: number,
  d: zap_details | null,
): Sched<number> {
  const mm = vma_mm(vma);
  const k = mm.k;
  const pool = k.pool;
  const m = k.m;
  const table = entry_table(pool.get(pmdp));
  const ptl = mm.ptlock(table);
  yield* ptl_lock(ptl);
  let ptep = table * 512 + (addr_to_vpn(addr) & 511);
  let pages = 0;
  const solo = mm_solo(m);
  for (; addr !== end; addr += PAGE_SIZE, ptep++) {
    const pte = pool.get(ptep);
    if (pte_none(pte)) continue;
    if (!pte_present(pte)) {
      if (!solo) yield m.at('zap_nonpresent_ptes', pteObj(ptep), Access.Write);
      zap_nonpresent(k, vma, ptep, pte, d);
      continue;
    }
    const page = vm_normal_page(k, vma, pte);
    if (page < 0) {
      if (!solo) yield m.at('zap_present_ptes', pteObj(ptep), Access.Write);
      pool.set(ptep, 0);
      continue;
    }
    const folio = page_folio(k.mem, page);
    if (d?.skip_cows === true && folio_test_anon(k.mem, folio)) continue;
    if (!solo)
      yield m
        .at('zap_present_ptes', pteObj(ptep), Access.Write)
        .also(folioObj(folio), Access.Write);
    pool.set(ptep, 0);
    if (!folio_test_anon(k.mem, folio)) {
      if (pte_dirty(pte)) folio_set_dirty(k.mem, folio);
      if (pte_young(pte)) folio_set_referenced(k.mem, folio);
    }
    add_mm_counter(mm, folio_test_anon(k.mem, folio) ? MM_ANONPAGES : mm_counter(k.mem, folio), -1);
    folio_remove_rmap_ptes(k, folio, page, 1, vma);
    tlb_remove_folio(tlb, folio, 1);
    pages++;
  }
  yield* ptl_unlock(ptl);
  return pages;
}

/** mm/memory.c: zap_pmd_range / zap_pud_range / zap_p4d_range over [addr, end) of a VMA. @fidelity exact */
function* zap_range(
  tlb: mmu_gather,
  vma: VmAreaStruct,
  start: number,
  end: number,
  d: zap_details | null,
): Sched<number> {
  const mm = vma_mm(vma);
  const pool = mm.k.pool;
  let pages = 0;
  let vpn = addr_to_vpn(start);
  const evpn = addr_to_vpn(end);
  while (vpn !== evpn) {
    const gnext = pgd_addr_end(vpn, evpn);
    const pgdp = pgd_offset(mm, vpn);
    if (pool.get(pgdp) === 0) {
      vpn = gnext;
      continue;
    }
    for (let v = vpn; v !== gnext;) {
      const unext = pud_addr_end(v, gnext);
      const pudp = pud_offset(pool, pgdp, v);
      const pud = pool.get(pudp);
      if (!pud_none(pud) && !pud_leaf(pud)) {
        for (let w = v; w !== unext;) {
          const mnext = pmd_addr_end(w, unext);
          const pmdp = pmd_offset(pool, pudp, w);
          let pmd = pool.get(pmdp);
          if (pmd_leaf(pmd)) {
            if ((mnext - w) * PAGE_SIZE !== PMD_SIZE) {
              yield* __split_huge_pmd(vma, pmdp, w * PAGE_SIZE, false);
            } else if ((yield* zap_huge_pmd(tlb, vma, pmdp)) !== 0) {
              pages += 512;
              w = mnext;
              continue;
            }
            pmd = pool.get(pmdp);
          }
          if (!pmd_none(pmd) && !pmd_leaf(pmd))
            pages += yield* zap_pte_range(tlb, vma, pmdp, w * PAGE_SIZE, mnext * PAGE_SIZE, d);
          w = mnext;
        }
      }
      v = unext;
    }
    vpn = gnext;
  }
  return pages;
}

/** mm/memory.c: __zap_vma_range(tlb, vma, start, end, details) (unmap_single_vma). @fidelity simplified */
export function* __zap_vma_range(
  tlb: mmu_gather,
  vma: VmAreaStruct,
  start: number,
  end: number,
  d: zap_details | null,
  reason: string,
): Sched<void> {
  const k = vma_mm(vma).k;
  if (start >= end) return;
  let pages: number;
  if (maskAnd(vma.vm_flags, VM_HUGETLB) !== 0) {
    if (vma_file(vma) === null) return;
    yield* __unmap_hugepage_range(tlb, vma, start, end);
    pages = (end - start) / PAGE_SIZE;
  } else {
    pages = yield* zap_range(tlb, vma, start, end, d);
  }
  trace(k, vma.vm_mm.mm_id, start, end, pages, reason);
}

/** mm/memory.c: unmap_vmas(tlb, unmap): zap [start, end) of every VMA in the list. @fidelity simplified */
export function* unmap_vmas(
  tlb: mmu_gather,
  vmas: readonly VmAreaStruct[],
  start: number,
  end: number,
  reason: string,
): Sched<void> {
  // mmu notifier hook: secondary MMUs drop [start, end) before the entries go (unmap_vmas).
  const first = vmas[0];
  const range =
    first === undefined
      ? null
      : mmu_notifier_range_init(MMU_NOTIFY_UNMAP, 0, vma_mm(first), start, end);
  if (range !== null) yield* mmu_notifier_invalidate_range_start(range);
  for (const vma of vmas) {
    yield* __zap_vma_range(
      tlb,
      vma,
      Math.max(vma.vm_start, start),
      Math.min(vma.vm_end, end),
      { drop_markers: true },
      reason,
    );
  }
  if (range !== null) yield* mmu_notifier_invalidate_range_end(range);
}

/**
 * mm/memory.c: zap_vma_range(vma, address, size) (zap_page_range_single): zap part of one VMA
 * with its own mmu_gather (MADV_DONTNEED and friends).
 * @fidelity exact
 */
export function* zap_vma_range(
  vma: VmAreaStruct,
  address: number,
  size: number,
  d: zap_details | null,
  reason: string,
): Sched<void> {
  const tlb = tlb_gather_mmu(vma_mm(vma));
  // mmu notifier hook (zap_page_range_single_batched): MMU_NOTIFY_CLEAR around the zap.
  const range = mmu_notifier_range_init(MMU_NOTIFY_CLEAR, 0, vma_mm(vma), address, address + size);
  yield* mmu_notifier_invalidate_range_start(range);
  yield* __zap_vma_range(tlb, vma, address, address + size, d, reason);
  yield* mmu_notifier_invalidate_range_end(range);
  yield* tlb_finish_mmu(tlb);
}

/**
 * mm/memory.c: free_pgtables(tlb, unmap): unlink the VMAs from their anon_vmas and free the
 * page tables of [first.vm_start, last.vm_end) that [floor, ceiling) proves nobody else uses.
 * @fidelity simplified (no file rmap unlinking batch)
 */
export function free_pgtables(
  k: Kernel,
  vmas: readonly VmAreaStruct[],
  floor: number,
  ceiling: number,
): void {
  for (let i = 0; i < vmas.length; i++) {
    const vma = vmas[i]!;
    unlink_anon_vmas(k, vma);
    const next = vmas[i + 1];
    free_pgd_range(
      k.pool,
      vma.vm_mm,
      addr_to_vpn(vma.vm_start),
      addr_to_vpn(vma.vm_end),
      addr_to_vpn(floor),
      next !== undefined ? addr_to_vpn(next.vm_start) : addr_to_vpn(ceiling),
    );
  }
}
