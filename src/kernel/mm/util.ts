/**
 * mm/util.c: __account_locked_vm and the RLIMIT_MEMLOCK every long-term pinner checks
 * (vfio type1, io_uring fixed buffers, RDMA umem).
 * @fidelity simplified: one RLIMIT_MEMLOCK for every task of a kernel (default MLOCK_LIMIT,
 * settable for tests), and no task holds CAP_IPC_LOCK.
 */
import { ENOMEM } from '../include/errno.js';
import type { Kernel } from '../kernel.js';
import type { mm_struct } from './mm_struct.js';

/** include/uapi/linux/resource.h: MLOCK_LIMIT, the default RLIMIT_MEMLOCK (8 MiB since v5.16). */
export const MLOCK_LIMIT = 8 * 1024 * 1024;

const limits = new WeakMap<Kernel, number>();

/** include/linux/sched/signal.h: rlimit(RLIMIT_MEMLOCK) of the running task, in bytes. @fidelity simplified */
export function rlimit_memlock(k: Kernel): number {
  return limits.get(k) ?? MLOCK_LIMIT;
}

/** kernel/sys.c: setrlimit(RLIMIT_MEMLOCK) for every task of this kernel (tests). @fidelity custom */
export function set_rlimit_memlock(k: Kernel, bytes: number): void {
  limits.set(k, bytes);
}

/** include/linux/capability.h: capable(CAP_IPC_LOCK): no simulated task has it. @fidelity simplified */
export function capable_ipc_lock(_k: Kernel): boolean {
  return false;
}

/** mm/mlock.c: can_do_mlock(): a non-zero RLIMIT_MEMLOCK, or CAP_IPC_LOCK. @fidelity exact */
export function can_do_mlock(k: Kernel): boolean {
  return rlimit_memlock(k) !== 0 || capable_ipc_lock(k);
}

/**
 * mm/util.c: __account_locked_vm(mm, pages, inc, task, bypass_rlim): add `pages` to
 * mm->locked_vm (-ENOMEM past RLIMIT_MEMLOCK unless bypassed) or subtract them. The caller
 * holds mmap_lock for write.
 * @fidelity exact
 */
export function __account_locked_vm(
  k: Kernel,
  mm: mm_struct,
  pages: number,
  inc: boolean,
  bypass_rlim: boolean,
): number {
  if (inc) {
    const locked_vm = mm.locked_vm + pages;
    const lock_limit = Math.floor(rlimit_memlock(k) / 4096);
    if (!bypass_rlim && locked_vm > lock_limit) return -ENOMEM;
    mm.locked_vm = locked_vm;
    return 0;
  }
  if (pages > mm.locked_vm) throw new Error('WARN_ON_ONCE: __account_locked_vm underflow');
  mm.locked_vm -= pages;
  return 0;
}
