/**
 * Walking a mapping's dirty folios for writeback: mm/page-writeback.c (v6.18) —
 * tag_pages_for_writeback, writeback_iter with folio_prepare_writeback (kept here as
 * write_cache_pages with a per-folio callback), and do_writepages.
 *
 * Data-integrity writeback (WB_SYNC_ALL) first tags every DIRTY folio TOWRITE and writes the
 * tagged ones, waiting for folios already under writeback; background writeback
 * (WB_SYNC_NONE) skips those.
 * @fidelity simplified: one batch per call, no cond_resched between batches, no livelock
 * avoidance beyond the tagging, no bandwidth estimation.
 */
import { MmBug } from '../../mm/bug.js';
import { folio_put } from '../../mm/page_free.js';
import { folio_test_dirty, folio_test_writeback } from '../../mm/page_flags.js';
import type { Sched } from '../../sim/thread.js';
import { ENOMEM } from '../include/errno.js';
import type { Kernel } from '../kernel.js';
import { folio_lock, folio_unlock } from './filemap.js';
import {
  PAGECACHE_TAG_DIRTY,
  PAGECACHE_TAG_TOWRITE,
  filemap_get_entry,
  tagged_indices,
  xa_set_mark,
  type fs_address_space,
} from './pagecache.js';
import {
  WB_SYNC_ALL,
  WB_SYNC_NONE,
  folio_clear_dirty_for_io,
  folio_wait_writeback,
  type writeback_control,
} from './page-writeback.js';
import { mm_solo } from './solo.js';

/** ->writepage of one folio: it is locked and clean for I/O; the callee unlocks it. */
export type writepage_t = (k: Kernel, folio: number, wbc: writeback_control) => Sched<number>;

function pageRange(wbc: writeback_control, mapping: fs_address_space): [number, number] {
  if (wbc.range_cyclic) return [mapping.writeback_index, Number.MAX_SAFE_INTEGER];
  return [Math.floor(wbc.range_start / 4096), Math.floor(wbc.range_end / 4096)];
}

/**
 * mm/page-writeback.c: tag_pages_for_writeback(mapping, start, end): mark TOWRITE every folio
 * that is tagged DIRTY now. A step that reads the whole tree; it declares no footprint, since
 * marks are set by steps that declare only the folio.
 * @fidelity exact
 */
export function* tag_pages_for_writeback(
  k: Kernel,
  mapping: fs_address_space,
  start: number,
  end: number,
): Sched<void> {
  if (!mm_solo(k.m)) yield k.m.point('tag_pages_for_writeback');
  for (const index of tagged_indices(mapping, start, end, PAGECACHE_TAG_DIRTY)) {
    xa_set_mark(mapping, index, PAGECACHE_TAG_TOWRITE);
  }
}

/**
 * mm/page-writeback.c: folio_prepare_writeback(mapping, wbc, folio): with the folio locked,
 * decide whether to write it: still in this mapping, dirty, not under writeback (integrity
 * writeback waits for it), and then cleaned for I/O.
 * @fidelity exact
 */
export function* folio_prepare_writeback(
  k: Kernel,
  mapping: fs_address_space,
  wbc: writeback_control,
  folio: number,
): Sched<boolean> {
  if (k.mem.mapping[folio] !== mapping.id) return false;
  if (!folio_test_dirty(k.mem, folio)) return false;
  if (folio_test_writeback(k.mem, folio)) {
    if (wbc.sync_mode === WB_SYNC_NONE) return false;
    yield* folio_wait_writeback(k, folio);
  }
  if (folio_test_writeback(k.mem, folio)) throw new MmBug(`BUG_ON: folio ${folio} under writeback`);
  return yield* folio_clear_dirty_for_io(k, folio);
}

/**
 * The folios writeback_iter() would hand out, in index order: for WB_SYNC_ALL the TOWRITE
 * ones after tagging, else the DIRTY ones.
 * @fidelity custom
 */
export function* writeback_candidates(
  k: Kernel,
  mapping: fs_address_space,
  wbc: writeback_control,
): Sched<number[]> {
  const [start, end] = pageRange(wbc, mapping);
  if (wbc.sync_mode === WB_SYNC_ALL) {
    yield* tag_pages_for_writeback(k, mapping, start, end);
    return tagged_indices(mapping, start, end, PAGECACHE_TAG_TOWRITE);
  }
  if (!mm_solo(k.m)) yield k.m.point('writeback_iter');
  return tagged_indices(mapping, start, end, PAGECACHE_TAG_DIRTY);
}

/**
 * mm/page-writeback.c: write_cache_pages(mapping, wbc, writepage) over writeback_iter: lock
 * each candidate, prepare it, and hand it to `writepage`. Returns 0 or the first error.
 * @fidelity simplified
 */
export function* write_cache_pages(
  k: Kernel,
  mapping: fs_address_space,
  wbc: writeback_control,
  writepage: writepage_t,
): Sched<number> {
  let ret = 0;
  let next = 0;
  for (const index of yield* writeback_candidates(k, mapping, wbc)) {
    const folio = yield* filemap_get_entry(k, mapping, index);
    if (folio < 0) continue;
    if (k.mem.index[folio] !== index) {
      folio_put(k.mem, folio);
      continue;
    }
    yield* folio_lock(k, folio);
    if (!(yield* folio_prepare_writeback(k, mapping, wbc, folio))) {
      yield* folio_unlock(k, folio);
      folio_put(k.mem, folio);
      continue;
    }
    const err = yield* writepage(k, folio, wbc);
    folio_put(k.mem, folio);
    if (err < 0 && ret === 0) ret = err;
    next = index + 1;
    if (err < 0 && wbc.sync_mode !== WB_SYNC_ALL) break;
    if (--wbc.nr_to_write <= 0 && wbc.sync_mode === WB_SYNC_NONE) break;
  }
  if (wbc.range_cyclic) mapping.writeback_index = next;
  return ret;
}

/** mm/page-writeback.c: do_writepages(mapping, wbc): ->writepages, retried on -ENOMEM for integrity writeback. @fidelity simplified */
export function* do_writepages(
  k: Kernel,
  mapping: fs_address_space,
  wbc: writeback_control,
): Sched<number> {
  if (wbc.nr_to_write <= 0) return 0;
  const writepages = mapping.a_ops.writepages;
  if (writepages === undefined) return 0;
  for (let tries = 0; ; tries++) {
    const ret = yield* writepages(k, mapping, wbc);
    if (ret !== -ENOMEM || wbc.sync_mode !== WB_SYNC_ALL || tries >= 3) return ret;
  }
}
