import { describe, expect, it } from 'vitest';
import { comparisonTable, formatSideBySide, pairFigures, ratio } from '../../bench/compare.js';
import type { BenchResult } from '../../bench/result.js';

const host = (key: string, value: number, unit = 'ns/4KiB page'): BenchResult => ({
  name: `host: ${key}`,
  value,
  unit,
  compare: { key, side: 'host' },
});

describe('gupsim beside the host', () => {
  it('pairs figures by key and unit and divides gupsim by host', () => {
    const rows: BenchResult[] = [
      host('anon-write-fault.small', 2000),
      { name: 'engine', value: 7.5e6, unit: 'switches/s' }, // not compared
      {
        ...host('anon-write-fault.small', 500),
        compare: { key: 'anon-write-fault.small', side: 'gupsim' },
      },
      host('fork-1g.small', 17, 'ms'),
    ];
    const pairs = pairFigures(rows);
    expect(pairs).toEqual([
      { key: 'anon-write-fault.small', unit: 'ns/4KiB page', host: 2000, gupsim: 500 },
      { key: 'fork-1g.small', unit: 'ms', host: 17 },
    ]);
    expect(ratio(pairs[0]!)).toBe(0.25);
    expect(ratio(pairs[1]!)).toBeUndefined(); // the model has no figure yet
    expect(formatSideBySide(pairs[0]!)).toMatch(
      /anon-write-fault\.small\s+ns\/4KiB page\s+500\.0\s+2\.0k\s+0\.25x/,
    );
    expect(formatSideBySide(pairs[1]!)).toMatch(/fork-1g\.small\s+ms\s+-\s+17\.0\s+-$/);
  });

  it('leaves a skipped figure unmeasured, and prints nothing when nothing is compared', () => {
    const skipped: BenchResult = { ...host('longterm-pin.thp', NaN), skipped: 'THP disabled' };
    expect(pairFigures([skipped])).toEqual([{ key: 'longterm-pin.thp', unit: 'ns/4KiB page' }]);
    expect(comparisonTable([{ name: 'engine', value: 1, unit: 'x' }])).toEqual([]);
  });
});
