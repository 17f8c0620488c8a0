/**
 * The LRU lists of the (single) node: mm/swap.c (v6.18) folio_add_lru, lru_add, folio_deactivate
 * and include/linux/mm_inline.h (folio_lru_list, lruvec_add_folio, lruvec_del_folio).
 *
 * Each list is an insertion-ordered set of folio heads: the first element is the oldest (the
 * kernel's list tail, where reclaim isolates from), the last the newest. A folio is on a list
 * exactly when PG_lru is set; code that clears PG_lru without this module (an isolation in
 * another file) leaves a stale entry that lru_folios() skips and a later add replaces. Freeing a
 * folio that is still on the LRU removes it through the memmap's lru_del hook.
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

class LruVec {
  readonly lists: Set<number>[] = Array.from({ length: NR_LRU_LISTS }, () => new Set<number>());
  /** The list each folio was added to. */
  readonly where = new Map<number, number>();
}

const states = new WeakMap<Kernel, LruVec>();

function lruvec(k: Kernel): LruVec {
  let s = states.get(k);
  if (s === undefined) {
    const vec = new LruVec();
    s = vec;
    states.set(k, vec);
    const hooks = k.mem.hooks;
    k.mem.hooks = { ...hooks, lru_del: (folio) => del(vec, folio) };
  }
  return s;
}

function del(vec: LruVec, folio: number): void {
  const lru = vec.where.get(folio);
  if (lru === undefined) return;
  vec.lists[lru]!.delete(folio);
  vec.where.delete(folio);
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
  const lru = folio_lru_list(k.mem, folio);
  vec.lists[lru]!.add(folio);
  vec.where.set(folio, lru);
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

/**
 * The folios on list `lru`, oldest first (the order isolate_lru_folios takes them from the
 * tail); stale entries (PG_lru cleared elsewhere) are dropped. @fidelity custom
 */
export function lru_folios(k: Kernel, lru: number): number[] {
  const vec = lruvec(k);
  const out: number[] = [];
  for (const folio of [...vec.lists[lru]!]) {
    if (folio_test_lru(k.mem, folio) && folio_lru_list(k.mem, folio) === lru) out.push(folio);
    else del(vec, folio);
  }
  return out;
}

/** mm/vmscan.c: lruvec_lru_size(lruvec, lru, zone_idx): pages on the list. @fidelity simplified */
export function lruvec_lru_size(k: Kernel, lru: number): number {
  let n = 0;
  for (const folio of lru_folios(k, lru)) n += folio_nr_pages(k.mem, folio);
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
