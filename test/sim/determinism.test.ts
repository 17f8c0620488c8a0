import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  RandomChooser,
  ReplayChooser,
  renderTraceText,
  runProgram,
  type Program,
} from '../../src/sim/index.js';
import { abba, lostUpdate } from './programs.js';

function traceText(p: Program, chooser: RandomChooser | ReplayChooser) {
  const { machine, result } = runProgram(p, { chooser });
  return {
    text: renderTraceText(
      result.trace,
      machine.threads.map((t) => t.name),
    ),
    json: JSON.stringify(result),
    result,
  };
}

describe('determinism and replay', () => {
  it('same program and schedule give a byte-identical trace (random schedules)', () => {
    const out = { value: 0 };
    fc.assert(
      fc.property(fc.integer(), fc.constantFrom(abba, lostUpdate(3, 3, out)), (seed, p) => {
        const first = traceText(p, new RandomChooser(seed));
        const again = traceText(p, new RandomChooser(seed));
        expect(again.json).toBe(first.json);
        const replayed = traceText(p, new ReplayChooser(first.result.schedule));
        expect(replayed.text).toBe(first.text);
        expect(replayed.result.violations).toEqual(first.result.violations);
        expect(replayed.result.status).toBe(first.result.status);
      }),
      { numRuns: 200 },
    );
  });

  it('the default chooser runs threads one after another and needs no decisions', () => {
    const { result } = runProgram(abba);
    expect(result.status).toBe('done');
    expect(result.schedule).toBe('gs1:');
    expect(result.preemptions).toBe(0);
  });

  it('a schedule for another program is refused, not bent to fit', () => {
    const { result } = runProgram(lostUpdate(3, 2, { value: 0 }), {
      chooser: new RandomChooser(7),
    });
    expect(() => runProgram(abba, { chooser: new ReplayChooser('gs1:2x5') })).toThrow(/thread 2/);
    expect(result.schedule.startsWith('gs1:')).toBe(true);
  });
});
