/**
 * Eliding scheduling points that cannot change anything. When every other simulated thread has
 * finished, no step of another thread can ever come between two steps of the running thread, so
 * a scheduling point (and the wait of an uncontended lock) only costs time: the run, its
 * decisions and the explorer's dependency graph are the same without it. Kernel code of this
 * layer tests `mm_solo(m)` before its own points and takes locks through the helpers below,
 * which do the lock's bookkeeping (holders, lockdep, atomic context, trace) without the yield.
 *
 * The same rule as src/kernel/mm/gup_state.ts: gup_solo. A lock that is not free (held by the
 * thread itself, a recursion lockdep must see block) goes through the engine's normal path.
 * @fidelity custom
 */
import { Access, type ObjId } from '../../sim/footprint.js';
import { noteAcquired, noteReleased } from '../../sim/locking/lock.js';
import {
  down_read,
  down_read_killable,
  down_write,
  down_write_killable,
  down_write_nested,
  up_read,
  up_write,
  type RwSemaphore,
} from '../../sim/locking/rwsem.js';
import { spin_lock, spin_unlock, type SpinLock } from '../../sim/locking/spinlock.js';
import type { Machine } from '../../sim/machine.js';
import type { Sched, Thread } from '../../sim/thread.js';

/** True when no other thread can take a step before the caller's next one. */
export function mm_solo(m: Machine): boolean {
  const self = m.current;
  const threads = m.threads;
  for (let i = 0; i < threads.length; i++) {
    const t = threads[i]!;
    if (t !== self && !t.done) return false;
  }
  return true;
}

/**
 * spin_lock() of a page-table lock, with the footprint of the critical section's first step:
 * the step that follows the acquisition also touches `obj` (the PTE or PMD entry it reads and
 * writes, and `obj2`, a folio it changes), so it is declared on the lock's own scheduling point. Without the scheduling point
 * when the caller runs alone and the lock is free. The acquisition itself is the engine's
 * spin_lock (src/sim/locking/spinlock.ts) with the extra footprint.
 */
export function* ptl_lock(
  lock: SpinLock,
  subclass = 0,
  obj: ObjId | undefined = undefined,
  acc: Access = Access.Write,
  obj2: ObjId | undefined = undefined,
  obj3: ObjId | undefined = undefined,
): Sched<void> {
  const m = lock.m;
  const t = m.self;
  if (lock.owner === null && mm_solo(m)) {
    m.lockdep.acquire(t, lock.name, lock.cls, subclass);
    take(lock, t, subclass);
    return;
  }
  if (obj === undefined) {
    yield* spin_lock(lock, subclass);
    return;
  }
  m.lockdep.acquire(t, lock.name, lock.cls, subclass);
  if (lock.owner !== null && m.trace.enabled) {
    m.emit('lock.contend', { lock: lock.name, mode: 'exclusive', holders: [lock.owner.name] });
  }
  const p = m.block('spin_lock', lock, lock.obj).also(obj, acc);
  if (obj2 !== undefined) p.also(obj2, Access.Write);
  yield obj3 === undefined ? p : p.also(obj3, Access.Read);
  take(lock, t, subclass);
}

function take(lock: SpinLock, t: Thread, subclass: number): void {
  lock.owner = t;
  t.atomic++;
  noteAcquired(lock, t, 'exclusive', subclass, false);
}

/** spin_unlock() with the footprint of the step after the release (`obj`), elided when alone. */
export function* ptl_unlock(
  lock: SpinLock,
  obj: ObjId | undefined = undefined,
  acc: Access = Access.Write,
): Sched<void> {
  const m = lock.m;
  const t = m.self;
  if (mm_solo(m)) {
    release(lock, t);
    return;
  }
  if (obj === undefined) {
    yield* spin_unlock(lock);
    return;
  }
  yield m.at('spin_unlock', lock.obj, Access.Write).also(obj, acc);
  release(lock, t);
}

function release(lock: SpinLock, t: Thread): void {
  if (!noteReleased(lock, t, 'exclusive') || lock.owner !== t) return;
  lock.owner = null;
  t.atomic--;
}

function soloDown(sem: RwSemaphore, mode: 'read' | 'write', fn: string, subclass = 0): boolean {
  const m = sem.m;
  if (!sem.grantable(mode, -1) || !mm_solo(m)) return false;
  const t = m.self;
  m.mightSleep(fn);
  m.lockdep.acquire(t, sem.name, sem.cls, subclass);
  if (mode === 'read') sem.readers.push(t);
  else sem.writer = t;
  noteAcquired(sem, t, mode, subclass, false);
  return true;
}

/** down_write_nested() with the solo elision. */
export function* rw_down_write_nested(sem: RwSemaphore, subclass: number): Sched<void> {
  if (!soloDown(sem, 'write', 'down_write_nested', subclass))
    yield* down_write_nested(sem, subclass);
}

/** down_read() with the solo elision. */
export function* rw_down_read(sem: RwSemaphore): Sched<void> {
  if (!soloDown(sem, 'read', 'down_read')) yield* down_read(sem);
}

/** down_read_killable() with the solo elision: 0 or -EINTR. */
export function* rw_down_read_killable(sem: RwSemaphore): Sched<number> {
  if (soloDown(sem, 'read', 'down_read_killable')) return 0;
  return yield* down_read_killable(sem);
}

/** down_write() with the solo elision. */
export function* rw_down_write(sem: RwSemaphore): Sched<void> {
  if (!soloDown(sem, 'write', 'down_write')) yield* down_write(sem);
}

/** down_write_killable() with the solo elision: 0 or -EINTR. */
export function* rw_down_write_killable(sem: RwSemaphore): Sched<number> {
  if (soloDown(sem, 'write', 'down_write_killable')) return 0;
  return yield* down_write_killable(sem);
}

/** up_read() with the solo elision. */
export function* rw_up_read(sem: RwSemaphore): Sched<void> {
  const m = sem.m;
  if (!mm_solo(m)) {
    yield* up_read(sem);
    return;
  }
  const t = m.self;
  const i = sem.readers.indexOf(t);
  if (!noteReleased(sem, t, 'read') || i < 0) return;
  sem.readers.splice(i, 1);
}

/** up_write() with the solo elision. */
export function* rw_up_write(sem: RwSemaphore): Sched<void> {
  const m = sem.m;
  if (!mm_solo(m)) {
    yield* up_write(sem);
    return;
  }
  const t = m.self;
  if (!noteReleased(sem, t, 'write') || sem.writer !== t) return;
  sem.writer = null;
}

/**
 * The uncontended solo acquisition as a plain function: true when the lock was taken without a
 * scheduling point (the caller runs alone and the lock is free); false: the caller must take it
 * with the generator (ptl_lock). Saves a generator per lock on the hot paths.
 */
export function solo_spin_lock(lock: SpinLock, subclass = 0): boolean {
  const m = lock.m;
  if (lock.owner !== null || !mm_solo(m)) return false;
  const t = m.self;
  m.lockdep.acquire(t, lock.name, lock.cls, subclass);
  take(lock, t, subclass);
  return true;
}

/** The solo release as a plain function: true when released without a scheduling point. */
export function solo_spin_unlock(lock: SpinLock): boolean {
  const m = lock.m;
  if (!mm_solo(m)) return false;
  release(lock, m.self);
  return true;
}

/** down_read without a scheduling point when alone and free (see solo_spin_lock). */
export function solo_down_read(sem: RwSemaphore): boolean {
  return soloDown(sem, 'read', 'down_read');
}

/** up_read without a scheduling point when alone. */
export function solo_up_read(sem: RwSemaphore): boolean {
  const m = sem.m;
  if (!mm_solo(m)) return false;
  const t = m.self;
  const i = sem.readers.indexOf(t);
  if (noteReleased(sem, t, 'read') && i >= 0) sem.readers.splice(i, 1);
  return true;
}
