/**
 * fs/userfaultfd.c (v6.18), the ioctls of a userfaultfd: UFFDIO_API, UFFDIO_REGISTER,
 * UFFDIO_UNREGISTER, UFFDIO_WAKE, UFFDIO_COPY, UFFDIO_ZEROPAGE, UFFDIO_WRITEPROTECT,
 * UFFDIO_CONTINUE, and the release of the descriptor (userfaultfd_release). Each takes the
 * fields of its uapi struct as arguments and returns what the ioctl returns (0 or a negative
 * errno) with the struct's output field (`copy`, `zeropage`, `mapped`, `ioctls`, `features`).
 * Every ioctl other than UFFDIO_API answers -EINVAL before UFFDIO_API succeeded.
 * @fidelity simplified: no hugetlb, no UFFDIO_MOVE / UFFDIO_POISON
 */
import type { VmAreaStruct } from '../../mm/vma.js';
import { find_vma } from '../../mm/vma.js';
import { Access } from '../../sim/footprint.js';
import type { Sched } from '../../sim/thread.js';
import { maskAnd, maskOr } from '../include/bits.js';
import { EAGAIN, EBADF, EBUSY, EINVAL, EPERM } from '../include/errno.js';
import {
  UFFD_API,
  UFFD_API_FEATURES,
  UFFD_API_REGISTER_MODES,
  UFFDIO_CONTINUE_MODE_DONTWAKE,
  UFFDIO_CONTINUE_MODE_WP,
  UFFDIO_COPY_MODE_DONTWAKE,
  UFFDIO_COPY_MODE_WP,
  UFFDIO_REGISTER_MODE_MINOR,
  UFFDIO_REGISTER_MODE_MISSING,
  UFFDIO_REGISTER_MODE_WP,
  UFFDIO_WRITEPROTECT_MODE_DONTWAKE,
  UFFDIO_WRITEPROTECT_MODE_WP,
  UFFDIO_ZEROPAGE_MODE_DONTWAKE,
  _UFFDIO_API,
  _UFFDIO_CONTINUE,
  _UFFDIO_COPY,
  _UFFDIO_REGISTER,
  _UFFDIO_UNREGISTER,
  _UFFDIO_WAKE,
  _UFFDIO_WRITEPROTECT,
  _UFFDIO_ZEROPAGE,
} from '../include/userfaultfd.js';
import { VM_MAYWRITE, VM_UFFD_MINOR, VM_UFFD_MISSING, VM_UFFD_WP } from '../include/vm_flags.js';
import type { Kernel } from '../kernel.js';
import { mmState } from '../mm/mm_state.js';
import { mmap_write_lock, mmap_write_unlock } from '../mm/mmap_lock.js';
import {
  mfill_atomic,
  mwriteprotect_range,
  userfaultfd_clear_vma,
  userfaultfd_register_range,
  vma_can_userfault,
  type mfill_atomic_mode,
} from '../mm/userfaultfd.js';
import { TASK_SIZE } from '../mm/vma.js';
import { uffd_fd_remove, wake_userfault, type userfaultfd_ctx } from './userfaultfd.js';

/** An ioctl's return value and its struct's output field. */
export interface UffdioResult {
  readonly ret: number;
  /** uffdio_copy.copy, uffdio_zeropage.zeropage, uffdio_continue.mapped (bytes or errno). */
  readonly out: number;
}

const bit = (nr: number): number => 2 ** nr;

/** UFFD_API_IOCTLS: REGISTER, UNREGISTER, API. */
export const UFFD_API_IOCTLS = bit(_UFFDIO_REGISTER) + bit(_UFFDIO_UNREGISTER) + bit(_UFFDIO_API);
/** UFFD_API_RANGE_IOCTLS: WAKE, COPY, ZEROPAGE, WRITEPROTECT, CONTINUE (MOVE, POISON not modelled). */
export const UFFD_API_RANGE_IOCTLS =
  bit(_UFFDIO_WAKE) +
  bit(_UFFDIO_COPY) +
  bit(_UFFDIO_ZEROPAGE) +
  bit(_UFFDIO_WRITEPROTECT) +
  bit(_UFFDIO_CONTINUE);

/** fs/userfaultfd.c: validate_range(mm, start, len). @fidelity exact */
export function validate_range(k: Kernel, start: number, len: number): number {
  if (start % 4096 !== 0 || len % 4096 !== 0 || len === 0) return -EINVAL;
  if (start < mmState(k).mmapMinAddr || start >= TASK_SIZE || len > TASK_SIZE - start)
    return -EINVAL;
  return 0;
}

/**
 * fs/userfaultfd.c: userfaultfd_api(ctx, &uffdio_api): `api` must be UFFD_API and `features` a
 * subset of what the kernel offers (-EINVAL); the first successful call enables the features
 * (a second one: -EINVAL). `out` is uffdio_api.features as written back (0 on failure).
 * UFFD_FEATURE_EVENT_FORK needs CAP_SYS_PTRACE (-EPERM), which the model's tasks have.
 * @fidelity simplified (the features that need hugetlbfs, WP_ASYNC, POISON or MOVE are not offered)
 */
export function userfaultfd_api(ctx: userfaultfd_ctx, api: number, features: number): UffdioResult {
  if (api !== UFFD_API || (features & ~UFFD_API_FEATURES) !== 0) return { ret: -EINVAL, out: 0 };
  if (ctx.initialized) return { ret: -EINVAL, out: 0 };
  ctx.features = features;
  ctx.initialized = true;
  return { ret: 0, out: UFFD_API_FEATURES };
}

/** The VM_UFFD_* flags of UFFDIO_REGISTER modes, or -EINVAL. */
function register_vm_flags(mode: number): number {
  if (mode === 0 || (mode & ~UFFD_API_REGISTER_MODES) !== 0) return -EINVAL;
  let vm_flags = 0;
  if ((mode & UFFDIO_REGISTER_MODE_MISSING) !== 0) vm_flags = maskOr(vm_flags, VM_UFFD_MISSING);
  if ((mode & UFFDIO_REGISTER_MODE_WP) !== 0) vm_flags = maskOr(vm_flags, VM_UFFD_WP);
  if ((mode & UFFDIO_REGISTER_MODE_MINOR) !== 0) vm_flags = maskOr(vm_flags, VM_UFFD_MINOR);
  return vm_flags;
}

/** The compatibility checks of userfaultfd_register over the VMAs of [start, end). */
function register_check(
  mm: VmAreaStruct['vm_mm'],
  ctx: userfaultfd_ctx,
  vm_flags: number,
  start: number,
  end: number,
): number {
  let vma = find_vma(mm, start);
  if (vma === null || vma.vm_start >= end) return -EINVAL;
  for (
    ;
    vma !== null && vma.vm_start < end;
    vma = vma.vm_end >= end ? null : find_vma(mm, vma.vm_end)
  ) {
    if (!vma_can_userfault(vma, vm_flags)) return -EINVAL;
    if ((vma.vm_flags & VM_MAYWRITE) === 0) return -EPERM;
    if (vma.vm_userfaultfd_ctx !== null && vma.vm_userfaultfd_ctx !== ctx.id) return -EBUSY;
  }
  return 0;
}

/**
 * fs/userfaultfd.c: userfaultfd_register(ctx, &uffdio_register): under mmap_lock (write), check
 * every VMA of the range (vma_can_userfault: -EINVAL; no VM_MAYWRITE: -EPERM; another uffd owns
 * it: -EBUSY; a hole at the start: -EINVAL), then register it (split, flags, merge). `out` is
 * uffdio_register.ioctls: the range ioctls the registration allows.
 * @fidelity simplified (holes after the first VMA are skipped, as in the kernel's vma walk)
 */
export function* userfaultfd_register(
  k: Kernel,
  ctx: userfaultfd_ctx,
  start: number,
  len: number,
  mode: number,
): Sched<UffdioResult> {
  if (!ctx.initialized) return { ret: -EINVAL, out: 0 };
  const vm_flags = register_vm_flags(mode);
  if (vm_flags < 0) return { ret: vm_flags, out: 0 };
  const bad = validate_range(k, start, len);
  if (bad !== 0) return { ret: bad, out: 0 };
  const mm = ctx.mm;
  yield* mmap_write_lock(mm);
  let ret = register_check(mm, ctx, vm_flags, start, start + len);
  if (ret === 0) ret = yield* userfaultfd_register_range(k, mm, ctx, vm_flags, start, start + len);
  yield* mmap_write_unlock(mm);
  if (ret !== 0) return { ret, out: 0 };
  let ioctls = UFFD_API_RANGE_IOCTLS;
  if ((mode & UFFDIO_REGISTER_MODE_WP) === 0) ioctls -= bit(_UFFDIO_WRITEPROTECT);
  if ((mode & UFFDIO_REGISTER_MODE_MINOR) === 0) ioctls -= bit(_UFFDIO_CONTINUE);
  return { ret: 0, out: ioctls };
}

/**
 * fs/userfaultfd.c: userfaultfd_unregister(ctx, &uffdio_unregister): under mmap_lock (write),
 * for every registered VMA of the range: wake its pending MISSING faults, clear uffd-wp PTEs,
 * drop the flags and the context. -EINVAL for a VMA of another uffd or an unsuitable one.
 * @fidelity simplified
 */
export function* userfaultfd_unregister(
  k: Kernel,
  ctx: userfaultfd_ctx,
  start: number,
  len: number,
): Sched<number> {
  if (!ctx.initialized) return -EINVAL;
  const bad = validate_range(k, start, len);
  if (bad !== 0) return bad;
  const mm = ctx.mm;
  const end = start + len;
  yield* mmap_write_lock(mm);
  let ret = 0;
  let vma = find_vma(mm, start);
  if (vma === null || vma.vm_start >= end) ret = -EINVAL;
  for (
    let v = vma;
    ret === 0 && v !== null && v.vm_start < end;
    v = v.vm_end >= end ? null : find_vma(mm, v.vm_end)
  ) {
    if (v.vm_userfaultfd_ctx !== null && v.vm_userfaultfd_ctx !== ctx.id) ret = -EINVAL;
    else if (!vma_can_userfault(v, v.vm_flags)) ret = -EINVAL;
  }
  while (ret === 0 && vma !== null && vma.vm_start < end) {
    const next = vma.vm_end;
    if (vma.vm_userfaultfd_ctx !== null) {
      const s = Math.max(start, vma.vm_start);
      const e = Math.min(end, vma.vm_end);
      if (maskAnd(vma.vm_flags, VM_UFFD_MISSING) !== 0) yield* wake_userfault(k, ctx, s, e - s);
      ret = yield* userfaultfd_clear_vma(k, mm, vma, s, e);
    }
    vma = next >= end ? null : find_vma(mm, next);
  }
  yield* mmap_write_unlock(mm);
  return ret;
}

/** fs/userfaultfd.c: userfaultfd_wake(ctx, &uffdio_range): wake the faults of the range. @fidelity exact */
export function* userfaultfd_wake(
  k: Kernel,
  ctx: userfaultfd_ctx,
  start: number,
  len: number,
): Sched<number> {
  if (!ctx.initialized) return -EINVAL;
  const bad = validate_range(k, start, len);
  if (bad !== 0) return bad;
  yield* wake_userfault(k, ctx, start, len);
  return 0;
}

/** The common tail of COPY, ZEROPAGE and CONTINUE: mfill, wake what was filled, 0 or -EAGAIN. */
function* fill_and_wake(
  k: Kernel,
  ctx: userfaultfd_ctx,
  start: number,
  len: number,
  mode: mfill_atomic_mode,
  value: number,
  wp: boolean,
  dontwake: boolean,
): Sched<UffdioResult> {
  const filled = yield* mfill_atomic(k, ctx, start, len, mode, value, wp);
  if (filled < 0) return { ret: filled, out: filled };
  if (!dontwake) yield* wake_userfault(k, ctx, start, filled);
  return { ret: filled === len ? 0 : -EAGAIN, out: filled };
}

/**
 * The checks the fill ioctls (COPY, ZEROPAGE, CONTINUE) make first: an initialized context
 * (UFFDIO_API done), a valid range (validate_range), no mode bit but `allowed`. 0 or -errno.
 */
function fill_args(
  k: Kernel,
  ctx: userfaultfd_ctx,
  start: number,
  len: number,
  mode: number,
  allowed: number,
): number {
  if (!ctx.initialized) return -EINVAL;
  const bad = validate_range(k, start, len);
  if (bad !== 0) return bad;
  return (mode & ~allowed) !== 0 ? -EINVAL : 0;
}

/**
 * fs/userfaultfd.c: userfaultfd_copy(ctx, &uffdio_copy): fill [dst, dst+len) with new pages
 * holding `value` (mfill_atomic_copy) and wake the faults there unless
 * UFFDIO_COPY_MODE_DONTWAKE. 0 when all was copied, -EAGAIN for a partial copy, else the error;
 * `out` is uffdio_copy.copy.
 * @fidelity simplified (the source is a value, not a user buffer)
 */
export function* userfaultfd_copy(
  k: Kernel,
  ctx: userfaultfd_ctx,
  dst: number,
  len: number,
  value: number,
  mode: number,
): Sched<UffdioResult> {
  const err = fill_args(k, ctx, dst, len, mode, UFFDIO_COPY_MODE_DONTWAKE | UFFDIO_COPY_MODE_WP);
  if (err !== 0) return { ret: err, out: 0 };
  const wp = (mode & UFFDIO_COPY_MODE_WP) !== 0;
  return yield* fill_and_wake(
    k,
    ctx,
    dst,
    len,
    'COPY',
    value,
    wp,
    (mode & UFFDIO_COPY_MODE_DONTWAKE) !== 0,
  );
}

/** fs/userfaultfd.c: userfaultfd_zeropage(ctx, &uffdio_zeropage): as UFFDIO_COPY with the zero page. @fidelity exact */
export function* userfaultfd_zeropage(
  k: Kernel,
  ctx: userfaultfd_ctx,
  start: number,
  len: number,
  mode: number,
): Sched<UffdioResult> {
  const err = fill_args(k, ctx, start, len, mode, UFFDIO_ZEROPAGE_MODE_DONTWAKE);
  if (err !== 0) return { ret: err, out: 0 };
  return yield* fill_and_wake(k, ctx, start, len, 'ZEROPAGE', 0, false, mode !== 0);
}

/**
 * fs/userfaultfd.c: userfaultfd_continue(ctx, &uffdio_continue): map the pages already in the
 * shmem page cache (minor faults); `out` is uffdio_continue.mapped.
 * @fidelity exact
 */
export function* userfaultfd_continue(
  k: Kernel,
  ctx: userfaultfd_ctx,
  start: number,
  len: number,
  mode: number,
): Sched<UffdioResult> {
  const err = fill_args(
    k,
    ctx,
    start,
    len,
    mode,
    UFFDIO_CONTINUE_MODE_DONTWAKE | UFFDIO_CONTINUE_MODE_WP,
  );
  if (err !== 0) return { ret: err, out: 0 };
  const wp = (mode & UFFDIO_CONTINUE_MODE_WP) !== 0;
  return yield* fill_and_wake(
    k,
    ctx,
    start,
    len,
    'CONTINUE',
    0,
    wp,
    (mode & UFFDIO_CONTINUE_MODE_DONTWAKE) !== 0,
  );
}

/**
 * fs/userfaultfd.c: userfaultfd_writeprotect(ctx, &uffdio_writeprotect): set (MODE_WP) or
 * resolve uffd-wp on the range; resolving wakes the faults there unless MODE_DONTWAKE. WP with
 * DONTWAKE: -EINVAL.
 * @fidelity exact
 */
export function* userfaultfd_writeprotect(
  k: Kernel,
  ctx: userfaultfd_ctx,
  start: number,
  len: number,
  mode: number,
): Sched<number> {
  if (!ctx.initialized) return -EINVAL;
  const bad = validate_range(k, start, len);
  if (bad !== 0) return bad;
  if ((mode & ~(UFFDIO_WRITEPROTECT_MODE_WP | UFFDIO_WRITEPROTECT_MODE_DONTWAKE)) !== 0)
    return -EINVAL;
  const mode_wp = (mode & UFFDIO_WRITEPROTECT_MODE_WP) !== 0;
  const dontwake = (mode & UFFDIO_WRITEPROTECT_MODE_DONTWAKE) !== 0;
  if (mode_wp && dontwake) return -EINVAL;
  const ret = yield* mwriteprotect_range(k, ctx, start, len, mode_wp);
  if (ret !== 0) return ret;
  if (!mode_wp && !dontwake) yield* wake_userfault(k, ctx, start, len);
  return 0;
}

/**
 * fs/userfaultfd.c: userfaultfd_release: mark the context released (faults that reach
 * handle_userfault now get VM_FAULT_NOPAGE), strip the uffd flags from every VMA under
 * mmap_lock (write), then wake every blocked fault. Threads waiting for an event to be read see
 * `released` and give up (wake_up_all(&ctx->event_wqh)).
 * @fidelity simplified (the VMAs are not merged afterwards)
 */
export function* userfaultfd_release(k: Kernel, ctx: userfaultfd_ctx): Sched<void> {
  yield k.m.at('userfaultfd_release', ctx.obj, Access.Write);
  ctx.released = true;
  const mm = ctx.mm;
  yield* mmap_write_lock(mm);
  for (let v = find_vma(mm, 0); v !== null; v = find_vma(mm, v.vm_end)) {
    if (v.vm_userfaultfd_ctx !== ctx.id) continue;
    yield* userfaultfd_clear_vma(k, mm, v, v.vm_start, v.vm_end);
  }
  yield* mmap_write_unlock(mm);
  yield* wake_userfault(k, ctx, 0, 0);
}

/**
 * close(2) of a userfaultfd descriptor of process `tgid`: the last reference goes, so
 * userfaultfd_release runs. 0, or -EBADF.
 * @fidelity simplified (no other references: dup and fork of the descriptor are not modelled)
 */
export function* userfaultfd_close(k: Kernel, tgid: number, fd: number): Sched<number> {
  const ctx = uffd_fd_remove(k, tgid, fd);
  if (ctx === null) return -EBADF;
  yield* userfaultfd_release(k, ctx);
  return 0;
}
