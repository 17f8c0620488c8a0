/**
 * Dirty and writeback state of page-cache folios: mm/page-writeback.c (v6.18) —
 * folio_mark_dirty and the ->dirty_folio implementations, folio_clear_dirty_for_io (which
 * write-protects every shared mapping through folio_mkclean), folio_start_writeback /
 * folio_end_writeback, and the waits (folio_wait_writeback, folio_wait_stable) — plus struct
 * writeback_control.
 *
 * Nothing here looks at pins: folio_clear_dirty_for_io cleans a folio a device may still write
 * through a FOLL_PIN reference, exactly as the kernel does (docs/files.md, "Writeback and pins").
 * The `mm.writeback` event records whether the folio was maybe DMA-pinned when it was cleaned.
 * @fidelity simplified: no dirty accounting (NR_FILE_DIRTY, wb stats), no inode dirty lists,
 * no balance_dirty_pages, no memcg.
 */
import { MmBug } from '../../mm/bug.js';
import { folio_get } from '../../mm/folio.js';
import { folio_mapped, folio_maybe_dma_pinned } from '../../mm/mapcount.js';
import { folio_put } from '../../mm/page_free.js';
import {
  PG_dirty,
  PG_writeback,
  folio_clear_reclaim,
  folio_test_dirty,
  folio_test_private,
  folio_test_reclaim,
  folio_test_uptodate,
  folio_test_writeback,
  test_and_clear_page_flag,
  test_and_set_page_flag,
} from '../../mm/page_flags.js';
import { Access } from '../../sim/footprint.js';
import type { Sched, Waitable } from '../../sim/thread.js';
import { EINTR } from '../include/errno.js';
import type { Kernel } from '../kernel.js';
import { folioObj, mappingObj } from '../objects.js';
import { fs_trace, fs_warn } from '../fs/fs_trace.js';
import { SB_I_STABLE_WRITES } from '../fs/super.js';
import { folio_test_locked, folio_lock, folio_unlock } from './filemap.js';
import { folio_mkclean } from './page-writeback_mkclean.js';
import {
  PAGECACHE_TAG_DIRTY,
  PAGECACHE_TAG_TOWRITE,
  PAGECACHE_TAG_WRITEBACK,
  folio_file_mapping,
  folio_mapping,
  fs_address_space,
  mapping_can_writeback,
  xa_clear_mark,
  xa_set_mark,
} from './pagecache.js';
import { mm_solo } from './solo.js';

/** include/linux/writeback.h: WB_SYNC_NONE (don't wait on anything). */
export const WB_SYNC_NONE = 0;
/** include/linux/writeback.h: WB_SYNC_ALL (wait on every folio: data integrity). */
export const WB_SYNC_ALL = 1;

/** include/linux/writeback.h: struct writeback_control. @fidelity simplified */
export class writeback_control {
  /** Folios written so far may not exceed this (decremented per folio). */
  nr_to_write = Number.MAX_SAFE_INTEGER;
  /** Folios skipped (redirtied) by ->writepages. */
  pages_skipped = 0;
  range_cyclic = false;

  constructor(
    readonly sync_mode: number,
    /** First and last byte of the range (inclusive). */
    readonly range_start = 0,
    readonly range_end = Number.MAX_SAFE_INTEGER,
  ) {}
}

/** mm/page-writeback.c: noop_dirty_folio(mapping, folio): set PG_dirty only. @fidelity exact */
export function noop_dirty_folio(k: Kernel, folio: number): boolean {
  return !test_and_set_page_flag(k.mem, folio, PG_dirty);
}

/**
 * mm/page-writeback.c: __folio_mark_dirty(folio, mapping, warn): tag the folio dirty in the
 * page cache unless truncate took it out meanwhile; WARN if it is not uptodate.
 * @fidelity simplified (no accounting, no inode dirtying)
 */
export function __folio_mark_dirty(
  k: Kernel,
  folio: number,
  mapping: fs_address_space,
  warn: boolean,
): void {
  if (k.mem.mapping[folio] !== mapping.id) return;
  if (warn && !folio_test_uptodate(k.mem, folio)) {
    fs_warn(
      k,
      'dirty-not-uptodate',
      `folio ${folio} dirtied while not uptodate`,
      'mm/page-writeback.c: __folio_mark_dirty',
    );
  }
  xa_set_mark(mapping, k.mem.index[folio], PAGECACHE_TAG_DIRTY);
}

/** mm/page-writeback.c: filemap_dirty_folio(mapping, folio): ->dirty_folio without buffers. @fidelity exact */
export function filemap_dirty_folio(k: Kernel, mapping: fs_address_space, folio: number): boolean {
  if (test_and_set_page_flag(k.mem, folio, PG_dirty)) return false;
  __folio_mark_dirty(k, folio, mapping, !folio_test_private(k.mem, folio));
  return true;
}

/**
 * mm/page-writeback.c: folio_mark_dirty(folio): let the file system mark the folio dirty
 * (->dirty_folio); anonymous and swap folios only get PG_dirty. Does not sleep; the caller
 * holds the folio lock or a PTE lock that keeps truncate away.
 * @fidelity exact
 */
export function folio_mark_dirty(k: Kernel, folio: number): boolean {
  const mapping = folio_mapping(k, folio);
  if (mapping instanceof fs_address_space) {
    if (folio_test_reclaim(k.mem, folio)) folio_clear_reclaim(k.mem, folio);
    return mapping.a_ops.dirty_folio(k, mapping, folio);
  }
  return noop_dirty_folio(k, folio);
}

/** mm/page-writeback.c: set_page_dirty_lock(page): folio_mark_dirty under the folio lock. @fidelity exact */
export function* set_page_dirty_lock(k: Kernel, folio: number): Sched<boolean> {
  yield* folio_lock(k, folio);
  const mapping = folio_file_mapping(k, folio);
  if (!mm_solo(k.m)) {
    const point = k.m.at('set_page_dirty', folioObj(folio), Access.Write);
    yield mapping === null ? point : point.also(mappingObj(mapping.id), Access.Write);
  }
  const ret = folio_mark_dirty(k, folio);
  yield* folio_unlock(k, folio);
  return ret;
}

/** mm/page-writeback.c: folio_redirty_for_writepage(wbc, folio): decline to write a dirty folio. @fidelity simplified */
export function folio_redirty_for_writepage(
  k: Kernel,
  wbc: writeback_control,
  folio: number,
): boolean {
  wbc.pages_skipped++;
  const mapping = folio_file_mapping(k, folio);
  return mapping === null ? noop_dirty_folio(k, folio) : filemap_dirty_folio(k, mapping, folio);
}

/** mm/page-writeback.c: __folio_cancel_dirty / folio_cancel_dirty(folio): drop PG_dirty (truncate). @fidelity simplified */
export function folio_cancel_dirty(k: Kernel, folio: number): void {
  test_and_clear_page_flag(k.mem, folio, PG_dirty);
}

/**
 * mm/page-writeback.c: folio_clear_dirty_for_io(folio): before I/O, write-protect and clean
 * every shared mapping of the folio (folio_mkclean; a dirty PTE re-dirties the folio), then
 * clear PG_dirty, leaving the DIRTY mark for ->writepages to settle. True if it was dirty.
 * @fidelity exact (apart from accounting)
 */
export function* folio_clear_dirty_for_io(k: Kernel, folio: number): Sched<boolean> {
  if (!folio_test_locked(k, folio)) throw new MmBug(`VM_BUG_ON_FOLIO: folio ${folio} not locked`);
  const mapping = folio_file_mapping(k, folio);
  if (mapping === null || !mapping_can_writeback(mapping)) {
    return test_and_clear_page_flag(k.mem, folio, PG_dirty);
  }
  if (folio_mapped(k.mem, folio) && (yield* folio_mkclean(k, folio)) > 0)
    folio_mark_dirty(k, folio);
  if (!mm_solo(k.m)) yield k.m.at('folio_clear_dirty_for_io', folioObj(folio), Access.Write);
  const ret = test_and_clear_page_flag(k.mem, folio, PG_dirty);
  if (ret && k.m.trace.enabled) {
    fs_trace(k, 'mm.writeback', {
      mapping: mapping.name,
      index: k.mem.index[folio],
      folio,
      pinned: folio_maybe_dma_pinned(k.mem, folio),
    });
  }
  return ret;
}

/**
 * mm/page-writeback.c: __folio_start_writeback(folio, keep_write): set PG_writeback and the
 * WRITEBACK mark; drop the DIRTY mark if the folio is clean and, unless keep_write, TOWRITE.
 * True if it was already under writeback.
 * @fidelity simplified
 */
export function __folio_start_writeback(k: Kernel, folio: number, keep_write: boolean): boolean {
  const ret = test_and_set_page_flag(k.mem, folio, PG_writeback);
  const mapping = folio_file_mapping(k, folio);
  if (mapping === null) return ret;
  const index = k.mem.index[folio];
  if (!ret) xa_set_mark(mapping, index, PAGECACHE_TAG_WRITEBACK);
  if (!folio_test_dirty(k.mem, folio)) xa_clear_mark(mapping, index, PAGECACHE_TAG_DIRTY);
  if (!keep_write) xa_clear_mark(mapping, index, PAGECACHE_TAG_TOWRITE);
  return ret;
}

/** include/linux/page-flags.h: folio_start_writeback(folio). @fidelity exact */
export function folio_start_writeback(k: Kernel, folio: number): boolean {
  return __folio_start_writeback(k, folio, false);
}

/** mm/page-writeback.c: __folio_end_writeback(folio): clear PG_writeback and its mark. @fidelity simplified */
export function __folio_end_writeback(k: Kernel, folio: number): boolean {
  const ret = test_and_clear_page_flag(k.mem, folio, PG_writeback);
  const mapping = folio_file_mapping(k, folio);
  if (ret && mapping !== null) xa_clear_mark(mapping, k.mem.index[folio], PAGECACHE_TAG_WRITEBACK);
  return ret;
}

/**
 * mm/filemap.c: folio_end_writeback(folio): the I/O is done; waiters on PG_writeback may go on.
 * Writeback holds no reference of its own, so one is taken around the wake-up.
 * @fidelity simplified (no dropbehind, no reclaim rotation)
 */
export function* folio_end_writeback(k: Kernel, folio: number): Sched<void> {
  if (!folio_test_writeback(k.mem, folio))
    throw new MmBug(`VM_BUG_ON_FOLIO: folio ${folio} not under writeback`);
  if (!mm_solo(k.m)) {
    const mapping = folio_file_mapping(k, folio);
    const point = k.m.at('folio_end_writeback', folioObj(folio), Access.Write);
    yield mapping === null ? point : point.also(mappingObj(mapping.id), Access.Write);
  }
  folio_end_writeback_locked(k, folio);
}

/** The body of folio_end_writeback, for a completion that declared its step already. @fidelity simplified */
export function folio_end_writeback_locked(k: Kernel, folio: number): void {
  if (!folio_test_writeback(k.mem, folio))
    throw new MmBug(`VM_BUG_ON_FOLIO: folio ${folio} not under writeback`);
  if (folio_test_reclaim(k.mem, folio)) folio_clear_reclaim(k.mem, folio);
  folio_get(k.mem, folio);
  __folio_end_writeback(k, folio);
  if (k.m.trace.enabled) fs_trace(k, 'mm.writeback-end', { folio });
  folio_put(k.mem, folio);
}

function writebackCleared(k: Kernel, folio: number, killable: boolean): Waitable {
  return {
    canProceed: (t) => (killable && t.fatalSignal) || !folio_test_writeback(k.mem, folio),
    holders: () => [],
    describe: () => `the end of writeback of folio ${folio}`,
  };
}

/**
 * mm/page-writeback.c: folio_wait_writeback(folio) (folio_wait_bit(PG_writeback)): sleep until
 * the folio is not under writeback. The wait is on the bit, so no wake-up can be lost.
 * @fidelity exact
 */
export function* folio_wait_writeback(k: Kernel, folio: number): Sched<void> {
  k.m.mightSleep('folio_wait_writeback');
  while (folio_test_writeback(k.mem, folio)) {
    yield k.m.block(
      'folio_wait_writeback',
      writebackCleared(k, folio, false),
      folioObj(folio),
      Access.Read,
    );
  }
}

/** mm/page-writeback.c: folio_wait_writeback_killable(folio): 0, or -EINTR. @fidelity exact */
export function* folio_wait_writeback_killable(k: Kernel, folio: number): Sched<number> {
  k.m.mightSleep('folio_wait_writeback_killable');
  while (folio_test_writeback(k.mem, folio)) {
    yield k.m.block(
      'folio_wait_writeback_killable',
      writebackCleared(k, folio, true),
      folioObj(folio),
      Access.Read,
    );
    if (k.m.self.fatalSignal && folio_test_writeback(k.mem, folio)) return -EINTR;
  }
  return 0;
}

/**
 * mm/page-writeback.c: folio_wait_stable(folio): if the file system asks for stable pages
 * (SB_I_STABLE_WRITES), wait for writeback to end before the folio may change.
 * @fidelity exact
 */
export function* folio_wait_stable(k: Kernel, folio: number): Sched<void> {
  if (!folio_needs_stable_wait(k, folio)) return;
  yield* folio_wait_writeback(k, folio);
}

/** Whether folio_wait_stable would wait now (stable pages asked for, folio under writeback). @fidelity custom */
export function folio_needs_stable_wait(k: Kernel, folio: number): boolean {
  if (!folio_test_writeback(k.mem, folio)) return false;
  const mapping = folio_file_mapping(k, folio);
  return mapping !== null && (mapping.host.i_sb.s_iflags & SB_I_STABLE_WRITES) !== 0;
}
