/**
 * The fix for ABBA: both threads take A before B. No interleaving deadlocks and lockdep has
 * nothing to say; exploring it covers every interleaving and passes.
 */
import { Mutex, defineProgram, mutex_lock, mutex_unlock, type Machine, type Sched } from 'gupsim';

function* worker(a: Mutex, b: Mutex): Sched<void> {
  yield* mutex_lock(a);
  yield* mutex_lock(b);
  yield* mutex_unlock(b);
  yield* mutex_unlock(a);
}

export default defineProgram({
  name: 'ordered-locks',
  description: 'Two threads take mutexes in the same order: no deadlock in any interleaving.',
  setup(m: Machine) {
    const a = new Mutex(m, 'A');
    const b = new Mutex(m, 'B');
    m.spawn('t1', () => worker(a, b));
    m.spawn('t2', () => worker(a, b));
  },
});
