/**
 * struct rw_semaphore (kernel/locking/rwsem.c): many readers or one writer.
 *
 * Waiters queue in arrival order. A newcomer reader gets the lock only when no writer holds it
 * and nobody is queued (the kernel's read fast path fails once RWSEM_FLAG_WAITERS is set); a
 * queued reader proceeds when no writer holds it and the head of the queue is a reader
 * (rwsem_mark_wake wakes the readers when a reader is first); a writer proceeds when the lock is
 * free and it is first in the queue (or nobody is queued, for a newcomer).
 * @fidelity simplified: reader lock stealing and writer optimistic spinning are not modelled;
 * the queue behaves as after RWSEM_FLAG_HANDOFF is set, the order that exposes the recursive-read
 * deadlocks lockdep warns about.
 */
import { Access, objectSpace, objId, type ObjId } from '../footprint.js';
import type { Machine } from '../machine.js';
import type { Point, Sched, Thread, Waitable } from '../thread.js';
import { EINTR, LockBase, killable, noteAcquired, noteReleased } from './lock.js';

type Mode = 'read' | 'write';

/** The reader set of each rw_semaphore is an object of its own (see RwSemaphore.readersObj). */
const RWSEM_READERS_SPACE = objectSpace('rwsem-readers');

interface Waiter {
  readonly t: Thread;
  readonly mode: Mode;
}

export class RwSemaphore extends LockBase {
  writer: Thread | null = null;
  readonly readers: Thread[] = [];
  readonly waiters: Waiter[] = [];
  /**
   * The footprint of the reader set, apart from `obj` (the writer and the wait queue). Adding or
   * removing a reader is declared as a *read* of this object and every test of the set (a
   * writer's "are there readers?") as a *write*: two readers coming and going commute (the
   * kernel's reader count is an atomic add), while each conflicts with a writer looking at the
   * count. Nothing else reads the set inside a step (lock.contend names holders sorted).
   */
  readonly readersObj: ObjId;

  constructor(m: Machine, name: string, cls?: string) {
    super(m, name, cls);
    this.readersObj = objId(RWSEM_READERS_SPACE, this.obj % 2 ** 32);
  }

  /** May `t`, queued or not, take the lock in its mode now? */
  canProceed(t: Thread): boolean {
    const i = this.waiters.findIndex((w) => w.t === t);
    if (i < 0) return false;
    return this.grantable(this.waiters[i]!.mode, i);
  }

  /** Can a waiter at queue position `pos` (or a newcomer, pos = -1) take it in `mode`? */
  grantable(mode: Mode, pos: number): boolean {
    if (this.writer !== null) return false;
    if (mode === 'read')
      return pos < 0 ? this.waiters.length === 0 : this.waiters[0]!.mode === 'read';
    return this.readers.length === 0 && (pos < 0 ? this.waiters.length === 0 : pos === 0);
  }

  holders(): readonly Thread[] {
    return this.writer !== null ? [this.writer] : this.readers;
  }

  override describe(): string {
    return this.name;
  }
}

function take(sem: RwSemaphore, t: Thread, mode: Mode, subclass: number, trylock: boolean): void {
  if (mode === 'read') sem.readers.push(t);
  else sem.writer = t;
  noteAcquired(sem, t, mode, subclass, trylock);
}

function dequeue(sem: RwSemaphore, t: Thread): void {
  const i = sem.waiters.findIndex((w) => w.t === t);
  if (i >= 0) sem.waiters.splice(i, 1);
}

/**
 * The footprint of an acquisition step in `mode` that may queue: the queue (`obj`) is written;
 * a reader adds itself to the reader set (declared as a read, see readersObj), a writer tests it.
 */
function queueing(sem: RwSemaphore, mode: Mode, p: Point): Point {
  return p.also(sem.readersObj, mode === 'read' ? Access.Read : Access.Write);
}

function* downCommon(
  sem: RwSemaphore,
  mode: Mode,
  subclass: number,
  isKillable: boolean,
  fn: string,
): Sched<number> {
  const m = sem.m;
  const t = m.self;
  m.mightSleep(fn);
  m.lockdep.acquire(t, sem.name, sem.cls, subclass);
  // A reader that will get the lock at once only reads the writer and the queue (the kernel's
  // read fast path: one atomic add, failing if a writer holds or waits) and adds itself to the
  // reader set, so two such readers commute. The guess is made on the state at the point; if a
  // step of another thread changed the writer or the queue before this one ran (such a step
  // conflicts with the declared read, so the explorer orders the two), the step does nothing
  // and declares the queueing footprint for a second try.
  const fast = mode === 'read' && sem.grantable('read', -1);
  yield fast
    ? m.at(fn, sem.obj, Access.Read).also(sem.readersObj, Access.Read)
    : queueing(sem, mode, m.at(fn, sem.obj, Access.Write));
  if (fast && !sem.grantable('read', -1))
    yield queueing(sem, mode, m.at(fn, sem.obj, Access.Write));
  if (sem.grantable(mode, -1)) {
    take(sem, t, mode, subclass, false);
    return 0;
  }
  m.emit('lock.contend', { lock: sem.name, mode, holders: holderNames(sem) });
  sem.waiters.push({ t, mode });
  const w: Waitable = isKillable ? killable(sem) : sem;
  for (;;) {
    yield queueing(sem, mode, m.block(fn, w, sem.obj));
    if (sem.canProceed(t)) break;
    if (isKillable && t.fatalSignal) {
      dequeue(sem, t);
      m.emit('lock.interrupted', { lock: sem.name, mode, ret: -EINTR });
      return -EINTR;
    }
  }
  dequeue(sem, t);
  take(sem, t, mode, subclass, false);
  return 0;
}

/** Holder names in a fixed order: which reader came first is not part of the lock's state. */
function holderNames(sem: RwSemaphore): string[] {
  return sem
    .holders()
    .map((h) => h.name)
    .sort();
}

/** kernel/locking/rwsem.c: down_read */
export function* down_read(sem: RwSemaphore): Sched<void> {
  yield* downCommon(sem, 'read', 0, false, 'down_read');
}

/** kernel/locking/rwsem.c: down_read_nested */
export function* down_read_nested(sem: RwSemaphore, subclass: number): Sched<void> {
  yield* downCommon(sem, 'read', subclass, false, 'down_read_nested');
}

/** kernel/locking/rwsem.c: down_read_killable. 0, or -EINTR when a fatal signal arrives first. */
export function down_read_killable(sem: RwSemaphore): Sched<number> {
  return downCommon(sem, 'read', 0, true, 'down_read_killable');
}

/** kernel/locking/rwsem.c: down_write */
export function* down_write(sem: RwSemaphore): Sched<void> {
  yield* downCommon(sem, 'write', 0, false, 'down_write');
}

/** kernel/locking/rwsem.c: down_write_nested */
export function* down_write_nested(sem: RwSemaphore, subclass: number): Sched<void> {
  yield* downCommon(sem, 'write', subclass, false, 'down_write_nested');
}

/** kernel/locking/rwsem.c: down_write_killable. 0, or -EINTR when a fatal signal arrives first. */
export function down_write_killable(sem: RwSemaphore): Sched<number> {
  return downCommon(sem, 'write', 0, true, 'down_write_killable');
}

function* tryCommon(sem: RwSemaphore, mode: Mode, fn: string): Sched<number> {
  const m = sem.m;
  // A read trylock reads the writer and the queue and at most adds itself to the reader set; a
  // write trylock tests all of it and may take the writer slot.
  yield mode === 'read'
    ? m.at(fn, sem.obj, Access.Read).also(sem.readersObj, Access.Read)
    : m.at(fn, sem.obj, Access.Write).also(sem.readersObj, Access.Write);
  if (!sem.grantable(mode, -1)) {
    m.emit('lock.trylock-fail', { lock: sem.name, mode });
    return 0;
  }
  take(sem, m.self, mode, 0, true);
  return 1;
}

/** kernel/locking/rwsem.c: down_read_trylock. 1 when taken; 0 if a writer holds or waits. */
export function down_read_trylock(sem: RwSemaphore): Sched<number> {
  return tryCommon(sem, 'read', 'down_read_trylock');
}

/** kernel/locking/rwsem.c: down_write_trylock. 1 when taken; 0 if held or contended. */
export function down_write_trylock(sem: RwSemaphore): Sched<number> {
  return tryCommon(sem, 'write', 'down_write_trylock');
}

/** kernel/locking/rwsem.c: up_read */
export function* up_read(sem: RwSemaphore): Sched<void> {
  const m = sem.m;
  // Leaving the reader set commutes with other readers coming and going; a writer that waits
  // tests the set (a write of readersObj), and the wake-up orders it after this step.
  yield m.at('up_read', sem.readersObj, Access.Read);
  const t = m.self;
  const i = sem.readers.indexOf(t);
  if (!noteReleased(sem, t, 'read') || i < 0) return;
  sem.readers.splice(i, 1);
}

/** kernel/locking/rwsem.c: up_write */
export function* up_write(sem: RwSemaphore): Sched<void> {
  const m = sem.m;
  yield m.at('up_write', sem.obj, Access.Write);
  const t = m.self;
  if (!noteReleased(sem, t, 'write') || sem.writer !== t) return;
  sem.writer = null;
}

/** kernel/locking/rwsem.c: downgrade_write: the writer becomes a reader without releasing. */
export function* downgrade_write(sem: RwSemaphore): Sched<void> {
  const m = sem.m;
  yield m.at('downgrade_write', sem.obj, Access.Write).also(sem.readersObj, Access.Read);
  const t = m.self;
  const h = t.held.find((x) => x.lock === sem);
  if (sem.writer !== t || h === undefined) {
    m.report({
      id: 'lockdep.bad-unlock',
      message: `${t.name} downgrades ${sem.name}, which it does not hold for writing`,
      rule: 'kernel/locking/rwsem.c: downgrade_write',
    });
    return;
  }
  sem.writer = null;
  sem.readers.push(t);
  t.held[t.held.indexOf(h)] = { ...h, mode: 'read' };
  m.emit('lock.release', { lock: sem.name, mode: 'write' });
  m.emit('lock.acquire', { lock: sem.name, mode: 'read' });
}

/** include/linux/rwsem.h: rwsem_is_locked */
export function rwsem_is_locked(sem: RwSemaphore): boolean {
  return sem.writer !== null || sem.readers.length > 0;
}
