/** Small programs the engine tests share. */
import {
  Access,
  Mutex,
  defineProgram,
  mutex_lock,
  mutex_unlock,
  objId,
  objectSpace,
  type Machine,
  type Program,
  type Sched,
} from '../../src/sim/index.js';

/** Two threads take mutexes A and B in opposite orders: the textbook ABBA. */
export const abba: Program = defineProgram({
  name: 'abba',
  setup(m: Machine) {
    const a = new Mutex(m, 'A');
    const b = new Mutex(m, 'B');
    const worker = (first: Mutex, second: Mutex) =>
      function* (): Sched<void> {
        yield* mutex_lock(first);
        yield* mutex_lock(second);
        yield* mutex_unlock(second);
        yield* mutex_unlock(first);
      };
    m.spawn('t1', worker(a, b));
    m.spawn('t2', worker(b, a));
  },
});

const CELL = objectSpace('test.cell');

/** N threads increment a shared counter with a racy load/store pair, `rounds` times each. */
export function lostUpdate(threads: number, rounds: number, out: { value: number }): Program {
  return defineProgram({
    name: 'lost-update',
    setup(m: Machine) {
      const cell = { v: 0 };
      const id = objId(CELL, 0);
      for (let i = 0; i < threads; i++) {
        m.spawn(`t${i}`, function* () {
          for (let r = 0; r < rounds; r++) {
            yield m.at('load', id, Access.Read);
            const v = cell.v;
            yield m.at('store', id, Access.Write);
            cell.v = v + 1;
          }
        });
      }
      m.addEndChecker({
        id: 'test.final',
        description: 'records the final value',
        kernelRef: '-',
        atEnd: () => {
          out.value = cell.v;
        },
      });
    },
  });
}
