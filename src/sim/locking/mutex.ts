/**
 * struct mutex (kernel/locking/mutex.c). Sleeping lock with one owner.
 * @fidelity simplified: optimistic spinning and handoff are not modelled; when the mutex is
 * released, any waiter (or a newcomer) may take it, a superset of the kernel's orders.
 */
import { Access } from '../footprint.js';
import type { Machine } from '../machine.js';
import type { Sched } from '../thread.js';
import { EINTR, OwnedLock, killable, noteAcquired, noteReleased } from './lock.js';

export class Mutex extends OwnedLock {
  constructor(m: Machine, name: string, cls?: string) {
    super(m, name, cls);
  }
}

function* lockCommon(
  lock: Mutex,
  subclass: number,
  isKillable: boolean,
  fn: string,
): Sched<number> {
  const m = lock.m;
  const t = m.self;
  m.mightSleep(fn);
  m.lockdep.acquire(t, lock.name, lock.cls, subclass);
  yield m.at(fn, lock.obj, Access.Write);
  if (lock.owner !== null) {
    m.emit('lock.contend', { lock: lock.name, mode: 'exclusive', holders: [lock.owner.name] });
    const w = isKillable ? killable(lock) : lock;
    while (lock.owner !== null) {
      if (isKillable && t.fatalSignal) {
        m.emit('lock.interrupted', { lock: lock.name, mode: 'exclusive', ret: -EINTR });
        return -EINTR;
      }
      yield m.block(fn, w, lock.obj);
    }
  }
  lock.owner = t;
  noteAcquired(lock, t, 'exclusive', subclass, false);
  return 0;
}

/** kernel/locking/mutex.c: mutex_lock */
export function* mutex_lock(lock: Mutex): Sched<void> {
  yield* lockCommon(lock, 0, false, 'mutex_lock');
}

/** kernel/locking/mutex.c: mutex_lock_nested */
export function* mutex_lock_nested(lock: Mutex, subclass: number): Sched<void> {
  yield* lockCommon(lock, subclass, false, 'mutex_lock_nested');
}

/** kernel/locking/mutex.c: mutex_lock_killable. 0, or -EINTR on a fatal signal while waiting. */
export function mutex_lock_killable(lock: Mutex): Sched<number> {
  return lockCommon(lock, 0, true, 'mutex_lock_killable');
}

/** kernel/locking/mutex.c: mutex_trylock. 1 when taken, 0 when busy. */
export function* mutex_trylock(lock: Mutex): Sched<number> {
  const m = lock.m;
  yield m.at('mutex_trylock', lock.obj, Access.Write);
  if (lock.owner !== null) {
    m.emit('lock.trylock-fail', { lock: lock.name, mode: 'exclusive' });
    return 0;
  }
  lock.owner = m.self;
  noteAcquired(lock, m.self, 'exclusive', 0, true);
  return 1;
}

/** kernel/locking/mutex.c: mutex_unlock */
export function* mutex_unlock(lock: Mutex): Sched<void> {
  const m = lock.m;
  yield m.at('mutex_unlock', lock.obj, Access.Write);
  const t = m.self;
  if (!noteReleased(lock, t, 'exclusive') || lock.owner !== t) return;
  lock.owner = null;
}

/** include/linux/mutex.h: mutex_is_locked */
export function mutex_is_locked(lock: Mutex): boolean {
  return lock.owner !== null;
}
