import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeSchedule, encodeSchedule, ScheduleSyntaxError } from '../../src/sim/index.js';

describe('schedule strings', () => {
  it('round-trips any decision list', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 40 }), { maxLength: 300 }), (ds) => {
        expect(decodeSchedule(encodeSchedule(ds))).toEqual(ds);
      }),
    );
  });

  it('compresses runs: gs1:0x3.1.2x2', () => {
    expect(encodeSchedule([0, 0, 0, 1, 2, 2])).toBe('gs1:0x3.1.2x2');
    expect(encodeSchedule([])).toBe('gs1:');
  });

  it('rejects malformed text with a typed error', () => {
    for (const bad of ['0x3', 'gs2:1', 'gs1:a', 'gs1:1x', 'gs1:1..2', 'gs1:-1', 'gs1:1x0']) {
      expect(() => decodeSchedule(bad), bad).toThrow(ScheduleSyntaxError);
    }
  });
});
