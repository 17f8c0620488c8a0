/**
 * mm/gup.c: __get_user_pages_locked, the retry driver around the page loop, and its lock
 * contract:
 *
 *   *locked == 1 on entry: the caller holds mmap_lock (read; write if the lock may not drop).
 *   *locked == 0 on entry: GUP takes it (killable: -EAGAIN) and always releases it.
 *   With FOLL_UNLOCKABLE a fault may drop it: GUP re-takes it, retries that one page with
 *   FOLL_TRIED, goes on; if it ever dropped the lock it returns with it released, *locked = 0.
 *   The retry keeps FOLL_UNLOCKABLE, so it may drop the lock and wait again (v5.7+); quirk
 *   kvm-gup-single-retry restores the single retry without it (retryOnceOld).
 *
 * A partial count wins over any error; 0 is returned only with FOLL_NOWAIT (else WARN, -EFAULT).
 */
import { PAGE_SIZE } from '../../mm/index.js';
import { fatal_signal_pending, signal_pending } from '../../sim/sched.js';
import type { Sched } from '../../sim/thread.js';
import { EAGAIN, EFAULT, EINTR } from '../include/errno.js';
import {
  FOLL_GET,
  FOLL_INTERRUPTIBLE,
  FOLL_NOWAIT,
  FOLL_PIN,
  FOLL_TRIED,
  FOLL_UNLOCKABLE,
} from '../include/gup_flags.js';
import type { Kernel } from '../kernel.js';
import type { LockedCell, PagesArray } from './gup_args.js';
import { gup_note, gup_stop, gup_warn } from './gup_call.js';
import { mm_set_has_pinned_flag } from './gup_pin.js';
import { __get_user_pages } from './gup_slow.js';
import { hexAddr } from './gup_trace.js';
import {
  mmap_lock_held_by_current,
  mmap_read_lock,
  mmap_read_lock_killable,
  mmap_read_unlock,
} from './mmap_lock.js';
import type { mm_struct } from './mm_struct.js';

const FN = 'mm/gup.c: __get_user_pages_locked';

/** mm/gup.c: gup_signal_pending: fatal signals always; any signal with FOLL_INTERRUPTIBLE. @fidelity exact */
export function gup_signal_pending(k: Kernel, flags: number): boolean {
  const t = k.m.self;
  if (fatal_signal_pending(t)) return true;
  return (flags & FOLL_INTERRUPTIBLE) !== 0 && signal_pending(t);
}

/** Where the driver is: the remaining range and what is done. */
interface Retry {
  start: number;
  nr_pages: number;
  off: number;
  done: number;
  must_unlock: boolean;
}

/**
 * mm/gup.c: __get_user_pages_locked(mm, start, nr_pages, pages, locked, flags).
 * @fidelity exact
 */
export function* __get_user_pages_locked(
  k: Kernel,
  mm: mm_struct,
  start: number,
  nr_pages: number,
  pages: PagesArray | null,
  off: number,
  locked: LockedCell,
  flags: number,
): Sched<number> {
  if (nr_pages === 0) return 0;
  const r: Retry = { start, nr_pages, off, done: 0, must_unlock: false };
  if (locked.value === 0) {
    if ((yield* mmap_read_lock_killable(mm)) !== 0) {
      gup_stop(
        k,
        start,
        -EAGAIN,
        'a fatal signal arrived while taking mmap_lock',
        '__get_user_pages_locked',
      );
      return -EAGAIN;
    }
    r.must_unlock = true;
    locked.value = 1;
  } else if (!mmap_lock_held_by_current(mm)) {
    gup_warn(k, 'mmap-lock-not-held', 'GUP called without mmap_lock held (mmap_assert_locked)', FN);
  }
  if ((flags & FOLL_PIN) !== 0) mm_set_has_pinned_flag(mm);
  if (pages !== null && (flags & FOLL_PIN) === 0) flags |= FOLL_GET;
  // Without FOLL_UNLOCKABLE drive makes one __get_user_pages call and keeps its result: made here,
  // one generator frame fewer per call.
  if ((flags & FOLL_UNLOCKABLE) === 0)
    r.done = yield* __get_user_pages(k, mm, r.start, r.nr_pages, flags, pages, r.off, locked);
  else yield* drive(k, mm, r, pages, locked, flags);
  if (r.must_unlock && locked.value !== 0) {
    yield* mmap_read_unlock(mm);
    locked.value = 0;
  }
  if (r.done === 0 && (flags & FOLL_NOWAIT) === 0) {
    gup_warn(k, 'nothing-pinned', '__get_user_pages_locked got 0 pages without FOLL_NOWAIT', FN);
    return -EFAULT;
  }
  return r.done;
}

/** The for (;;) loop: run the page loop; after a lock drop re-take it and retry one page. */
function* drive(
  k: Kernel,
  mm: mm_struct,
  r: Retry,
  pages: PagesArray | null,
  locked: LockedCell,
  flags: number,
): Sched<void> {
  for (;;) {
    const ret = yield* __get_user_pages(k, mm, r.start, r.nr_pages, flags, pages, r.off, locked);
    if ((flags & FOLL_UNLOCKABLE) === 0) {
      r.done = ret;
      return;
    }
    if (locked.value === 0 && (ret < 0 || ret >= r.nr_pages)) {
      gup_warn(k, 'retry-result', `__get_user_pages returned ${ret} after dropping the lock`, FN);
    }
    if (ret > 0) {
      r.nr_pages -= ret;
      r.done += ret;
      if (r.nr_pages === 0) return;
    }
    if (locked.value !== 0) {
      if (r.done === 0) r.done = ret;
      return;
    }
    if (pages !== null) r.off += ret;
    r.start += ret * PAGE_SIZE;
    r.must_unlock = true;
    if (!(yield* retryOne(k, mm, r, pages, locked, flags))) return;
  }
}

/** The `retry:` label: re-take the lock and fault the one page with FOLL_TRIED. False to stop. */
function* retryOne(
  k: Kernel,
  mm: mm_struct,
  r: Retry,
  pages: PagesArray | null,
  locked: LockedCell,
  flags: number,
): Sched<boolean> {
  if (k.m.quirk('kvm-gup-single-retry')) return yield* retryOnceOld(k, mm, r, pages, locked, flags);
  let ret = 0;
  do {
    traceRetry(k, r.start);
    if (gup_signal_pending(k, flags)) {
      gup_stop(
        k,
        r.start,
        -EINTR,
        'a signal is pending after mmap_lock was dropped',
        '__get_user_pages_locked',
      );
      if (r.done === 0) r.done = -EINTR;
      return false;
    }
    if ((yield* mmap_read_lock_killable(mm)) !== 0) {
      gup_stop(
        k,
        r.start,
        -EINTR,
        'a fatal signal arrived while re-taking mmap_lock',
        '__get_user_pages_locked',
      );
      if (r.done === 0) r.done = -EINTR;
      return false;
    }
    locked.value = 1;
    ret = yield* __get_user_pages(k, mm, r.start, 1, flags | FOLL_TRIED, pages, r.off, locked);
    if (locked.value === 0 && ret !== 0) {
      gup_warn(k, 'retry-result', `__get_user_pages returned ${ret} after dropping the lock`, FN);
    }
  } while (locked.value === 0);
  return retried(r, ret, pages);
}

/**
 * The `retry:` step before v5.7 (quirk kvm-gup-single-retry; removed by 4426e945df58 "mm/gup:
 * allow VM_FAULT_RETRY for multiple times"): re-take mmap_lock (not killable, no signal check)
 * and fault the page once more with FOLL_TRIED but without `locked`, so faultin_page passes
 * FAULT_FLAG_TRIED without FAULT_FLAG_ALLOW_RETRY: a fault that would have to wait again (a
 * userfault whose page was zapped after it was resolved) cannot, and ends in -EFAULT.
 * @fidelity exact (v5.6 __get_user_pages_locked)
 */
function* retryOnceOld(
  k: Kernel,
  mm: mm_struct,
  r: Retry,
  pages: PagesArray | null,
  locked: LockedCell,
  flags: number,
): Sched<boolean> {
  traceRetry(k, r.start);
  yield* mmap_read_lock(mm);
  locked.value = 1;
  const once = (flags & ~FOLL_UNLOCKABLE) | FOLL_TRIED;
  const ret = yield* __get_user_pages(k, mm, r.start, 1, once, pages, r.off, locked);
  return retried(r, ret, pages);
}

/** After the retry of one page: count it and go on (true), or stop with its error (false). */
function retried(r: Retry, ret: number, pages: PagesArray | null): boolean {
  if (ret !== 1) {
    if (r.done === 0) r.done = ret;
    return false;
  }
  r.nr_pages--;
  r.done++;
  if (r.nr_pages === 0) return false;
  if (pages !== null) r.off++;
  r.start += PAGE_SIZE;
  return true;
}

function traceRetry(k: Kernel, addr: number): void {
  const m = k.m;
  if (m.trace.enabled) {
    m.emit(
      'gup.retry',
      {
        addr,
        reason:
          'the fault dropped mmap_lock (VM_FAULT_RETRY/COMPLETED): re-take it, retry with FOLL_TRIED',
      },
      FN,
    );
  }
  gup_note(k, `mmap_lock was dropped by the fault at ${hexAddr(addr)} and re-taken`);
}
