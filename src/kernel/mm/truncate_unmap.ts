/**
 * Unmapping a file range from every process: mm/memory.c (v6.18) unmap_mapping_range,
 * unmap_mapping_pages, unmap_mapping_folio and, for the PTEs they reach, the file side of
 * zap_pte_range (zap_present_folio_ptes with struct zap_details: `even_cows` also zaps the
 * private COW copies of a truncated range; a hole punch keeps them).
 *
 * The VMAs come from mapping->i_mmap, which the mm layer maintains. A dirty PTE passes its
 * dirtiness to the folio (folio_mark_dirty) before it goes, as the kernel does.
 * @fidelity simplified: PTE-mapped pages only (page-cache folios are not PMD-mapped in this
 * model); non-present entries are left alone; no i_mmap_rwsem; no TLB batching.
 */
import { folio_test_anon } from '../../mm/page_flags.js';
import { folio_put } from '../../mm/page_free.js';
import { page_folio } from '../../mm/folio.js';
import { add_mm_counter, mm_counter } from '../../mm/mm_types.js';
import { pte_dirty, pte_none, pte_pfn, pte_present, pte_special } from '../../mm/pgtable_types.js';
import { pmd_lookup } from '../../mm/pgtable_walk.js';
import { vma_pages, type VmAreaStruct } from '../../mm/vma.js';
import { Access } from '../../sim/footprint.js';
import type { Sched } from '../../sim/thread.js';
import type { Kernel } from '../kernel.js';
import { folioObj, pteObj } from '../objects.js';
import { folio_test_locked } from './filemap.js';
import type { mm_struct } from './mm_struct.js';
import type { address_space } from './mm_types.js';
import { folio_mark_dirty } from './page-writeback.js';
import { folio_mapping } from './pagecache.js';
import { pte_offset_map_lock, pte_unmap_unlock, type PtlRef } from './pgtable_generic.js';
import { folio_remove_rmap_ptes } from './rmap.js';
import { mm_solo } from './solo.js';

/** mm/internal.h: struct zap_details (the fields unmapping a file uses). */
export interface zap_details {
  /** Also zap private COW copies (anonymous folios) in the range. */
  readonly even_cows: boolean;
  /** Only zap this folio (unmap_mapping_folio), or -1. */
  readonly single_folio: number;
}

/** mm/memory.c: should_zap_folio(details, folio). @fidelity exact */
function should_zap_folio(k: Kernel, details: zap_details, folio: number): boolean {
  if (details.even_cows) return true;
  return !folio_test_anon(k.mem, folio);
}

/** One PTE of a file VMA: zap it if it maps a page `details` selects. */
function* zap_one(k: Kernel, vma: VmAreaStruct, vpn: number, details: zap_details): Sched<void> {
  const mm = vma.vm_mm as mm_struct;
  const pmdp = pmd_lookup(k.pool, mm, vpn);
  if (pmdp < 0) return;
  const ref: PtlRef = { ptl: null };
  const ptep = yield* pte_offset_map_lock(mm, pmdp, vpn, ref);
  if (ptep < 0) return;
  const pte = k.pool.get(ptep);
  if (pte_none(pte) || !pte_present(pte) || pte_special(pte)) {
    yield* pte_unmap_unlock(ref);
    return;
  }
  const page = pte_pfn(pte);
  const folio = page_folio(k.mem, page);
  const selected = details.single_folio < 0 || details.single_folio === folio;
  if (!selected || !should_zap_folio(k, details, folio)) {
    yield* pte_unmap_unlock(ref);
    return;
  }
  if (!mm_solo(k.m))
    yield k.m
      .at('zap_present_ptes', folioObj(folio), Access.Write)
      .also(pteObj(ptep), Access.Write);
  k.pool.set(ptep, 0);
  if (!folio_test_anon(k.mem, folio) && pte_dirty(pte)) folio_mark_dirty(k, folio);
  add_mm_counter(mm, mm_counter(k.mem, folio), -1);
  folio_remove_rmap_ptes(k, folio, page, 1, vma);
  yield* pte_unmap_unlock(ref);
  folio_put(k.mem, folio);
}

/** mm/memory.c: unmap_mapping_range_vma(vma, start, end, details) over page offsets [zba, zea]. */
function* unmap_mapping_range_vma(
  k: Kernel,
  vma: VmAreaStruct,
  zba: number,
  zea: number,
  details: zap_details,
): Sched<void> {
  const base = vma.vm_start / 4096 - vma.vm_pgoff;
  for (let pgoff = zba; pgoff <= zea; pgoff++) yield* zap_one(k, vma, base + pgoff, details);
}

/** mm/memory.c: unmap_mapping_range_tree(root, first_index, last_index, details). @fidelity simplified */
function* unmap_mapping_range_tree(
  k: Kernel,
  mapping: address_space,
  first: number,
  last: number,
  details: zap_details,
): Sched<void> {
  for (const vma of [...mapping.i_mmap]) {
    const vba = vma.vm_pgoff;
    const vea = vba + vma_pages(vma) - 1;
    const zba = Math.max(first, vba);
    const zea = Math.min(last, vea);
    if (zba > zea) continue;
    yield* unmap_mapping_range_vma(k, vma, zba, zea, details);
  }
}

/**
 * mm/memory.c: unmap_mapping_pages(mapping, start, nr, even_cows): unmap pages [start,
 * start + nr) of the file from every process.
 * @fidelity simplified
 */
export function* unmap_mapping_pages(
  k: Kernel,
  mapping: address_space,
  start: number,
  nr: number,
  even_cows: boolean,
): Sched<void> {
  if (mapping.i_mmap.length === 0) return;
  yield* unmap_mapping_range_tree(k, mapping, start, start + nr - 1, {
    even_cows,
    single_folio: -1,
  });
}

/**
 * mm/memory.c: unmap_mapping_range(mapping, holebegin, holelen, even_cows): unmap the bytes
 * [holebegin, holebegin + holelen) rounded out to pages; holelen 0 means to the end of the file.
 * @fidelity exact
 */
export function* unmap_mapping_range(
  k: Kernel,
  mapping: address_space,
  holebegin: number,
  holelen: number,
  even_cows: boolean,
): Sched<void> {
  const hba = Math.floor(holebegin / 4096);
  const hlen = holelen === 0 ? Number.MAX_SAFE_INTEGER - hba : Math.ceil(holelen / 4096);
  yield* unmap_mapping_pages(k, mapping, hba, hlen, even_cows);
}

/** mm/memory.c: unmap_mapping_folio(folio): unmap a locked page-cache folio everywhere. @fidelity simplified */
export function* unmap_mapping_folio(k: Kernel, folio: number): Sched<void> {
  if (!folio_test_locked(k, folio))
    throw new Error(`VM_BUG_ON: unmap_mapping_folio of unlocked folio ${folio}`);
  const mapping = folio_mapping(k, folio);
  if (mapping === null || mapping.i_mmap.length === 0) return;
  const first = k.mem.index[folio];
  const last = first + (1 << k.mem.compound_order[folio]!) - 1;
  yield* unmap_mapping_range_tree(k, mapping, first, last, {
    even_cows: false,
    single_folio: folio,
  });
}
