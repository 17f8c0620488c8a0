/**
 * Reverse-mapping walks: mm/rmap.c (v6.18) rmap_walk (rmap_walk_anon over the anon_vma's
 * VMAs, rmap_walk_file over mapping->i_mmap) with page_vma_mapped_walk, and the walkers built
 * on it: try_to_unmap (the reclaim hook: anon folios become swap entries that remember
 * PageAnonExclusive; a pinned exclusive page cannot be unmapped) and folio_referenced.
 * try_to_migrate is src/kernel/mm/migrate_rmap.ts; folio_mkclean is
 * src/kernel/mm/page-writeback_mkclean.ts.
 *
 * The walk itself reads page tables without locks (it is a plain function); the walkers take
 * each page-table lock before changing an entry and re-check it.
 * @fidelity simplified: no i_mmap_rwsem / anon_vma locks (the model's walkers run while the
 * mappings cannot change under them: they hold the folio lock and every change of a mapping
 * takes the page-table lock they then take)
 */
import { PageAnonExclusive } from '../../mm/anon.js';
import { folio_nr_pages, page_folio } from '../../mm/folio.js';
import { PAGE_SIZE, PMD_SIZE, addr_to_vpn } from '../../mm/layout.js';
import { MM_ANONPAGES, MM_SWAPENTS, add_mm_counter, mm_counter } from '../../mm/mm_types.js';
import { folio_put } from '../../mm/page_free.js';
import {
  folio_set_dirty,
  folio_test_anon,
  folio_test_swapcache,
  folio_test_swapbacked,
} from '../../mm/page_flags.js';
import {
  entry_table,
  pmd_leaf,
  pmd_pfn,
  pmd_present,
  pte_dirty,
  pte_mkold,
  pte_pfn,
  pte_present,
  pte_soft_dirty,
  pte_uffd_wp,
  pte_young,
  pmd_mkold,
  pmd_young,
} from '../../mm/pgtable_types.js';
import { pmd_lookup } from '../../mm/pgtable_walk.js';
import {
  pte_swp_mkexclusive,
  pte_swp_mksoft_dirty,
  pte_swp_mkuffd_wp,
  swp_entry_to_pte,
} from '../../mm/swapops.js';
import { vma_address, type VmAreaStruct } from '../../mm/vma.js';
import { Access } from '../../sim/footprint.js';
import type { Sched } from '../../sim/thread.js';
import type { Kernel } from '../kernel.js';
import { folioObj, pteObj } from '../objects.js';
import { vma_mm } from './internal.js';
import { mmState } from './mm_state.js';
import type { address_space } from './mm_types.js';
import { folio_anon_vma, folio_remove_rmap_ptes, folio_try_share_anon_rmap_pte } from './rmap.js';
import { ptl_lock, ptl_unlock } from './solo.js';
import { split_huge_pmd_address } from './huge_memory_split.js';

/** One place a folio is mapped (what page_vma_mapped_walk stops at). */
export interface RmapHit {
  readonly address: number;
  /** True for a PMD leaf mapping the whole folio. */
  readonly pmd: boolean;
  /** Pointer to the PTE or PMD entry. */
  readonly ptr: number;
  /** The mapped page (pfn). */
  readonly page: number;
}

/** include/linux/rmap.h: TTU_SPLIT_HUGE_PMD. @fidelity exact */
export const TTU_SPLIT_HUGE_PMD = 0x4;

function vmasOf(k: Kernel, folio: number): readonly VmAreaStruct[] {
  if (folio_test_anon(k.mem, folio)) return folio_anon_vma(k, folio)?.vmas ?? [];
  const mapping: address_space | undefined = mmState(k).mappings.get(k.mem.mapping[folio]);
  return mapping?.i_mmap ?? [];
}

/**
 * mm/page_vma_mapped.c: page_vma_mapped_walk over one VMA: every PMD leaf or present PTE in the
 * VMA that maps a page of the folio at the address its index says.
 * @fidelity simplified (present entries only; migration entries are the migration code's)
 */
export function page_vma_mapped_hits(k: Kernel, folio: number, vma: VmAreaStruct): RmapHit[] {
  const pool = k.pool;
  const mm = vma_mm(vma);
  const nr = folio_nr_pages(k.mem, folio);
  const pgoff = k.mem.index[folio];
  const hits: RmapHit[] = [];
  let address = vma_address(vma, pgoff, nr);
  if (address < 0) return hits;
  const start = vma.vm_start + (pgoff - vma.vm_pgoff) * PAGE_SIZE;
  for (let i = Math.max(0, (address - start) / PAGE_SIZE); i < nr; i++) {
    address = start + i * PAGE_SIZE;
    if (address >= vma.vm_end) break;
    const pmdp = pmd_lookup(pool, mm, addr_to_vpn(address));
    if (pmdp < 0) continue;
    const pmd = pool.get(pmdp);
    if (pmd_leaf(pmd) && pmd_present(pmd)) {
      if (page_folio(k.mem, pmd_pfn(pmd)) === folio && address % PMD_SIZE === 0) {
        hits.push({ address, pmd: true, ptr: pmdp, page: folio });
      }
      continue;
    }
    if (pmd === 0 || !pmd_present(pmd)) continue;
    const ptep = entry_table(pmd) * 512 + (addr_to_vpn(address) & 511);
    const pte = pool.get(ptep);
    if (pte_present(pte) && pte_pfn(pte) === folio + i)
      hits.push({ address, pmd: false, ptr: ptep, page: folio + i });
  }
  return hits;
}

/**
 * mm/rmap.c: rmap_walk(folio, rwc): visit every mapping of the folio; `visit` returns false to
 * stop the walk.
 * @fidelity simplified (see the file comment)
 */
export function rmap_walk(
  k: Kernel,
  folio: number,
  visit: (vma: VmAreaStruct, hit: RmapHit) => boolean,
): void {
  for (const vma of [...vmasOf(k, folio)]) {
    for (const hit of page_vma_mapped_hits(k, folio, vma)) if (!visit(vma, hit)) return;
  }
}

/** The number of page-table entries mapping the folio, found by walking (a checker's count). @fidelity custom */
export function folio_mapcount_by_walk(k: Kernel, folio: number): number {
  let n = 0;
  rmap_walk(k, folio, () => {
    n++;
    return true;
  });
  return n;
}

/**
 * mm/rmap.c: folio_referenced(folio, is_locked, memcg, vm_flags): clear the young bits of every
 * mapping; returns how many were young.
 * @fidelity simplified
 */
export function* folio_referenced(k: Kernel, folio: number): Sched<number> {
  const hits: [VmAreaStruct, RmapHit][] = [];
  rmap_walk(k, folio, (vma, hit) => {
    hits.push([vma, hit]);
    return true;
  });
  let referenced = 0;
  for (const [vma, hit] of hits) {
    const mm = vma_mm(vma);
    const ptl = mm.ptlock((hit.ptr / 512) | 0);
    yield* ptl_lock(ptl, 0, pteObj(hit.ptr), Access.Write);
    const e = k.pool.get(hit.ptr);
    if (hit.pmd ? pmd_young(e) : pte_young(e)) {
      referenced++;
      k.pool.set(hit.ptr, hit.pmd ? pmd_mkold(e) : pte_mkold(e));
    }
    yield* ptl_unlock(ptl);
  }
  return referenced;
}

/**
 * mm/rmap.c: try_to_unmap(folio, flags) with try_to_unmap_one, for reclaim (the caller holds
 * the folio lock). PMD mappings are split first with TTU_SPLIT_HUGE_PMD. An anonymous folio
 * must be in the swap cache: each PTE becomes its swap entry, exclusive (pte_swp_mkexclusive)
 * when the page was PageAnonExclusive; if folio_try_share_anon_rmap_pte finds the folio maybe
 * pinned, the PTE is restored and the walk stops. A file folio's PTEs are simply cleared.
 * Returns true when the folio is no longer mapped.
 * @fidelity simplified (no lazyfree discard, no mlock, no hugetlb, no batched TLB flush)
 */
export function* try_to_unmap(k: Kernel, folio: number, flags = 0): Sched<boolean> {
  if ((flags & TTU_SPLIT_HUGE_PMD) !== 0) {
    const pmds: [VmAreaStruct, number][] = [];
    rmap_walk(k, folio, (vma, hit) => {
      if (hit.pmd) pmds.push([vma, hit.address]);
      return true;
    });
    for (const [vma, address] of pmds) yield* split_huge_pmd_address(vma, address, false);
  }
  const hits: [VmAreaStruct, RmapHit][] = [];
  rmap_walk(k, folio, (vma, hit) => {
    if (!hit.pmd) hits.push([vma, hit]);
    return true;
  });
  for (const [vma, hit] of hits) {
    if (!(yield* try_to_unmap_one(k, folio, vma, hit))) return false;
  }
  return !stillMapped(k, folio);
}

function stillMapped(k: Kernel, folio: number): boolean {
  let mapped = false;
  rmap_walk(k, folio, () => {
    mapped = true;
    return false;
  });
  return mapped;
}

function* try_to_unmap_one(
  k: Kernel,
  folio: number,
  vma: VmAreaStruct,
  hit: RmapHit,
): Sched<boolean> {
  const mm = vma_mm(vma);
  const pool = k.pool;
  const ptl = mm.ptlock((hit.ptr / 512) | 0);
  yield* ptl_lock(ptl, 0, pteObj(hit.ptr), Access.Write, folioObj(folio));
  const pteval = pool.get(hit.ptr);
  if (!pte_present(pteval) || pte_pfn(pteval) !== hit.page) {
    yield* ptl_unlock(ptl);
    return true;
  }
  pool.set(hit.ptr, 0); // ptep_clear_flush
  if (pte_dirty(pteval)) folio_set_dirty(k.mem, folio);
  if (folio_test_anon(k.mem, folio)) {
    if (!folio_test_swapbacked(k.mem, folio) || !folio_test_swapcache(k.mem, folio)) {
      pool.set(hit.ptr, pteval);
      yield* ptl_unlock(ptl);
      return false;
    }
    const anon_exclusive = PageAnonExclusive(k.mem, hit.page);
    if (anon_exclusive && folio_try_share_anon_rmap_pte(k, folio, hit.page) !== 0) {
      pool.set(hit.ptr, pteval); // maybe pinned: restore and give up
      yield* ptl_unlock(ptl);
      return false;
    }
    const entry = k.mem.priv[folio] + (hit.page - folio);
    let swp = swp_entry_to_pte(entry);
    // quirk swap-forgets-exclusive: before v5.19 swap entries did not remember exclusivity
    if (anon_exclusive && !k.m.quirk('swap-forgets-exclusive')) swp = pte_swp_mkexclusive(swp);
    if (pte_soft_dirty(pteval)) swp = pte_swp_mksoft_dirty(swp);
    if (pte_uffd_wp(pteval)) swp = pte_swp_mkuffd_wp(swp);
    pool.set(hit.ptr, swp);
    add_mm_counter(mm, MM_ANONPAGES, -1);
    add_mm_counter(mm, MM_SWAPENTS, 1);
    mmState(k).swap?.swap_duplicate(entry);
  } else {
    add_mm_counter(mm, mm_counter(k.mem, folio), -1);
  }
  folio_remove_rmap_ptes(k, folio, hit.page, 1, vma);
  yield* ptl_unlock(ptl, folioObj(folio));
  folio_put(k.mem, folio);
  return true;
}
