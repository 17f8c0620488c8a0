/**
 * Page migration (mm/migrate.c: migrate_pages, migrate_pages_batch, migrate_folio_unmap,
 * migrate_folio_move, move_to_new_folio, putback_movable_pages; alloc_migration_target).
 * folio_isolate_lru is mm/vmscan.c's (vmscan.ts), re-exported for the migration callers.
 *
 * A folio on the `from` list (isolated: one extra reference) is locked, unmapped into migration
 * entries, checked for unexpected references (a GUP reference or pin makes the count too high:
 * -EAGAIN, the folio is remapped and retried up to NR_MAX_MIGRATE_PAGES_RETRY times), copied
 * into a new folio from `get_new_folio`, remapped there, and freed. Migrated folios leave the
 * list; what remains is for putback_movable_pages. Returns the number of folios not migrated.
 *
 * Anonymous folios move with folio->mapping (the anon_vma) and index; page-cache folios (file
 * and shmem) through their mapping's ->migrate_folio (migrate_folio.ts: the cache's slots and
 * references, buffer heads and private data) or fallback_migrate_folio; hugetlb folios through
 * migrate_hugetlb.ts. Kept general for compaction, offline_pages, cma_alloc and long-term pins:
 * the caller chooses the target allocator, the mode and the reason.
 * @fidelity simplified: no movable_ops (non-LRU) folios, KSM folios and anon folios in the swap
 * cache are not migrated (-EBUSY); no batching of unmaps (each folio is unmapped and moved in
 * turn), no deferred split, no mlock, no NUMA stats; a dirty folio of a mapping without
 * ->migrate_folio is not written out.
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
  folio_alloc,
  folio_expected_ref_count,
  folio_mapped,
  folio_nr_pages,
  folio_order,
  folio_put,
  folio_ref_count,
  folio_set_index,
  folio_set_mapping,
  folio_set_swapbacked,
  folio_test_anon,
  folio_test_hugetlb,
  folio_test_ksm,
  folio_test_large,
  folio_test_private,
  folio_test_swapbacked,
  folio_test_swapcache,
  folio_test_writeback,
  mod_node_page_state,
  page_zonenum,
} from '../../mm/index.js';
import { Access } from '../../sim/footprint.js';
import type { Sched } from '../../sim/thread.js';
import { try_to_free_buffers } from '../fs/buffer.js';
import { EAGAIN, EBUSY, ENOMEM } from '../include/errno.js';
import type { Kernel } from '../kernel.js';
import { folioObj } from '../objects.js';
import {
  folio_lock,
  folio_trylock,
  folio_unlock,
  solo_folio_trylock,
  solo_folio_unlock,
} from './filemap.js';
import { current_pflags, folio_add_lru } from './internal.js';
import { fallback_migrate_folio, folio_mc_copy, folio_migrate_flags } from './migrate_folio.js';
import {
  alloc_hugetlb_migration_target,
  folio_isolate_hugetlb,
  folio_putback_hugetlb,
  unmap_and_move_huge_page,
} from './migrate_hugetlb.js';

export { folio_isolate_hugetlb };
import {
  MIGRATE_ASYNC,
  MIGRATE_SYNC,
  MR_DEMOTION,
  MR_MEMORY_FAILURE,
  migrate_reason_names,
} from './migrate_mode.js';
import './migrate_trace.js';
import { remove_migration_ptes_solo, try_to_migrate_solo } from './migrate_rmap.js';
import { folio_wait_writeback } from './page-writeback.js';
import { folio_file_mapping } from './pagecache.js';
import { mm_solo } from './solo.js';
import { folio_isolate_lru } from './vmscan.js';

export { folio_isolate_lru };

export * from './migrate_mode.js';

/** mm/migrate.c: NR_MAX_MIGRATE_PAGES_RETRY. @fidelity exact */
export const NR_MAX_MIGRATE_PAGES_RETRY = 10;

/** new_folio_t: allocate the target for `src`; -1 when there is none. */
export type NewFolio = (k: Kernel, src: number) => number;

/**
 * mm/migrate.c: alloc_migration_target(src, private) for a migration_target_control with this
 * gfp_mask and no node preference: same order; __GFP_HIGHMEM for a ZONE_MOVABLE source (so a
 * movable gfp may land in ZONE_MOVABLE again, outside the isolated range). Under
 * memalloc_pin_save (PF_MEMALLOC_PIN) no movable or CMA memory is used. A hugetlb source takes
 * a folio from its pool (alloc_hugetlb_folio_nodemask).
 * @fidelity simplified
 */
export function alloc_migration_target_gfp(gfp_mask: number): NewFolio {
  return (k, src) => {
    const mem = k.mem;
    if (folio_test_hugetlb(mem, src)) return alloc_hugetlb_migration_target(k, src);
    let gfp = gfp_mask;
    const order = folio_order(mem, src);
    if (folio_test_large(mem, src)) gfp |= GFP_TRANSHUGE;
    if (page_zonenum(mem, src) === ZONE_MOVABLE) gfp |= __GFP_HIGHMEM;
    return folio_alloc(mem, gfp, order, current_pflags(k));
  };
}

/** alloc_migration_target with GFP_USER|__GFP_NOWARN: the long-term pin's target. @fidelity simplified */
export const alloc_migration_target: NewFolio = alloc_migration_target_gfp(GFP_USER | __GFP_NOWARN);

/**
 * mm/migrate.c: isolate_folio_to_list(folio, list): a hugetlb folio through
 * folio_isolate_hugetlb, an LRU folio through folio_isolate_lru (counted in NR_ISOLATED_*).
 * @fidelity simplified (no movable_ops folios)
 */
export function isolate_folio_to_list(k: Kernel, folio: number, list: number[]): boolean {
  const mem = k.mem;
  if (folio_test_hugetlb(mem, folio)) return folio_isolate_hugetlb(k, folio, list);
  if (!folio_isolate_lru(k, folio)) return false;
  list.push(folio);
  const item = folio_test_anon(mem, folio) ? NR_ISOLATED_ANON : NR_ISOLATED_FILE;
  mod_node_page_state(mem.vmstat, item, folio_nr_pages(mem, folio));
  return true;
}

/** mm/migrate.c: putback_movable_pages(list): back to the LRU, isolation reference dropped. @fidelity simplified */
export function putback_movable_pages(k: Kernel, list: number[]): void {
  const mem = k.mem;
  for (const folio of list) {
    if (folio_test_hugetlb(mem, folio)) {
      folio_putback_hugetlb(k, folio);
      continue;
    }
    const item = folio_test_anon(mem, folio) ? NR_ISOLATED_ANON : NR_ISOLATED_FILE;
    mod_node_page_state(mem.vmstat, item, -folio_nr_pages(mem, folio));
    folio_add_lru(k, folio);
    folio_put(mem, folio);
  }
  list.length = 0;
}

/**
 * mm/migrate.c: migrate_pages(from, get_new_folio, put_new_folio, private, mode, reason,
 * ret_succeeded): migrate the folios on `from`; returns how many could not be migrated. With
 * `why`, the last error of each folio left on the list is recorded there (folio -> errno).
 * @fidelity simplified (see the file comment)
 */
export function* migrate_pages(
  k: Kernel,
  from: number[],
  get_new_folio: NewFolio,
  mode: number,
  reason: number,
  why?: Map<number, number>,
): Sched<number> {
  // `from` keeps its folios while they are tried; the ones that moved leave it (list_del)
  // once at the end, marked by position: one splice per folio would make a long list quadratic
  const moved = new Uint8Array(from.length);
  const unmapped: MigrationDst = { dst: -1, was_mapped: false };
  const mem = k.mem;
  // positions to try in this pass (`nretry` of them), and those to try again in the next
  let retry = new Int32Array(from.length);
  let again = new Int32Array(from.length);
  let nretry = from.length;
  for (let i = 0; i < nretry; i++) retry[i] = i;
  let failed = 0;
  for (let pass = 0; pass < NR_MAX_MIGRATE_PAGES_RETRY && nretry > 0; pass++) {
    let nagain = 0;
    for (let j = 0; j < nretry; j++) {
      const i = retry[j]!;
      const folio = from[i]!;
      let rc: number;
      if (folio_test_hugetlb(mem, folio)) {
        rc = yield* unmap_and_move_huge_page(k, get_new_folio, folio, mode, reason);
      } else {
        const r = migrate_folio_unmap(k, get_new_folio, folio, unmapped, mode, reason);
        rc = typeof r === 'number' ? r : yield* r;
        if (rc === MIGRATEPAGE_UNMAP) {
          const dst = unmapped.dst;
          const r2 = migrate_folio_move(k, folio, dst, unmapped.was_mapped, mode, reason);
          rc = typeof r2 === 'number' ? r2 : yield* r2;
        }
      }
      if (rc === 0) moved[i] = 1;
      else if (rc === -EAGAIN) again[nagain++] = i;
      else failed++;
      if (rc !== 0) why?.set(folio, rc);
    }
    [retry, again] = [again, retry];
    nretry = nagain;
  }
  let kept = 0;
  for (let i = 0; i < from.length; i++) if (moved[i] === 0) from[kept++] = from[i]!;
  from.length = kept;
  return failed + nretry;
}

/** migrate_folio_unmap's result for a folio that is unmapped and waits for migrate_folio_move. */
const MIGRATEPAGE_UNMAP = 1;

/** migrate_folio_unmap's out-parameters (dstp and the folio's was-mapped state). */
interface MigrationDst {
  dst: number;
  was_mapped: boolean;
}

/**
 * A step of the per-folio migration: its result, or, when a scheduling point cannot be elided
 * (the caller does not run alone, or a lock is not free), the generator that goes on from that
 * point. The common case (the caller runs alone, every lock free) runs as plain calls, without
 * a generator per folio (mm/solo.ts); the steps and their order are the same either way.
 */
type Step = number | Sched<number>;

/** The rest of a step as a generator. */
function* finish(r: Step): Sched<number> {
  return typeof r === 'number' ? r : yield* r;
}

/**
 * mm/migrate.c: migrate_folio_unmap(get_new_folio, ..., src, dstp, mode, reason, ret): a folio
 * whose only reference is the isolation one was freed under us (migrate_folio_done: 0); KSM
 * folios and anon folios in the swap cache are not migrated (-EBUSY); else allocate dst, lock
 * src (not waiting in MIGRATE_ASYNC), wait for writeback (MIGRATE_SYNC only, else -EBUSY) and
 * replace its mappings with migration entries. Returns MIGRATEPAGE_UNMAP with src locked and
 * unmapped and `out` filled, or an error with everything undone (see Step).
 * @fidelity simplified (see the file comment)
 */
function migrate_folio_unmap(
  k: Kernel,
  get_new_folio: NewFolio,
  src: number,
  out: MigrationDst,
  mode: number,
  reason: number,
): Step {
  const mem = k.mem;
  if (folio_ref_count(mem, src) === 1) {
    migrate_folio_done(k, src, reason);
    return 0;
  }
  if (folio_test_ksm(mem, src) || (folio_test_anon(mem, src) && folio_test_swapcache(mem, src)))
    return -EBUSY;
  const dst = get_new_folio(k, src);
  if (dst < 0) return -ENOMEM;
  __folio_set_locked(mem, dst);
  const locked = solo_folio_trylock(k, src);
  if (locked !== 1) return unmap_lock(k, src, dst, out, mode, locked < 0);
  return unmap_locked(k, src, dst, out, mode);
}

/**
 * migrate_folio_unmap from the lock of src on, as a generator: folio_trylock (`trylock`: its
 * scheduling point was not elided), then, when src is locked by someone else, -EAGAIN in
 * MIGRATE_ASYNC or folio_lock.
 */
function* unmap_lock(
  k: Kernel,
  src: number,
  dst: number,
  out: MigrationDst,
  mode: number,
  trylock: boolean,
): Sched<number> {
  if (!trylock || !(yield* folio_trylock(k, src))) {
    if (mode === MIGRATE_ASYNC) return drop_dst(k, dst, -EAGAIN);
    yield* folio_lock(k, src);
  }
  return yield* finish(unmap_locked(k, src, dst, out, mode));
}

/** migrate_folio_unmap with src locked: writeback, then the unmap. */
function unmap_locked(k: Kernel, src: number, dst: number, out: MigrationDst, mode: number): Step {
  if (folio_test_writeback(k.mem, src)) return unmap_writeback(k, src, dst, out, mode);
  return unmap_mappings(k, src, dst, out);
}

function* unmap_writeback(
  k: Kernel,
  src: number,
  dst: number,
  out: MigrationDst,
  mode: number,
): Sched<number> {
  if (mode !== MIGRATE_SYNC) return yield* finish(undo_src(k, src, dst, false, -EBUSY));
  yield* folio_wait_writeback(k, src);
  return yield* finish(unmap_mappings(k, src, dst, out));
}

/** migrate_folio_unmap's try_to_migrate (src locked, not under writeback). */
function unmap_mappings(k: Kernel, src: number, dst: number, out: MigrationDst): Step {
  const mem = k.mem;
  if (mem.mapping[src] === 0) {
    // an orphaned page-cache folio (truncated under a pin) may still carry buffers
    if (folio_test_private(mem, src)) {
      try_to_free_buffers(k, src);
      return undo_src(k, src, dst, false, -EAGAIN);
    }
  } else if (folio_mapped(mem, src)) {
    const rest = try_to_migrate_solo(k, src);
    if (rest !== null) return unmap_rest(k, rest, src, dst, out);
    return unmapped(k, src, dst, out, true);
  }
  return unmapped(k, src, dst, out, false);
}

function* unmap_rest(
  k: Kernel,
  rest: Sched<void>,
  src: number,
  dst: number,
  out: MigrationDst,
): Sched<number> {
  yield* rest;
  return yield* finish(unmapped(k, src, dst, out, true));
}

/** The end of migrate_folio_unmap: a folio still mapped goes back (-EAGAIN). */
function unmapped(
  k: Kernel,
  src: number,
  dst: number,
  out: MigrationDst,
  was_mapped: boolean,
): Step {
  if (folio_mapped(k.mem, src)) return undo_src(k, src, dst, was_mapped, -EAGAIN);
  out.dst = dst;
  out.was_mapped = was_mapped;
  return MIGRATEPAGE_UNMAP;
}

/** mm/migrate.c: migrate_folio_move: move_to_new_folio, then remap to dst and free src (see Step). */
function migrate_folio_move(
  k: Kernel,
  src: number,
  dst: number,
  was_mapped: boolean,
  mode: number,
  reason: number,
): Step {
  if (!mm_solo(k.m)) return move_slow(k, src, dst, was_mapped, mode, reason);
  return move_remap(k, src, dst, was_mapped, reason, __move_to_new_folio(k, dst, src, mode));
}

function* move_slow(
  k: Kernel,
  src: number,
  dst: number,
  was_mapped: boolean,
  mode: number,
  reason: number,
): Sched<number> {
  const rc = yield* move_to_new_folio(k, dst, src, mode);
  return yield* finish(move_remap(k, src, dst, was_mapped, reason, rc));
}

/** migrate_folio_move after move_to_new_folio returned `rc`: remove_migration_ptes to dst. */
function move_remap(
  k: Kernel,
  src: number,
  dst: number,
  was_mapped: boolean,
  reason: number,
  rc: number,
): Step {
  if (rc !== 0) return undo_src(k, src, dst, was_mapped, rc);
  folio_add_lru(k, dst);
  if (was_mapped) {
    const rest = remove_migration_ptes_solo(k, src, dst);
    if (rest !== null) return move_remap_rest(k, rest, src, dst, reason);
  }
  return move_done(k, src, dst, reason);
}

function* move_remap_rest(
  k: Kernel,
  rest: Sched<void>,
  src: number,
  dst: number,
  reason: number,
): Sched<number> {
  yield* rest;
  return yield* finish(move_done(k, src, dst, reason));
}

/** The end of migrate_folio_move: dst unlocked and put, src unlocked and freed. */
function move_done(k: Kernel, src: number, dst: number, reason: number): Step {
  const mem = k.mem;
  __folio_clear_locked(mem, dst);
  folio_put(mem, dst);
  if (!solo_folio_unlock(k, src)) return move_unlock(k, src, dst, reason);
  trace_migrated(k, src, dst, reason);
  migrate_folio_done(k, src, reason);
  return 0;
}

function* move_unlock(k: Kernel, src: number, dst: number, reason: number): Sched<number> {
  yield* folio_unlock(k, src);
  trace_migrated(k, src, dst, reason);
  migrate_folio_done(k, src, reason);
  return 0;
}

/** An `mm.migrate` event: src's users are on dst now. @fidelity custom */
export function trace_migrated(k: Kernel, src: number, dst: number, reason: number): void {
  if (k.m.trace.enabled)
    k.m.emit(
      'mm.migrate',
      {
        folio: src,
        to: `0x${dst.toString(16)}`,
        result: 0,
        reason: migrate_reason_names[reason] ?? String(reason),
      },
      'mm/migrate.c: migrate_pages',
    );
}

/**
 * mm/migrate.c: migrate_folio_undo_src + migrate_folio_undo_dst: remap src, unlock, free dst
 * (see Step).
 */
function undo_src(k: Kernel, src: number, dst: number, was_mapped: boolean, rc: number): Step {
  if (was_mapped) {
    const rest = remove_migration_ptes_solo(k, src, src);
    if (rest !== null) return undo_src_rest(k, rest, src, dst, rc);
  }
  if (!solo_folio_unlock(k, src)) return undo_src_unlock(k, src, dst, rc);
  return drop_dst(k, dst, rc);
}

function* undo_src_rest(
  k: Kernel,
  rest: Sched<void>,
  src: number,
  dst: number,
  rc: number,
): Sched<number> {
  yield* rest;
  return yield* undo_src_unlock(k, src, dst, rc);
}

function* undo_src_unlock(k: Kernel, src: number, dst: number, rc: number): Sched<number> {
  yield* folio_unlock(k, src);
  return drop_dst(k, dst, rc);
}

function drop_dst(k: Kernel, dst: number, rc: number): number {
  __folio_clear_locked(k.mem, dst);
  folio_put(k.mem, dst);
  return rc;
}

/** mm/migrate.c: migrate_folio_done(src, reason): the isolation reference goes; src is freed. @fidelity simplified */
export function migrate_folio_done(k: Kernel, src: number, reason: number): void {
  const mem = k.mem;
  if (reason !== MR_DEMOTION) {
    const item = folio_test_anon(mem, src) ? NR_ISOLATED_ANON : NR_ISOLATED_FILE;
    mod_node_page_state(mem.vmstat, item, -folio_nr_pages(mem, src));
  }
  if (reason !== MR_MEMORY_FAILURE) folio_put(mem, src);
}

/**
 * mm/migrate.c: move_to_new_folio(dst, src, mode): an anon folio (or one without a mapping)
 * through migrate_folio with no mapping; a page-cache folio through its mapping's
 * ->migrate_folio, or fallback_migrate_folio. On success a page-cache src loses its mapping.
 * @fidelity simplified
 */
function* move_to_new_folio(k: Kernel, dst: number, src: number, mode: number): Sched<number> {
  const m = k.m;
  if (!mm_solo(m))
    yield m
      .at('folio_migrate_mapping', folioObj(src), Access.Write)
      .also(folioObj(dst), Access.Write);
  return __move_to_new_folio(k, dst, src, mode);
}

/** move_to_new_folio after its scheduling point: the move itself, which never blocks. */
function __move_to_new_folio(k: Kernel, dst: number, src: number, mode: number): number {
  const mem = k.mem;
  const mapping = folio_test_anon(mem, src) ? null : folio_file_mapping(k, src);
  if (mapping === null) return migrate_folio_anon(k, dst, src);
  const op = mapping.a_ops.migrate_folio;
  const rc =
    op !== undefined
      ? op.call(mapping.a_ops, k, mapping, dst, src, mode)
      : fallback_migrate_folio(k, mapping, dst, src, mode);
  if (rc === 0) folio_set_mapping(mem, src, 0, false);
  return rc;
}

/**
 * mm/migrate.c: migrate_folio(NULL, dst, src, mode) for a folio without a page-cache mapping:
 * the reference count must be exactly what its mappings (now migration entries) and the
 * isolation explain; dst takes folio->mapping, index and swap-backed, then contents and flags.
 * @fidelity simplified
 */
function migrate_folio_anon(k: Kernel, dst: number, src: number): number {
  const mem = k.mem;
  if (folio_ref_count(mem, src) !== folio_expected_ref_count(mem, src) + 1) return -EAGAIN;
  folio_mc_copy(k, dst, src);
  if (mem.mapping[src] !== 0) folio_set_mapping(mem, dst, mem.mapping[src]!, true);
  folio_set_index(mem, dst, mem.index[src]!);
  if (folio_test_swapbacked(mem, src)) folio_set_swapbacked(mem, dst);
  folio_migrate_flags(k, dst, src);
  return 0;
}
