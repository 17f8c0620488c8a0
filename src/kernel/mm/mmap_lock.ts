/**
 * mmap_lock: include/linux/mmap_lock.h and mm/mmap_lock.c (v6.18). The lock is the rw_semaphore
 * `mm->mmap_lock` of src/kernel/mm/mm_struct.ts; these are the kernel's wrappers. Every
 * acquisition and release is a scheduling point (elided when the caller runs alone, see solo.ts).
 *
 * Not modelled: per-VMA locks (lock_vma_under_rcu) and the mmap_lock tracepoints; faults take
 * mmap_lock for reading, the fallback path the kernel always has.
 */
import { find_vma, type VmAreaStruct } from '../../mm/vma.js';
import { down_read_trylock, down_write_trylock, downgrade_write } from '../../sim/locking/rwsem.js';
import type { Sched } from '../../sim/thread.js';
import { EINTR } from '../include/errno.js';
import type { mm_struct } from './mm_struct.js';
import {
  mm_solo,
  rw_down_read,
  rw_down_read_killable,
  rw_down_write,
  rw_down_write_killable,
  rw_up_read,
  rw_up_write,
  solo_down_read,
  solo_up_read,
} from './solo.js';

/** include/linux/mmap_lock.h: mmap_read_lock(mm). @fidelity exact */
export function* mmap_read_lock(mm: mm_struct): Sched<void> {
  if (!solo_down_read(mm.mmap_lock)) yield* rw_down_read(mm.mmap_lock);
}

/** include/linux/mmap_lock.h: mmap_read_lock_killable(mm): 0, or -EINTR on a fatal signal. @fidelity exact */
export function* mmap_read_lock_killable(mm: mm_struct): Sched<number> {
  const ret = yield* rw_down_read_killable(mm.mmap_lock);
  return ret === 0 ? 0 : -EINTR;
}

/** include/linux/mmap_lock.h: mmap_read_trylock(mm): true when taken. @fidelity exact */
export function* mmap_read_trylock(mm: mm_struct): Sched<boolean> {
  const sem = mm.mmap_lock;
  if (mm_solo(sem.m) && sem.grantable('read', -1)) {
    yield* rw_down_read(sem);
    return true;
  }
  return (yield* down_read_trylock(sem)) === 1;
}

/** include/linux/mmap_lock.h: mmap_read_unlock(mm). @fidelity exact */
export function* mmap_read_unlock(mm: mm_struct): Sched<void> {
  if (!solo_up_read(mm.mmap_lock)) yield* rw_up_read(mm.mmap_lock);
}

/** include/linux/mmap_lock.h: mmap_write_lock(mm). @fidelity exact */
export function* mmap_write_lock(mm: mm_struct): Sched<void> {
  yield* rw_down_write(mm.mmap_lock);
}

/** include/linux/mmap_lock.h: mmap_write_lock_killable(mm): 0, or -EINTR on a fatal signal. @fidelity exact */
export function* mmap_write_lock_killable(mm: mm_struct): Sched<number> {
  const ret = yield* rw_down_write_killable(mm.mmap_lock);
  return ret === 0 ? 0 : -EINTR;
}

/** include/linux/mmap_lock.h: mmap_write_trylock(mm): true when taken. @fidelity exact */
export function* mmap_write_trylock(mm: mm_struct): Sched<boolean> {
  const sem = mm.mmap_lock;
  if (mm_solo(sem.m) && sem.grantable('write', -1)) {
    yield* rw_down_write(sem);
    return true;
  }
  return (yield* down_write_trylock(sem)) === 1;
}

/** include/linux/mmap_lock.h: mmap_write_unlock(mm). @fidelity exact */
export function* mmap_write_unlock(mm: mm_struct): Sched<void> {
  yield* rw_up_write(mm.mmap_lock);
}

/** include/linux/mmap_lock.h: mmap_write_downgrade(mm): the writer becomes a reader. @fidelity exact */
export function* mmap_write_downgrade(mm: mm_struct): Sched<void> {
  yield* downgrade_write(mm.mmap_lock);
}

/** include/linux/mmap_lock.h: mmap_assert_locked(mm): held for reading or writing by anyone. @fidelity simplified */
export function mmap_assert_locked(mm: mm_struct): void {
  const sem = mm.mmap_lock;
  if (sem.writer === null && sem.readers.length === 0) {
    throw new Error(`mmap_assert_locked: mm${mm.mm_id}->mmap_lock is not held`);
  }
}

/** include/linux/mmap_lock.h: mmap_assert_write_locked(mm). @fidelity simplified */
export function mmap_assert_write_locked(mm: mm_struct): void {
  if (mm.mmap_lock.writer === null) {
    throw new Error(`mmap_assert_write_locked: mm${mm.mm_id}->mmap_lock is not write-locked`);
  }
}

/** True when the running thread holds mm->mmap_lock (either mode). @fidelity custom */
export function mmap_lock_held_by_current(mm: mm_struct): boolean {
  const sem = mm.mmap_lock;
  const t = sem.m.current;
  return sem.writer === t || (t !== null && sem.readers.includes(t));
}

/**
 * mm/mmap_lock.c: lock_mm_and_find_vma(mm, addr, regs): take mmap_lock for reading and find the
 * VMA containing addr. The kernel expands a VM_GROWSDOWN stack VMA here (under the write lock);
 * the model has no stack growth, so an address below a VMA is simply not mapped. Returns the VMA
 * with mmap_lock held, or null with it released.
 * @fidelity simplified
 */
export function* lock_mm_and_find_vma(mm: mm_struct, addr: number): Sched<VmAreaStruct | null> {
  if (!solo_down_read(mm.mmap_lock)) yield* rw_down_read(mm.mmap_lock);
  const vma = find_vma(mm, addr);
  if (vma !== null && vma.vm_start <= addr) return vma;
  if (!solo_up_read(mm.mmap_lock)) yield* rw_up_read(mm.mmap_lock);
  return null;
}
