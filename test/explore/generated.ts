/**
 * Small generated programs for the explorer's soundness laws: a few threads of reads, writes,
 * data choices, mutex and spinlock sections (possibly nested in either order, so some
 * deadlock), completions, and undeclared points. A program records its final state, so tests
 * can compare the set of outcomes two strategies reach.
 */
import fc from 'fast-check';
import {
  Access,
  Completion,
  Mutex,
  SpinLock,
  complete,
  defineProgram,
  mutex_lock,
  mutex_lock_killable,
  mutex_unlock,
  objId,
  objectSpace,
  spin_lock,
  spin_unlock,
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
  | { readonly k: 'kill'; readonly t: number };

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

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: leaf },
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
      const ids = vars.map((_, i) => objId(SPACE, i));
      const threads: Thread[] = [];
      const ctx: Ctx = { m, vars, locals, locks, comps, ids, threads };
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
