/**
 * Comparing the two sides: expectations matched by thread, step and occurrence; bound values
 * compared where they mean the same on both sides (contents and counts exactly, handles by
 * success or errno, a partial io_uring pin as -EFAULT).
 */
import { describe, expect, it } from 'vitest';
import { compareSides } from '../../src/cli/oracle/compare.js';
import type { GupsimSide } from '../../src/cli/oracle/gupsim.js';
import { hostExpectations, type HostRun } from '../../src/cli/oracle/host.js';
import { knownFor } from '../../src/cli/oracle/known.js';
import { spec } from './helpers.js';

const S = spec(`scenario: t
threads:
  main:
    steps:
      - mmap: { as: buf, length: 8KiB, prot: [PROT_READ, PROT_WRITE], flags: [MAP_PRIVATE, MAP_ANONYMOUS] }
      - pin_user_pages_fast: { as: p, start: buf, nr_pages: 2, gup_flags: [FOLL_WRITE, FOLL_LONGTERM] }
      - read: { as: v, addr: buf, length: 8KiB }
      - expect: { value: v, equals: 0 }
      - repeat: { times: 2, steps: [ { expect: { value: 1, equals: 1 } } ] }\n`);

function gupsim(results: GupsimSide['results'], oks: boolean[]): GupsimSide {
  const records = [
    { thread: 'main', step: 4, ok: oks[0]!, message: 'v == 0', where: 't:1:1' },
    {
      thread: 'main',
      step: 5,
      path: [5, 1],
      iteration: [1],
      ok: oks[1]!,
      message: '1 == 1',
      where: '',
    },
    {
      thread: 'main',
      step: 5,
      path: [5, 1],
      iteration: [2],
      ok: oks[2]!,
      message: '1 == 1',
      where: '',
    },
  ];
  return {
    verdict: 'pass',
    status: 'done',
    results,
    expectations: records,
    violations: [],
    schedule: 'gs1:',
    order: { problem: 'unused' },
  };
}

function host(stdout: string, bound: Record<string, unknown>): HostRun {
  return {
    end: 'passed',
    summary: '',
    expectations: hostExpectations(stdout),
    bound,
    transcript: stdout,
  };
}

const TAP = `# expect main:4 (line 8)
ok 1 - v == 0
# expect main:5.1 (line 9)
ok 2 - 1 == 1
# expect main:5.1 (line 9)
not ok 3 - 1 == 1
1..3
`;

describe('comparing gupsim with the host', () => {
  it('agrees when expectations and comparable values agree, whatever the addresses', () => {
    const g = gupsim({ buf: '0x7f0000000000', 'p.ret': 2, v: 0, 'v.ret': 0 }, [true, true, false]);
    const h = host(TAP, {
      buf: '0x7ffd12340000',
      'buf.ret': 140000,
      'p.ret': 2,
      v: [0, 0],
      'v.ret': 0,
    });
    const c = compareSides(S, g, h);
    expect(c.differences).toEqual([]);
    expect(c.compared).toBe(3 + 4);
  });

  it('shows both sides of each difference, per occurrence of a repeated expectation', () => {
    const g = gupsim({ buf: -12, 'p.ret': 1, v: [0, 5], 'v.ret': 0 }, [true, true, true]);
    const h = host(TAP, { buf: '0x7ffd12340000', 'buf.ret': 140000, 'p.ret': 2, v: 0, 'v.ret': 0 });
    expect(compareSides(S, g, h).differences).toEqual([
      { what: 'expect main:5.1 #2: 1 == 1', gupsim: 'held', host: 'failed' },
      { what: 'buf.ret (success or errno)', gupsim: '-ENOMEM', host: 'ok' },
      // io_uring's pin is all or nothing: a partial pin of 1 of 2 pages is -EFAULT there
      { what: 'p.ret', gupsim: '-EFAULT', host: '2' },
      { what: 'v', gupsim: '[0, 5]', host: '0' },
    ]);
  });

  it('an expectation the host could not observe is listed, not compared', () => {
    const g = gupsim({ 'p.ret': 2, v: 0, 'v.ret': 0 }, [true, true, true]);
    const tap = TAP.replace('ok 1 - v == 0', 'ok 1 - v == 0 # SKIP a page is swapped out').replace(
      'not ok 3',
      'ok 3',
    );
    const c = compareSides(S, g, host(tap, { 'p.ret': 2, v: 0, 'v.ret': 0 }));
    expect(c.differences).toEqual([]);
    expect(c.unobservable).toEqual(['expect main:4 (v == 0): a page is swapped out']);
  });

  it('a known divergence covers the differences it names', () => {
    const known = [
      { scenario: 't', kind: 'simplification' as const, reason: 'r', differences: ['v'] },
    ];
    expect(knownFor(known, 't', [{ what: 'v', gupsim: '1', host: '2' }])).toBe(known[0]);
    expect(knownFor(known, 't', [{ what: 'p.ret', gupsim: '1', host: '2' }])).toBeUndefined();
    expect(knownFor(known, 'u', [{ what: 'v', gupsim: '1', host: '2' }])).toBeUndefined();
  });
});
