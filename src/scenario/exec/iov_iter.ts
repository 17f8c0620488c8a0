/**
 * Executors of the iov_iter group: a driver building an iterator over the acting thread's own
 * user memory (ITER_UBUF), or over pages it took (ITER_BVEC), with the direction the scenario
 * gives, then extracting pages (pins), getting them (references) or copying through it.
 */
import {
  iov_iter_bvec,
  iov_iter_count,
  iov_iter_ubuf,
  type iov_iter,
} from '../../kernel/lib/iov_iter.js';
import { copy_from_iter, copy_to_iter } from '../../kernel/lib/iov_iter_copy.js';
import {
  iov_iter_extract_pages,
  iov_iter_extract_will_pin,
  iov_iter_get_pages2,
} from '../../kernel/lib/iov_iter_pages.js';
import { wait_block_bio_queue } from '../../kernel/block/block_bio_queue.js';
import { gupState } from '../../kernel/mm/gup_state.js';
import { PAGE_SIZE } from '../../mm/layout.js';
import type { Sched } from '../../sim/thread.js';
import {
  block_bio_queue as bioQueueOp,
  copy_from_iter as copyFromOp,
  copy_to_iter as copyToOp,
  iov_iter_extract_pages as extractOp,
  iov_iter_get_pages2 as getPagesOp,
} from '../ops/iov_iter.js';
import {
  defineExecutor,
  type ExecContext,
  type ExecutorEntry,
  type PagesBinding,
  type StepOutcome,
} from './types.js';

interface PagesArgs {
  readonly addr: Parameters<ExecContext['addr']>[0];
  readonly length: number;
  readonly direction: { readonly value: number };
}

function ownTask(ctx: ExecContext, op: string): void {
  if (ctx.process.mm !== ctx.task.mm)
    ctx.inputError(`${op} works on the thread's own memory: drop process:`);
}

/** Run a page-taking call over an ITER_UBUF and bind the pages it listed. */
function* takePages(ctx: ExecContext, a: PagesArgs, op: string, get: boolean): Sched<StepOutcome> {
  ownTask(ctx, op);
  const iter = iov_iter_ubuf(a.direction.value, ctx.task, ctx.addr(a.addr), a.length);
  const max = Math.ceil(a.length / PAGE_SIZE) + 1;
  const pages = new Int32Array(max).fill(-1);
  const offset = { value: 0 };
  const s = gupState(ctx.k);
  const where = `${ctx.threadName} at ${ctx.where}`;
  s.where = where;
  ctx.m.enter(`lib/iov_iter.c: ${op}`);
  const ret = get
    ? yield* iov_iter_get_pages2(ctx.k, iter, pages, a.length, max, offset)
    : yield* iov_iter_extract_pages(ctx.k, iter, pages, a.length, max, 0, offset);
  ctx.m.leave();
  s.where = null;
  const n = ret > 0 ? Math.ceil((offset.value + ret) / PAGE_SIZE) : 0;
  const pfns = Array.from(pages.subarray(0, n));
  const kind = get || !iov_iter_extract_will_pin(iter) ? 'get' : 'pin';
  const binding: PagesBinding = { pfns, kind, tgid: ctx.process.tgid, where };
  return { primary: binding, ret };
}

const extractExecutor = defineExecutor(extractOp, function* (ctx, args) {
  return yield* takePages(ctx, args, 'iov_iter_extract_pages', false);
});

const getPagesExecutor = defineExecutor(getPagesOp, function* (ctx, args) {
  return yield* takePages(ctx, args, 'iov_iter_get_pages2', true);
});

interface CopyArgs {
  readonly pages?: Parameters<ExecContext['lookup']>[0] | undefined;
  readonly addr?: Parameters<ExecContext['addr']>[0] | undefined;
  readonly length: number;
  readonly direction: { readonly value: number };
}

/** The iterator a copy step describes: a BVEC over `pages`, or a UBUF over `addr`. */
function iterOf(ctx: ExecContext, a: CopyArgs, op: string): iov_iter {
  if ((a.pages === undefined) === (a.addr === undefined))
    ctx.inputError(`${op} takes exactly one of pages: or addr:`);
  if (a.addr !== undefined) {
    ownTask(ctx, op);
    return iov_iter_ubuf(a.direction.value, ctx.task, ctx.addr(a.addr), a.length);
  }
  const p = ctx.lookup(a.pages!) as PagesBinding | undefined;
  if (p === undefined || !Array.isArray(p.pfns))
    ctx.inputError(`'${a.pages!.name}' is not a pages array bound by a GUP or iov_iter step`);
  const bvec = p.pfns.map((pfn) => ({ bv_page: pfn, bv_len: PAGE_SIZE, bv_offset: 0 }));
  return iov_iter_bvec(a.direction.value, bvec, Math.min(a.length, bvec.length * PAGE_SIZE));
}

const copyToExecutor = defineExecutor(copyToOp, function* (ctx, args) {
  const iter = iterOf(ctx, args, copyToOp.name);
  ctx.m.enter(copyToOp.kernel);
  const ret = yield* copy_to_iter(ctx.k, args.value, iov_iter_count(iter), iter);
  ctx.m.leave();
  return { primary: ret, ret };
});

const copyFromExecutor = defineExecutor(copyFromOp, function* (ctx, args) {
  const iter = iterOf(ctx, args, copyFromOp.name);
  const out: number[] = [];
  ctx.m.enter(copyFromOp.kernel);
  const ret = yield* copy_from_iter(ctx.k, out, iov_iter_count(iter), iter);
  ctx.m.leave();
  const one = out.length > 0 && out.every((v) => v === out[0]);
  return { primary: one ? out[0]! : out, ret };
});

const bioQueueExecutor = defineExecutor(
  bioQueueOp,
  function* (ctx) {
    yield* wait_block_bio_queue(ctx.k);
    return { primary: 0, ret: 0 };
  },
  { narrowStart: true },
);

export const iovIterExecutors: readonly ExecutorEntry[] = [
  extractExecutor,
  getPagesExecutor,
  copyToExecutor,
  copyFromExecutor,
  bioQueueExecutor,
];
