/**
 * ABBA: two threads take two mutexes in opposite orders. Some interleavings deadlock; every one
 * of them takes both orders, which lockdep reports even when the run gets through.
 *
 *   gupsim run examples/abba.ts                    # the default schedule: no deadlock, lockdep warns (expected)
 *   gupsim explore examples/abba.ts                # finds a deadlocking schedule and prints it
 *   gupsim run examples/abba.ts --schedule S --trace   # replays it step by step
 */
import { Mutex, defineProgram, mutex_lock, mutex_unlock, type Machine, type Sched } from 'gupsim';

function* worker(first: Mutex, second: Mutex): Sched<void> {
  yield* mutex_lock(first);
  yield* mutex_lock(second);
  // ... the critical section ...
  yield* mutex_unlock(second);
  yield* mutex_unlock(first);
}

export default defineProgram({
  name: 'abba',
  description:
    'Two threads take mutexes A and B in opposite orders: a deadlock in some interleavings.',
  // lockdep warns in every interleaving; what we want the explorer to find is the real deadlock.
  expect: { violations: ['lockdep.circular'] },
  expectation: 'fail',
  setup(m: Machine) {
    const a = new Mutex(m, 'A');
    const b = new Mutex(m, 'B');
    m.spawn('t1', () => worker(a, b));
    m.spawn('t2', () => worker(b, a));
  },
});
