/**
 * Small generated programs for the explorer's soundness laws: a few threads of reads, writes,
 * data choices, mutex and spinlock sections (possibly nested in either order, so some
 * deadlock), sections of one rw_semaphore in every mode (read, write, killable, trylock,
 * write-then-downgrade: readers commute with each other, so they test the reader-set
 * footprint), completions, and undeclared points. A program records its final state, so tests
 * can compare the set of outcomes two strategies reach.
 */
import fc from 'fast-check';
import {
  Access,
  Completion,
  Mutex,
  RwSemaphore,
  SpinLock,
  complete,
  defineProgram,
  down_read,
  down_read_killable,
  down_read_trylock,
  down_write,
  down_write_killable,
  down_write_trylock,
  downgrade_write,
  mutex_lock,
  mutex_lock_killable,
  mutex_unlock,
  objId,
  objectSpace,
  spin_lock,
  spin_unlock,
  up_read,
  up_write,
  wait_for_completion,
  type Machine,
  type Program,
  type Sched,
  type Thread,
} from '../../src/sim/index.js';

export type Op =
  | { readonly k: 'read'; readonly v: number }
  | { readonly k: 'write'; readonly v: number }
  | { readonly k: 'update'; readonly v: number; readonly w: number }
  | { readonly k: 'choose' }
  | { readonly k: 'point' }
  | { readonly k: 'lock'; readonly lock: number; readonly body: readonly Op[] }
  | { readonly k: 'complete'; readonly c: number }
  | { readonly k: 'wait'; readonly c: number }
  /** A killable mutex section: skipped when a fatal signal interrupts the wait. */
  | { readonly k: 'killable'; readonly lock: number; readonly body: readonly Op[] }
  /** Send a fatal signal to thread t, in a step whose footprint does not mention t's wait. */
  | { readonly k: 'kill'; readonly t: number }
  /** A section under the rw_semaphore, taken in `mode` (a failed trylock or kill skips it). */
  | { readonly k: 'rw'; readonly mode: RwMode; readonly body: readonly Op[] };

export type RwMode =
  'read' | 'write' | 'read-killable' | 'write-killable' | 'read-try' | 'write-try' | 'downgrade';

const RW_MODES: readonly RwMode[] = [
  'read',
  'write',
  'read-killable',
  'write-killable',
  'read-try',
  'write-try',
  'downgrade',
];

export interface Spec {
  readonly threads: readonly (readonly Op[])[];
  /** Lock i is a spinlock when spin[i], else a mutex. */
  readonly spin: readonly boolean[];
}

const VARS = 2;
const LOCKS = 2;
const COMPLETIONS = 1;
const SPACE = objectSpace('test.gen');

const leaf: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ k: fc.constant('read' as const), v: fc.nat(VARS - 1) }) },
  { weight: 4, arbitrary: fc.record({ k: fc.constant('write' as const), v: fc.nat(VARS - 1) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      k: fc.constant('update' as const),
      v: fc.nat(VARS - 1),
      w: fc.nat(VARS - 1),
    }),
  },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('choose' as const) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('point' as const) }) },
  {
    weight: 1,
    arbitrary: fc.record({ k: fc.constant('complete' as const), c: fc.nat(COMPLETIONS - 1) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ k: fc.constant('wait' as const), c: fc.nat(COMPLETIONS - 1) }),
  },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('kill' as const), t: fc.nat(2) }) },
);

const inner: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: leaf },
  {
    weight: 1,
    arbitrary: fc.record({
      k: fc.constant('lock' as const),
      lock: fc.nat(LOCKS - 1),
      body: fc.array(leaf, { maxLength: 1 }),
    }),
  },
);

const rw: fc.Arbitrary<Op> = fc.record({
  k: fc.constant('rw' as const),
  mode: fc.constantFrom(...RW_MODES),
  body: fc.array(leaf, { maxLength: 2 }),
});

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: leaf },
  { weight: 2, arbitrary: rw },
  {
    weight: 1,
    arbitrary: fc.record({
      k: fc.constant('killable' as const),
      lock: fc.nat(LOCKS - 1),
      body: fc.array(leaf, { maxLength: 1 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      k: fc.constant('lock' as const),
      lock: fc.nat(LOCKS - 1),
      body: fc.array(inner, { maxLength: 2 }),
    }),
  },
);

/** Programs of 2 or 3 threads, small enough for plain DFS to run in milliseconds. */
export const specs: fc.Arbitrary<Spec> = fc.record({
  threads: fc.oneof(
    fc.array(fc.array(op, { minLength: 1, maxLength: 3 }), { minLength: 2, maxLength: 2 }),
    fc.array(fc.array(op, { minLength: 1, maxLength: 2 }), { minLength: 3, maxLength: 3 }),
  ),
  spin: fc.array(fc.boolean(), { minLength: LOCKS, maxLength: LOCKS }),
});

/** Programs of 2 or 3 threads made mostly of rw_semaphore sections (readers that commute). */
export const rwSpecs: fc.Arbitrary<Spec> = fc.record({
  threads: fc.oneof(
    fc.array(
      fc.array(fc.oneof({ weight: 3, arbitrary: rw }, { weight: 1, arbitrary: leaf }), {
        minLength: 1,
        maxLength: 3,
      }),
      {
        minLength: 2,
        maxLength: 2,
      },
    ),
    fc.array(
      fc.array(fc.oneof({ weight: 3, arbitrary: rw }, { weight: 1, arbitrary: leaf }), {
        minLength: 1,
        maxLength: 2,
      }),
      {
        minLength: 3,
        maxLength: 3,
      },
    ),
  ),
  spin: fc.array(fc.boolean(), { minLength: LOCKS, maxLength: LOCKS }),
});

/** Reads the final state of the latest run of a generated program. */
export interface Outcome {
  read: () => string;
}

/** The program of a spec; after each run, `out.read()` describes the state it ended in. */
export function programOf(spec: Spec, out: Outcome = { read: () => '' }): Program {
  return defineProgram({
    name: 'generated',
    expect: { violations: 'any' },
    setup(m: Machine) {
      const vars = new Array<number>(VARS).fill(0);
      const locals = spec.threads.map(() => 0);
      const locks = spec.spin.map((s, i) => (s ? new SpinLock(m, `s${i}`) : new Mutex(m, `m${i}`)));
      const comps = Array.from({ length: COMPLETIONS }, (_, i) => new Completion(m, `c${i}`));
      const sem = new RwSemaphore(m, 'sem');
      const ids = vars.map((_, i) => objId(SPACE, i));
      const threads: Thread[] = [];
      const ctx: Ctx = { m, vars, locals, locks, comps, sem, ids, threads };
      spec.threads.forEach((ops, t) => threads.push(m.spawn(`t${t}`, () => runOps(ctx, t, ops))));
      out.read = () => `${vars.join(',')}/${locals.join(',')}`;
    },
  });
}

interface Ctx {
  readonly m: Machine;
  readonly vars: number[];
  readonly locals: number[];
  readonly locks: readonly (Mutex | SpinLock)[];
  readonly comps: readonly Completion[];
  readonly sem: RwSemaphore;
  readonly ids: readonly number[];
  readonly threads: readonly Thread[];
}

function* runOps(c: Ctx, t: number, ops: readonly Op[]): Sched<void> {
  for (const o of ops) yield* runOp(c, t, o);
}

function* runOp(c: Ctx, t: number, o: Op): Sched<void> {
  const { m, vars, locals } = c;
  switch (o.k) {
    case 'read':
      yield m.at('read', c.ids[o.v]!, Access.Read);
      locals[t] = (locals[t]! * 7 + vars[o.v]! + 1) % 1000;
      return;
    case 'write':
      yield m.at('write', c.ids[o.v]!, Access.Write);
      vars[o.v] = (locals[t]! + t + 1) % 100;
      return;
    case 'update':
      yield m.at('update', c.ids[o.v]!, Access.Read).also(c.ids[o.w]!, Access.Write);
      vars[o.w] = (vars[o.v]! * 3 + t + 1) % 100;
      return;
    case 'choose':
      locals[t] = locals[t]! * 2 + m.choose(2, 'coin');
      return;
    case 'point':
      yield m.point('point');
      vars[0] = (vars[0]! + vars[1]! + t) % 100;
      return;
    case 'lock':
      yield* lock(c, o.lock);
      yield* runOps(c, t, o.body);
      yield* unlock(c, o.lock);
      return;
    case 'complete':
      yield* complete(c.comps[o.c]!);
      return;
    case 'wait':
      yield* wait_for_completion(c.comps[o.c]!);
      return;
    case 'killable': {
      const l = c.locks[o.lock]!;
      if (!(l instanceof Mutex))
        return yield* runOp(c, t, { k: 'lock', lock: o.lock, body: o.body });
      if ((yield* mutex_lock_killable(l)) !== 0) {
        locals[t] = locals[t]! + 500;
        return;
      }
      yield* runOps(c, t, o.body);
      yield* mutex_unlock(l);
      return;
    }
    case 'rw':
      yield* rwSection(c, t, o.mode, o.body);
      return;
    case 'kill': {
      const target = c.threads[o.t % c.threads.length]!;
      yield m.at('kill', objId(SPACE, 100 + t), Access.Write);
      if (target.id !== t) m.kill(target);
      return;
    }
  }
}

function* lock(c: Ctx, i: number): Sched<void> {
  const l = c.locks[i]!;
  if (l instanceof SpinLock) yield* spin_lock(l);
  else yield* mutex_lock(l);
}

function* unlock(c: Ctx, i: number): Sched<void> {
  const l = c.locks[i]!;
  if (l instanceof SpinLock) yield* spin_unlock(l);
  else yield* mutex_unlock(l);
}

/** A section under the rw_semaphore; a section not entered marks the thread's local state. */
function* rwSection(c: Ctx, t: number, mode: RwMode, body: readonly Op[]): Sched<void> {
  const sem = c.sem;
  let read = true;
  let ok = true;
  switch (mode) {
    case 'read':
      yield* down_read(sem);
      break;
    case 'write':
      read = false;
      yield* down_write(sem);
      break;
    case 'read-killable':
      ok = (yield* down_read_killable(sem)) === 0;
      break;
    case 'write-killable':
      read = false;
      ok = (yield* down_write_killable(sem)) === 0;
      break;
    case 'read-try':
      ok = (yield* down_read_trylock(sem)) === 1;
      break;
    case 'write-try':
      read = false;
      ok = (yield* down_write_trylock(sem)) === 1;
      break;
    case 'downgrade':
      yield* down_write(sem);
      yield* runOps(c, t, body.slice(0, 1));
      yield* downgrade_write(sem);
      body = body.slice(1);
      break;
  }
  if (!ok) {
    c.locals[t] = c.locals[t]! + 300;
    return;
  }
  yield* runOps(c, t, body);
  if (read) yield* up_read(sem);
  else yield* up_write(sem);
}
