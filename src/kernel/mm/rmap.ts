/**
 * Reverse mapping: anon_vma management and the rmap add/remove/dup/share operations of
 * mm/rmap.c and include/linux/rmap.h (v6.18, CONFIG_MM_ID, CONFIG_PAGE_MAPCOUNT). The walkers
 * (try_to_unmap, folio_mkclean, ...) are in rmap_walk.ts.
 *
 * These functions change folio counters that lockless readers (GUP-fast) look at: callers
 * declare folioObj(folio) at the scheduling point before calling them.
 *
 * anon_vma: an object with root, parent and the VMAs chained to it (the anon_vma_chain interval
 * tree, kept as an array in link order); folio->mapping holds its id. anon_vma objects are never
 * freed (ids are not reused), so a stale folio->mapping still names a dead anon_vma with no VMAs,
 * which is what rmap walkers then find.
 */
import { MmBug } from '../../mm/bug.js';
import {
  folio_set_mapping,
  folio_set_index,
  PageAnonExclusive,
  SetPageAnonExclusive,
  ClearPageAnonExclusive,
} from '../../mm/anon.js';
import { folio_nr_pages, folio_test_large } from '../../mm/folio.js';
import { HPAGE_PMD_NR } from '../../mm/layout.js';
import {
  ENTIRELY_MAPPED,
  FOLIO_PAGES_MAPPED,
  F_ENTIRE_MAPCOUNT,
  F_LARGE_MAPCOUNT,
  F_MM_ID_MAPCOUNT_0,
  F_MM_ID_MAPCOUNT_1,
  F_NR_PAGES_MAPPED,
  MM_ID_DUMMY,
  folio_assign_mm_ids_shared,
  folio_large_field_add,
  folio_large_field_get,
  folio_large_field_set,
  folio_mm_id,
  folio_set_mm_id,
  folio_maybe_dma_pinned,
} from '../../mm/mapcount.js';
import {
  folio_set_swapbacked,
  folio_test_anon,
  folio_test_hugetlb,
  folio_test_partially_mapped,
  folio_test_swapbacked,
} from '../../mm/page_flags.js';
import type { PhysMem } from '../../mm/physmem.js';
import { linear_page_index, type VmAreaStruct } from '../../mm/vma.js';
import {
  NR_ANON_MAPPED,
  NR_ANON_THPS,
  NR_FILE_MAPPED,
  mod_node_page_state,
} from '../../mm/vmstat.js';
import { EBUSY } from '../include/errno.js';
import type { Kernel } from '../kernel.js';
import { deferred_split_folio } from './huge_memory_split.js';
import { folio_needs_cow_for_dma } from './internal.js';
import { mmState } from './mm_state.js';

/** include/linux/rmap.h: RMAP_NONE, RMAP_EXCLUSIVE. @fidelity exact */
export const RMAP_NONE = 0;
export const RMAP_EXCLUSIVE = 1;

/** include/linux/rmap.h: struct anon_vma. @fidelity simplified */
export class anon_vma {
  root: anon_vma = this;
  parent: anon_vma = this;
  /** The VMAs linked to this anon_vma through an anon_vma_chain (rb_root), in link order. */
  readonly vmas: VmAreaStruct[] = [];
  num_children = 0;
  num_active_vmas = 0;
  constructor(readonly id: number) {}
}

/** vma->anon_vma_chain: the anon_vmas a VMA is linked to, oldest (root) first. */
const chains = new WeakMap<VmAreaStruct, anon_vma[]>();

/** The anon_vma_chain of a VMA (the anon_vmas it is linked to). @fidelity custom */
export function anon_vma_chain(vma: VmAreaStruct): readonly anon_vma[] {
  return chains.get(vma) ?? [];
}

function anon_vma_alloc(k: Kernel): anon_vma {
  const s = mmState(k);
  const av = new anon_vma(s.nextAnonVmaId++);
  s.anonVmas.set(av.id, av);
  return av;
}

function anon_vma_chain_link(vma: VmAreaStruct, av: anon_vma): void {
  let c = chains.get(vma);
  if (c === undefined) chains.set(vma, (c = []));
  c.push(av);
  av.vmas.push(vma);
}

/** The anon_vma object a VMA's anon_vma id names. @fidelity custom */
export function vma_anon_vma(k: Kernel, vma: VmAreaStruct): anon_vma | null {
  return vma.anon_vma === null ? null : (mmState(k).anonVmas.get(vma.anon_vma) ?? null);
}

/** mm/rmap.c: folio_anon_vma(folio): the anon_vma folio->mapping names, or null. @fidelity exact */
export function folio_anon_vma(k: Kernel, folio: number): anon_vma | null {
  if (!folio_test_anon(k.mem, folio)) return null;
  return mmState(k).anonVmas.get(k.mem.mapping[folio]) ?? null;
}

/**
 * mm/rmap.c: __anon_vma_prepare(vma): give the VMA an anon_vma before its first anonymous page.
 * @fidelity simplified: find_mergeable_anon_vma (reusing a neighbour's anon_vma) is not modelled.
 */
export function anon_vma_prepare(k: Kernel, vma: VmAreaStruct): number {
  if (vma.anon_vma !== null) return 0;
  const av = anon_vma_alloc(k);
  anon_vma_chain_link(vma, av);
  av.num_active_vmas++;
  vma.anon_vma = av.id;
  return 0;
}

/**
 * mm/rmap.c: anon_vma_clone(dst, src): link dst to every anon_vma src is linked to (VMA split,
 * copy_vma). dst->anon_vma stays what the caller set (a copy of src's).
 * @fidelity simplified: the reuse of an anon_vma without active VMAs is not modelled.
 */
export function anon_vma_clone(k: Kernel, dst: VmAreaStruct, src: VmAreaStruct): number {
  for (const av of anon_vma_chain(src)) anon_vma_chain_link(dst, av);
  const own = vma_anon_vma(k, dst);
  if (own !== null) own.num_active_vmas++;
  return 0;
}

/**
 * mm/rmap.c: anon_vma_fork(vma, pvma): the child VMA joins the parent's anon_vmas and gets a new
 * anon_vma of its own (child of the parent's) for the pages it will fault or COW.
 * @fidelity simplified (no anon_vma reuse)
 */
export function anon_vma_fork(k: Kernel, vma: VmAreaStruct, pvma: VmAreaStruct): number {
  vma.anon_vma = null;
  const pav = vma_anon_vma(k, pvma);
  if (pav === null) return 0;
  for (const av of anon_vma_chain(pvma)) anon_vma_chain_link(vma, av);
  const av = anon_vma_alloc(k);
  av.root = pav.root;
  av.parent = pav;
  av.num_active_vmas++;
  pav.num_children++;
  anon_vma_chain_link(vma, av);
  vma.anon_vma = av.id;
  return 0;
}

/** mm/rmap.c: unlink_anon_vmas(vma): take the VMA off every anon_vma it is linked to. @fidelity simplified */
export function unlink_anon_vmas(k: Kernel, vma: VmAreaStruct): void {
  const own = vma_anon_vma(k, vma);
  if (own !== null) own.num_active_vmas--;
  for (const av of anon_vma_chain(vma)) {
    const i = av.vmas.indexOf(vma);
    if (i >= 0) av.vmas.splice(i, 1);
  }
  chains.delete(vma);
}

// ---- large mapcount with MM ids (include/linux/rmap.h, CONFIG_MM_ID) ----

/** include/linux/rmap.h: folio_set_large_mapcount(folio, mapcount, vma). @fidelity exact */
export function folio_set_large_mapcount(
  m: PhysMem,
  folio: number,
  mapcount: number,
  mm_id: number,
): void {
  folio_large_field_set(m, folio, F_LARGE_MAPCOUNT, mapcount - 1);
  folio_large_field_set(m, folio, F_MM_ID_MAPCOUNT_0, mapcount - 1);
  folio_set_mm_id(m, folio, 0, mm_id);
}

/** include/linux/rmap.h: folio_add_return_large_mapcount(folio, diff, vma). @fidelity exact */
export function folio_add_large_mapcount(
  m: PhysMem,
  folio: number,
  diff: number,
  mm_id: number,
): number {
  const v = folio_large_field_add(m, folio, F_LARGE_MAPCOUNT, diff);
  if (folio_mm_id(m, folio, 0) === mm_id) {
    folio_large_field_add(m, folio, F_MM_ID_MAPCOUNT_0, diff);
  } else if (folio_mm_id(m, folio, 1) === mm_id) {
    folio_large_field_add(m, folio, F_MM_ID_MAPCOUNT_1, diff);
  } else if (folio_mm_id(m, folio, 0) === MM_ID_DUMMY) {
    folio_set_mm_id(m, folio, 0, mm_id);
    folio_large_field_set(m, folio, F_MM_ID_MAPCOUNT_0, diff - 1);
    if (v !== diff - 1) folio_assign_mm_ids_shared(m, folio, true);
  } else if (folio_mm_id(m, folio, 1) === MM_ID_DUMMY) {
    folio_set_mm_id(m, folio, 1, mm_id);
    folio_large_field_set(m, folio, F_MM_ID_MAPCOUNT_1, diff - 1);
    folio_assign_mm_ids_shared(m, folio, true);
  }
  return v + 1;
}

/** include/linux/rmap.h: folio_sub_return_large_mapcount(folio, diff, vma). @fidelity exact */
export function folio_sub_large_mapcount(
  m: PhysMem,
  folio: number,
  diff: number,
  mm_id: number,
): number {
  const v = folio_large_field_add(m, folio, F_LARGE_MAPCOUNT, -diff);
  for (let idx = 0; idx < 2; idx++) {
    if (folio_mm_id(m, folio, idx) !== mm_id) continue;
    const f = F_MM_ID_MAPCOUNT_0 + idx;
    if (folio_large_field_add(m, folio, f, -diff) >= 0) return v + 1;
    folio_large_field_set(m, folio, f, -1);
    folio_set_mm_id(m, folio, idx, MM_ID_DUMMY);
    break;
  }
  if (
    folio_large_field_get(m, folio, F_MM_ID_MAPCOUNT_0) === v ||
    folio_large_field_get(m, folio, F_MM_ID_MAPCOUNT_1) === v
  )
    folio_assign_mm_ids_shared(m, folio, false);
  return v + 1;
}

// ---- adding and removing mappings (mm/rmap.c) ----

const LEVEL_PTE = 0;
const LEVEL_PMD = 1;

/** mm/rmap.c: __folio_mod_stat(folio, nr, nr_pmdmapped). @fidelity simplified (node stats only) */
function __folio_mod_stat(m: PhysMem, folio: number, nr: number, nr_pmdmapped: number): void {
  const anon = folio_test_anon(m, folio);
  if (nr !== 0) mod_node_page_state(m.vmstat, anon ? NR_ANON_MAPPED : NR_FILE_MAPPED, nr);
  if (nr_pmdmapped !== 0 && anon) mod_node_page_state(m.vmstat, NR_ANON_THPS, nr_pmdmapped);
}

/** mm/rmap.c: __folio_add_rmap(folio, page, nr_pages, vma, level). @fidelity exact */
function __folio_add_rmap(
  m: PhysMem,
  folio: number,
  page: number,
  nr_pages: number,
  vma: VmAreaStruct,
  level: number,
): void {
  let nr = 0;
  let nr_pmdmapped = 0;
  const mm_id = vma.vm_mm.mm_id;
  if (level === LEVEL_PTE) {
    if (!folio_test_large(m, folio)) {
      m._mapcount[folio] = m._mapcount[folio] + 1;
      nr = m._mapcount[folio] === 0 ? 1 : 0;
    } else {
      let first = 0;
      for (let p = page; p < page + nr_pages; p++) {
        m._mapcount[p] = m._mapcount[p] + 1;
        if (m._mapcount[p] === 0) first++;
      }
      if (
        first !== 0 &&
        folio_large_field_add(m, folio, F_NR_PAGES_MAPPED, first) < ENTIRELY_MAPPED
      )
        nr = first;
      folio_add_large_mapcount(m, folio, nr_pages, mm_id);
    }
  } else {
    const first = folio_large_field_add(m, folio, F_ENTIRE_MAPCOUNT, 1) === 0;
    if (first) {
      const v = folio_large_field_add(m, folio, F_NR_PAGES_MAPPED, ENTIRELY_MAPPED);
      if (v < ENTIRELY_MAPPED + ENTIRELY_MAPPED) {
        const pages = folio_nr_pages(m, folio);
        nr_pmdmapped = pages;
        nr = Math.max(0, pages - (v & FOLIO_PAGES_MAPPED));
      }
    }
    folio_add_large_mapcount(m, folio, 1, mm_id);
  }
  __folio_mod_stat(m, folio, nr, nr_pmdmapped);
}

/** mm/rmap.c: __folio_set_anon(folio, vma, address, exclusive). @fidelity exact */
function __folio_set_anon(
  k: Kernel,
  folio: number,
  vma: VmAreaStruct,
  address: number,
  exclusive: boolean,
): void {
  const av = vma_anon_vma(k, vma);
  if (av === null) throw new MmBug(`__folio_set_anon: vma ${vma.vm_id} has no anon_vma`);
  folio_set_mapping(k.mem, folio, exclusive ? av.id : av.root.id, true);
  folio_set_index(k.mem, folio, linear_page_index(vma, address));
}

/** mm/rmap.c: folio_add_new_anon_rmap(folio, vma, address, flags). @fidelity exact */
export function folio_add_new_anon_rmap(
  k: Kernel,
  folio: number,
  vma: VmAreaStruct,
  address: number,
  flags: number,
): void {
  const m = k.mem;
  const exclusive = (flags & RMAP_EXCLUSIVE) !== 0;
  let nr = 1;
  let nr_pmdmapped = 0;
  if (!folio_test_swapbacked(m, folio)) folio_set_swapbacked(m, folio);
  __folio_set_anon(k, folio, vma, address, exclusive);
  if (!folio_test_large(m, folio)) {
    m._mapcount[folio] = 0;
    if (exclusive) SetPageAnonExclusive(m, folio);
  } else if (folio_nr_pages(m, folio) !== HPAGE_PMD_NR) {
    nr = folio_nr_pages(m, folio);
    for (let p = folio; p < folio + nr; p++) {
      m._mapcount[p] = 0;
      if (exclusive) SetPageAnonExclusive(m, p);
    }
    folio_set_large_mapcount(m, folio, nr, vma.vm_mm.mm_id);
    folio_large_field_set(m, folio, F_NR_PAGES_MAPPED, nr);
  } else {
    nr = HPAGE_PMD_NR;
    folio_large_field_set(m, folio, F_ENTIRE_MAPCOUNT, 0);
    folio_set_large_mapcount(m, folio, 1, vma.vm_mm.mm_id);
    folio_large_field_set(m, folio, F_NR_PAGES_MAPPED, ENTIRELY_MAPPED);
    if (exclusive) SetPageAnonExclusive(m, folio);
    nr_pmdmapped = nr;
  }
  __folio_mod_stat(m, folio, nr, nr_pmdmapped);
}

/** mm/rmap.c: __folio_add_anon_rmap(folio, page, nr_pages, vma, address, flags, level). @fidelity simplified (no mlock) */
function __folio_add_anon_rmap(
  k: Kernel,
  folio: number,
  page: number,
  nr_pages: number,
  vma: VmAreaStruct,
  address: number,
  flags: number,
  level: number,
): void {
  __folio_add_rmap(k.mem, folio, page, nr_pages, vma, level);
  if ((flags & RMAP_EXCLUSIVE) === 0) return;
  if (level === LEVEL_PTE)
    for (let p = page; p < page + nr_pages; p++) SetPageAnonExclusive(k.mem, p);
  else SetPageAnonExclusive(k.mem, page);
}

/** mm/rmap.c: folio_add_anon_rmap_ptes(folio, page, nr_pages, vma, address, flags). @fidelity exact */
export function folio_add_anon_rmap_ptes(
  k: Kernel,
  folio: number,
  page: number,
  nr_pages: number,
  vma: VmAreaStruct,
  address: number,
  flags: number,
): void {
  __folio_add_anon_rmap(k, folio, page, nr_pages, vma, address, flags, LEVEL_PTE);
}

/** mm/rmap.c: folio_add_anon_rmap_pmd(folio, page, vma, address, flags). @fidelity exact */
export function folio_add_anon_rmap_pmd(
  k: Kernel,
  folio: number,
  page: number,
  vma: VmAreaStruct,
  address: number,
  flags: number,
): void {
  __folio_add_anon_rmap(k, folio, page, HPAGE_PMD_NR, vma, address, flags, LEVEL_PMD);
}

/** mm/rmap.c: folio_add_file_rmap_ptes(folio, page, nr_pages, vma). @fidelity simplified (no mlock) */
export function folio_add_file_rmap_ptes(
  k: Kernel,
  folio: number,
  page: number,
  nr_pages: number,
  vma: VmAreaStruct,
): void {
  __folio_add_rmap(k.mem, folio, page, nr_pages, vma, LEVEL_PTE);
}

/** mm/rmap.c: folio_add_file_rmap_pmd(folio, page, vma). @fidelity simplified (no mlock) */
export function folio_add_file_rmap_pmd(
  k: Kernel,
  folio: number,
  page: number,
  vma: VmAreaStruct,
): void {
  __folio_add_rmap(k.mem, folio, page, HPAGE_PMD_NR, vma, LEVEL_PMD);
}

/** mm/rmap.c: __folio_remove_rmap(folio, page, nr_pages, vma, level). @fidelity simplified (no munlock) */
function __folio_remove_rmap(
  k: Kernel,
  folio: number,
  page: number,
  nr_pages: number,
  vma: VmAreaStruct,
  level: number,
): void {
  const m = k.mem;
  let nr = 0;
  let nr_pmdmapped = 0;
  let partially_mapped = false;
  const mm_id = vma.vm_mm.mm_id;
  if (level === LEVEL_PTE) {
    if (!folio_test_large(m, folio)) {
      m._mapcount[folio] = m._mapcount[folio] - 1;
      nr = m._mapcount[folio] < 0 ? 1 : 0;
    } else {
      folio_sub_large_mapcount(m, folio, nr_pages, mm_id);
      let last = 0;
      for (let p = page; p < page + nr_pages; p++) {
        m._mapcount[p] = m._mapcount[p] - 1;
        if (m._mapcount[p] < 0) last++;
      }
      if (last !== 0 && folio_large_field_add(m, folio, F_NR_PAGES_MAPPED, -last) < ENTIRELY_MAPPED)
        nr = last;
      partially_mapped = nr !== 0 && folio_large_field_get(m, folio, F_NR_PAGES_MAPPED) !== 0;
    }
  } else {
    folio_sub_large_mapcount(m, folio, 1, mm_id);
    const last = folio_large_field_add(m, folio, F_ENTIRE_MAPCOUNT, -1) < 0;
    if (last) {
      const v = folio_large_field_add(m, folio, F_NR_PAGES_MAPPED, -ENTIRELY_MAPPED);
      if (v < ENTIRELY_MAPPED) {
        const pages = folio_nr_pages(m, folio);
        nr_pmdmapped = pages;
        nr = Math.max(0, pages - v);
      }
    }
    partially_mapped = nr !== 0 && nr < nr_pmdmapped;
  }
  if (partially_mapped && folio_test_anon(m, folio) && !folio_test_partially_mapped(m, folio))
    deferred_split_folio(k, folio, true);
  __folio_mod_stat(m, folio, -nr, -nr_pmdmapped);
}

/** mm/rmap.c: folio_remove_rmap_ptes(folio, page, nr_pages, vma). @fidelity exact */
export function folio_remove_rmap_ptes(
  k: Kernel,
  folio: number,
  page: number,
  nr_pages: number,
  vma: VmAreaStruct,
): void {
  __folio_remove_rmap(k, folio, page, nr_pages, vma, LEVEL_PTE);
}

/** mm/rmap.c: folio_remove_rmap_pmd(folio, page, vma). @fidelity exact */
export function folio_remove_rmap_pmd(
  k: Kernel,
  folio: number,
  page: number,
  vma: VmAreaStruct,
): void {
  __folio_remove_rmap(k, folio, page, HPAGE_PMD_NR, vma, LEVEL_PMD);
}

/** mm/rmap.c: folio_move_anon_rmap(folio, vma): point folio->mapping at vma's own anon_vma. @fidelity exact */
export function folio_move_anon_rmap(k: Kernel, folio: number, vma: VmAreaStruct): void {
  const av = vma_anon_vma(k, vma);
  if (av === null) throw new MmBug(`folio_move_anon_rmap: vma ${vma.vm_id} has no anon_vma`);
  folio_set_mapping(k.mem, folio, av.id, true);
}

// ---- fork and temporary unmapping (include/linux/rmap.h) ----

/**
 * include/linux/rmap.h: __folio_try_dup_anon_rmap(folio, page, nr_pages, dst_vma, src_vma, level):
 * share the mappings with a child, clearing PageAnonExclusive; -EBUSY (nothing changed) when the
 * folio may be pinned and a page is exclusive: the caller must copy instead.
 * @fidelity exact
 */
function __folio_try_dup_anon_rmap(
  k: Kernel,
  folio: number,
  page: number,
  nr_pages: number,
  dst: VmAreaStruct,
  src: VmAreaStruct,
  level: number,
): number {
  const m = k.mem;
  const maybe_pinned = folio_needs_cow_for_dma(k, src, folio);
  if (level === LEVEL_PTE) {
    if (maybe_pinned) {
      for (let p = page; p < page + nr_pages; p++) if (PageAnonExclusive(m, p)) return -EBUSY;
    }
    if (!folio_test_large(m, folio)) {
      if (PageAnonExclusive(m, page)) ClearPageAnonExclusive(m, page);
      m._mapcount[folio] = m._mapcount[folio] + 1;
      return 0;
    }
    for (let p = page; p < page + nr_pages; p++) {
      if (PageAnonExclusive(m, p)) ClearPageAnonExclusive(m, p);
      m._mapcount[p] = m._mapcount[p] + 1;
    }
    folio_add_large_mapcount(m, folio, nr_pages, dst.vm_mm.mm_id);
    return 0;
  }
  if (PageAnonExclusive(m, page)) {
    if (maybe_pinned) return -EBUSY;
    ClearPageAnonExclusive(m, page);
  }
  folio_large_field_add(m, folio, F_ENTIRE_MAPCOUNT, 1);
  folio_add_large_mapcount(m, folio, 1, dst.vm_mm.mm_id);
  return 0;
}

/** include/linux/rmap.h: folio_try_dup_anon_rmap_ptes(folio, page, nr, dst_vma, src_vma). @fidelity exact */
export function folio_try_dup_anon_rmap_ptes(
  k: Kernel,
  folio: number,
  page: number,
  nr: number,
  dst: VmAreaStruct,
  src: VmAreaStruct,
): number {
  return __folio_try_dup_anon_rmap(k, folio, page, nr, dst, src, LEVEL_PTE);
}

/** include/linux/rmap.h: folio_try_dup_anon_rmap_pmd(folio, page, dst_vma, src_vma). @fidelity exact */
export function folio_try_dup_anon_rmap_pmd(
  k: Kernel,
  folio: number,
  page: number,
  dst: VmAreaStruct,
  src: VmAreaStruct,
): number {
  return __folio_try_dup_anon_rmap(k, folio, page, HPAGE_PMD_NR, dst, src, LEVEL_PMD);
}

/** include/linux/rmap.h: folio_dup_file_rmap_ptes(folio, page, nr, dst_vma). @fidelity exact */
export function folio_dup_file_rmap_ptes(
  k: Kernel,
  folio: number,
  page: number,
  nr: number,
  dst: VmAreaStruct,
): void {
  const m = k.mem;
  if (!folio_test_large(m, folio)) {
    m._mapcount[folio] = m._mapcount[folio] + 1;
    return;
  }
  for (let p = page; p < page + nr; p++) m._mapcount[p] = m._mapcount[p] + 1;
  folio_add_large_mapcount(m, folio, nr, dst.vm_mm.mm_id);
}

/** include/linux/rmap.h: folio_dup_file_rmap_pmd(folio, page, dst_vma). @fidelity exact */
export function folio_dup_file_rmap_pmd(k: Kernel, folio: number, dst: VmAreaStruct): void {
  folio_large_field_add(k.mem, folio, F_ENTIRE_MAPCOUNT, 1);
  folio_add_large_mapcount(k.mem, folio, 1, dst.vm_mm.mm_id);
}

/**
 * include/linux/rmap.h: __folio_try_share_anon_rmap(folio, page, nr, level): before a temporary
 * unmap (swap-out, migration) or KSM: -EBUSY when the folio may be pinned, else clear
 * PageAnonExclusive. The caller has already cleared or invalidated the entry.
 * @fidelity exact
 */
export function folio_try_share_anon_rmap_pte(k: Kernel, folio: number, page: number): number {
  if (!PageAnonExclusive(k.mem, page))
    throw new MmBug('folio_try_share_anon_rmap: page not exclusive');
  if (folio_maybe_dma_pinned(k.mem, folio)) return -EBUSY;
  ClearPageAnonExclusive(k.mem, page);
  return 0;
}

/** include/linux/rmap.h: folio_try_share_anon_rmap_pmd(folio, page). @fidelity exact */
export const folio_try_share_anon_rmap_pmd = folio_try_share_anon_rmap_pte;

// ---- hugetlb (include/linux/rmap.h, mm/rmap.c) ----

/** mm/rmap.c: hugetlb_add_new_anon_rmap(folio, vma, address). @fidelity exact */
export function hugetlb_add_new_anon_rmap(
  k: Kernel,
  folio: number,
  vma: VmAreaStruct,
  address: number,
): void {
  folio_large_field_set(k.mem, folio, F_ENTIRE_MAPCOUNT, 0);
  folio_large_field_set(k.mem, folio, F_LARGE_MAPCOUNT, 0);
  __folio_set_anon(k, folio, vma, address, true);
  SetPageAnonExclusive(k.mem, folio);
}

/** mm/rmap.c: hugetlb_add_anon_rmap(folio, vma, address, flags). @fidelity exact */
export function hugetlb_add_anon_rmap(k: Kernel, folio: number, flags: number): void {
  folio_large_field_add(k.mem, folio, F_ENTIRE_MAPCOUNT, 1);
  folio_large_field_add(k.mem, folio, F_LARGE_MAPCOUNT, 1);
  if ((flags & RMAP_EXCLUSIVE) !== 0) SetPageAnonExclusive(k.mem, folio);
}

/** include/linux/rmap.h: hugetlb_try_dup_anon_rmap(folio, vma): -EBUSY if it may be pinned. @fidelity exact */
export function hugetlb_try_dup_anon_rmap(k: Kernel, folio: number, vma: VmAreaStruct): number {
  if (PageAnonExclusive(k.mem, folio)) {
    if (folio_needs_cow_for_dma(k, vma, folio)) return -EBUSY;
    ClearPageAnonExclusive(k.mem, folio);
  }
  folio_large_field_add(k.mem, folio, F_ENTIRE_MAPCOUNT, 1);
  folio_large_field_add(k.mem, folio, F_LARGE_MAPCOUNT, 1);
  return 0;
}

/** include/linux/rmap.h: hugetlb_add_file_rmap(folio). @fidelity exact */
export function hugetlb_add_file_rmap(k: Kernel, folio: number): void {
  folio_large_field_add(k.mem, folio, F_ENTIRE_MAPCOUNT, 1);
  folio_large_field_add(k.mem, folio, F_LARGE_MAPCOUNT, 1);
}

/** include/linux/rmap.h: hugetlb_remove_rmap(folio). @fidelity exact */
export function hugetlb_remove_rmap(k: Kernel, folio: number): void {
  if (!folio_test_hugetlb(k.mem, folio))
    throw new MmBug('hugetlb_remove_rmap of a non-hugetlb folio');
  folio_large_field_add(k.mem, folio, F_ENTIRE_MAPCOUNT, -1);
  folio_large_field_add(k.mem, folio, F_LARGE_MAPCOUNT, -1);
}
