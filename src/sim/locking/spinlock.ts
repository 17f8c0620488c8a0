/**
 * spinlock_t (include/linux/spinlock.h). A thread spinning for a held spinlock simply cannot
 * take a step until the lock is free; holding one makes the thread atomic, so anything that may
 * sleep is reported (`sched.sleep-in-atomic`).
 * @fidelity simplified: qspinlock's FIFO fairness is not modelled (any waiter may win).
 */
import { Access } from '../footprint.js';
import type { Machine } from '../machine.js';
import type { Sched } from '../thread.js';
import { OwnedLock, noteAcquired, noteReleased } from './lock.js';

export class SpinLock extends OwnedLock {
  constructor(m: Machine, name: string, cls?: string) {
    super(m, name, cls);
  }
}

/** kernel/locking/spinlock.c: _raw_spin_lock */
export function* spin_lock(lock: SpinLock, subclass = 0): Sched<void> {
  const m = lock.m;
  const t = m.self;
  m.lockdep.acquire(t, lock.name, lock.cls, subclass);
  if (lock.owner !== null && m.trace.enabled) {
    m.emit('lock.contend', { lock: lock.name, mode: 'exclusive', holders: [lock.owner.name] });
  }
  yield m.block('spin_lock', lock, lock.obj);
  lock.owner = t;
  t.atomic++;
  noteAcquired(lock, t, 'exclusive', subclass, false);
}

/** include/linux/spinlock.h: spin_lock_nested */
export function spin_lock_nested(lock: SpinLock, subclass: number): Sched<void> {
  return spin_lock(lock, subclass);
}

/** kernel/locking/spinlock.c: _raw_spin_trylock. Returns 1 when taken, 0 when busy. */
export function* spin_trylock(lock: SpinLock): Sched<number> {
  const m = lock.m;
  yield m.at('spin_trylock', lock.obj, Access.Write);
  if (lock.owner !== null) {
    m.emit('lock.trylock-fail', { lock: lock.name, mode: 'exclusive' });
    return 0;
  }
  lock.owner = m.self;
  m.self.atomic++;
  noteAcquired(lock, m.self, 'exclusive', 0, true);
  return 1;
}

/** kernel/locking/spinlock.c: _raw_spin_unlock */
export function* spin_unlock(lock: SpinLock): Sched<void> {
  const m = lock.m;
  yield m.at('spin_unlock', lock.obj, Access.Write);
  const t = m.self;
  if (!noteReleased(lock, t, 'exclusive') || lock.owner !== t) return;
  lock.owner = null;
  t.atomic--;
}
