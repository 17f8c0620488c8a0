/**
 * fs/userfaultfd.c (v6.18), the fault side: the userfaultfd context, its descriptor, the fault
 * hook handle_userfault (queue a uffd_msg, drop mmap_lock, sleep until woken, VM_FAULT_RETRY),
 * the handler's read of the next event (userfaultfd_ctx_read), the wake-ups of the resolving
 * ioctls (wake_userfault) and the release of the descriptor (userfaultfd_release). The ioctls
 * are in userfaultfd_ioctl.ts, the page installers in ../mm/userfaultfd.ts.
 *
 * Scheduling points: queueing a waiter and the must-wait check of the page table are one step
 * (declaring the context's queues and the PTE); dropping mmap_lock, the sleep, and leaving the
 * queue are points of their own; a wake-up is one step on the queues. The Dekker pattern of the
 * kernel (waiter: queue, then check the PTE; resolver: set the PTE, then check the queue) is
 * kept, so a resolution can never be lost. The non-cooperative events (fork, mremap, madvise,
 * munmap) are queued on event_wqh by userfaultfd_event.ts and read here, after the faults.
 * @fidelity simplified: no poll, no per-VMA locks, no hugetlb; descriptors live in a table of
 * their own (see uffd_fd_install)
 */
import {
  pmd_leaf,
  pmd_lookup,
  pmd_none,
  pmd_present,
  pmd_write,
  pte_lookup,
  pte_none,
  pte_write,
} from '../../mm/index.js';
import { is_pte_marker } from '../../mm/swapops.js';
import type { VmAreaStruct } from '../../mm/vma.js';
import { Access, objId, objectSpace, type ObjId } from '../../sim/footprint.js';
import { RwSemaphore } from '../../sim/locking/rwsem.js';
import type { Sched, Thread, Waitable } from '../../sim/thread.js';
import { EAGAIN, EINTR, EINVAL } from '../include/errno.js';
import {
  FAULT_FLAG_ALLOW_RETRY,
  FAULT_FLAG_INTERRUPTIBLE,
  FAULT_FLAG_KILLABLE,
  FAULT_FLAG_RETRY_NOWAIT,
  FAULT_FLAG_USER,
  FAULT_FLAG_WRITE,
  VM_FAULT_NOPAGE,
  VM_FAULT_RETRY,
  VM_FAULT_SIGBUS,
} from '../include/fault_flags.js';
import {
  UFFD_EVENT_FORK,
  UFFD_EVENT_PAGEFAULT,
  UFFD_FEATURE_EXACT_ADDRESS,
  UFFD_CLOEXEC,
  UFFD_FEATURE_SIGBUS,
  UFFD_FEATURE_THREAD_ID,
  UFFD_NONBLOCK,
  UFFD_PAGEFAULT_FLAG_MINOR,
  UFFD_PAGEFAULT_FLAG_WP,
  UFFD_PAGEFAULT_FLAG_WRITE,
  UFFD_USER_MODE_ONLY,
} from '../include/userfaultfd.js';
import { VM_UFFD_MINOR, VM_UFFD_WP } from '../include/vm_flags.js';
import { maskAnd } from '../include/bits.js';
import type { Kernel } from '../kernel.js';
import { mmap_read_unlock } from '../mm/mmap_lock.js';
import type { mm_struct } from '../mm/mm_struct.js';
import type { vm_fault, vm_fault_t } from '../mm/mm_types.js';
import { vmFaultNames } from '../mm/mm_trace.js';
import { pteObj } from '../objects.js';
import './userfaultfd_trace.js';

const UFFD_SPACE = objectSpace('uffd');

/**
 * include/uapi/linux/userfaultfd.h: struct uffd_msg, its union flattened: the fields of the
 * other events are 0 (msg_init zeroes the message).
 * @fidelity simplified
 */
export interface uffd_msg {
  readonly event: number;
  /** arg.pagefault.address (page-aligned unless UFFD_FEATURE_EXACT_ADDRESS). */
  readonly address: number;
  /** arg.pagefault.flags: UFFD_PAGEFAULT_FLAG_*. */
  readonly flags: number;
  /** arg.pagefault.feat.ptid (UFFD_FEATURE_THREAD_ID), else 0: the faulting thread's id. */
  readonly ptid: number;
  /** arg.fork.ufd: the child's new descriptor (UFFD_EVENT_FORK, filled in when it is read). */
  readonly ufd: number;
  /** arg.remap.from, .to, .len (UFFD_EVENT_REMAP). */
  readonly from: number;
  readonly to: number;
  readonly len: number;
  /** arg.remove.start, .end (UFFD_EVENT_REMOVE and UFFD_EVENT_UNMAP). */
  readonly start: number;
  readonly end: number;
}

/** fs/userfaultfd.c: msg_init plus the fields of one event: a zeroed message. @fidelity exact */
export function uffd_msg_init(event: number, arg: Partial<uffd_msg> = {}): uffd_msg {
  return {
    event,
    address: 0,
    flags: 0,
    ptid: 0,
    ufd: 0,
    from: 0,
    to: 0,
    len: 0,
    start: 0,
    end: 0,
    ...arg,
  };
}

/** fs/userfaultfd.c: struct userfaultfd_wait_queue: a thread blocked in handle_userfault. */
interface userfaultfd_wait_queue {
  readonly msg: uffd_msg;
  readonly thread: Thread;
  /** Set by userfaultfd_wake_function. */
  waken: boolean;
}

/**
 * fs/userfaultfd.c: the struct userfaultfd_wait_queue of a non-cooperative event (ewq), queued
 * on event_wqh by userfaultfd_event_wait_completion; `done` is the kernel's ewq->msg.event = 0
 * (userfaultfd_event_complete).
 */
export interface userfaultfd_event_wq {
  msg: uffd_msg;
  readonly thread: Thread;
  done: boolean;
  /** UFFD_EVENT_FORK: the child's context (msg.arg.reserved.reserved1 in the kernel). */
  readonly new_ctx: userfaultfd_ctx | null;
}

/** fs/userfaultfd.c: struct userfaultfd_ctx. @fidelity simplified (no fd_wqh: no poll) */
export class userfaultfd_ctx {
  /** Features enabled by UFFDIO_API (0 before it). */
  features = 0;
  /** UFFDIO_API has run (UFFD_FEATURE_INITIALIZED in the kernel). */
  initialized = false;
  /** The descriptor was closed. */
  released = false;
  /** Non-cooperative events prepared and not yet read (atomic_t mmap_changing): -EAGAIN for the fill ioctls. */
  mmap_changing = 0;
  /** map_changing_lock: the fill ioctls hold it for reading, an event raising mmap_changing for writing. */
  readonly map_changing_lock: RwSemaphore;
  /** fault_pending_wqh: faults not yet read. */
  readonly fault_pending_wqh: userfaultfd_wait_queue[] = [];
  /** fault_wqh: faults read, waiting for a resolution. */
  readonly fault_wqh: userfaultfd_wait_queue[] = [];
  /** event_wqh: non-cooperative events not yet read (their threads wait for the read). */
  readonly event_wqh: userfaultfd_event_wq[] = [];
  /** The footprint object of the queues. */
  readonly obj: ObjId;

  constructor(
    /** A kernel-wide id (what vma->vm_userfaultfd_ctx holds). */
    readonly id: number,
    readonly mm: mm_struct,
    /** userfaultfd(2) flags: UFFD_USER_MODE_ONLY, UFFD_NONBLOCK, UFFD_CLOEXEC. */
    readonly flags: number,
  ) {
    this.obj = objId(UFFD_SPACE, id);
    this.map_changing_lock = new RwSemaphore(
      mm.k.m,
      `uffd${id}->map_changing_lock`,
      '&ctx->map_changing_lock',
    );
  }
}

interface UffdState {
  readonly ctxs: userfaultfd_ctx[];
  /** tgid -> descriptor -> context. */
  readonly fds: Map<number, Map<number, userfaultfd_ctx>>;
}

const STATE = new WeakMap<Kernel, UffdState>();

function uffdState(k: Kernel): UffdState {
  let s = STATE.get(k);
  if (s === undefined) {
    s = { ctxs: [], fds: new Map() };
    STATE.set(k, s);
  }
  return s;
}

/** The first userfaultfd descriptor number: uffds have a table of their own (see the doc). */
export const UFFD_FD_BASE = 1024;

/** Install a context as the lowest free uffd descriptor of process `tgid`. @fidelity custom */
export function uffd_fd_install(k: Kernel, tgid: number, ctx: userfaultfd_ctx): number {
  const st = uffdState(k);
  let table = st.fds.get(tgid);
  if (table === undefined) {
    table = new Map();
    st.fds.set(tgid, table);
  }
  let fd = UFFD_FD_BASE;
  while (table.has(fd)) fd++;
  table.set(fd, ctx);
  return fd;
}

/** fs/file.c: fget on a userfaultfd descriptor of process `tgid`: its context, or null. @fidelity custom */
export function userfaultfd_ctx_fdget(k: Kernel, tgid: number, fd: number): userfaultfd_ctx | null {
  return uffdState(k).fds.get(tgid)?.get(fd) ?? null;
}

/** fs/file.c: close_fd on a userfaultfd descriptor: the context it held, or null. @fidelity custom */
export function uffd_fd_remove(k: Kernel, tgid: number, fd: number): userfaultfd_ctx | null {
  const table = uffdState(k).fds.get(tgid);
  const ctx = table?.get(fd) ?? null;
  table?.delete(fd);
  return ctx;
}

/** The context a VMA is registered with (vma->vm_userfaultfd_ctx.ctx), or null. @fidelity exact */
export function vma_uffd_ctx(k: Kernel, vma: VmAreaStruct): userfaultfd_ctx | null {
  const id = vma.vm_userfaultfd_ctx;
  return id === null ? null : (uffdState(k).ctxs[id] ?? null);
}

/**
 * fs/userfaultfd.c: new_userfaultfd(flags) for the process `tgid` whose mm is `mm`: a new
 * context and its descriptor, or -EINVAL for unknown flags. (userfaultfd_syscall_allowed: the
 * model's tasks are privileged, so kernel-mode faults may be handled.)
 * @fidelity simplified
 */
export function new_userfaultfd(k: Kernel, tgid: number, mm: mm_struct, flags: number): number {
  const known = UFFD_USER_MODE_ONLY | UFFD_NONBLOCK | UFFD_CLOEXEC;
  if ((flags & ~known) !== 0) return -EINVAL;
  return uffd_fd_install(k, tgid, userfaultfd_ctx_alloc(k, mm, flags));
}

/** kmem_cache_alloc(userfaultfd_ctx_cachep): a new context of `mm`, given its kernel-wide id. @fidelity custom */
export function userfaultfd_ctx_alloc(k: Kernel, mm: mm_struct, flags: number): userfaultfd_ctx {
  const st = uffdState(k);
  const ctx = new userfaultfd_ctx(st.ctxs.length, mm, flags);
  st.ctxs.push(ctx);
  return ctx;
}

/** fs/userfaultfd.c: userfault_msg(address, real_address, flags, reason, features). @fidelity exact */
function userfault_msg(
  vmf: vm_fault,
  reason: number,
  features: number,
  ptid: number,
  exact: boolean,
): uffd_msg {
  let flags = 0;
  if ((vmf.flags & FAULT_FLAG_WRITE) !== 0) flags |= UFFD_PAGEFAULT_FLAG_WRITE;
  if (maskAnd(reason, VM_UFFD_WP) !== 0) flags |= UFFD_PAGEFAULT_FLAG_WP;
  if (maskAnd(reason, VM_UFFD_MINOR) !== 0) flags |= UFFD_PAGEFAULT_FLAG_MINOR;
  const address = exact ? vmf.address : vmf.address - (vmf.address % 4096);
  const tid = (features & UFFD_FEATURE_THREAD_ID) !== 0 ? ptid : 0;
  return uffd_msg_init(UFFD_EVENT_PAGEFAULT, { address, flags, ptid: tid });
}

/**
 * fs/userfaultfd.c: userfaultfd_must_wait(ctx, vmf, reason): is the fault still unresolved?
 * No page table yet, or a none (or marker) PTE: yes. A huge PMD: only a write-protected one for a
 * WP fault. A present PTE: only a write-protected one for a WP fault. (Read without the page
 * table lock, as the kernel does: a change right after is caught by the wake-up.)
 * @fidelity exact
 */
export function userfaultfd_must_wait(
  k: Kernel,
  mm: mm_struct,
  addr: number,
  reason: number,
): boolean {
  const vpn = Math.floor(addr / 4096);
  const wp = maskAnd(reason, VM_UFFD_WP) !== 0;
  const pmdp = pmd_lookup(k.pool, mm, vpn);
  if (pmdp < 0) return true;
  const pmd = k.pool.get(pmdp);
  if (pmd_none(pmd)) return true;
  if (!pmd_present(pmd)) return false;
  if (pmd_leaf(pmd)) return wp && !pmd_write(pmd);
  const pte = k.pool.get(pte_lookup(k.pool, mm, vpn));
  if (pte_none(pte) || is_pte_marker(pte)) return true;
  return wp && !pte_write(pte);
}

/** The sleep of handle_userfault: until woken, or a signal its task state lets through. */
function uffdSleep(uwq: userfaultfd_wait_queue, flags: number): Waitable {
  const signalsWake = (flags & (FAULT_FLAG_INTERRUPTIBLE | FAULT_FLAG_KILLABLE)) !== 0;
  return {
    canProceed: (t) => uwq.waken || (signalsWake && t.fatalSignal),
    holders: () => [],
    describe: () => `a userfaultfd resolution of 0x${uwq.msg.address.toString(16)}`,
  };
}

/** Why handle_userfault answers without blocking, or null when it may block. */
function refusal(vmf: vm_fault, ctx: userfaultfd_ctx | null): [vm_fault_t, string] | null {
  if (ctx === null) return [VM_FAULT_SIGBUS, 'the VMA has no userfaultfd context'];
  if ((ctx.features & UFFD_FEATURE_SIGBUS) !== 0)
    return [VM_FAULT_SIGBUS, 'UFFD_FEATURE_SIGBUS: the fault is answered with SIGBUS'];
  if ((vmf.flags & FAULT_FLAG_USER) === 0 && (ctx.flags & UFFD_USER_MODE_ONLY) !== 0)
    return [VM_FAULT_SIGBUS, 'UFFD_USER_MODE_ONLY and this is a kernel-mode fault'];
  if (ctx.released)
    return [VM_FAULT_NOPAGE, 'the userfaultfd was released: retry the access (VM_FAULT_NOPAGE)'];
  if ((vmf.flags & FAULT_FLAG_ALLOW_RETRY) === 0) {
    if ((vmf.flags & FAULT_FLAG_RETRY_NOWAIT) !== 0)
      throw new Error('handle_userfault: BUG_ON(FAULT_FLAG_RETRY_NOWAIT without ALLOW_RETRY)');
    return [
      VM_FAULT_SIGBUS,
      'no FAULT_FLAG_ALLOW_RETRY: the fault may not drop mmap_lock to wait (SIGBUS)',
    ];
  }
  if ((vmf.flags & FAULT_FLAG_RETRY_NOWAIT) !== 0)
    return [
      VM_FAULT_RETRY,
      'FAULT_FLAG_RETRY_NOWAIT: VM_FAULT_RETRY at once, no message, lock kept',
    ];
  return null;
}

/**
 * fs/userfaultfd.c: handle_userfault(vmf, reason): forward a fault on a registered range to the
 * handler thread. Without FAULT_FLAG_ALLOW_RETRY (the caller cannot survive mmap_lock being
 * dropped): VM_FAULT_SIGBUS. With FAULT_FLAG_RETRY_NOWAIT: VM_FAULT_RETRY at once, lock held.
 * Otherwise queue a uffd_msg, drop mmap_lock, sleep until a UFFDIO_* resolution (or UFFDIO_WAKE,
 * the release of the descriptor, or a signal the wait allows) and return VM_FAULT_RETRY with the
 * lock released: the caller retries with FAULT_FLAG_TRIED.
 * @fidelity simplified (no PF_EXITING/coredump check, no per-VMA lock, no hugetlb must-wait)
 */
export function* handle_userfault(vmf: vm_fault, reason: number): Sched<vm_fault_t> {
  const mm = vmf.vma.vm_mm as mm_struct;
  const k = mm.k;
  const m = k.m;
  m.enter('fs/userfaultfd.c: handle_userfault');
  const ctx = vma_uffd_ctx(k, vmf.vma);
  const no = refusal(vmf, ctx);
  if (no !== null) {
    traceFault(k, vmf, reason, no[0], no[1]);
    m.leave();
    return no[0];
  }
  const c = ctx!;
  const exact = (c.features & UFFD_FEATURE_EXACT_ADDRESS) !== 0;
  const uwq: userfaultfd_wait_queue = {
    msg: userfault_msg(vmf, reason, c.features, m.self.id, exact),
    thread: m.self,
    waken: false,
  };
  const ptep = pte_lookup(k.pool, mm, Math.floor(vmf.address / 4096));
  yield ptep >= 0
    ? m.at('handle_userfault: queue', c.obj, Access.Write).also(pteObj(ptep), Access.Read)
    : m.point('handle_userfault: queue');
  c.fault_pending_wqh.push(uwq);
  const must_wait = userfaultfd_must_wait(k, mm, vmf.address, reason);
  yield* mmap_read_unlock(mm);
  if (must_wait && !c.released) {
    traceFault(k, vmf, reason, VM_FAULT_RETRY, 'queued a uffd_msg, dropped mmap_lock, sleeping');
    // The step after the wake-up owns the queues (the block declared them): a wake-up already
    // removed the entry (autoremove); a signal did not.
    yield m.block('handle_userfault', uffdSleep(uwq, vmf.flags), c.obj);
  } else {
    traceFault(k, vmf, reason, VM_FAULT_RETRY, 'already resolved after queueing: retry at once');
    yield m.at('handle_userfault: dequeue', c.obj, Access.Write);
  }
  remove(c.fault_pending_wqh, uwq);
  remove(c.fault_wqh, uwq);
  m.leave();
  return VM_FAULT_RETRY;
}

function remove(q: userfaultfd_wait_queue[], uwq: userfaultfd_wait_queue): void {
  const i = q.indexOf(uwq);
  if (i >= 0) q.splice(i, 1);
}

/** The handler's sleep in userfaultfd_ctx_read: until a fault or an event is pending (or a fatal signal). */
function readSleep(ctx: userfaultfd_ctx): Waitable {
  return {
    canProceed: (t) =>
      ctx.fault_pending_wqh.length > 0 || ctx.event_wqh.length > 0 || t.fatalSignal,
    holders: () => [],
    describe: () => `a page fault or an event on userfaultfd ${ctx.id}`,
  };
}

/**
 * fs/userfaultfd.c: resolve_userfault_fork(new, inode, msg): install a descriptor for the child's
 * context in the reading process and put it in msg.arg.fork.ufd.
 * @fidelity simplified (the descriptor table cannot fill up)
 */
function resolve_userfault_fork(k: Kernel, tgid: number, ewq: userfaultfd_event_wq): uffd_msg {
  const ufd = uffd_fd_install(k, tgid, ewq.new_ctx!);
  return { ...ewq.msg, ufd };
}

/**
 * fs/userfaultfd.c: userfaultfd_event_complete(ctx, ewq): the event was read: wake its thread
 * (ewq->msg.event = 0) and take it off event_wqh.
 * @fidelity exact
 */
function userfaultfd_event_complete(ctx: userfaultfd_ctx, ewq: userfaultfd_event_wq): void {
  ewq.done = true;
  const i = ctx.event_wqh.indexOf(ewq);
  if (i >= 0) ctx.event_wqh.splice(i, 1);
}

/**
 * fs/userfaultfd.c: userfaultfd_ctx_read(ctx, no_wait, &msg), as the process `tgid` reads: the
 * oldest pending fault's message (moved to the read queue: it stays blocked until resolved), else
 * the oldest non-cooperative event's (completed, which lets its thread go on; a UFFD_EVENT_FORK
 * first gets a descriptor for the child's context in msg.arg.fork.ufd). -EAGAIN when nothing is
 * pending and `no_wait`; -EINTR on a fatal signal (-ERESTARTSYS in the kernel). -EINVAL before
 * UFFDIO_API.
 * @fidelity simplified (the fork event is resolved in the same step it is taken: the forker
 * cannot abort in between)
 */
export function* userfaultfd_read(
  k: Kernel,
  ctx: userfaultfd_ctx,
  no_wait: boolean,
  tgid = -1,
): Sched<uffd_msg | number> {
  const m = k.m;
  if (!ctx.initialized) return -EINVAL;
  m.enter('fs/userfaultfd.c: userfaultfd_ctx_read');
  let ret: uffd_msg | number;
  for (;;) {
    yield m.at('userfaultfd_ctx_read', ctx.obj, Access.Write);
    const uwq = ctx.fault_pending_wqh.shift();
    if (uwq !== undefined) {
      ctx.fault_wqh.push(uwq);
      ret = uwq.msg;
      break;
    }
    const ewq = ctx.event_wqh[0];
    if (ewq !== undefined) {
      if (ewq.msg.event === UFFD_EVENT_FORK) {
        if (tgid < 0) throw new Error('userfaultfd_read: a fork event needs the reading process');
        ewq.msg = resolve_userfault_fork(k, tgid, ewq);
      }
      ret = ewq.msg;
      userfaultfd_event_complete(ctx, ewq);
      break;
    }
    if (m.self.fatalSignal) {
      ret = -EINTR;
      break;
    }
    if (no_wait || (ctx.flags & UFFD_NONBLOCK) !== 0) {
      ret = -EAGAIN;
      break;
    }
    yield m.block('userfaultfd_ctx_read', readSleep(ctx), ctx.obj);
  }
  m.leave();
  return ret;
}

/**
 * fs/userfaultfd.c: wake_userfault(ctx, range) / __wake_userfault: wake every fault (read or
 * not) whose address is in [start, start+len); len 0 wakes all. Woken entries leave the queues
 * (the autoremove of userfaultfd_wake_function).
 * @fidelity exact
 */
export function* wake_userfault(
  k: Kernel,
  ctx: userfaultfd_ctx,
  start: number,
  len: number,
): Sched<void> {
  yield k.m.at('wake_userfault', ctx.obj, Access.Write);
  for (const q of [ctx.fault_pending_wqh, ctx.fault_wqh]) {
    for (let i = q.length - 1; i >= 0; i--) {
      const uwq = q[i]!;
      const a = uwq.msg.address;
      if (len !== 0 && (a < start || a >= start + len)) continue;
      uwq.waken = true;
      q.splice(i, 1);
    }
  }
}

/** The number of faults blocked on a context (pending + read), for tests and reports. @fidelity custom */
export function uffd_nr_waiters(ctx: userfaultfd_ctx): { pending: number; total: number } {
  const pending = ctx.fault_pending_wqh.length;
  return { pending, total: pending + ctx.fault_wqh.length };
}

function traceFault(k: Kernel, vmf: vm_fault, reason: number, ret: vm_fault_t, why: string): void {
  const m = k.m;
  if (!m.trace.enabled) return;
  const kind =
    maskAnd(reason, VM_UFFD_WP) !== 0
      ? 'WP'
      : maskAnd(reason, VM_UFFD_MINOR) !== 0
        ? 'MINOR'
        : 'MISSING';
  m.emit(
    'uffd.fault',
    { address: vmf.address, reason: kind, result: vmFaultNames(ret), why },
    'fs/userfaultfd.c: handle_userfault',
  );
}
