/**
 * Executors of "through a pin": accesses to pinned pages that bypass the process's page tables,
 * by the kernel through its own mapping (kmap_local_page) or by a device (DMA). Each page is
 * accessed in a step of its own, declaring the folio it reads or writes, so the explorer can
 * interleave a device's transfer with fork, COW or unpinning. A write does not dirty the folio:
 * the caller marks it (unpin_user_pages_dirty_lock), as in the kernel. An access to a page whose
 * pin was released is reported (gup.access-unpinned).
 */
import { checkAccessHeld } from '../../check/access_unpinned.js';
import { page_content, page_folio, set_page_content } from '../../mm/index.js';
import { folioObj } from '../../kernel/objects.js';
import { Access } from '../../sim/footprint.js';
import type { Sched } from '../../sim/thread.js';
import { dma_read, dma_write, kernel_read, kernel_write } from '../ops/through_pin.js';
import type { OperationDescriptor } from '../operation.js';
import {
  defineExecutor,
  type ExecContext,
  type ExecutorEntry,
  type PagesBinding,
} from './types.js';

function pagesOf(ctx: ExecContext, ref: Parameters<ExecContext['lookup']>[0]): PagesBinding {
  const p = ctx.lookup(ref) as PagesBinding | undefined;
  if (p === undefined || !Array.isArray(p.pfns))
    ctx.inputError(`'${ref.name}' is not a pages array bound by a GUP step`);
  return p;
}

function* readPages(ctx: ExecContext, p: PagesBinding, who: string): Sched<number[]> {
  const out: number[] = [];
  for (const pfn of p.pfns) {
    yield ctx.m.at(who, folioObj(page_folio(ctx.k.mem, pfn)), Access.Read);
    checkAccessHeld(ctx.k, pfn, who, ctx.where);
    out.push(page_content(ctx.k.mem, pfn));
  }
  return out;
}

function* writePages(ctx: ExecContext, p: PagesBinding, value: number, who: string): Sched<void> {
  for (const pfn of p.pfns) {
    yield ctx.m.at(who, folioObj(page_folio(ctx.k.mem, pfn)), Access.Write);
    checkAccessHeld(ctx.k, pfn, who, ctx.where);
    set_page_content(ctx.k.mem, pfn, value);
  }
}

function reader(op: OperationDescriptor<typeof kernel_read.args>): ExecutorEntry {
  return defineExecutor(op, function* (ctx, args) {
    const got = yield* readPages(ctx, pagesOf(ctx, args.pages), op.name);
    const one = got.length > 0 && got.every((v) => v === got[0]);
    return { primary: one ? got[0] : got, ret: 0 };
  });
}

function writer(op: OperationDescriptor<typeof kernel_write.args>): ExecutorEntry {
  return defineExecutor(op, function* (ctx, args) {
    yield* writePages(ctx, pagesOf(ctx, args.pages), args.value, op.name);
    return { primary: 0, ret: 0 };
  });
}

export const throughPinExecutors: readonly ExecutorEntry[] = [
  reader(kernel_read),
  reader(dma_read),
  writer(kernel_write),
  writer(dma_write),
];
