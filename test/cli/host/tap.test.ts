import { describe, expect, it } from 'vitest';
import { lastJsonLine, parseTap } from '../../../src/cli/host/tap.js';

describe('parseTap', () => {
  it('reads a plan, results, diagnostics and the final JSON line', () => {
    const r = parseTap(
      [
        '1..3',
        '# the kernel copied page 0',
        'ok 1 - first',
        'not ok 2 - second # TODO not yet',
        'ok 3 - third # SKIP no THP',
        '{"shared": 1}',
        '',
      ].join('\n'),
    );
    expect(r.planned).toBe(3);
    expect(r.diagnostics).toEqual(['the kernel copied page 0']);
    expect(r.results).toEqual([
      { ok: true, id: 1, message: 'first' },
      { ok: false, id: 2, message: 'second', directive: { kind: 'TODO', reason: 'not yet' } },
      { ok: true, id: 3, message: 'third', directive: { kind: 'SKIP', reason: 'no THP' } },
    ]);
    expect(r.json).toEqual({ shared: 1 });
    expect(r.passed).toBe(true); // a failing TODO does not fail the run
  });

  it('fails on a failed check, an unmet plan, a missing plan or a bail-out', () => {
    expect(parseTap('1..2\nok 1 - a\nnot ok 2 - b\n').problems).toEqual(['not ok 2 - b']);
    expect(parseTap('1..2\nok 1 - a\n').problems).toEqual(['planned 2 checks, ran 1']);
    expect(parseTap('ok 1 - a\n').problems).toEqual(['no plan line (1..N)']);
    const bail = parseTap('1..1\nBail out! mmap: Cannot allocate memory\n');
    expect(bail.bailOut).toBe('mmap: Cannot allocate memory');
    expect(bail.passed).toBe(false);
  });

  it('reads a skip-all plan as a pass with its reason', () => {
    const r = parseTap('1..0 # SKIP io_uring_setup: Operation not permitted\n');
    expect(r.skipAll).toBe('io_uring_setup: Operation not permitted');
    expect(r.passed).toBe(true);
  });

  it('numbers results without ids in order', () => {
    expect(parseTap('1..2\nok\nok - b\n').results.map((x) => x.id)).toEqual([1, 2]);
  });
});

describe('lastJsonLine', () => {
  it('returns the last JSON object line, ignoring other lines', () => {
    expect(lastJsonLine('{"a":1}\nnoise\n{"b":2}\n[1]\n')).toEqual({ b: 2 });
    expect(lastJsonLine('no json\n{broken\n')).toBeUndefined();
  });
});
