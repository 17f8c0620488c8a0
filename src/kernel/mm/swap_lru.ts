/**
 * The LRU lists of the (single) node: mm/swap.c (v6.18) folio_add_lru, lru_add, folio_deactivate
 * and include/linux/mm_inline.h (folio_lru_list, lruvec_add_folio, lruvec_del_folio).
 *
 * Each list is an intrusive doubly linked list through the folio heads' `lru` words in the
 * memmap (PhysMem.lru_next / lru_prev, the kernel's folio->lru), indexed by head pfn, -1 for
 * NULL; which list a folio is on is a byte per pfn beside them (the kernel finds it from the
 * flags). As in the kernel, the list head's `next` is the newest folio (list_add puts a folio
 * there) and its `prev` the oldest (lru_to_folio: where reclaim isolates from); a folio's
 * lru_next is its older neighbour, lru_prev its newer one. A folio is on a list exactly when
 * PG_lru is set: every path that clears PG_lru (folio_isolate_lru, isolate_migratepages_block,
 * page_cache_release through the memmap's lru_del hook) takes the folio off its list, because
 * the words are reused once it is freed (the buddy free lists link through them; page[1] of a
 * large folio keeps _large_mapcount and _nr_pages_mapped there). An entry whose flags no
 * longer name its list (PG_active changed without a move) is dropped by lru_folios().
 * @fidelity simplified: one lruvec (no memcg, one node), no MGLRU, no per-CPU lru_add batches
 * (a folio is on its list at once, so lru_add_drain has nothing to do), no unevictable
 * (mlock) accounting beyond the list itself
 */
import { folio_nr_pages } from '../../mm/folio.js';
import {
  folio_clear_active,
  folio_clear_referenced,
  folio_set_lru,
  folio_test_active,
  folio_test_lru,
  folio_test_swapbacked,
  folio_test_unevictable,
} from '../../mm/page_flags.js';
import type { PhysMem } from '../../mm/physmem.js';
import type { Kernel } from '../kernel.js';

/** include/linux/mmzone.h: enum lru_list. @fidelity exact */
export const LRU_INACTIVE_ANON = 0;
export const LRU_ACTIVE_ANON = 1;
export const LRU_INACTIVE_FILE = 2;
export const LRU_ACTIVE_FILE = 3;
export const LRU_UNEVICTABLE = 4;
export const NR_LRU_LISTS = 5;

/** /proc/vmstat names of the lists (nr_inactive_anon ...), indexed by lru_list. */
export const lru_list_names: readonly string[] = [
  'inactive_anon',
  'active_anon',
  'inactive_file',
  'active_file',
  'unevictable',
];

/** include/linux/mmzone.h: struct lruvec: the list heads, and which list each folio is on. */
class LruVec {
  /** lists[lru].next: the newest folio of each list, -1 when empty. */
  readonly newest = new Int32Array(NR_LRU_LISTS).fill(-1);
  /** lists[lru].prev: the oldest folio of each list, -1 when empty. */
  readonly oldest = new Int32Array(NR_LRU_LISTS).fill(-1);
  /** Per pfn: the list the folio head is on, -1 for none. */
  readonly where: Int8Array;
  constructor(readonly mem: PhysMem) {
    this.where = new Int8Array(mem.nr_pages).fill(-1);
  }
}

const states = new WeakMap<Kernel, LruVec>();

function lruvec(k: Kernel): LruVec {
  let s = states.get(k);
  if (s === undefined) {
    const vec = new LruVec(k.mem);
    s = vec;
    states.set(k, vec);
    const hooks = k.mem.hooks;
    k.mem.hooks = { ...hooks, lru_del: (folio) => del(vec, folio) };
  }
  return s;
}

/** include/linux/list.h: list_del(&folio->lru), when the folio is on a list. */
function del(vec: LruVec, folio: number): void {
  const lru = vec.where[folio]!;
  if (lru < 0) return;
  const next = vec.mem.lru_next;
  const prev = vec.mem.lru_prev;
  const older = next[folio]!;
  const newer = prev[folio]!;
  if (newer < 0) vec.newest[lru] = older;
  else next[newer] = older;
  if (older < 0) vec.oldest[lru] = newer;
  else prev[older] = newer;
  next[folio] = 0;
  prev[folio] = 0;
  vec.where[folio] = -1;
}

/** include/linux/list.h: list_add(&folio->lru, &lruvec->lists[lru]): the newest end. */
function add(vec: LruVec, folio: number, lru: number): void {
  const first = vec.newest[lru]!;
  vec.mem.lru_next[folio] = first;
  vec.mem.lru_prev[folio] = -1;
  if (first < 0) vec.oldest[lru] = folio;
  else vec.mem.lru_prev[first] = folio;
  vec.newest[lru] = folio;
  vec.where[folio] = lru;
}

/** include/linux/mm_inline.h: folio_is_file_lru(folio): not swap-backed. @fidelity exact */
export function folio_is_file_lru(m: PhysMem, folio: number): boolean {
  return !folio_test_swapbacked(m, folio);
}

/** include/linux/mm_inline.h: folio_lru_list(folio): the list the folio belongs on. @fidelity exact */
export function folio_lru_list(m: PhysMem, folio: number): number {
  if (folio_test_unevictable(m, folio)) return LRU_UNEVICTABLE;
  const base = folio_is_file_lru(m, folio) ? LRU_INACTIVE_FILE : LRU_INACTIVE_ANON;
  return folio_test_active(m, folio) ? base + 1 : base;
}

/** include/linux/mm_inline.h: lruvec_add_folio(lruvec, folio): at the head (newest end). @fidelity exact */
export function lruvec_add_folio(k: Kernel, folio: number): void {
  const vec = lruvec(k);
  del(vec, folio);
  add(vec, folio, folio_lru_list(k.mem, folio));
}

/** include/linux/mm_inline.h: lruvec_del_folio(lruvec, folio). @fidelity exact */
export function lruvec_del_folio(k: Kernel, folio: number): void {
  del(lruvec(k), folio);
}

/**
 * mm/swap.c: folio_add_lru(folio) with lru_add: set PG_lru and put the folio on its list.
 * @fidelity simplified (no per-CPU batch)
 */
export function lru_add_folio(k: Kernel, folio: number): void {
  if (folio_test_lru(k.mem, folio)) return;
  folio_set_lru(k.mem, folio);
  lruvec_add_folio(k, folio);
}

/** A list entry still belongs where it is: PG_lru set and its flags naming this list. */
function on_list(m: PhysMem, folio: number, lru: number): boolean {
  return folio_test_lru(m, folio) && folio_lru_list(m, folio) === lru;
}

/**
 * The folios on list `lru`, oldest first (the order isolate_lru_folios takes them from the
 * tail); entries whose flags no longer name this list are dropped. @fidelity custom
 */
export function lru_folios(k: Kernel, lru: number): number[] {
  const vec = lruvec(k);
  const m = k.mem;
  const out: number[] = [];
  for (let folio = vec.oldest[lru]!; folio >= 0;) {
    const newer = m.lru_prev[folio]!;
    if (on_list(m, folio, lru)) out.push(folio);
    else del(vec, folio);
    folio = newer;
  }
  return out;
}

/**
 * mm/vmscan.c: lruvec_lru_size(lruvec, lru, zone_idx): pages on the list (dropping entries as
 * lru_folios does). @fidelity simplified
 */
export function lruvec_lru_size(k: Kernel, lru: number): number {
  const vec = lruvec(k);
  const m = k.mem;
  let n = 0;
  for (let folio = vec.oldest[lru]!; folio >= 0;) {
    const newer = m.lru_prev[folio]!;
    if (on_list(m, folio, lru)) n += folio_nr_pages(m, folio);
    else del(vec, folio);
    folio = newer;
  }
  return n;
}

/**
 * mm/swap.c: folio_deactivate(folio) (lru_deactivate): an active folio moves to the inactive
 * list (MADV_COLD).
 * @fidelity simplified (no batch)
 */
export function folio_deactivate(k: Kernel, folio: number): void {
  const m = k.mem;
  if (!folio_test_lru(m, folio) || folio_test_unevictable(m, folio)) return;
  if (!folio_test_active(m, folio)) return;
  folio_clear_active(m, folio);
  folio_clear_referenced(m, folio);
  lruvec_add_folio(k, folio);
}
