/**
 * What every lock shares: an object id (its footprint), a name, a lockdep class, and the
 * bookkeeping of which threads hold it.
 */
import { objectSpace, objId, type ObjId } from '../footprint.js';
import type { Machine } from '../machine.js';
import type { HeldLock, Thread, Waitable } from '../thread.js';
import type { LockMode } from '../trace.js';

export const LOCK_SPACE = objectSpace('lock');

/** errno values the engine itself returns (include/uapi/asm-generic/errno-base.h). */
export const EINTR = 4;
/** include/linux/errno.h: ERESTARTSYS, returned by killable waits. */
export const ERESTARTSYS = 512;

export abstract class LockBase implements Waitable {
  readonly obj: ObjId;
  /** Lockdep class: locks of the same class are ordered together (e.g. every mm's mmap_lock). */
  readonly cls: string;

  constructor(
    readonly m: Machine,
    readonly name: string,
    cls?: string,
  ) {
    this.obj = objId(LOCK_SPACE, m.newObjectIndex());
    this.cls = cls ?? name;
  }

  abstract canProceed(t: Thread): boolean;
  abstract holders(): readonly Thread[];

  describe(): string {
    return this.name;
  }
}

/** A lock with at most one owner (spinlock, mutex): free exactly when it has no owner. */
export abstract class OwnedLock extends LockBase {
  owner: Thread | null = null;

  canProceed(): boolean {
    return this.owner === null;
  }

  holders(): readonly Thread[] {
    return this.owner === null ? [] : [this.owner];
  }
}

/** The (empty) stack of every held-lock record taken while tracing is off, shared. */
const NO_STACK: readonly string[] = Object.freeze([]);

/** Record that `t` now holds `lock`. */
export function noteAcquired(
  lock: LockBase,
  t: Thread,
  mode: LockMode,
  subclass: number,
  trylock: boolean,
): void {
  const m = lock.m;
  const h: HeldLock = {
    lock,
    mode,
    subclass,
    trylock,
    step: m.steps,
    stack: m.trace.enabled ? [...t.stack] : NO_STACK,
  };
  t.held.push(h);
  if (m.trace.enabled) m.emit('lock.acquire', { lock: lock.name, mode });
}

/** Record that `t` released `lock`; a release of a lock it does not hold is reported. */
export function noteReleased(lock: LockBase, t: Thread, mode: LockMode): boolean {
  for (let i = t.held.length - 1; i >= 0; i--) {
    if (t.held[i]!.lock === lock) {
      if (i === t.held.length - 1) t.held.pop();
      else t.held.splice(i, 1);
      if (lock.m.trace.enabled) lock.m.emit('lock.release', { lock: lock.name, mode });
      return true;
    }
  }
  lock.m.report({
    id: 'lockdep.bad-unlock',
    message: `${t.name} releases ${lock.name}, which it does not hold`,
    rule: 'kernel/locking/lockdep.c: print_unlock_imbalance_bug',
  });
  return false;
}

/** A waitable that also wakes on a fatal signal (for the _killable variants). */
export function killable(w: Waitable): Waitable {
  return {
    canProceed: (t) => t.fatalSignal || w.canProceed(t),
    holders: () => w.holders(),
    describe: () => w.describe(),
  };
}
