/**
 * Page migration (mm/migrate.c: migrate_pages, migrate_pages_batch, migrate_folio_unmap,
 * migrate_folio_move, folio_migrate_mapping, putback_movable_pages; mm/vmscan.c:
 * folio_isolate_lru; alloc_migration_target).
 *
 * A folio on the `from` list (isolated: one extra reference) is locked, unmapped into migration
 * entries, checked for unexpected references (a GUP reference or pin makes the count too high:
 * -EAGAIN, the folio is remapped and retried up to NR_MAX_MIGRATE_PAGES_RETRY times), copied
 * into a new folio from `get_new_folio`, remapped there, and freed. Migrated folios leave the
 * list; what remains is for putback_movable_pages. Returns the number of folios not migrated.
 *
 * Kept general for compaction, offline_pages and cma_alloc: the caller chooses the target
 * allocator, the mode and the reason.
 * @fidelity simplified: anonymous folios (small, PTE- or PMD-mapped large) are migrated; file,
 * hugetlb and movable_ops folios fail with -EBUSY (counted as not migrated); no deferred split,
 * no mlock, no NUMA stats.
 */
import {
  GFP_TRANSHUGE,
  GFP_USER,
  NR_ISOLATED_ANON,
  NR_ISOLATED_FILE,
  ZONE_MOVABLE,
  __GFP_HIGHMEM,
  __GFP_NOWARN,
  __folio_clear_locked,
  __folio_set_locked,
  copy_highpage,
  folio_alloc,
  folio_clear_lru,
  folio_expected_ref_count,
  folio_get,
  folio_mapped,
  folio_nr_pages,
  folio_order,
  folio_put,
  folio_ref_count,
  folio_set_mapping,
  folio_set_index,
  folio_test_anon,
  folio_test_dirty,
  folio_set_dirty,
  folio_test_hugetlb,
  folio_test_large,
  folio_test_lru,
  folio_test_swapbacked,
  folio_set_swapbacked,
  folio_test_referenced,
  folio_set_referenced,
  folio_test_uptodate,
  folio_mark_uptodate,
  folio_test_ksm,
  mod_node_page_state,
  page_zonenum,
} from '../../mm/index.js';
import { Access } from '../../sim/footprint.js';
import type { Sched } from '../../sim/thread.js';
import { EAGAIN, EBUSY, ENOMEM } from '../include/errno.js';
import type { Kernel } from '../kernel.js';
import { folioObj } from '../objects.js';
import { folio_lock, folio_trylock, folio_unlock } from './filemap.js';
import { current_pflags, folio_add_lru } from './internal.js';
import { remove_migration_ptes, try_to_migrate } from './migrate_rmap.js';
import { mm_solo } from './solo.js';

/** include/linux/migrate_mode.h: enum migrate_mode. @fidelity exact */
export const MIGRATE_ASYNC = 0;
export const MIGRATE_SYNC_LIGHT = 1;
export const MIGRATE_SYNC = 2;

/** include/linux/migrate_mode.h: enum migrate_reason. @fidelity exact */
export const MR_COMPACTION = 0;
export const MR_MEMORY_FAILURE = 1;
export const MR_MEMORY_HOTPLUG = 2;
export const MR_SYSCALL = 3;
export const MR_MEMPOLICY_MBIND = 4;
export const MR_NUMA_MISPLACED = 5;
export const MR_CONTIG_RANGE = 6;
export const MR_LONGTERM_PIN = 7;
export const MR_DEMOTION = 8;
export const MR_DAMON = 9;

/** mm/migrate.c: NR_MAX_MIGRATE_PAGES_RETRY. @fidelity exact */
export const NR_MAX_MIGRATE_PAGES_RETRY = 10;

/** new_folio_t: allocate the target for `src`; -1 when there is none. */
export type NewFolio = (k: Kernel, src: number) => number;

/**
 * mm/migrate.c: alloc_migration_target(src, private) with GFP_USER|__GFP_NOWARN and no node
 * preference (the long-term pin's target): same order; __GFP_HIGHMEM for a ZONE_MOVABLE source.
 * Under memalloc_pin_save (PF_MEMALLOC_PIN) no movable or CMA memory is used.
 * @fidelity simplified: hugetlb targets are not allocated (-1)
 */
export function alloc_migration_target(k: Kernel, src: number): number {
  const mem = k.mem;
  if (folio_test_hugetlb(mem, src)) return -1;
  let gfp = GFP_USER | __GFP_NOWARN;
  const order = folio_order(mem, src);
  if (folio_test_large(mem, src)) gfp |= GFP_TRANSHUGE;
  if (page_zonenum(mem, src) === ZONE_MOVABLE) gfp |= __GFP_HIGHMEM;
  return folio_alloc(mem, gfp, order, current_pflags(k));
}

/** mm/vmscan.c: folio_isolate_lru(folio): take it off the LRU with a reference. @fidelity simplified */
export function folio_isolate_lru(k: Kernel, folio: number): boolean {
  const mem = k.mem;
  if (!folio_test_lru(mem, folio)) return false;
  folio_clear_lru(mem, folio);
  folio_get(mem, folio);
  return true;
}

/** mm/migrate.c: putback_movable_pages(list): back to the LRU, isolation reference dropped. @fidelity simplified */
export function putback_movable_pages(k: Kernel, list: number[]): void {
  const mem = k.mem;
  for (const folio of list) {
    if (!folio_test_hugetlb(mem, folio)) {
      const item = folio_test_anon(mem, folio) ? NR_ISOLATED_ANON : NR_ISOLATED_FILE;
      mod_node_page_state(mem.vmstat, item, -folio_nr_pages(mem, folio));
      folio_add_lru(k, folio);
    }
    folio_put(mem, folio);
  }
  list.length = 0;
}

/**
 * mm/migrate.c: migrate_pages(from, get_new_folio, put_new_folio, private, mode, reason,
 * ret_succeeded): migrate the folios on `from`; returns how many could not be migrated.
 * @fidelity simplified (see the file comment)
 */
export function* migrate_pages(
  k: Kernel,
  from: number[],
  get_new_folio: NewFolio,
  mode: number,
  reason: number,
): Sched<number> {
  let retry = [...from];
  let failed = 0;
  for (let pass = 0; pass < NR_MAX_MIGRATE_PAGES_RETRY && retry.length > 0; pass++) {
    const again: number[] = [];
    for (const folio of retry) {
      const rc = yield* migrate_one(k, folio, get_new_folio, mode, reason);
      if (rc === 0) from.splice(from.indexOf(folio), 1);
      else if (rc === -EAGAIN) again.push(folio);
      else failed++;
    }
    retry = again;
  }
  return failed + retry.length;
}

/** Unmap, move and remap one folio: 0, -EAGAIN (try again), or a hard error. */
function* migrate_one(
  k: Kernel,
  src: number,
  get_new_folio: NewFolio,
  mode: number,
  reason: number,
): Sched<number> {
  const mem = k.mem;
  if (folio_ref_count(mem, src) === 1) {
    migrate_folio_done(k, src, reason);
    return 0;
  }
  if (!folio_test_anon(mem, src) || folio_test_ksm(mem, src) || folio_test_hugetlb(mem, src))
    return -EBUSY;
  const dst = get_new_folio(k, src);
  if (dst < 0) return -ENOMEM;
  __folio_set_locked(mem, dst);
  if (!(yield* folio_trylock(k, src))) {
    if (mode === MIGRATE_ASYNC) return drop_dst(k, dst, -EAGAIN);
    yield* folio_lock(k, src);
  }
  const was_mapped = folio_mapped(mem, src);
  if (was_mapped) yield* try_to_migrate(k, src);
  const rc = folio_mapped(mem, src) ? -EAGAIN : yield* move_to_new_folio(k, dst, src);
  if (rc !== 0) {
    if (was_mapped) yield* remove_migration_ptes(k, src, src);
    yield* folio_unlock(k, src);
    return drop_dst(k, dst, rc);
  }
  if (was_mapped) yield* remove_migration_ptes(k, src, dst);
  folio_add_lru(k, dst);
  __folio_clear_locked(mem, dst);
  folio_put(mem, dst);
  yield* folio_unlock(k, src);
  migrate_folio_done(k, src, reason);
  return 0;
}

function drop_dst(k: Kernel, dst: number, rc: number): number {
  __folio_clear_locked(k.mem, dst);
  folio_put(k.mem, dst);
  return rc;
}

/** mm/migrate.c: migrate_folio_done(src, reason): the isolation reference goes; src is freed. */
function migrate_folio_done(k: Kernel, src: number, reason: number): void {
  const mem = k.mem;
  if (reason !== MR_DEMOTION) {
    const item = folio_test_anon(mem, src) ? NR_ISOLATED_ANON : NR_ISOLATED_FILE;
    mod_node_page_state(mem.vmstat, item, -folio_nr_pages(mem, src));
  }
  if (reason !== MR_MEMORY_FAILURE) folio_put(mem, src);
}

/**
 * mm/migrate.c: move_to_new_folio / migrate_folio: folio_migrate_mapping (the reference count
 * must be exactly what the mappings, caches and the isolation explain: else -EAGAIN), then the
 * contents and flags (folio_migrate_folio).
 * @fidelity simplified (anon folios)
 */
function* move_to_new_folio(k: Kernel, dst: number, src: number): Sched<number> {
  const m = k.m;
  if (!mm_solo(m))
    yield m
      .at('folio_migrate_mapping', folioObj(src), Access.Write)
      .also(folioObj(dst), Access.Write);
  const mem = k.mem;
  if (folio_ref_count(mem, src) !== folio_expected_ref_count(mem, src) + 1) return -EAGAIN;
  folio_set_mapping(mem, dst, mem.mapping[src]!, true);
  folio_set_index(mem, dst, mem.index[src]!);
  if (folio_test_swapbacked(mem, src)) folio_set_swapbacked(mem, dst);
  const nr = folio_nr_pages(mem, src);
  for (let i = 0; i < nr; i++) copy_highpage(mem, dst + i, src + i);
  folio_migrate_flags(k, dst, src);
  return 0;
}

/** mm/migrate.c: folio_migrate_flags(newfolio, folio) (the flags the model keeps). */
function folio_migrate_flags(k: Kernel, dst: number, src: number): void {
  const mem = k.mem;
  if (folio_test_referenced(mem, src)) folio_set_referenced(mem, dst);
  if (folio_test_uptodate(mem, src)) folio_mark_uptodate(mem, dst);
  if (folio_test_dirty(mem, src)) folio_set_dirty(mem, dst);
}
