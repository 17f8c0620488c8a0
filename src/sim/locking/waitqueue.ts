/**
 * Wait queues (kernel/sched/wait.c) and completions (kernel/sched/completion.c).
 *
 * wait_event() follows the kernel's loop: queue yourself, test the condition, sleep until
 * woken, repeat. A wake-up that comes before the sleeper queues itself is lost, exactly as a
 * missing condition re-check would lose it in the kernel.
 * @fidelity simplified: exclusive waits (wake one) are not modelled; wake_up wakes all waiters.
 */
import { Access, objId, type ObjId } from '../footprint.js';
import type { Machine } from '../machine.js';
import type { Sched, Thread, Waitable } from '../thread.js';
import { ERESTARTSYS, LOCK_SPACE, killable } from './lock.js';

export class WaitQueueHead {
  readonly obj: ObjId;
  readonly waiters: Thread[] = [];

  constructor(
    readonly m: Machine,
    readonly name: string,
  ) {
    this.obj = objId(LOCK_SPACE, m.newObjectIndex());
  }
}

function sleeper(wq: WaitQueueHead): Waitable {
  return {
    canProceed: (t) => t.woken,
    holders: () => [],
    describe: () => `a wake-up on ${wq.name}`,
  };
}

function* waitCommon(
  wq: WaitQueueHead,
  cond: () => boolean,
  isKillable: boolean,
  fn: string,
): Sched<number> {
  const m = wq.m;
  const t = m.self;
  m.mightSleep(fn);
  const w = isKillable ? killable(sleeper(wq)) : sleeper(wq);
  for (;;) {
    yield m.at(fn, wq.obj, Access.Write);
    if (!wq.waiters.includes(t)) wq.waiters.push(t);
    t.woken = false;
    if (cond()) break;
    if (isKillable && t.fatalSignal) {
      wq.waiters.splice(wq.waiters.indexOf(t), 1);
      return -ERESTARTSYS;
    }
    yield m.block(fn, w, wq.obj);
  }
  wq.waiters.splice(wq.waiters.indexOf(t), 1);
  return 0;
}

/** include/linux/wait.h: wait_event(wq, condition) */
export function* wait_event(wq: WaitQueueHead, cond: () => boolean): Sched<void> {
  yield* waitCommon(wq, cond, false, 'wait_event');
}

/** include/linux/wait.h: wait_event_killable: 0, or -ERESTARTSYS on a fatal signal. */
export function wait_event_killable(wq: WaitQueueHead, cond: () => boolean): Sched<number> {
  return waitCommon(wq, cond, true, 'wait_event_killable');
}

/** kernel/sched/wait.c: __wake_up: every queued sleeper becomes runnable. */
export function* wake_up(wq: WaitQueueHead): Sched<void> {
  yield wq.m.at('wake_up', wq.obj, Access.Write);
  for (const t of wq.waiters) t.woken = true;
}

export class Completion implements Waitable {
  done = 0;
  readonly obj: ObjId;

  constructor(
    readonly m: Machine,
    readonly name: string,
  ) {
    this.obj = objId(LOCK_SPACE, m.newObjectIndex());
  }

  canProceed(): boolean {
    return this.done > 0;
  }

  holders(): readonly Thread[] {
    return [];
  }

  describe(): string {
    return `completion ${this.name}`;
  }
}

/** kernel/sched/completion.c: reinit_completion */
export function reinit_completion(c: Completion): void {
  c.done = 0;
}

/** kernel/sched/completion.c: wait_for_completion */
export function* wait_for_completion(c: Completion): Sched<void> {
  c.m.mightSleep('wait_for_completion');
  yield c.m.block('wait_for_completion', c, c.obj);
  if (c.done !== Infinity) c.done--;
}

/** kernel/sched/completion.c: wait_for_completion_killable: 0, or -ERESTARTSYS. */
export function* wait_for_completion_killable(c: Completion): Sched<number> {
  c.m.mightSleep('wait_for_completion_killable');
  yield c.m.block('wait_for_completion_killable', killable(c), c.obj);
  if (c.done === 0) return -ERESTARTSYS;
  if (c.done !== Infinity) c.done--;
  return 0;
}

/** kernel/sched/completion.c: complete: lets one waiter through. */
export function* complete(c: Completion): Sched<void> {
  yield c.m.at('complete', c.obj, Access.Write);
  if (c.done !== Infinity) c.done++;
}

/** kernel/sched/completion.c: complete_all: lets every waiter through, now and later. */
export function* complete_all(c: Completion): Sched<void> {
  yield c.m.at('complete_all', c.obj, Access.Write);
  c.done = Infinity;
}
