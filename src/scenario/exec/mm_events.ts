/**
 * Executors of the mm-events group. For now: `writeback`, the flusher's background writeback of
 * one file (mm/page-writeback.c: do_writepages with WB_SYNC_NONE, as wb_writeback ->
 * __writeback_single_inode runs it). It cleans the dirty folios for I/O (folio_clear_dirty_for_io,
 * write-protecting their shared mappings) and submits them; the disk's device agent writes them
 * and ends writeback later, so the step returns before the I/O is done.
 * Migration, CMA, offlining, reclaim and khugepaged belong to other issues.
 */
import { fget } from '../../kernel/fs/file.js';
import { filemap_fdatawrite_wbc } from '../../kernel/mm/filemap_pagecache_wb.js';
import { WB_SYNC_NONE, writeback_control } from '../../kernel/mm/page-writeback.js';
import { EBADF } from '../../kernel/include/errno.js';
import { writeback } from '../ops/mm_events.js';
import { fdOf } from './files.js';
import { defineExecutor, type ExecutorEntry } from './types.js';

const writebackExecutor = defineExecutor(writeback, function* (ctx, args) {
  const fd = fdOf(ctx, args.fd);
  const f = fget(ctx.k, ctx.process.tgid, fd);
  ctx.m.enter(writeback.kernel);
  const ret =
    f === null
      ? -EBADF
      : yield* filemap_fdatawrite_wbc(ctx.k, f.f_mapping, new writeback_control(WB_SYNC_NONE));
  ctx.m.leave();
  return { primary: ret, ret };
});

export const mmEventExecutors: readonly ExecutorEntry[] = [writebackExecutor];
