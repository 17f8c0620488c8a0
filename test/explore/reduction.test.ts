/**
 * How much DPOR saves, as behaviour: on independent threads it explores a handful of executions
 * where plain DFS would run C(22,11) = 705,432, and on a racy counter it completes exactly one
 * execution per Mazurkiewicz trace (counted here by a separate, naive enumeration).
 */
import { describe, expect, it } from 'vitest';
import { runInOrder } from '../../src/explore/explore.js';
import { planExploration } from '../../src/explore/plan.js';
import {
  Access,
  conflicts,
  defineProgram,
  objId,
  objectSpace,
  runProgram,
  type Chooser,
  type Program,
  type StepView,
  type Thread,
  type ThreadDecision,
} from '../../src/sim/index.js';
import { lostUpdate } from '../sim/programs.js';

const CELL = objectSpace('test.private');

/** Two threads, ten steps each, each on its own object. */
const independent = defineProgram({
  name: 'independent',
  setup(m) {
    for (let t = 0; t < 2; t++) {
      m.spawn(`t${t}`, function* () {
        for (let i = 0; i < 10; i++) yield m.at('step', objId(CELL, t), Access.Write);
      });
    }
  },
});

function dpor(p: Program): { executions: number; completed: number; complete: boolean } {
  let executions = 0;
  let completed = 0;
  const plan = planExploration(p, { strategy: 'dpor', maxExecutions: Infinity, seed: 0 });
  const results = runInOrder(p, plan, {
    keepGoing: true,
    onExecution: (r) => {
      executions++;
      if (r !== null) completed++;
    },
  });
  return { executions, completed, complete: results.every((r) => r.complete) };
}

interface Event {
  readonly id: string;
  readonly fp: readonly (readonly [number, number])[];
}

/** Plain DFS that records every step's thread and footprint. */
class Recording implements Chooser {
  readonly taken: number[] = [];
  readonly options: number[] = [];
  readonly events: Event[] = [];
  private readonly seq = new Map<number, number>();
  constructor(private readonly prefix: readonly number[]) {}
  pickThread(d: ThreadDecision): number {
    const k = this.prefix[this.taken.length] ?? 0;
    this.taken.push(k);
    this.options.push(d.count);
    return d.enabled[k]!;
  }
  pickValue(): number {
    return 0;
  }
  beforeStep(t: Thread, _s: StepView): void {
    const n = (this.seq.get(t.id) ?? 0) + 1;
    this.seq.set(t.id, n);
    const fp: [number, number][] = [];
    for (let i = 0; i < t.fpCount; i++) fp.push([t.fpObj[i]!, t.fpAcc[i]!]);
    this.events.push({ id: `${t.id}.${n}`, fp });
  }
}

/** The trace of an execution: the ordered pairs of its dependent steps of different threads. */
function traceOf(events: readonly Event[]): string {
  const pairs: string[] = [];
  for (let i = 0; i < events.length; i++) {
    for (let j = i + 1; j < events.length; j++) {
      const a = events[i]!;
      const b = events[j]!;
      if (a.id.split('.')[0] === b.id.split('.')[0]) continue;
      const dep = a.fp.some(([o, x]) => b.fp.some(([p, y]) => conflicts(o, x, p, y)));
      if (dep) pairs.push(`${a.id}<${b.id}`);
    }
  }
  return pairs.sort().join(' ');
}

/** Mazurkiewicz traces of a program without data choices, by enumerating every schedule. */
function countTraces(p: Program): number {
  const traces = new Set<string>();
  let prefix: number[] = [];
  for (;;) {
    const c = new Recording(prefix);
    runProgram(p, { chooser: c, trace: false });
    traces.add(traceOf(c.events));
    let i = c.taken.length - 1;
    while (i >= 0 && c.taken[i]! + 1 >= c.options[i]!) i--;
    if (i < 0) return traces.size;
    prefix = [...c.taken.slice(0, i), c.taken[i]! + 1];
  }
}

describe('partial-order reduction', () => {
  it('explores independent threads in a handful of executions', () => {
    const r = dpor(independent);
    expect(r.complete).toBe(true);
    // Starting a thread touches everything, so only the starts' positions matter: 22 traces.
    expect(r.completed).toBe(22);
    expect(r.executions).toBeLessThan(100);
  });

  it('completes one execution per Mazurkiewicz trace of a racy counter', () => {
    for (const [threads, rounds] of [
      [2, 2],
      [2, 3],
    ] as const) {
      const p = lostUpdate(threads, rounds, { value: 0 });
      expect(dpor(p).completed).toBe(countTraces(p));
    }
  });
});
