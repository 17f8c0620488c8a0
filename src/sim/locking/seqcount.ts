/**
 * seqcount_t (include/linux/seqlock.h): a writer makes the count odd while it updates; lockless
 * readers sample it before and check it after. The count itself is the shared object.
 */
import { Access, objId, type ObjId } from '../footprint.js';
import type { Machine } from '../machine.js';
import type { Sched, Thread, Waitable } from '../thread.js';
import { LOCK_SPACE } from './lock.js';

export class SeqCount implements Waitable {
  sequence = 0;
  readonly obj: ObjId;

  constructor(
    readonly m: Machine,
    readonly name: string,
  ) {
    this.obj = objId(LOCK_SPACE, m.newObjectIndex());
  }

  /** A reader in read_seqcount_begin spins while a write is in progress. */
  canProceed(): boolean {
    return (this.sequence & 1) === 0;
  }

  holders(): readonly Thread[] {
    return [];
  }

  describe(): string {
    return `${this.name} (odd: write in progress)`;
  }
}

/** include/linux/seqlock.h: raw_write_seqcount_begin (the count becomes odd). */
export function* raw_write_seqcount_begin(s: SeqCount): Sched<void> {
  yield s.m.at('raw_write_seqcount_begin', s.obj, Access.Write);
  s.sequence++;
}

/** include/linux/seqlock.h: raw_write_seqcount_end (the count becomes even again). */
export function* raw_write_seqcount_end(s: SeqCount): Sched<void> {
  yield s.m.at('raw_write_seqcount_end', s.obj, Access.Write);
  s.sequence++;
}

/** include/linux/seqlock.h: read_seqcount_begin: waits for an even count, returns it. */
export function* read_seqcount_begin(s: SeqCount): Sched<number> {
  yield s.m.block('read_seqcount_begin', s, s.obj, Access.Read);
  return s.sequence;
}

/**
 * include/linux/seqlock.h: raw_seqcount_try_begin(s, start): samples the count into
 * `start.seq` and returns false, without waiting, when a write is in progress.
 */
export function* raw_seqcount_try_begin(s: SeqCount, start: { seq: number }): Sched<boolean> {
  yield s.m.at('raw_seqcount_try_begin', s.obj, Access.Read);
  start.seq = s.sequence;
  return (start.seq & 1) === 0;
}

/** include/linux/seqlock.h: read_seqcount_retry: true when a write happened since `start`. */
export function* read_seqcount_retry(s: SeqCount, start: number): Sched<boolean> {
  yield s.m.at('read_seqcount_retry', s.obj, Access.Read);
  return s.sequence !== start;
}
