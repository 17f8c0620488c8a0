/**
 * Executors of the mm-events group:
 *  - `writeback`: the flusher's background writeback of one file (mm/page-writeback.c:
 *    do_writepages with WB_SYNC_NONE, as wb_writeback -> __writeback_single_inode runs it). It
 *    cleans the dirty folios for I/O (folio_clear_dirty_for_io, write-protecting their shared
 *    mappings) and submits them; the disk's device agent writes them and ends writeback later,
 *    so the step returns before the I/O is done.
 *  - `migrate_pages`: one compaction pass (mm/compaction.c) over the pageblocks holding the
 *    pages mapped in a range: binds how many of the range's folios stayed.
 *  - `offline_pages`: mm/memory_hotplug.c: offline_pages of each memory block holding a page
 *    mapped in the range (as writing "offline" to its sysfs state would).
 *  - `cma_alloc`: mm/cma.c: cma_alloc from the machine's CMA area.
 * The three migration steps bind `NAME.blocked`: every folio that kept the range from moving,
 * with its references and the GUP calls that hold them (kernel/mm/migrate_why.ts), also traced
 * as `mm.migrate-blocked` events for `gupsim explain`.
 * Reclaim and khugepaged belong to another issue.
 */
import { fget } from '../../kernel/fs/file.js';
import { EBADF, EINTR, EINVAL } from '../../kernel/include/errno.js';
import type { Kernel } from '../../kernel/kernel.js';
import { cma_alloc as kernel_cma_alloc } from '../../kernel/mm/cma.js';
import { compact_pageblocks } from '../../kernel/mm/compaction.js';
import { filemap_fdatawrite_wbc } from '../../kernel/mm/filemap_pagecache_wb.js';
import {
  MEMORY_BLOCK_PAGES,
  memory_block_offline,
  offline_pages as kernel_offline_pages,
} from '../../kernel/mm/memory_hotplug.js';
import {
  blockers_text,
  describe_blocker,
  pfnHex,
  trace_blockers,
  type FolioBlocker,
} from '../../kernel/mm/migrate_why.js';
import { WB_SYNC_NONE, writeback_control } from '../../kernel/mm/page-writeback.js';
import { page_folio } from '../../mm/folio.js';
import { pageblock_nr_pages } from '../../mm/layout.js';
import { cma_alloc, migrate_pages, offline_pages, writeback } from '../ops/mm_events.js';
import { fdOf } from './files.js';
import { peekUserPfns } from './peek.js';
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

/** Record a range operation's outcome (`mm.range`) and what blocked it. */
function traceRange(
  k: Kernel,
  fn: string,
  op: string,
  start: number,
  nr_pages: number,
  result: number,
  reason: string,
  blockers: readonly FolioBlocker[],
): void {
  if (k.m.trace.enabled) k.m.emit('mm.range', { op, start, nr_pages, result, reason }, fn);
  trace_blockers(k, fn, op, blockers);
}

/** The folios mapped at [addr, addr + length) in the acting process (head pfns, in order). */
function mappedFolios(
  ctx: Parameters<typeof peekUserPfns>[0],
  addr: number,
  length: number,
): number[] {
  const out: number[] = [];
  for (const pfn of peekUserPfns(ctx, addr, length)) {
    if (pfn < 0) continue;
    const folio = page_folio(ctx.k.mem, pfn);
    if (!out.includes(folio)) out.push(folio);
  }
  return out;
}

const COMPACT_FN = 'mm/compaction.c: compact_zone';

const migratePagesExecutor = defineExecutor(migrate_pages, function* (ctx, args) {
  const k = ctx.k;
  const folios = mappedFolios(ctx, ctx.addr(args.addr), args.length);
  if (folios.length === 0) return { primary: 0, ret: 0, fields: { blocked: '' } };
  const pageblocks = [...new Set(folios.map((f) => f - (f % pageblock_nr_pages)))];
  ctx.m.enter(COMPACT_FN);
  const r = yield* compact_pageblocks(k, pageblocks);
  const blockers = folios
    .filter((f) => r.skipped.has(f))
    .map((f) => describe_blocker(k, f, false, r.skipped.get(f)));
  const reason = `${r.migrated} folio(s) migrated, ${blockers.length} of the range's stayed`;
  const lo = Math.min(...pageblocks);
  traceRange(
    k,
    COMPACT_FN,
    'compaction',
    lo,
    pageblocks.length * pageblock_nr_pages,
    blockers.length,
    reason,
    blockers,
  );
  ctx.m.leave();
  const blocked = blockers_text('migrate_pages', blockers);
  return { primary: blockers.length, ret: blockers.length, fields: { blocked } };
});

const OFFLINE_FN = offline_pages.kernel;

const offlinePagesExecutor = defineExecutor(offline_pages, function* (ctx, args) {
  const k = ctx.k;
  const blocks: number[] = [];
  for (const folio of mappedFolios(ctx, ctx.addr(args.addr), args.length)) {
    const block = folio - (folio % MEMORY_BLOCK_PAGES);
    if (!blocks.includes(block)) blocks.push(block);
  }
  blocks.sort((a, b) => a - b);
  if (blocks.length === 0) return { primary: -EINVAL, ret: -EINVAL, fields: { blocked: '' } };
  ctx.m.enter(OFFLINE_FN);
  let ret = 0;
  let blocked = '';
  for (const block of blocks) {
    if (memory_block_offline(k, block)) continue;
    const r = yield* kernel_offline_pages(k, block, MEMORY_BLOCK_PAGES, args.passes);
    const reason =
      r.ret === 0
        ? `memory block at pfn ${pfnHex(block)} offline after ${r.passes} pass(es)`
        : `memory offlining [pfn ${pfnHex(block)}-${pfnHex(block + MEMORY_BLOCK_PAGES - 1)}] failed due to ${r.reason}${r.ret === -EINTR ? ` (the kernel retries until the writer gets a signal; the model sends it after ${r.passes} pass(es))` : ''}`;
    traceRange(
      k,
      OFFLINE_FN,
      'offline_pages',
      block,
      MEMORY_BLOCK_PAGES,
      r.ret,
      reason,
      r.blockers,
    );
    if (r.ret !== 0) {
      ret = r.ret;
      blocked = blockers_text('offline_pages', r.blockers);
      break;
    }
  }
  ctx.m.leave();
  return { primary: ret, ret, fields: { blocked } };
});

const CMA_FN = cma_alloc.kernel;

const cmaAllocExecutor = defineExecutor(cma_alloc, function* (ctx, args) {
  const k = ctx.k;
  ctx.m.enter(CMA_FN);
  const r = yield* kernel_cma_alloc(k, args.count, args.align);
  const blockers = r.attempts.flatMap((a) => a.blockers);
  const reason =
    r.page >= 0
      ? `allocated ${args.count} page(s) at pfn ${pfnHex(r.page)}${r.attempts.length > 0 ? ` after ${r.attempts.length} busy range(s)` : ''}`
      : `cma_alloc: alloc failed, req-size: ${args.count} pages, ret: ${r.ret}`;
  traceRange(k, CMA_FN, 'cma_alloc', r.page, args.count, r.ret, reason, blockers);
  ctx.m.leave();
  const ok = r.page >= 0 ? 1 : 0;
  const blocked = ok === 1 ? '' : blockers_text('cma_alloc', blockers);
  return { primary: ok, ret: r.ret, fields: { blocked } };
});

export const mmEventExecutors: readonly ExecutorEntry[] = [
  writebackExecutor,
  migratePagesExecutor,
  offlinePagesExecutor,
  cmaAllocExecutor,
];
