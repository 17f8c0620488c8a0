/**
 * The steps of the GUP-fast walk (mm/gup.c: gup_fast_pte_range, gup_fast_pmd_leaf,
 * gup_fast_pud_leaf and the level loops' entry tests), as plain functions over the walk's state.
 * Each step reads or writes what the scheduling point before it declares (gup_fast_walk.ts).
 * A step that refuses records why (`w.bail`) and the walk ends there.
 */
import {
  GUP_PIN_COUNTING_BIAS,
  NR_FOLL_PIN_ACQUIRED,
  PG_anon,
  PG_head,
  PG_referenced,
  entry_table,
  folio_is_longterm_pinnable,
  folio_set_referenced,
  mod_node_page_state,
  pmd_leaf,
  pmd_present,
  pte_pfn,
  pte_present,
  pte_protnone,
  pte_special,
  pte_write,
  pud_leaf,
  _PAGE_PRESENT,
  _PAGE_RW,
  _PAGE_SPECIAL,
  _PAGE_USER,
  pud_present,
  type PgtablePool,
  type PhysMem,
} from '../../mm/index.js';
import type { Machine } from '../../sim/machine.js';
import type { Kernel } from '../kernel.js';
import type { PagesArray } from './gup_args.js';
import { gup_fast_folio_allowed } from './gup_fast_allowed.js';
import { FOLL_GET, FOLL_LONGTERM, FOLL_PCI_P2PDMA, FOLL_PIN } from '../include/gup_flags.js';
import { gup_must_unshare, pte_access_permitted } from './gup_internal.js';
import { ledger_take, ledger_took } from './gup_ledger.js';
import { gup_put_folio, is_pci_p2pdma_page, try_grab_folio_fast } from './gup_pin.js';
import type { GupState } from './gup_state.js';
import type { mm_struct } from './mm_struct.js';

/** The state of one lockless walk. */
export interface FastWalk {
  readonly k: Kernel;
  readonly m: Machine;
  readonly mem: PhysMem;
  readonly pool: PgtablePool;
  readonly mm: mm_struct;
  readonly flags: number;
  readonly write: boolean;
  readonly pin: boolean;
  readonly pages: PagesArray;
  /** Index in `pages` of the walk's first entry. */
  readonly off: number;
  /** Pages referenced so far. */
  nr: number;
  /** No other thread is alive: nothing can change under the walk. */
  readonly solo: boolean;
  readonly s: GupState;
  readonly taker: number;
  /** The walking thread's id. */
  readonly tid: number;
  /** write_protect_seq when the walk began, and whether a page was taken after it moved. */
  readonly seqStart: number;
  overlap: boolean;
  /**
   * The entries the current step read (kept here, not passed between functions, so the 64-bit
   * values are never boxed on the hot path).
   */
  pte: number;
  pmd: number;
  /** Why the walk stopped early, and where (for the trace); bailVpn -1 when it did not. */
  bail: string;
  bailVpn: number;
}

/** What a PUD or PMD entry means to the walk. */
export const LEVEL_STOP = 0;
export const LEVEL_DESCEND = 1;
export const LEVEL_LEAF = 2;

function stop(w: FastWalk, vpn: number, reason: string): false {
  w.bail = reason;
  w.bailVpn = vpn;
  return false;
}

/** Stop the walk at vpn for `reason`, returning `value`. */
function halt(w: FastWalk, vpn: number, reason: string, value: number): number {
  stop(w, vpn, reason);
  return value;
}

/** The folio of a page (from its stored order; no reference taken). */
export function folio_of(w: FastWalk, page: number): number {
  const order = w.mem.compound_order[page]!;
  return order === 0 ? page : page - (page % (1 << order));
}

/** The PUD (pmd = false) or PMD entry at entp: stop, descend, or a leaf to take. */
export function fast_level_entry(w: FastWalk, entp: number, vpn: number, pmd: boolean): number {
  const v = w.pool.entries[entp]!;
  w.pmd = v;
  if (!pmd) {
    if (!pud_present(v)) return halt(w, vpn, 'no page table (pud not present)', LEVEL_STOP);
    return pud_leaf(v) ? LEVEL_LEAF : LEVEL_DESCEND;
  }
  if (!pmd_present(v))
    return halt(w, vpn, 'no PTE table (pmd none, swap or migration entry)', LEVEL_STOP);
  if (!pmd_leaf(v)) return LEVEL_DESCEND;
  if (pte_protnone(v)) return halt(w, vpn, 'PROT_NONE (NUMA hinting) PMD', LEVEL_STOP);
  return LEVEL_LEAF;
}

/** pte_offset_map of w.pmd: the PTE table (pointer to entry 0), or -1 if it is not this mm's any more. */
export function fast_pmd_table(w: FastWalk, vpn: number): number {
  const table = entry_table(w.pmd);
  return w.pool.owner[table] === w.mm.mm_id
    ? table * 512
    : halt(w, vpn, 'the PTE table went away', -1);
}

/**
 * Read a PTE (into w.pte); the page it maps, or -1 when the walk must stop before taking
 * anything (protnone, no access, special).
 */
export function fast_pte_read(w: FastWalk, ptep: number, vpn: number): number {
  const pte = w.pool.entries[ptep]!;
  w.pte = pte;
  if (pte_protnone(pte)) return halt(w, vpn, 'PROT_NONE (NUMA hinting) PTE', -1);
  if (!pte_access_permitted(pte, w.write)) {
    if (!pte_present(pte))
      return halt(w, vpn, 'PTE not present (never touched, swapped or migrating)', -1);
    return halt(
      w,
      vpn,
      w.write ? 'write to a read-only PTE (needs a write fault)' : 'PTE not user-accessible',
      -1,
    );
  }
  if (pte_special(pte)) return halt(w, vpn, 'special PTE (the zero page or a PFN mapping)', -1);
  return pte_pfn(pte);
}

function grabRefusal(w: FastWalk): string {
  return w.pin
    ? 'folio not grabbable (being freed, refcount overflow, or not long-term pinnable)'
    : 'folio not grabbable (being freed or refcount overflow)';
}

/** try_grab_folio_fast for one page; the folio, or -1 (the walk stops). */
export function fast_pte_grab(w: FastWalk, page: number, vpn: number): number {
  const folio = try_grab_folio_fast(w.k, page, 1, w.flags);
  return folio >= 0 ? folio : halt(w, vpn, grabRefusal(w), -1);
}

/** The checks after a grab (`writable`: the entry was); null when the page may be returned. */
function recheck(w: FastWalk, writable: boolean, folio: number, page: number): string | null {
  if (!gup_fast_folio_allowed(w.k, folio, w.flags))
    return 'folio not allowed without the VMA (file, secretmem)';
  if (!writable && gup_must_unshare(w.mem, null, w.flags, page)) {
    return 'R/O pin of a page that must be unshared first';
  }
  return null;
}

/** Re-check the PMD (w.pmd) and PTE (w.pte), the folio rules; record the page or undo the grab. */
export function fast_pte_commit(
  w: FastWalk,
  pmdp: number,
  ptep: number,
  folio: number,
  page: number,
  vpn: number,
): boolean {
  const e = w.pool.entries;
  const changed = e[pmdp] !== w.pmd || e[ptep] !== w.pte;
  const why = changed
    ? 'the PMD or PTE changed under the walk'
    : recheck(w, pte_write(w.pte), folio, page);
  if (why !== null) {
    gup_put_folio(w.k, folio, 1, w.flags);
    return stop(w, vpn, why);
  }
  folio_set_referenced(w.mem, folio);
  record(w, page, 1);
  return true;
}

/** try_grab_folio_fast for the pages [vpn, end) of the huge leaf read into w.pmd; the folio or -1. */
export function fast_huge_grab(w: FastWalk, vpn: number, end: number, leaf_pages: number): number {
  const orig = w.pmd;
  if (!pte_access_permitted(orig, w.write)) {
    return halt(
      w,
      vpn,
      w.write ? 'write to a read-only huge entry' : 'huge entry not accessible',
      -1,
    );
  }
  if (pte_special(orig)) return halt(w, vpn, 'special huge entry', -1);
  const page = pte_pfn(orig) + (vpn % leaf_pages);
  const folio = try_grab_folio_fast(w.k, page, end - vpn, w.flags);
  return folio >= 0 ? folio : halt(w, vpn, grabRefusal(w), -1);
}

/** Re-check a huge leaf (w.pmd; the head page decides unsharing); record its pages or undo. */
export function fast_huge_commit(
  w: FastWalk,
  entp: number,
  folio: number,
  vpn: number,
  end: number,
  leaf_pages: number,
): boolean {
  const refs = end - vpn;
  const orig = w.pmd;
  const why =
    w.pool.entries[entp] !== orig
      ? 'the huge entry changed under the walk'
      : recheck(w, pte_write(orig), folio, folio);
  if (why !== null) {
    gup_put_folio(w.k, folio, refs, w.flags);
    return stop(w, vpn, why);
  }
  record(w, pte_pfn(orig) + (vpn % leaf_pages), refs);
  folio_set_referenced(w.mem, folio);
  return true;
}

const LANE_NEED = _PAGE_PRESENT | _PAGE_USER;
const FLAG_ANON = 1 << PG_anon;
const FLAG_HEAD = 1 << PG_head;
const FLAG_REFERENCED = 1 << PG_referenced;

/**
 * The solo walk's lane for plain PTEs: present and user (and writable for FOLL_WRITE), not
 * special, mapping a small anon folio other than the zero page that try_grab_folio_fast can take
 * (refcount above zero, long-term pinnable when FOLL_LONGTERM) and that the re-checks accept
 * (gup_fast_folio_allowed takes anon folios; gup_must_unshare). For each such PTE, in order, it
 * does what fast_pte_read, fast_pte_grab and fast_pte_commit do (the reference or the pin with
 * its GUP_PIN_COUNTING_BIAS and nr_foll_pin_acquired, PG_referenced, pages[], the ledger), with
 * the re-checks asked before the grab rather than after: only when no other thread is alive
 * (w.solo), where nothing can change between the two. It stops, untouched, at the first PTE that
 * is not plain (the general steps then decide it, bail-out reason included) and returns how many
 * PTEs from ptep it took.
 */
export function fast_pte_lane(w: FastWalk, ptep: number, vpn: number, end: number): number {
  const flags = w.flags;
  const get = (flags & FOLL_GET) !== 0;
  if (!w.solo || (!get && (flags & FOLL_PIN) === 0)) return 0;
  // Everything the loop reads is a local: the hot loop loads no module binding and no field.
  const need = w.write ? LANE_NEED | _PAGE_RW : LANE_NEED;
  const special = _PAGE_SPECIAL;
  const rw = _PAGE_RW;
  const headOrAnon = FLAG_HEAD | FLAG_ANON;
  const anon = FLAG_ANON;
  const referenced = FLAG_REFERENCED;
  const longterm = !get && (flags & FOLL_LONGTERM) !== 0;
  const p2p = (flags & FOLL_PCI_P2PDMA) === 0;
  const refs = get ? 1 : GUP_PIN_COUNTING_BIAS;
  const mem = w.mem;
  const e = w.pool.entries;
  const pf = mem.flags;
  const rc = mem._refcount;
  const order = mem.compound_order;
  const zero = mem.zero_pfn;
  const s = w.s;
  const held = w.pin ? s.pinned : s.gotten; // as record() files it
  const takers = s.taker;
  const taker = w.taker;
  const pages = w.pages;
  const base = w.off + w.nr;
  const lim = end - vpn;
  let n = 0;
  let first = -1; // the first page, while the pages taken are consecutive frames
  for (; n < lim; n++) {
    const pte = e[ptep + n]!;
    // pte_access_permitted (so present, not protnone) and !pte_special.
    if ((pte & need) !== need || (pte & special) !== 0) break;
    const page = pte_pfn(pte);
    // A small folio (page_folio(page) === page, !folio_test_large), not the zero page.
    if (order[page] !== 0 || page === zero) break;
    const pflags = pf[page]!;
    if ((pflags & headOrAnon) !== anon) break;
    if (p2p && is_pci_p2pdma_page(mem, page)) break;
    const count = rc[page]!;
    if (count <= 0) break; // try_get_folio: being freed (0) or overflowed (< 0: it WARNs)
    if (longterm && !folio_is_longterm_pinnable(mem, page)) break;
    if ((pte & rw) === 0 && gup_must_unshare(mem, null, flags, page)) break;
    rc[page] = count + refs;
    pf[page] = pflags | referenced;
    pages[base + n] = page;
    held[page] = held[page]! + 1;
    if (n === 0) first = page;
    else if (first >= 0 && page !== first + n) {
      for (let j = 0; j < n; j++) takers[pages[base + j]!] = taker;
      first = -1;
    }
    if (first < 0) takers[page] = taker;
  }
  // The ledger's taker of each page taken: one fill when the frames were consecutive (the
  // native fill only for long runs, where it beats a loop despite its call cost).
  if (first >= 0 && n > 64) takers.fill(taker, first, first + n);
  else if (first >= 0) for (let j = 0; j < n; j++) takers[first + j] = taker;
  if (n > 0) {
    if (!get) mod_node_page_state(mem.vmstat, NR_FOLL_PIN_ACQUIRED, n);
    ledger_took(s, w.tid, n);
    w.nr += n;
  }
  return n;
}

/** pages[nr..nr+n) = page..page+n-1, in the ledger too. */
function record(w: FastWalk, page: number, n: number): void {
  const pages = w.pages;
  const base = w.off + w.nr;
  if (!w.solo && w.mm.write_protect_seq.sequence !== w.seqStart) w.overlap = true;
  for (let j = 0; j < n; j++) pages[base + j] = page + j;
  w.nr += n;
  ledger_take(w.s, w.tid, page, n, w.pin, w.taker);
}
