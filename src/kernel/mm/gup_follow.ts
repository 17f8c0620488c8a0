/**
 * The slow path's page-table lookup (mm/gup.c: follow_page_mask, follow_pud_mask,
 * follow_pmd_mask, follow_page_pte). Runs under mmap_lock; takes the page-table lock of the
 * entry it decides on and grabs the reference under it (gup_follow_core.ts). Never faults: it
 * says what is needed instead (FOLLOW_NULL, -EMLINK...).
 *
 * Two drivers walk the levels: follow_page_mask (a generator: lock acquisitions and the grab are
 * scheduling points) and follow_page_mask_solo (plain, for a thread running alone: no other
 * thread could contend a lock or change an entry, so it neither locks nor yields).
 */
import {
  entry_table,
  pgd_offset,
  pmd_leaf,
  pmd_offset,
  pmd_present,
  pmd_protnone,
  pmd_trans_huge,
  pte_index,
  pte_none,
  pte_pfn,
  pte_present,
  pud_leaf,
  pud_offset,
  pud_present,
  table_ptr,
  type VmAreaStruct,
} from '../../mm/index.js';
import { Access, type ObjId } from '../../sim/footprint.js';
import type { Sched } from '../../sim/thread.js';
import { ENOMEM } from '../include/errno.js';
import { FOLL_SPLIT_PMD } from '../include/gup_flags.js';
import type { Kernel } from '../kernel.js';
import { folioObj, pteObj } from '../objects.js';
import { pte_alloc_for, split_huge_pmd } from './gup_deps.js';
import {
  FOLLOW_NULL,
  NO_PAGE,
  follow_huge_pmd_locked,
  follow_huge_pud_locked,
  follow_pte_locked,
  no_page_table,
  type FollowPageContext,
} from './gup_follow_core.js';
import { gup_can_follow_protnone } from './gup_internal.js';
import type { mm_struct } from './mm_struct.js';
import { mm_solo, ptl_lock, ptl_unlock } from './solo.js';

export { FOLLOW_NULL, type FollowPageContext } from './gup_follow_core.js';

/** follow_page_mask_solo: the case needs the generator driver (a THP split). */
export const SOLO_DEFER = -12288;

/** What follow_pmd_mask does with a PMD value. */
const PMD_NO_TABLE = 0;
const PMD_TABLE = 1;
const PMD_HUGE = 2;
const PMD_SPLIT = 3;

function classify_pmd(vma: VmAreaStruct, pmdval: number, flags: number): number {
  if (pmdval === 0 || !pmd_present(pmdval)) return PMD_NO_TABLE;
  if (!pmd_leaf(pmdval)) return PMD_TABLE;
  if (pmd_protnone(pmdval) && !gup_can_follow_protnone(vma, flags)) return PMD_NO_TABLE;
  return pmd_trans_huge(pmdval) && (flags & FOLL_SPLIT_PMD) !== 0 ? PMD_SPLIT : PMD_HUGE;
}

/** The PUD pointer for vpn, or -1 when the PGD entry is none. */
function pud_of(k: Kernel, mm: mm_struct, vpn: number): number {
  const pgdp = pgd_offset(mm, vpn);
  return k.pool.entries[pgdp] === 0 ? -1 : pud_offset(k.pool, pgdp, vpn);
}

/**
 * The entry follow_page_mask reads first, before its first lock or scheduling point: the PUD
 * entry for `address`, or the PGD entry when it has no PUD table. The upper levels are only
 * ever filled in by allocation (see docs/explorer.md, allocator relaxation), so this is what a
 * step that ends in follow_page_mask declares.
 * @fidelity custom
 */
export function follow_page_mask_top(k: Kernel, mm: mm_struct, address: number): ObjId {
  const vpn = Math.floor(address / 4096);
  const pudp = pud_of(k, mm, vpn);
  return pteObj(pudp >= 0 ? pudp : pgd_offset(mm, vpn));
}

/**
 * mm/gup.c: follow_page_mask: walk the page tables for `address` (bytes) and take the reference
 * `flags` asks for (FOLL_GET, FOLL_PIN or none). Sets ctx.page_mask.
 * @fidelity exact
 */
export function* follow_page_mask(
  k: Kernel,
  vma: VmAreaStruct,
  address: number,
  flags: number,
  ctx: FollowPageContext,
): Sched<number> {
  ctx.page_mask = 0;
  const mm = vma.vm_mm as mm_struct;
  const vpn = address / 4096;
  const pudp = pud_of(k, mm, vpn);
  if (pudp < 0 || !pud_present(k.pool.entries[pudp]!)) return no_page_table(vma, flags);
  if (pud_leaf(k.pool.entries[pudp]!)) {
    yield* ptl_lock(mm.page_table_lock, 0, pteObj(pudp), Access.Read);
    yield* grab_point(k, k.pool.entries[pudp]!);
    const page = follow_huge_pud_locked(k, vma, vpn, pudp, flags, ctx);
    yield* ptl_unlock(mm.page_table_lock);
    return page === FOLLOW_NULL ? no_page_table(vma, flags) : page;
  }
  return yield* follow_pmd_mask(k, vma, vpn, pmd_offset(k.pool, pudp, vpn), flags, ctx);
}

/** Before a grab: declare the folio the entry maps (and the entry). */
function* grab_point(k: Kernel, entry: number): Sched<void> {
  const m = k.m;
  if (mm_solo(m) || !pte_present(entry)) return;
  const pfn = pte_pfn(entry);
  if (pfn >= k.mem.nr_pages) return;
  const order = k.mem.compound_order[pfn]!;
  yield m.at('try_grab_folio', folioObj(pfn - (pfn % (1 << order))), Access.Write);
}

/** mm/gup.c: follow_pmd_mask. @fidelity exact */
function* follow_pmd_mask(
  k: Kernel,
  vma: VmAreaStruct,
  vpn: number,
  pmdp: number,
  flags: number,
  ctx: FollowPageContext,
): Sched<number> {
  const m = k.m;
  const mm = vma.vm_mm as mm_struct;
  if (!mm_solo(m)) yield m.at('follow_pmd_mask', pteObj(pmdp), Access.Read);
  const kind = classify_pmd(vma, k.pool.entries[pmdp]!, flags);
  if (kind === PMD_NO_TABLE) return no_page_table(vma, flags);
  if (kind === PMD_TABLE) return yield* follow_page_pte(k, vma, vpn, pmdp, flags);
  const ptl = mm.ptlock(Math.floor(pmdp / 512));
  yield* ptl_lock(ptl, 0, pteObj(pmdp), Access.Read);
  const now = classify_pmd(vma, k.pool.entries[pmdp]!, flags);
  if (now !== PMD_HUGE) {
    yield* ptl_unlock(ptl);
    if (now === PMD_NO_TABLE) return no_page_table(vma, flags);
    if (now === PMD_SPLIT) {
      yield* split_huge_pmd(k, vma, pmdp, vpn * 4096);
      if (pte_alloc_for(k, mm, pmdp) !== 0) return -ENOMEM;
    }
    return yield* follow_page_pte(k, vma, vpn, pmdp, flags);
  }
  yield* grab_point(k, k.pool.entries[pmdp]!);
  const page = follow_huge_pmd_locked(k, vma, vpn, pmdp, flags, ctx);
  yield* ptl_unlock(ptl);
  return page;
}

/** pte_offset_map: the PTE pointer for vpn under pmdp, or -1 (no PTE table there). */
function pte_of(k: Kernel, pmdp: number, vpn: number): number {
  const pmd = k.pool.entries[pmdp]!;
  if (pmd === 0 || pmd_leaf(pmd) || !pmd_present(pmd)) return -1;
  return table_ptr(entry_table(pmd), pte_index(vpn));
}

/** follow_page_pte's `no_page` label: pte_none needs no_page_table, anything else a fault. */
function after_pte(
  k: Kernel,
  vma: VmAreaStruct,
  ptep: number,
  flags: number,
  page: number,
): number {
  if (page !== NO_PAGE) return page;
  return pte_none(k.pool.entries[ptep]!) ? no_page_table(vma, flags) : FOLLOW_NULL;
}

/**
 * mm/gup.c: follow_page_pte: under the PTE lock, the page mapped at vpn with the reference
 * taken, or what is needed instead.
 * @fidelity exact
 */
function* follow_page_pte(
  k: Kernel,
  vma: VmAreaStruct,
  vpn: number,
  pmdp: number,
  flags: number,
): Sched<number> {
  const mm = vma.vm_mm as mm_struct;
  const ptep = pte_of(k, pmdp, vpn);
  if (ptep < 0) return no_page_table(vma, flags);
  const ptl = mm.ptlock(Math.floor(ptep / 512));
  yield* ptl_lock(ptl, 0, pteObj(ptep), Access.Read);
  yield* grab_point(k, k.pool.entries[ptep]!);
  const page = follow_pte_locked(k, vma, vpn, ptep, flags);
  yield* ptl_unlock(ptl);
  return after_pte(k, vma, ptep, flags, page);
}

/**
 * For a thread running alone: the PMD pointer for vpn when the PUD entry points to a PMD table
 * (remembered in ctx for the 2 MiB region), or -1 (no PUD table, or a PUD leaf).
 */
function solo_pmdp(k: Kernel, vma: VmAreaStruct, vpn: number, ctx: FollowPageContext): number {
  const region = Math.floor(vpn / 512);
  if (ctx.pmd_region === region) return ctx.pmdp;
  const pudp = pud_of(k, vma.vm_mm as mm_struct, vpn);
  if (pudp < 0 || !pud_present(k.pool.entries[pudp]!) || pud_leaf(k.pool.entries[pudp]!)) return -1;
  const pmdp = pmd_offset(k.pool, pudp, vpn);
  ctx.pmd_region = region;
  ctx.pmdp = pmdp;
  return pmdp;
}

/**
 * follow_page_mask for a thread running alone: the same decisions (gup_follow_core.ts) without
 * locks or scheduling points. SOLO_DEFER when the case needs the generator driver (a THP split).
 * @fidelity custom
 */
export function follow_page_mask_solo(
  k: Kernel,
  vma: VmAreaStruct,
  address: number,
  flags: number,
  ctx: FollowPageContext,
): number {
  ctx.page_mask = 0;
  const vpn = address / 4096;
  const pmdp = solo_pmdp(k, vma, vpn, ctx);
  if (pmdp < 0) {
    const pudp = pud_of(k, vma.vm_mm as mm_struct, vpn);
    if (pudp < 0 || !pud_present(k.pool.entries[pudp]!)) return no_page_table(vma, flags);
    const page = follow_huge_pud_locked(k, vma, vpn, pudp, flags, ctx);
    return page === FOLLOW_NULL ? no_page_table(vma, flags) : page;
  }
  const kind = classify_pmd(vma, k.pool.entries[pmdp]!, flags);
  if (kind === PMD_NO_TABLE) return no_page_table(vma, flags);
  if (kind === PMD_SPLIT) return SOLO_DEFER;
  if (kind === PMD_HUGE) return follow_huge_pmd_locked(k, vma, vpn, pmdp, flags, ctx);
  const ptep = pte_of(k, pmdp, vpn);
  if (ptep < 0) return no_page_table(vma, flags);
  return after_pte(k, vma, ptep, flags, follow_pte_locked(k, vma, vpn, ptep, flags));
}

/**
 * For a thread running alone: the PTE pointer for vpn when follow_pmd_mask would go on to
 * follow_page_pte there (the PMD entry points to a PTE table), else -1.
 * @fidelity custom
 */
export function solo_pte_table(
  k: Kernel,
  vma: VmAreaStruct,
  vpn: number,
  flags: number,
  ctx: FollowPageContext,
): number {
  const pmdp = solo_pmdp(k, vma, vpn, ctx);
  if (pmdp < 0 || classify_pmd(vma, k.pool.entries[pmdp]!, flags) !== PMD_TABLE) return -1;
  return pte_of(k, pmdp, vpn);
}
