/**
 * Starting and waiting for writeback of a file range: mm/filemap.c (v6.18) —
 * filemap_fdatawrite_wbc, __filemap_fdatawrite_range, __filemap_fdatawait_range,
 * filemap_write_and_wait_range, file_write_and_wait_range, filemap_check_errors and
 * mapping_set_error.
 * @fidelity simplified: errors are the AS_EIO / AS_ENOSPC bits only (no errseq_t cursors).
 */
import { folio_put } from '../../mm/page_free.js';
import type { Sched } from '../../sim/thread.js';
import { EIO, ENOSPC } from '../include/errno.js';
import type { Kernel } from '../kernel.js';
import type { file } from '../fs/file_table.js';
import {
  AS_EIO,
  AS_ENOSPC,
  PAGECACHE_TAG_DIRTY,
  PAGECACHE_TAG_WRITEBACK,
  filemap_get_entry,
  mapping_can_writeback,
  mapping_tagged,
  tagged_indices,
  type fs_address_space,
} from './pagecache.js';
import { WB_SYNC_ALL, folio_wait_writeback, writeback_control } from './page-writeback.js';
import { do_writepages } from './page-writeback_iter.js';
import { mm_solo } from './solo.js';

/** include/linux/pagemap.h: mapping_set_error(mapping, error). @fidelity simplified */
export function mapping_set_error(mapping: fs_address_space, error: number): void {
  if (error === 0) return;
  mapping.flags |= error === -ENOSPC ? 1 << AS_ENOSPC : 1 << AS_EIO;
}

/** mm/filemap.c: filemap_check_errors(mapping): -ENOSPC, -EIO or 0, clearing the bits. @fidelity exact */
export function filemap_check_errors(mapping: fs_address_space): number {
  let ret = 0;
  if ((mapping.flags & (1 << AS_ENOSPC)) !== 0) ret = -ENOSPC;
  if ((mapping.flags & (1 << AS_EIO)) !== 0) ret = -EIO;
  mapping.flags &= ~((1 << AS_ENOSPC) | (1 << AS_EIO));
  return ret;
}

/** mm/filemap.c: filemap_fdatawrite_wbc(mapping, wbc): start writeback if anything is dirty. @fidelity exact */
export function* filemap_fdatawrite_wbc(
  k: Kernel,
  mapping: fs_address_space,
  wbc: writeback_control,
): Sched<number> {
  if (!mapping_can_writeback(mapping) || !mapping_tagged(mapping, PAGECACHE_TAG_DIRTY)) return 0;
  return yield* do_writepages(k, mapping, wbc);
}

/** mm/filemap.c: __filemap_fdatawrite_range(mapping, start, end, sync_mode). @fidelity exact */
export function __filemap_fdatawrite_range(
  k: Kernel,
  mapping: fs_address_space,
  start: number,
  end: number,
  sync_mode: number,
): Sched<number> {
  return filemap_fdatawrite_wbc(k, mapping, new writeback_control(sync_mode, start, end));
}

/** mm/filemap.c: __filemap_fdatawait_range(mapping, start, end): wait for every folio under writeback in the range. @fidelity simplified */
export function* __filemap_fdatawait_range(
  k: Kernel,
  mapping: fs_address_space,
  start: number,
  end: number,
): Sched<void> {
  if (!mm_solo(k.m)) yield k.m.point('__filemap_fdatawait_range');
  const indices = tagged_indices(
    mapping,
    Math.floor(start / 4096),
    Math.floor(end / 4096),
    PAGECACHE_TAG_WRITEBACK,
  );
  for (const index of indices) {
    const folio = yield* filemap_get_entry(k, mapping, index);
    if (folio < 0) continue;
    yield* folio_wait_writeback(k, folio);
    folio_put(k.mem, folio);
  }
}

/** mm/filemap.c: filemap_write_and_wait_range(mapping, lstart, lend). @fidelity exact */
export function* filemap_write_and_wait_range(
  k: Kernel,
  mapping: fs_address_space,
  lstart: number,
  lend: number,
): Sched<number> {
  if (lend < lstart) return 0;
  let err = 0;
  if (mapping.nrpages > 0) {
    err = yield* __filemap_fdatawrite_range(k, mapping, lstart, lend, WB_SYNC_ALL);
    if (err !== -EIO) yield* __filemap_fdatawait_range(k, mapping, lstart, lend);
  }
  const err2 = filemap_check_errors(mapping);
  return err !== 0 ? err : err2;
}

/** mm/filemap.c: file_write_and_wait_range(file, lstart, lend). @fidelity simplified (no f_wb_err cursor) */
export function file_write_and_wait_range(
  k: Kernel,
  f: file,
  lstart: number,
  lend: number,
): Sched<number> {
  return filemap_write_and_wait_range(k, f.f_mapping, lstart, lend);
}
