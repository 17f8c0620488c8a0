/**
 * Scheduler-facing helpers with kernel names: voluntary preemption points and signals.
 */
import type { Machine } from './machine.js';
import type { Sched, Thread } from './thread.js';

/** include/linux/sched.h: cond_resched: a point where another thread may run. */
export function* cond_resched(m: Machine): Sched<void> {
  yield m.point('cond_resched');
}

/** include/linux/sched/signal.h: fatal_signal_pending */
export function fatal_signal_pending(t: Thread): boolean {
  return t.fatalSignal;
}

/** include/linux/sched/signal.h: signal_pending. Only fatal signals are modelled. */
export function signal_pending(t: Thread): boolean {
  return t.fatalSignal;
}
