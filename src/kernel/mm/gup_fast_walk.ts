/**
 * The lockless page-table walk of GUP-fast (mm/gup.c: gup_fast_pgd_range ... gup_fast_pte_range,
 * gup_fast_pmd_leaf, gup_fast_pud_leaf). The walk stops at the first entry it cannot handle;
 * `w.nr` is always a fully referenced prefix.
 *
 * The work is split into plain step functions (gup_fast_steps.ts): read an entry, grab the
 * folio, re-check and record. Two drivers run them:
 *  - gup_fast_pgd_range (a generator) puts a scheduling point before every step, declaring what
 *    it touches, so the explorer can interleave the walk with fork's write-protect, unmap or a THP
 *    split (the kernel's IRQ-disabled section stops page tables from being freed, not entries
 *    from changing);
 *  - gup_fast_walk_solo runs the same steps back to back when no other thread is alive (nothing
 *    could come between them), without generator overhead, and takes runs of plain PTEs through
 *    fast_pte_lane (the same decisions, specialised for the common case).
 */
import {
  PGDIR_NR_PAGES,
  PMD_NR_PAGES,
  PTRS_PER_PGD,
  PUD_NR_PAGES,
  entry_table,
  pte_pfn as entry_pfn,
  pgd_addr_end,
  pgd_offset,
  pmd_addr_end,
  pmd_index,
  pte_index,
  pud_addr_end,
  pud_index,
  table_ptr,
} from '../../mm/index.js';
import { Access } from '../../sim/footprint.js';
import type { Sched } from '../../sim/thread.js';
import { folioObj, pteObj } from '../objects.js';
import {
  LEVEL_DESCEND,
  LEVEL_LEAF,
  LEVEL_STOP,
  fast_huge_commit,
  fast_huge_grab,
  fast_level_entry,
  fast_pmd_table,
  fast_pte_commit,
  fast_pte_grab,
  fast_pte_lane,
  fast_pte_read,
  folio_of,
  type FastWalk,
} from './gup_fast_steps.js';

export type { FastWalk } from './gup_fast_steps.js';

/** mm/gup.c: gup_fast_pgd_range (P4D is folded), with a scheduling point before every step. @fidelity exact */
export function* gup_fast_pgd_range(w: FastWalk, vpn: number, end: number): Sched<void> {
  let pgdp = pgd_offset(w.mm, vpn);
  do {
    yield w.m.at('gup_fast_pgd_range', pteObj(pgdp), Access.Read);
    const pgd = w.pool.entries[pgdp]!;
    const next = pgd_addr_end(vpn, end);
    if (pgd === 0) return void fast_stop(w, vpn, 'no page table (pgd none)');
    if (!(yield* gup_fast_pud_range(w, entry_table(pgd), vpn, next))) return;
    pgdp++;
    vpn = next;
  } while (vpn !== end);
}

function fast_stop(w: FastWalk, vpn: number, reason: string): false {
  w.bail = reason;
  w.bailVpn = vpn;
  return false;
}

/** mm/gup.c: gup_fast_pud_range. @fidelity exact */
function* gup_fast_pud_range(
  w: FastWalk,
  pudTable: number,
  vpn: number,
  end: number,
): Sched<boolean> {
  let pudp = table_ptr(pudTable, pud_index(vpn));
  do {
    yield w.m.at('gup_fast_pud_range', pteObj(pudp), Access.Read);
    const next = pud_addr_end(vpn, end);
    const kind = fast_level_entry(w, pudp, vpn, false);
    if (kind === LEVEL_STOP) return false;
    const ok =
      kind === LEVEL_LEAF
        ? yield* gup_fast_huge_leaf(w, pudp, vpn, next, PUD_NR_PAGES)
        : yield* gup_fast_pmd_range(w, entry_table(w.pmd), vpn, next);
    if (!ok) return false;
    pudp++;
    vpn = next;
  } while (vpn !== end);
  return true;
}

/** mm/gup.c: gup_fast_pmd_range. @fidelity exact */
function* gup_fast_pmd_range(
  w: FastWalk,
  pmdTable: number,
  vpn: number,
  end: number,
): Sched<boolean> {
  let pmdp = table_ptr(pmdTable, pmd_index(vpn));
  do {
    yield w.m.at('gup_fast_pmd_range', pteObj(pmdp), Access.Read);
    const next = pmd_addr_end(vpn, end);
    const kind = fast_level_entry(w, pmdp, vpn, true);
    if (kind === LEVEL_STOP) return false;
    const ok =
      kind === LEVEL_LEAF
        ? yield* gup_fast_huge_leaf(w, pmdp, vpn, next, PMD_NR_PAGES)
        : yield* gup_fast_pte_range(w, pmdp, vpn, next);
    if (!ok) return false;
    pmdp++;
    vpn = next;
  } while (vpn !== end);
  return true;
}

/**
 * mm/gup.c: gup_fast_pte_range: per PTE, a read, a grab and a re-check, each after its own
 * scheduling point.
 * @fidelity exact
 */
function* gup_fast_pte_range(w: FastWalk, pmdp: number, vpn: number, end: number): Sched<boolean> {
  const pmd = w.pmd;
  const table = fast_pmd_table(w, vpn);
  if (table < 0) return false;
  let ptep = table + pte_index(vpn);
  do {
    yield w.m.at('gup_fast_pte_range', pteObj(ptep), Access.Read);
    const page = fast_pte_read(w, ptep, vpn);
    if (page < 0) return false;
    yield w.m.at('try_grab_folio_fast', folioObj(folio_of(w, page)), Access.Write);
    const folio = fast_pte_grab(w, page, vpn);
    if (folio < 0) return false;
    yield w.m
      .at('gup_fast_pte_range', pteObj(ptep), Access.Read)
      .also(pteObj(pmdp), Access.Read)
      .also(folioObj(folio), Access.Write);
    w.pmd = pmd;
    if (!fast_pte_commit(w, pmdp, ptep, folio, page, vpn)) return false;
    ptep++;
    vpn++;
  } while (vpn !== end);
  return true;
}

/** mm/gup.c: gup_fast_pmd_leaf / gup_fast_pud_leaf: one grab for the leaf's pages in range. @fidelity exact */
function* gup_fast_huge_leaf(
  w: FastWalk,
  entp: number,
  vpn: number,
  end: number,
  leaf_pages: number,
): Sched<boolean> {
  yield w.m.at('try_grab_folio_fast', folioObj(folio_of(w, entry_pfn(w.pmd))), Access.Write);
  const folio = fast_huge_grab(w, vpn, end, leaf_pages);
  if (folio < 0) return false;
  yield w.m.at('gup_fast_pmd_leaf', pteObj(entp), Access.Read).also(folioObj(folio), Access.Write);
  return fast_huge_commit(w, entp, folio, vpn, end, leaf_pages);
}

/**
 * pgd/pud/pmd_addr_end(vpn, end) for a level of `nr` pages (a power of two): the same value,
 * with the boundary rounded by a division (exact on powers of two) rather than a floating-point
 * remainder, which V8 compiles to a call: the solo walk does this three times per GUP call.
 */
function level_end(vpn: number, end: number, nr: number): number {
  const boundary = Math.floor(vpn / nr) * nr + nr;
  return boundary - 1 < end - 1 ? boundary : end;
}

/** The same walk with no scheduling points, for a thread that runs alone (see the file comment). */
export function gup_fast_walk_solo(w: FastWalk, vpn: number, end: number): void {
  const e = w.pool.entries;
  // pgd_offset: the index is below 2^31, so `&` keeps it exactly.
  let pgdp = table_ptr(w.mm.pgd, Math.floor(vpn / PGDIR_NR_PAGES) & (PTRS_PER_PGD - 1));
  do {
    const pgd = e[pgdp]!;
    const next = level_end(vpn, end, PGDIR_NR_PAGES);
    if (pgd === 0) return void fast_stop(w, vpn, 'no page table (pgd none)');
    if (!solo_pud_range(w, entry_table(pgd), vpn, next)) return;
    pgdp++;
    vpn = next;
  } while (vpn !== end);
}

function solo_pud_range(w: FastWalk, pudTable: number, vpn: number, end: number): boolean {
  let pudp = table_ptr(pudTable, pud_index(vpn));
  do {
    const next = level_end(vpn, end, PUD_NR_PAGES);
    const kind = fast_level_entry(w, pudp, vpn, false);
    if (kind === LEVEL_STOP) return false;
    const ok =
      kind === LEVEL_DESCEND
        ? solo_pmd_range(w, entry_table(w.pmd), vpn, next)
        : solo_huge_leaf(w, pudp, vpn, next, PUD_NR_PAGES);
    if (!ok) return false;
    pudp++;
    vpn = next;
  } while (vpn !== end);
  return true;
}

function solo_pmd_range(w: FastWalk, pmdTable: number, vpn: number, end: number): boolean {
  let pmdp = table_ptr(pmdTable, pmd_index(vpn));
  do {
    const next = level_end(vpn, end, PMD_NR_PAGES);
    const kind = fast_level_entry(w, pmdp, vpn, true);
    if (kind === LEVEL_STOP) return false;
    const ok =
      kind === LEVEL_DESCEND
        ? solo_pte_range(w, pmdp, vpn, next)
        : solo_huge_leaf(w, pmdp, vpn, next, PMD_NR_PAGES);
    if (!ok) return false;
    pmdp++;
    vpn = next;
  } while (vpn !== end);
  return true;
}

/** gup_fast_pte_range alone: plain PTEs through the lane, any other one through the steps. */
function solo_pte_range(w: FastWalk, pmdp: number, vpn: number, end: number): boolean {
  const table = fast_pmd_table(w, vpn);
  if (table < 0) return false;
  let ptep = table + pte_index(vpn);
  for (;;) {
    const n = fast_pte_lane(w, ptep, vpn, end);
    ptep += n;
    vpn += n;
    if (vpn === end) return true;
    const page = fast_pte_read(w, ptep, vpn);
    if (page < 0) return false;
    const folio = fast_pte_grab(w, page, vpn);
    if (folio < 0 || !fast_pte_commit(w, pmdp, ptep, folio, page, vpn)) return false;
    ptep++;
    vpn++;
    if (vpn === end) return true;
  }
}

function solo_huge_leaf(
  w: FastWalk,
  entp: number,
  vpn: number,
  end: number,
  leaf_pages: number,
): boolean {
  const folio = fast_huge_grab(w, vpn, end, leaf_pages);
  return folio >= 0 && fast_huge_commit(w, entp, folio, vpn, end, leaf_pages);
}
