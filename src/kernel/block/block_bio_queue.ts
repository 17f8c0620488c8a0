/**
 * The block_bio_queue tracepoint (include/trace/events/block.h) as a model observer: every
 * direct I/O bio queued for a disk is counted, and a scenario thread can wait until one has
 * been queued (`block_bio_queue:`), as a reproducer waits for the I/O to be in flight before it
 * races with it (fork, a write, an unmap). Per-kernel state, model only.
 * @fidelity custom
 */
import { Access, objectSpace, objId, type ObjId } from '../../sim/footprint.js';
import type { Sched, Thread, Waitable } from '../../sim/thread.js';
import type { Kernel } from '../kernel.js';
import { mm_solo } from '../mm/solo.js';

const SPACE = objectSpace('block-bio-queue');

interface State {
  queued: number;
  readonly obj: ObjId;
}

const states = new WeakMap<Kernel, State>();

function state(k: Kernel): State {
  let s = states.get(k);
  if (s === undefined) {
    s = { queued: 0, obj: objId(SPACE, 0) };
    states.set(k, s);
  }
  return s;
}

/** Fire the tracepoint for a direct I/O bio about to be submitted. @fidelity custom */
export function* trace_block_bio_queue(k: Kernel): Sched<void> {
  const s = state(k);
  if (!mm_solo(k.m)) yield k.m.at('trace_block_bio_queue', s.obj, Access.Write);
  s.queued++;
}

class Queued implements Waitable {
  constructor(private readonly s: State) {}
  canProceed(_t: Thread): boolean {
    return this.s.queued > 0;
  }
  holders(): readonly Thread[] {
    return [];
  }
  describe(): string {
    return 'a direct I/O bio being queued (block_bio_queue)';
  }
}

/** Sleep until a direct I/O bio has been queued (returns at once if one was). @fidelity custom */
export function* wait_block_bio_queue(k: Kernel): Sched<void> {
  const s = state(k);
  yield k.m.block('block_bio_queue', new Queued(s), s.obj);
}
