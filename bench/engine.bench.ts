/**
 * Engine benchmark: scheduling throughput (thread switches per second). Two threads take steps
 * that touch one object each, and a chooser that alternates makes every step a switch.
 * Target (issue 2): at least 5 million switches per second on a 2-core machine.
 */
import {
  Access,
  Machine,
  objId,
  objectSpace,
  type Chooser,
  type ThreadDecision,
} from '../src/sim/index.js';
import type { BenchResult } from './result.js';

const SPACE = objectSpace('bench.cell');

class Alternate implements Chooser {
  pickThread(d: ThreadDecision): number {
    for (let i = 0; i < d.count; i++) if (d.enabled[i] !== d.current) return d.enabled[i]!;
    return d.enabled[0]!;
  }
  pickValue(): number {
    return 0;
  }
}

function once(stepsPerThread: number): { switches: number; ms: number } {
  const m = new Machine({ trace: false, chooser: new Alternate(), maxSteps: Infinity });
  for (let t = 0; t < 2; t++) {
    const id = objId(SPACE, t);
    m.spawn(`t${t}`, function* () {
      for (let i = 0; i < stepsPerThread; i++) yield m.at('step', id, Access.Write);
    });
  }
  const t0 = performance.now();
  const r = m.run();
  return { switches: r.switches, ms: performance.now() - t0 };
}

export function runEngineBench(): BenchResult[] {
  once(100_000); // warm up
  let best = 0;
  for (let i = 0; i < 5; i++) {
    const { switches, ms } = once(2_000_000);
    best = Math.max(best, switches / (ms / 1000));
  }
  return [
    {
      name: 'engine: thread switches per second',
      value: best,
      unit: 'switches/s',
      target: 5_000_000,
      higherIsBetter: true,
    },
  ];
}
