import { describe, expect, it } from 'vitest';
import { exploreDfs } from '../../src/explore/dfs.js';
import {
  Mutex,
  ReplayChooser,
  RwSemaphore,
  SpinLock,
  defineProgram,
  down_read,
  down_read_killable,
  down_read_trylock,
  down_write,
  down_write_killable,
  downgrade_write,
  mutex_lock,
  mutex_lock_killable,
  mutex_unlock,
  runProgram,
  spin_lock,
  spin_unlock,
  up_read,
  up_write,
  type Machine,
  type Sched,
} from '../../src/sim/index.js';
import { abba, lostUpdate } from './programs.js';

describe('ABBA on two mutexes', () => {
  it('deadlocks in some schedules and not in others; lockdep flags every schedule', () => {
    let deadlocks = 0;
    let clean = 0;
    let failing = '';
    const r = exploreDfs(abba, {
      onExecution: (res) => {
        if (res.status === 'deadlock') {
          deadlocks++;
          failing ||= res.schedule;
        } else clean++;
        // Both orders are taken in every schedule (each thread at least tries its second lock).
        expect(res.violations.map((v) => v.id)).toContain('lockdep.circular');
      },
    });
    expect(r.complete).toBe(true);
    expect(deadlocks).toBeGreaterThan(0);
    expect(clean).toBeGreaterThan(0);

    // The deadlock report names the cycle, and its schedule replays it exactly.
    const { result } = runProgram(abba, { chooser: new ReplayChooser(failing) });
    expect(result.status).toBe('deadlock');
    const d = result.violations.find((v) => v.id === 'sched.deadlock')!;
    expect(d.message).toMatch(
      /t1 waits for B held by t2; t2 waits for A held by t1|t2 waits for A held by t1; t1 waits for B held by t2/,
    );
    expect(d.details!.join('\n')).toMatch(/holds A \(exclusive\)/);
  });

  it('lockdep stays quiet when both threads use the same order', () => {
    const p = defineProgram({
      name: 'ordered',
      setup(m) {
        const a = new Mutex(m, 'A');
        const b = new Mutex(m, 'B');
        for (const name of ['t1', 't2']) {
          m.spawn(name, function* () {
            yield* mutex_lock(a);
            yield* mutex_lock(b);
            yield* mutex_unlock(b);
            yield* mutex_unlock(a);
          });
        }
      },
    });
    exploreDfs(p, { onExecution: (res) => expect(res.violations).toEqual([]) });
  });
});

describe('exhaustive search sees every interleaving', () => {
  it('finds the lost update of a racy counter', () => {
    const out = { value: 0 };
    const finals = new Set<number>();
    const r = exploreDfs(lostUpdate(2, 2, out), { onExecution: () => void finals.add(out.value) });
    expect(r.complete).toBe(true);
    expect([...finals].sort()).toEqual([2, 3, 4]);
  });
});

function twoThreads(
  a: (m: Machine) => Sched<void>,
  b: (m: Machine) => Sched<void>,
  setup?: (m: Machine) => void,
) {
  return defineProgram({
    name: 'pair',
    setup(m) {
      setup?.(m);
      m.spawn('a', () => a(m));
      m.spawn('b', () => b(m));
    },
  });
}

describe('rw_semaphore', () => {
  it('lets readers share and keeps writers out', () => {
    let sem!: RwSemaphore;
    let bothRead = false;
    const reader = function* (): Sched<void> {
      yield* down_read(sem);
      if (sem.readers.length === 2) bothRead = true;
      yield* up_read(sem);
    };
    exploreDfs(
      twoThreads(reader, reader, (m) => (sem = new RwSemaphore(m, 'mmap_lock'))),
      { onExecution: (r) => expect(r.status).toBe('done') },
    );
    expect(bothRead).toBe(true);

    let overlap = false;
    const writer = function* (): Sched<void> {
      yield* down_write(sem);
      if (sem.readers.length > 0) overlap = true;
      yield* up_write(sem);
    };
    exploreDfs(twoThreads(reader, writer, (m) => (sem = new RwSemaphore(m, 'mmap_lock'))));
    expect(overlap).toBe(false);
  });

  it('a recursive read deadlocks behind a queued writer (and lockdep says so)', () => {
    let sem!: RwSemaphore;
    const p = twoThreads(
      function* () {
        yield* down_read(sem);
        yield* down_read(sem);
        yield* up_read(sem);
        yield* up_read(sem);
      },
      function* () {
        yield* down_write(sem);
        yield* up_write(sem);
      },
      (m) => (sem = new RwSemaphore(m, 'mmap_lock')),
    );
    const statuses = new Set<string>();
    exploreDfs(p, {
      onExecution: (r) => {
        statuses.add(r.status);
        expect(r.violations.map((v) => v.id)).toContain('lockdep.recursive');
      },
    });
    expect(statuses).toEqual(new Set(['done', 'deadlock']));
  });

  it('trylock fails while a writer holds or waits', () => {
    let sem!: RwSemaphore;
    const got: number[] = [];
    const p = defineProgram({
      name: 'trylock',
      setup(m) {
        sem = new RwSemaphore(m, 'sem');
        m.spawn('w', function* () {
          yield* down_write(sem);
          got.push(yield* down_read_trylock(sem));
          yield* downgrade_write(sem);
          got.push(yield* down_read_trylock(sem));
          yield* up_read(sem);
          yield* up_read(sem);
        });
      },
    });
    const { result } = runProgram(p);
    expect(got).toEqual([0, 1]);
    expect(result.violations).toEqual([]);
  });

  it('killable waits return -EINTR when a fatal signal arrives, and succeed otherwise', () => {
    let sem!: RwSemaphore;
    const rets: number[] = [];
    const p = defineProgram({
      name: 'killable',
      setup(m) {
        sem = new RwSemaphore(m, 'mmap_lock');
        const victim = m.spawn('victim', function* () {
          rets.push(yield* down_read_killable(sem));
          if (rets[0] === 0) yield* up_read(sem);
        });
        m.spawn('holder', function* () {
          yield* down_write(sem);
          yield m.point('kill');
          m.kill(victim);
          yield* up_write(sem);
        });
      },
    });
    // Victim first: it takes the lock before any signal (the default schedule).
    runProgram(p);
    expect(rets).toEqual([0]);
    // Across all interleavings: when the victim waits behind the writer, the kill makes it
    // return -EINTR; it never stays blocked and never deadlocks.
    rets.length = 0;
    exploreDfs(p, { onExecution: (r) => expect(r.status).toBe('done') });
    expect(new Set(rets)).toEqual(new Set([0, -4]));
  });

  it('down_write_killable and mutex_lock_killable honour fatal signals too', () => {
    const rets: number[] = [];
    const p = defineProgram({
      name: 'killable2',
      setup(m) {
        const sem = new RwSemaphore(m, 'sem');
        const mu = new Mutex(m, 'mu');
        m.spawn('holder', function* () {
          yield* down_read(sem);
          yield* mutex_lock(mu);
          m.kill(m.threads[1]!);
          yield m.point('after-kill');
        });
        m.spawn('victim', function* () {
          rets.push(yield* down_write_killable(sem));
          rets.push(yield* mutex_lock_killable(mu));
        });
      },
    });
    const { result } = runProgram(p);
    expect(rets).toEqual([-4, -4]);
    // The holder finishing with its locks held is itself reported.
    expect(result.violations.map((v) => v.id)).toContain('lockdep.held-at-exit');
  });
});

describe('spinlocks', () => {
  it('reports sleeping while a spinlock is held', () => {
    const p = defineProgram({
      name: 'sleep-in-atomic',
      setup(m) {
        const ptl = new SpinLock(m, 'ptl');
        const mu = new Mutex(m, 'mu');
        m.spawn('t', function* () {
          yield* spin_lock(ptl);
          yield* mutex_lock(mu);
          yield* mutex_unlock(mu);
          yield* spin_unlock(ptl);
        });
      },
    });
    const { result } = runProgram(p);
    const v = result.violations.find((x) => x.id === 'sched.sleep-in-atomic');
    expect(v?.message).toMatch(/mutex_lock with spinlock held \(ptl\)/);
    expect(v?.rule).toBe('kernel/sched/core.c: __might_sleep');
  });

  it('mutual exclusion holds in every interleaving', () => {
    let inside = 0;
    let max = 0;
    let lock!: SpinLock;
    const body = function* (m: Machine): Sched<void> {
      yield* spin_lock(lock);
      inside++;
      max = Math.max(max, inside);
      yield m.point('critical');
      inside--;
      yield* spin_unlock(lock);
    };
    exploreDfs(twoThreads(body, body, (m) => (lock = new SpinLock(m, 'l'))));
    expect(max).toBe(1);
  });
});

describe('step budget', () => {
  it('reports a livelock instead of hanging', () => {
    const p = defineProgram({
      name: 'spin',
      setup(m) {
        m.spawn('forever', function* () {
          for (;;) yield m.point('spin');
        });
      },
    });
    const { result } = runProgram(p, { maxSteps: 500 });
    expect(result.status).toBe('livelock');
    expect(result.violations[0]!.id).toBe('sched.livelock');
  });
});
