/**
 * fs/userfaultfd.c (v6.18), the non-cooperative events: what a userfaultfd handler learns about
 * changes to the address space it serves. Each is asked for by a UFFD_FEATURE_EVENT_* bit of
 * UFFDIO_API; without it the kernel only keeps the registration consistent (fork and mremap drop
 * it on the new VMAs).
 *
 *   fork    dup_userfaultfd (per VMA, in dup_mmap) -> dup_userfaultfd_complete / _fail
 *   mremap  mremap_userfaultfd_prep (new VMA) -> mremap_userfaultfd_complete / _fail
 *   madvise userfaultfd_remove (MADV_DONTNEED / MADV_FREE; drops mmap_lock while it waits)
 *   munmap  userfaultfd_unmap_prep (per VMA) -> userfaultfd_unmap_complete
 *
 * The prep half runs under mmap_lock and raises ctx->mmap_changing (so UFFDIO_COPY & co. answer
 * -EAGAIN: the handler must not fill pages of a layout it has not seen yet); the complete half
 * runs after mmap_lock is dropped and queues the message on event_wqh, then waits, killable,
 * until the handler reads it (userfaultfd_event_wait_completion) and lowers mmap_changing.
 * Scheduling points: queueing the event, the sleep, and the lock operations.
 * @fidelity simplified: the lists of the kernel (fcs, uf, vm_userfaultfd_ctx) are arrays; no
 * allocation failures; refcounts are left to the garbage collector
 */
import { find_vma, type VmAreaStruct } from '../../mm/vma.js';
import { Access } from '../../sim/footprint.js';
import { down_write, up_write } from '../../sim/locking/rwsem.js';
import type { Sched, Waitable } from '../../sim/thread.js';
import {
  UFFD_EVENT_FORK,
  UFFD_EVENT_PAGEFAULT,
  UFFD_EVENT_REMAP,
  UFFD_EVENT_REMOVE,
  UFFD_EVENT_UNMAP,
  UFFD_FEATURE_EVENT_FORK,
  UFFD_FEATURE_EVENT_REMAP,
  UFFD_FEATURE_EVENT_REMOVE,
  UFFD_FEATURE_EVENT_UNMAP,
} from '../include/userfaultfd.js';
import type { Kernel } from '../kernel.js';
import { mmap_read_unlock, mmap_write_lock, mmap_write_unlock } from '../mm/mmap_lock.js';
import type { mm_struct } from '../mm/mm_struct.js';
import { userfaultfd_reset_ctx } from '../mm/userfaultfd.js';
import {
  uffd_msg_init,
  userfaultfd_ctx_alloc,
  vma_uffd_ctx,
  type uffd_msg,
  type userfaultfd_ctx,
  type userfaultfd_event_wq,
} from './userfaultfd.js';

/** fs/userfaultfd.c: struct userfaultfd_fork_ctx: the parent's context and the child's. */
export interface userfaultfd_fork_ctx {
  readonly orig: userfaultfd_ctx;
  readonly new: userfaultfd_ctx;
}

/** fs/userfaultfd.c: struct userfaultfd_unmap_ctx: one UFFD_EVENT_UNMAP to send. */
export interface userfaultfd_unmap_ctx {
  readonly ctx: userfaultfd_ctx;
  readonly start: number;
  readonly end: number;
}

/** include/linux/mm_types.h: struct vm_userfaultfd_ctx, as mremap carries it from prep to complete. */
export interface vm_userfaultfd_ctx {
  ctx: userfaultfd_ctx | null;
}

const EVENT_NAMES: Readonly<Record<number, string>> = {
  [UFFD_EVENT_PAGEFAULT]: 'UFFD_EVENT_PAGEFAULT',
  [UFFD_EVENT_FORK]: 'UFFD_EVENT_FORK',
  [UFFD_EVENT_REMAP]: 'UFFD_EVENT_REMAP',
  [UFFD_EVENT_REMOVE]: 'UFFD_EVENT_REMOVE',
  [UFFD_EVENT_UNMAP]: 'UFFD_EVENT_UNMAP',
};

/** The UFFD_EVENT_* name of a uffd_msg.event, for traces and reports. @fidelity custom */
export function uffd_event_name(event: number): string {
  return EVENT_NAMES[event] ?? `event 0x${event.toString(16)}`;
}

/**
 * The prep half of every event: atomic_inc(&ctx->mmap_changing) under map_changing_lock held for
 * writing, so no UFFDIO_COPY is between its test and its last page.
 */
function* uffd_mmap_changing_inc(k: Kernel, ctx: userfaultfd_ctx): Sched<void> {
  yield* down_write(ctx.map_changing_lock);
  yield k.m.at('mmap_changing++', ctx.obj, Access.Write);
  ctx.mmap_changing++;
  yield* up_write(ctx.map_changing_lock);
}

/** atomic_dec(&ctx->mmap_changing) in a step that owns the context (negative: a model bug). */
function mmap_changing_dec(ctx: userfaultfd_ctx): void {
  if (ctx.mmap_changing <= 0) throw new Error('userfaultfd: mmap_changing went negative');
  ctx.mmap_changing--;
}

/** atomic_dec(&ctx->mmap_changing) as a step of its own. */
function* uffd_mmap_changing_dec(k: Kernel, ctx: userfaultfd_ctx): Sched<void> {
  yield k.m.at('mmap_changing--', ctx.obj, Access.Write);
  mmap_changing_dec(ctx);
}

/** The sleep of userfaultfd_event_wait_completion (TASK_KILLABLE). */
function eventSleep(ctx: userfaultfd_ctx, ewq: userfaultfd_event_wq): Waitable {
  return {
    canProceed: (t) => ewq.done || ctx.released || t.fatalSignal,
    holders: () => [],
    describe: () =>
      `the userfaultfd handler to read ${uffd_event_name(ewq.msg.event)} on userfaultfd ${ctx.id}`,
  };
}

/**
 * mm/userfaultfd.c: userfaultfd_release_new(ctx): a fork event was never read (the parent's
 * descriptor was closed, or the forker was killed): the child's VMAs lose the new context.
 * @fidelity exact
 */
function* userfaultfd_release_new(k: Kernel, ctx: userfaultfd_ctx): Sched<void> {
  const mm = ctx.mm;
  yield* mmap_write_lock(mm);
  for (let v = find_vma(mm, 0); v !== null; v = find_vma(mm, v.vm_end))
    if (v.vm_userfaultfd_ctx === ctx.id) userfaultfd_reset_ctx(v);
  yield* mmap_write_unlock(mm);
}

/**
 * fs/userfaultfd.c: userfaultfd_event_wait_completion(ctx, ewq): queue the event on event_wqh
 * and sleep (killable) until the handler has read it, the descriptor is closed, or a fatal
 * signal; an unread fork event then takes the child's context away (userfaultfd_release_new).
 * Ends by lowering mmap_changing.
 * @fidelity simplified (no PF_EXITING check)
 */
export function* userfaultfd_event_wait_completion(
  k: Kernel,
  ctx: userfaultfd_ctx,
  msg: uffd_msg,
  new_ctx: userfaultfd_ctx | null = null,
): Sched<void> {
  const m = k.m;
  m.enter('fs/userfaultfd.c: userfaultfd_event_wait_completion');
  const ewq: userfaultfd_event_wq = { msg, thread: m.self, done: false, new_ctx };
  yield m.at('userfaultfd_event_wait_completion: queue', ctx.obj, Access.Write);
  ctx.event_wqh.push(ewq);
  traceEvent(k, ctx, msg, 'queued, waiting for the handler to read it');
  let release_new_ctx: userfaultfd_ctx | null = null;
  for (;;) {
    if (ewq.done) break;
    if (ctx.released || m.self.fatalSignal) {
      const i = ctx.event_wqh.indexOf(ewq);
      if (i >= 0) ctx.event_wqh.splice(i, 1);
      if (msg.event === UFFD_EVENT_FORK) release_new_ctx = new_ctx;
      traceEvent(k, ctx, msg, ctx.released ? 'the uffd was closed' : 'fatal signal');
      break;
    }
    yield m.block('userfaultfd_event_wait_completion', eventSleep(ctx, ewq), ctx.obj);
  }
  if (release_new_ctx !== null) {
    yield* userfaultfd_release_new(k, release_new_ctx);
    yield* uffd_mmap_changing_dec(k, ctx);
  } else {
    mmap_changing_dec(ctx); // in the step that saw the read or the release (it owns ctx.obj)
  }
  m.leave();
}

/**
 * fs/userfaultfd.c: dup_userfaultfd(vma, fcs), for the child's copy `vma` of a parent VMA (still
 * pointing at the parent's context) in dup_mmap: without UFFD_FEATURE_EVENT_FORK it loses the
 * registration (userfaultfd_reset_ctx); with it, it moves to the child's context of that parent
 * context, created on first use (same flags and features; the parent's mmap_changing is raised
 * until the fork event is read). 0 (-ENOMEM is not modelled).
 * @fidelity simplified (no allocation failure)
 */
export function* dup_userfaultfd(
  k: Kernel,
  vma: VmAreaStruct,
  fcs: userfaultfd_fork_ctx[],
): Sched<number> {
  const octx = vma_uffd_ctx(k, vma);
  if (octx === null) return 0;
  if ((octx.features & UFFD_FEATURE_EVENT_FORK) === 0) {
    userfaultfd_reset_ctx(vma);
    return 0;
  }
  let ctx = fcs.find((f) => f.orig === octx)?.new ?? null;
  if (ctx === null) {
    ctx = userfaultfd_ctx_alloc(k, vma.vm_mm as mm_struct, octx.flags);
    ctx.features = octx.features;
    ctx.initialized = true;
    yield* uffd_mmap_changing_inc(k, octx);
    fcs.push({ orig: octx, new: ctx });
  }
  vma.vm_userfaultfd_ctx = ctx.id;
  return 0;
}

/**
 * fs/userfaultfd.c: dup_userfaultfd_complete(fcs) (dup_fctx): for each parent context, send
 * UFFD_EVENT_FORK and wait until the handler reads it (the read installs the child's descriptor).
 * The forking thread sleeps here with no mmap_lock held, before the child may run.
 * @fidelity exact
 */
export function* dup_userfaultfd_complete(k: Kernel, fcs: userfaultfd_fork_ctx[]): Sched<void> {
  for (const f of fcs)
    yield* userfaultfd_event_wait_completion(k, f.orig, uffd_msg_init(UFFD_EVENT_FORK), f.new);
  fcs.length = 0;
}

/**
 * fs/userfaultfd.c: dup_userfaultfd_fail(fcs): dup_mmap failed: no event, lower the parent's
 * mmap_changing (the child's context goes with the torn-down mm).
 * @fidelity exact
 */
export function* dup_userfaultfd_fail(k: Kernel, fcs: userfaultfd_fork_ctx[]): Sched<void> {
  for (const f of fcs) yield* uffd_mmap_changing_dec(k, f.orig);
  fcs.length = 0;
}

/**
 * fs/userfaultfd.c: mremap_userfaultfd_prep(vma, vm_ctx), on the new VMA of a move: with
 * UFFD_FEATURE_EVENT_REMAP keep the registration and remember the context for the event
 * (raising mmap_changing); without it, the moved range is no longer registered.
 * @fidelity exact
 */
export function* mremap_userfaultfd_prep(
  k: Kernel,
  vma: VmAreaStruct,
  vm_ctx: vm_userfaultfd_ctx,
): Sched<void> {
  const ctx = vma_uffd_ctx(k, vma);
  if (ctx === null) return;
  if ((ctx.features & UFFD_FEATURE_EVENT_REMAP) !== 0) {
    vm_ctx.ctx = ctx;
    yield* uffd_mmap_changing_inc(k, ctx);
  } else {
    userfaultfd_reset_ctx(vma);
  }
}

/**
 * fs/userfaultfd.c: mremap_userfaultfd_complete(vm_ctx, from, to, len), after mmap_lock is
 * dropped: send UFFD_EVENT_REMAP (from, to, len) and wait for the read.
 * @fidelity exact
 */
export function* mremap_userfaultfd_complete(
  k: Kernel,
  vm_ctx: vm_userfaultfd_ctx,
  from: number,
  to: number,
  len: number,
): Sched<void> {
  const ctx = vm_ctx.ctx;
  if (ctx === null) return;
  yield* userfaultfd_event_wait_completion(
    k,
    ctx,
    uffd_msg_init(UFFD_EVENT_REMAP, { from, to, len }),
  );
}

/**
 * fs/userfaultfd.c: mremap_userfaultfd_fail(vm_ctx): the move failed after prep: no event,
 * lower mmap_changing.
 * @fidelity simplified (as since the stable fix "userfaultfd: ensure mremap_userfaultfd_fail()
 * releases mmap_changing"; the model's moves do not fail after prep)
 */
export function* mremap_userfaultfd_fail(k: Kernel, vm_ctx: vm_userfaultfd_ctx): Sched<void> {
  if (vm_ctx.ctx !== null) yield* uffd_mmap_changing_dec(k, vm_ctx.ctx);
}

/**
 * fs/userfaultfd.c: userfaultfd_remove(vma, start, end), from madvise(MADV_DONTNEED / FREE) with
 * mmap_lock held for reading: true (go on, lock held) unless the VMA's context has
 * UFFD_FEATURE_EVENT_REMOVE; then raise mmap_changing, drop mmap_lock, send UFFD_EVENT_REMOVE
 * (start, end), wait for the read and return false: the lock is gone, the caller re-takes it and
 * looks the VMA up again.
 * @fidelity exact
 */
export function* userfaultfd_remove(
  k: Kernel,
  vma: VmAreaStruct,
  start: number,
  end: number,
): Sched<boolean> {
  const ctx = vma_uffd_ctx(k, vma);
  if (ctx === null || (ctx.features & UFFD_FEATURE_EVENT_REMOVE) === 0) return true;
  yield* uffd_mmap_changing_inc(k, ctx);
  yield* mmap_read_unlock(vma.vm_mm as mm_struct);
  yield* userfaultfd_event_wait_completion(
    k,
    ctx,
    uffd_msg_init(UFFD_EVENT_REMOVE, { start, end }),
  );
  return false;
}

/**
 * fs/userfaultfd.c: userfaultfd_unmap_prep(vma, start, end, unmaps), for each VMA munmap is about
 * to detach (mmap_lock held for writing): with UFFD_FEATURE_EVENT_UNMAP, remember one
 * UFFD_EVENT_UNMAP of the whole [start, end) per context and raise its mmap_changing. 0.
 * @fidelity simplified (no allocation failure)
 */
export function* userfaultfd_unmap_prep(
  k: Kernel,
  vma: VmAreaStruct,
  start: number,
  end: number,
  unmaps: userfaultfd_unmap_ctx[],
): Sched<number> {
  const ctx = vma_uffd_ctx(k, vma);
  if (ctx === null || (ctx.features & UFFD_FEATURE_EVENT_UNMAP) === 0) return 0;
  if (unmaps.some((u) => u.ctx === ctx && u.start === start && u.end === end)) return 0;
  yield* uffd_mmap_changing_inc(k, ctx);
  unmaps.push({ ctx, start, end });
  return 0;
}

/**
 * fs/userfaultfd.c: userfaultfd_unmap_complete(mm, uf), after mmap_lock is dropped: send each
 * UFFD_EVENT_UNMAP (start, end) and wait for its read.
 * @fidelity exact
 */
export function* userfaultfd_unmap_complete(k: Kernel, uf: userfaultfd_unmap_ctx[]): Sched<void> {
  for (const u of uf)
    yield* userfaultfd_event_wait_completion(
      k,
      u.ctx,
      uffd_msg_init(UFFD_EVENT_UNMAP, { start: u.start, end: u.end }),
    );
  uf.length = 0;
}

function traceEvent(k: Kernel, ctx: userfaultfd_ctx, msg: uffd_msg, why: string): void {
  const m = k.m;
  if (!m.trace.enabled) return;
  m.emit(
    'uffd.event',
    { uffd: ctx.id, event: uffd_event_name(msg.event), why },
    'fs/userfaultfd.c: userfaultfd_event_wait_completion',
  );
}
