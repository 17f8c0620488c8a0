/**
 * Executors of reclaim and khugepaged, two mm events that act behind the processes' backs:
 * - `reclaim`: memory reclaim over the node's LRU lists (mm/vmscan.c: try_to_free_pages ->
 *   shrink_lruvec -> shrink_folio_list), swapping anon folios out to `machine.swap` and dropping
 *   clean page-cache folios; returns the pages reclaimed;
 * - `khugepaged`: one khugepaged scan of the acting process (mm/khugepaged.c:
 *   khugepaged_scan_mm_slot), limited to [addr, addr + length) when given; returns the THPs made.
 * Both run in the scenario thread's context, as kswapd or khugepaged would run them.
 */
import { khugepaged_scan_mm } from '../../kernel/mm/khugepaged.js';
import { try_to_free_pages } from '../../kernel/mm/vmscan.js';
import { khugepaged, reclaim } from '../ops/mm_events.js';
import { actingMm } from './acting.js';
import { defineExecutor, type ExecutorEntry } from './types.js';

const reclaimExecutor = defineExecutor(reclaim, function* (ctx, args) {
  ctx.m.enter(reclaim.kernel);
  const nr = yield* try_to_free_pages(ctx.k, args.nr_pages ?? Number.MAX_SAFE_INTEGER);
  ctx.m.leave();
  return { primary: nr, ret: nr };
});

const khugepagedExecutor = defineExecutor(khugepaged, function* (ctx, args) {
  if ((args.addr === undefined) !== (args.length === undefined))
    ctx.inputError('khugepaged: give both addr and length, or neither (the whole process)');
  const mm = actingMm(ctx);
  const start = args.addr === undefined ? 0 : ctx.addr(args.addr);
  const end = args.length === undefined ? Number.MAX_SAFE_INTEGER : start + args.length;
  ctx.m.enter(khugepaged.kernel);
  const made = yield* khugepaged_scan_mm(ctx.k, mm, start, end);
  ctx.m.leave();
  return { primary: made, ret: made };
});

export const mmReclaimExecutors: readonly ExecutorEntry[] = [reclaimExecutor, khugepagedExecutor];
