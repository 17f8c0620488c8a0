/**
 * The mapping half of page migration (mm/rmap.c: try_to_migrate, try_to_migrate_one;
 * mm/migrate.c: remove_migration_ptes, remove_migration_pte; mm/huge_memory.c:
 * set_pmd_migration_entry, remove_migration_pmd), for anonymous folios.
 *
 * try_to_migrate replaces every PTE (or PMD) mapping the folio with a migration entry that
 * remembers write permission and PageAnonExclusive; a page that may be pinned cannot lose
 * PageAnonExclusive (folio_try_share_anon_rmap_*), so the walk stops and the folio stays mapped.
 * remove_migration_ptes turns the entries back into mappings of the new folio (or of the old
 * one, when migration gave up).
 *
 * A page-cache folio (file or shmem) is unmapped the same way: its entries remember only write
 * permission (nothing is exclusive), and are restored as file mappings of the new folio.
 *
 * The rmap walk: every VMA linked to the folio's anon_vma (anon) or in its mapping's i_mmap
 * (file), at the address its index maps to.
 * @fidelity simplified: no mlock, no device-private entries, no hugetlb (migrate_hugetlb.ts).
 */
import {
  HPAGE_PMD_NR,
  PageAnonExclusive,
  folio_test_anon,
  folio_nr_pages,
  folio_put,
  folio_get,
  is_pmd_migration_entry,
  is_swap_pte,
  is_migration_entry,
  is_readable_exclusive_migration_entry,
  is_writable_migration_entry,
  is_migration_entry_dirty,
  is_migration_entry_young,
  make_migration_entry_dirty,
  make_migration_entry_young,
  make_readable_exclusive_migration_entry,
  make_readable_migration_entry,
  make_writable_migration_entry,
  pfn_pte,
  pmd_lookup,
  pmd_leaf,
  pmd_present,
  pmd_to_swp_entry,
  pte_dirty,
  pte_mkdirty,
  pte_mkold,
  pte_mkuffd_wp,
  pte_mksoft_dirty,
  pte_mkwrite,
  pte_offset_map,
  set_pte_at,
  pte_pfn,
  pte_present,
  pte_soft_dirty,
  pte_to_swp_entry,
  pte_uffd_wp,
  pte_write,
  pte_young,
  pmd_mkhuge,
  pte_swp_mksoft_dirty,
  pte_swp_mkuffd_wp,
  pte_swp_soft_dirty,
  pte_swp_uffd_wp,
  swp_entry_to_pte,
  swp_entry_to_pmd,
  swp_offset_pfn,
  vma_address,
  type VmAreaStruct,
} from '../../mm/index.js';
import { Access } from '../../sim/footprint.js';
import type { Sched } from '../../sim/thread.js';
import type { Kernel } from '../kernel.js';
import { pteObj } from '../objects.js';
import { folio_mark_dirty } from './filemap.js';
import type { mm_struct } from './mm_struct.js';
import {
  RMAP_EXCLUSIVE,
  RMAP_NONE,
  folio_add_anon_rmap_pmd,
  folio_add_anon_rmap_ptes,
  folio_add_file_rmap_pmd,
  folio_add_file_rmap_ptes,
  folio_anon_vma,
  folio_remove_rmap_pmd,
  folio_remove_rmap_ptes,
  folio_try_share_anon_rmap_pmd,
  folio_try_share_anon_rmap_pte,
} from './rmap.js';
import { mmState } from './mm_state.js';
import { mm_solo, ptl_lock, ptl_unlock, solo_spin_lock, solo_spin_unlock } from './solo.js';

/**
 * An entry of a VMA that maps (or held a migration entry for) part of a folio; `a`, `b`, `c`
 * are the walk's own arguments (module-level visitors, so a walk allocates no closure).
 */
type Visit = (
  k: Kernel,
  vma: VmAreaStruct,
  entp: number,
  vpn: number,
  huge: boolean,
  a: number,
  b: number,
  c: number,
) => boolean;

/** The VMAs that may map the folio: its anon_vma's, or its mapping's i_mmap. */
function folio_rmap_vmas(k: Kernel, folio: number): readonly VmAreaStruct[] {
  if (folio_test_anon(k.mem, folio)) return folio_anon_vma(k, folio)?.vmas ?? [];
  return mmState(k).mappings.get(k.mem.mapping[folio]!)?.i_mmap ?? [];
}

/** visitSlotSolo could not take the entry's lock without a scheduling point. */
const NEEDS_LOCK = -2;

/**
 * mm/rmap.c: rmap_walk_anon / rmap_walk_file, reduced to what migration needs: call `visit`
 * for each PTE or PMD slot of the folio's range in every VMA that may map it, under that
 * entry's page-table lock, until `visit` returns false.
 *
 * When the caller runs alone (mm/solo.ts) no other thread can change the VMA list or take a
 * lock during the walk, so it runs here and now, in place, each free lock taken without a
 * scheduling point, and the answer is null. Otherwise the answer is the generator that does the
 * walk (over a copy of the VMA list), or, when the solo walk met a lock that is not free, the
 * generator that goes on from that slot through ptl_lock. Walking to the end or stopping at
 * `visit`'s false are not told apart: no caller needs it.
 */
function walk_folio_slots(
  k: Kernel,
  folio: number,
  visit: Visit,
  a: number,
  b: number,
  c: number,
  via: number = folio,
): Sched<void> | null {
  const nr = folio_nr_pages(k.mem, folio);
  const index = k.mem.index[folio]!;
  const vmas = folio_rmap_vmas(k, via);
  if (!mm_solo(k.m)) return walk_slots(k, [...vmas], 0, -1, index, nr, visit, a, b, c);
  for (let i = 0; i < vmas.length; i++) {
    const vma = vmas[i]!;
    const addr = vma_address(vma, index, nr);
    if (addr < 0) continue;
    const first = addr / 4096;
    const last = Math.min(vma.vm_end / 4096, first + nr);
    for (let vpn = first; vpn < last;) {
      const step = visitSlotSolo(k, vma, vpn, visit, a, b, c);
      if (step === NEEDS_LOCK) return walk_slots(k, vmas, i, vpn, index, nr, visit, a, b, c);
      if (step < 0) return null;
      vpn += step;
    }
  }
  return null;
}

/** The walk as a generator, from VMA `i0` (at page `vpn0`, or its first page when -1) on. */
function* walk_slots(
  k: Kernel,
  vmas: readonly VmAreaStruct[],
  i0: number,
  vpn0: number,
  index: number,
  nr: number,
  visit: Visit,
  a: number,
  b: number,
  c: number,
): Sched<void> {
  for (let i = i0; i < vmas.length; i++) {
    const vma = vmas[i]!;
    const addr = vma_address(vma, index, nr);
    if (addr < 0) continue;
    const first = addr / 4096;
    const last = Math.min(vma.vm_end / 4096, first + nr);
    for (let vpn = i === i0 && vpn0 >= 0 ? vpn0 : first; vpn < last;) {
      const step = yield* visitSlot(k, vma, vpn, visit, a, b, c);
      if (step < 0) return;
      vpn += step;
    }
  }
}

/**
 * The entry that maps vpn below `pmdp` (pmd_lookup's answer): the PMD itself when it is a leaf
 * or a PMD migration entry, else the PTE; -1 when there is no table there.
 */
function slot_entry(k: Kernel, pmdp: number, vpn: number): number {
  if (pmdp < 0) return -1;
  const pmd = k.pool.entries[pmdp]!;
  if (pmd_leaf(pmd) || is_pmd_migration_entry(pmd)) return pmdp;
  if (!pmd_present(pmd)) return -1;
  return pte_offset_map(k.pool, pmdp, vpn);
}

/** Pages a visited slot covers: a PMD entry spans the rest of its 2 MiB, a PTE one page. */
function slotSpan(huge: boolean, vpn: number): number {
  return huge ? HPAGE_PMD_NR - (vpn % HPAGE_PMD_NR) : 1;
}

/** Visit the entry for vpn under its lock; the pages covered, or -1 to stop the walk. */
function* visitSlot(
  k: Kernel,
  vma: VmAreaStruct,
  vpn: number,
  visit: Visit,
  a: number,
  b: number,
  c: number,
): Sched<number> {
  const mm = vma.vm_mm as mm_struct;
  const pmdp = pmd_lookup(k.pool, mm, vpn);
  const entp = slot_entry(k, pmdp, vpn);
  if (entp < 0) return 1;
  const huge = entp === pmdp;
  const ptl = mm.ptlock(Math.floor(entp / 512));
  yield* ptl_lock(ptl, 0, pteObj(entp), Access.Write);
  const go = visit(k, vma, entp, vpn, huge, a, b, c);
  yield* ptl_unlock(ptl);
  return go ? slotSpan(huge, vpn) : -1;
}

/** visitSlot without a scheduling point (the caller runs alone), or NEEDS_LOCK. */
function visitSlotSolo(
  k: Kernel,
  vma: VmAreaStruct,
  vpn: number,
  visit: Visit,
  a: number,
  b: number,
  c: number,
): number {
  const mm = vma.vm_mm as mm_struct;
  const pmdp = pmd_lookup(k.pool, mm, vpn);
  const entp = slot_entry(k, pmdp, vpn);
  if (entp < 0) return 1;
  const huge = entp === pmdp;
  const ptl = mm.ptlock(Math.floor(entp / 512));
  if (!solo_spin_lock(ptl)) return NEEDS_LOCK;
  const go = visit(k, vma, entp, vpn, huge, a, b, c);
  solo_spin_unlock(ptl);
  return go ? slotSpan(huge, vpn) : -1;
}

/** The migration entry for a present entry: write, exclusivity, young and dirty remembered. */
function migration_entry(pteval: number, page: number, exclusive: boolean): number {
  let entry = pte_write(pteval)
    ? make_writable_migration_entry(page)
    : exclusive
      ? make_readable_exclusive_migration_entry(page)
      : make_readable_migration_entry(page);
  if (pte_young(pteval)) entry = make_migration_entry_young(entry);
  if (pte_dirty(pteval)) entry = make_migration_entry_dirty(entry);
  return entry;
}

/**
 * mm/rmap.c: try_to_migrate(folio, flags): replace every mapping of the (locked) folio with
 * migration entries. For an anon folio, stops (leaving the rest mapped) at an exclusive page
 * that may be pinned.
 * @fidelity simplified (no hugetlb, no mlock)
 */
export function* try_to_migrate(k: Kernel, folio: number): Sched<void> {
  const rest = try_to_migrate_solo(k, folio);
  if (rest !== null) yield* rest;
}

/**
 * try_to_migrate started as a plain call: done (null) when the caller runs alone and every
 * lock is free, else the generator that does the rest (see walk_folio_slots). Saves the
 * generators of the walk on the solo path.
 */
export function try_to_migrate_solo(k: Kernel, folio: number): Sched<void> | null {
  const end = folio + folio_nr_pages(k.mem, folio);
  return walk_folio_slots(k, folio, try_to_migrate_one, folio, end, 0);
}

/** mm/rmap.c: try_to_migrate_one: one entry of the walk (its lock held). False: abort. */
function try_to_migrate_one(
  k: Kernel,
  vma: VmAreaStruct,
  entp: number,
  _vpn: number,
  huge: boolean,
  folio: number,
  end: number,
): boolean {
  const pteval = k.pool.entries[entp]!;
  if (!pte_present(pteval) || is_swap_pte(pteval)) return true;
  const page = pte_pfn(pteval);
  if (page < folio || page >= end) return true;
  return huge
    ? migrate_one_pmd(k, vma, entp, folio, pteval)
    : migrate_one_pte(k, vma, entp, folio, pteval);
}

/** mm/rmap.c: try_to_migrate_one for one PTE (PTE lock held). False: pinned, abort. */
function migrate_one_pte(
  k: Kernel,
  vma: VmAreaStruct,
  ptep: number,
  folio: number,
  pteval: number,
): boolean {
  const mem = k.mem;
  const page = pte_pfn(pteval);
  set_pte_at(k.pool, ptep, 0);
  const exclusive = folio_test_anon(mem, folio) && PageAnonExclusive(mem, page);
  if (pte_dirty(pteval)) folio_mark_dirty(k, folio);
  if (exclusive && folio_try_share_anon_rmap_pte(k, folio, page) !== 0) {
    set_pte_at(k.pool, ptep, pteval);
    return false;
  }
  let swp = swp_entry_to_pte(migration_entry(pteval, page, exclusive));
  if (pte_soft_dirty(pteval)) swp = pte_swp_mksoft_dirty(swp);
  if (pte_uffd_wp(pteval)) swp = pte_swp_mkuffd_wp(swp);
  set_pte_at(k.pool, ptep, swp);
  folio_remove_rmap_ptes(k, folio, page, 1, vma);
  folio_put(mem, folio);
  return true;
}

/** mm/huge_memory.c: set_pmd_migration_entry (PMD lock held). False: pinned, abort. */
function migrate_one_pmd(
  k: Kernel,
  vma: VmAreaStruct,
  pmdp: number,
  folio: number,
  pmdval: number,
): boolean {
  const mem = k.mem;
  set_pte_at(k.pool, pmdp, 0);
  const exclusive = folio_test_anon(mem, folio) && PageAnonExclusive(mem, folio);
  if (pte_dirty(pmdval)) folio_mark_dirty(k, folio);
  if (exclusive && folio_try_share_anon_rmap_pmd(k, folio, folio) !== 0) {
    set_pte_at(k.pool, pmdp, pmdval);
    return false;
  }
  let swp = swp_entry_to_pmd(migration_entry(pmdval, folio, exclusive));
  if (pte_soft_dirty(pmdval)) swp = pte_swp_mksoft_dirty(swp);
  if (pte_uffd_wp(pmdval)) swp = pte_swp_mkuffd_wp(swp);
  set_pte_at(k.pool, pmdp, swp);
  folio_remove_rmap_pmd(k, folio, folio, vma);
  folio_put(mem, folio);
  return true;
}

/**
 * mm/migrate.c: remove_migration_ptes(src, dst): every migration entry for a page of `src` in
 * the folio's VMAs becomes a mapping of the same page of `dst` (which may be `src` itself when
 * migration gave up), writable and exclusive as the entry remembers.
 * @fidelity simplified (anon only)
 */
export function* remove_migration_ptes(k: Kernel, src: number, dst: number): Sched<void> {
  const rest = remove_migration_ptes_solo(k, src, dst);
  if (rest !== null) yield* rest;
}

/** remove_migration_ptes started as a plain call, as try_to_migrate_solo. */
export function remove_migration_ptes_solo(
  k: Kernel,
  src: number,
  dst: number,
): Sched<void> | null {
  const end = src + folio_nr_pages(k.mem, src);
  return walk_folio_slots(k, src, remove_migration_pte, src, end, dst, dst);
}

/** mm/migrate.c: remove_migration_pte: one entry of the walk (its lock held). */
function remove_migration_pte(
  k: Kernel,
  vma: VmAreaStruct,
  entp: number,
  vpn: number,
  huge: boolean,
  src: number,
  end: number,
  dst: number,
): boolean {
  const ent = k.pool.entries[entp]!;
  if (!is_swap_pte(ent) && !(huge && is_pmd_migration_entry(ent))) return true;
  const entry = huge ? pmd_to_swp_entry(ent) : pte_to_swp_entry(ent);
  if (!is_migration_entry(entry)) return true;
  const old = swp_offset_pfn(entry);
  if (old < src || old >= end) return true;
  remove_migration_entry(k, vma, entp, vpn * 4096, dst + (old - src), dst, ent, entry, huge);
  return true;
}

/** mm/migrate.c: remove_migration_pte / mm/huge_memory.c: remove_migration_pmd for one entry. */
function remove_migration_entry(
  k: Kernel,
  vma: VmAreaStruct,
  entp: number,
  address: number,
  page: number,
  dst: number,
  ent: number,
  entry: number,
  huge: boolean,
): void {
  let pte = pfn_pte(page, vma.vm_page_prot);
  if (huge) pte = pmd_mkhuge(pte);
  if (!is_migration_entry_young(entry)) pte = pte_mkold(pte);
  if (is_migration_entry_dirty(entry)) pte = pte_mkdirty(pte);
  if (pte_swp_soft_dirty(ent)) pte = pte_mksoft_dirty(pte);
  if (is_writable_migration_entry(entry)) pte = pte_mkwrite(pte);
  if (pte_swp_uffd_wp(ent)) pte = pte_mkuffd_wp(pte);
  const exclusive =
    is_writable_migration_entry(entry) || is_readable_exclusive_migration_entry(entry);
  const flags = exclusive ? RMAP_EXCLUSIVE : RMAP_NONE;
  folio_get(k.mem, dst);
  if (!folio_test_anon(k.mem, dst)) {
    if (huge) folio_add_file_rmap_pmd(k, dst, dst, vma);
    else folio_add_file_rmap_ptes(k, dst, page, 1, vma);
  } else if (huge) folio_add_anon_rmap_pmd(k, dst, dst, vma, address, flags);
  else folio_add_anon_rmap_ptes(k, dst, page, 1, vma, address, flags);
  set_pte_at(k.pool, entp, pte);
}
