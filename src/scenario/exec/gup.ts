/**
 * Executors of the GUP group: the get_user_pages() / pin_user_pages() entry points and the calls
 * that release what they return (src/kernel/mm/gup*.ts).
 *
 * A GUP step binds the pages array (a PagesBinding: the pfns obtained, pin or get, the process,
 * and where the step is, for leak reports); `NAME.ret` is the C return value and, with `locked`,
 * `NAME.locked` what the call left in *locked. An entry point whose caller must hold mmap_lock
 * (get/pin_user_pages, *_remote) takes the read lock around the call when the thread does not
 * hold it (as gup_test does); a thread that holds it keeps it. With `locked`, GUP may drop the
 * lock: the step releases it afterwards only if *locked says it is still held and the step took
 * it. A non-remote entry point acts on the thread's own mm (`process:` needs a _remote variant).
 */
import * as gup from '../../kernel/mm/gup.js';
import type { LockedCell } from '../../kernel/mm/gup_args.js';
import { gupState } from '../../kernel/mm/gup_state.js';
import { put_page, unpin_user_page, unpin_user_pages } from '../../kernel/mm/gup_unpin.js';
import { unpin_user_pages_dirty_lock } from '../../kernel/mm/gup_unpin_dirty.js';
import {
  mmap_lock_held_by_current,
  mmap_read_lock,
  mmap_read_unlock,
} from '../../kernel/mm/mmap_lock.js';
import type { mm_struct } from '../../kernel/mm/mm_struct.js';
import { folioObj } from '../../kernel/objects.js';
import { page_folio } from '../../mm/index.js';
import { Access } from '../../sim/footprint.js';
import type { Point, Sched } from '../../sim/thread.js';
import * as ops from '../ops/gup.js';
import type { OperationDescriptor } from '../operation.js';
import { actingMm } from './acting.js';
import {
  defineExecutor,
  type ExecContext,
  type ExecutorEntry,
  type PagesBinding,
  type StepOutcome,
} from './types.js';

/** Steps whose code before the first point reads only their arguments and the acting mm. */
const NARROW = { narrowStart: true };

/** The arguments every GUP entry point step has. */
interface GupArgs {
  readonly start: Parameters<ExecContext['addr']>[0];
  readonly nr_pages: number;
  readonly gup_flags: { readonly value: number };
  readonly locked?: number | undefined;
}

/** How a step calls its entry point: with the mm, the start address, the pages, the cell. */
type Call = (
  ctx: ExecContext,
  mm: mm_struct,
  start: number,
  a: GupArgs,
  pages: Int32Array,
  locked: LockedCell | null,
) => Sched<number>;

interface EntryPoint {
  readonly op: OperationDescriptor;
  readonly call: Call;
  /** The caller must hold mmap_lock (the step takes it when the thread does not). */
  readonly needsLock: boolean;
  readonly remote: boolean;
  readonly kind: 'pin' | 'get';
}

function ownMm(ctx: ExecContext, api: string): mm_struct {
  if (ctx.process.mm !== ctx.task.mm) {
    ctx.inputError(`${api} acts on the thread's own mm; use the _remote variant with process:`);
  }
  return actingMm(ctx);
}

/** Run the call, taking mmap_lock around it if it needs it and the thread does not hold it. */
function* callLocked(
  ctx: ExecContext,
  e: EntryPoint,
  mm: mm_struct,
  run: () => Sched<number>,
  locked: LockedCell | null,
): Sched<number> {
  const take = e.needsLock && !mmap_lock_held_by_current(mm);
  if (take) yield* mmap_read_lock(mm);
  const ret = yield* run();
  const stillHeld = locked === null || locked.value !== 0;
  if (take && stillHeld && mmap_lock_held_by_current(mm)) yield* mmap_read_unlock(mm);
  return ret;
}

function* runEntry(ctx: ExecContext, e: EntryPoint, a: GupArgs): Sched<StepOutcome> {
  const mm = e.remote ? actingMm(ctx) : ownMm(ctx, e.op.name);
  const start = ctx.addr(a.start);
  const pages = new Int32Array(Math.max(0, a.nr_pages)).fill(-1);
  const locked = e.remote && a.locked !== undefined ? { value: a.locked } : null;
  const s = gupState(ctx.k);
  const where = `${ctx.threadName} at ${ctx.where}`;
  // The call records its ledger entry (with `where`) before its first scheduling point, in the
  // step that sets `where`, so another thread's GUP call cannot come in between.
  const call = (): Sched<number> => {
    s.where = where;
    return e.call(ctx, mm, start, a, pages, locked);
  };
  const ret = yield* callLocked(ctx, e, mm, call, locked);
  s.where = null;
  const pfns = ret > 0 ? Array.from(pages.subarray(0, ret)) : [];
  const binding: PagesBinding = { pfns, kind: e.kind, tgid: ctx.process.tgid, where };
  return locked === null
    ? { primary: binding, ret }
    : { primary: binding, ret, fields: { locked: locked.value } };
}

function entry(
  op: OperationDescriptor,
  call: Call,
  needsLock: boolean,
  remote = false,
): ExecutorEntry {
  const kind = op.name.startsWith('pin_') ? 'pin' : 'get';
  const e: EntryPoint = { op, call, needsLock, remote, kind };
  // Before its first point the step reads its arguments and the acting mm pointer, and the call
  // records itself in the GUP ledger (bookkeeping for reports, not kernel state).
  return defineExecutor(op, (ctx, args) => runEntry(ctx, e, args as unknown as GupArgs), NARROW);
}

const flags = (a: GupArgs): number => a.gup_flags.value;

const entries: readonly ExecutorEntry[] = [
  entry(
    ops.get_user_pages,
    (c, _mm, s, a, p) => gup.get_user_pages(c.k, s, a.nr_pages, flags(a), p),
    true,
  ),
  entry(
    ops.get_user_pages_fast,
    (c, _mm, s, a, p) => gup.get_user_pages_fast(c.k, s, a.nr_pages, flags(a), p),
    false,
  ),
  entry(
    ops.get_user_pages_fast_only,
    (c, _mm, s, a, p) => gup.get_user_pages_fast_only(c.k, s, a.nr_pages, flags(a), p),
    false,
  ),
  entry(
    ops.get_user_pages_unlocked,
    (c, _mm, s, a, p) => gup.get_user_pages_unlocked(c.k, s, a.nr_pages, p, flags(a)),
    false,
  ),
  entry(
    ops.get_user_pages_remote,
    (c, mm, s, a, p, l) => gup.get_user_pages_remote(c.k, mm, s, a.nr_pages, flags(a), p, l),
    true,
    true,
  ),
  entry(
    ops.pin_user_pages,
    (c, _mm, s, a, p) => gup.pin_user_pages(c.k, s, a.nr_pages, flags(a), p),
    true,
  ),
  entry(
    ops.pin_user_pages_fast,
    (c, _mm, s, a, p) => gup.pin_user_pages_fast(c.k, s, a.nr_pages, flags(a), p),
    false,
  ),
  entry(
    ops.pin_user_pages_unlocked,
    (c, _mm, s, a, p) => gup.pin_user_pages_unlocked(c.k, s, a.nr_pages, p, flags(a)),
    false,
  ),
  entry(
    ops.pin_user_pages_remote,
    (c, mm, s, a, p, l) => gup.pin_user_pages_remote(c.k, mm, s, a.nr_pages, flags(a), p, l),
    true,
    true,
  ),
];

function pagesOf(ctx: ExecContext, ref: Parameters<ExecContext['lookup']>[0]): PagesBinding {
  const p = ctx.lookup(ref) as PagesBinding | undefined;
  if (p === undefined || !Array.isArray(p.pfns))
    ctx.inputError(`'${ref.name}' is not a pages array bound by a GUP step`);
  return p;
}

/** pages[0..n): the binding's pfns, NULL (-1) beyond them. */
function arrayOf(p: PagesBinding, n: number): Int32Array {
  const a = new Int32Array(Math.max(n, p.pfns.length)).fill(-1);
  a.set(p.pfns);
  return a;
}

/** The entries a per-page release acts on: `index` alone, or each page in turn. */
function indices(ctx: ExecContext, p: PagesBinding, index: number | undefined): number[] {
  if (index === undefined) return p.pfns.map((_, i) => i);
  if (index < 0 || index >= p.pfns.length)
    ctx.inputError(`index ${index} is outside the ${p.pfns.length} pages obtained`);
  return [index];
}

function releasePoint(ctx: ExecContext, label: string, pfn: number): Point {
  return ctx.m.at(label, folioObj(page_folio(ctx.k.mem, pfn)), Access.Write);
}

/** One point before releasing pages[0..n): it writes each of their folios. */
function releaseAllPoint(ctx: ExecContext, label: string, pages: Int32Array, n: number): Point {
  let p: Point | null = null;
  for (let i = 0; i < n; i++) {
    const pfn = pages[i]!;
    if (pfn < 0) continue;
    const obj = folioObj(page_folio(ctx.k.mem, pfn));
    p = p === null ? ctx.m.at(label, obj, Access.Write) : p.also(obj, Access.Write);
  }
  return p ?? ctx.m.point(label);
}

const releases: readonly ExecutorEntry[] = [
  defineExecutor(
    ops.unpin_user_page,
    function* (ctx, args) {
      const p = pagesOf(ctx, args.pages);
      for (const i of indices(ctx, p, args.index)) {
        yield releasePoint(ctx, 'unpin_user_page', p.pfns[i]!);
        unpin_user_page(ctx.k, p.pfns[i]!);
      }
      return { primary: 0, ret: 0 };
    },
    NARROW,
  ),
  defineExecutor(
    ops.unpin_user_pages,
    function* (ctx, args) {
      const p = pagesOf(ctx, args.pages);
      const n = args.npages ?? p.pfns.length;
      const pages = arrayOf(p, n);
      yield releaseAllPoint(ctx, 'unpin_user_pages', pages, n);
      unpin_user_pages(ctx.k, pages, n);
      return { primary: 0, ret: 0 };
    },
    NARROW,
  ),
  defineExecutor(ops.unpin_user_pages_dirty_lock, function* (ctx, args) {
    const p = pagesOf(ctx, args.pages);
    const n = args.npages ?? p.pfns.length;
    yield* unpin_user_pages_dirty_lock(ctx.k, arrayOf(p, n), n, args.make_dirty);
    return { primary: 0, ret: 0 };
  }),
  defineExecutor(
    ops.put_page,
    function* (ctx, args) {
      const p = pagesOf(ctx, args.pages);
      for (const i of indices(ctx, p, args.index)) {
        yield releasePoint(ctx, 'put_page', p.pfns[i]!);
        put_page(ctx.k, p.pfns[i]!);
      }
      return { primary: 0, ret: 0 };
    },
    NARROW,
  ),
];

export const gupExecutors: readonly ExecutorEntry[] = [...entries, ...releases];
