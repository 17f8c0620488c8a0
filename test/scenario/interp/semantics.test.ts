// What a scenario means when it runs: steps in order, threads interleaving between steps,
// names bound once and read by any thread, one-shot events, repeat, expectations that fail the
// execution while the thread goes on, and the end expectation on checker reports.
import { describe, expect, it } from 'vitest';
import { everyInterleaving, run, scenario, steps } from './helpers.js';

describe('expectations in a thread', () => {
  it('record thread, step, outcome and message; a failed one fails the run and the thread goes on', () => {
    const p = scenario(
      steps(
        'mmap_read_lock: { as: r }',
        'expect: { value: r, equals: 0 }',
        'expect: { value: r.ret, equals: -EFAULT }',
        'mmap_read_unlock: {}', // still runs after the failed expectation
      ),
    );
    const { report, verdict, result } = run(p);
    expect(report.expectations).toEqual([
      { thread: 'main', step: 2, ok: true, message: 'r == 0', where: 't.yaml:6:9' },
      {
        thread: 'main',
        step: 3,
        ok: false,
        message: 'r.ret == -EFAULT is false: r.ret is 0',
        where: 't.yaml:7:9',
      },
    ]);
    expect(verdict.pass).toBe(false);
    expect(result.violations).toEqual([]); // the unlock ran: no lock held at exit
  });

  it('compare errnos, lists and processes by value', () => {
    const p = scenario(
      [
        'scenario: t',
        'processes: [a, b]',
        'threads:',
        '  main:',
        '    steps:',
        '      - expect: { value: -14, equals: -EFAULT }',
        '      - expect: { value: [1, 1], equals: 1 }',
        '      - expect: { value: [1, 2], equals: [1, 2] }',
        '      - expect: { value: b, equals: 2 }',
        '      - expect: { value: 0x1000, equals: 4KiB }',
        '',
      ].join('\n'),
    );
    const { report, verdict } = run(p);
    expect(report.expectations.map((e) => e.ok)).toEqual([true, true, true, true, true]);
    expect(verdict.pass).toBe(true);
  });
});

describe('repeat', () => {
  it('runs its body `times` times, each expectation tagged with its iteration', () => {
    const p = scenario(
      steps('repeat: { times: 3, steps: [ { expect: { value: 1, equals: 1 } } ] }'),
    );
    const { report } = run(p);
    expect(report.expectations.map((e) => [e.step, e.path, e.iteration])).toEqual([
      [1, [1, 1], [1]],
      [1, [1, 1], [2]],
      [1, [1, 1], [3]],
    ]);
  });

  it('nests, counting the iterations of each level', () => {
    const inner = '{ repeat: { times: 2, steps: [ { expect: { value: 1, equals: 1 } } ] } }';
    const p = scenario(steps(`repeat: { times: 2, steps: [ ${inner} ] }`));
    const its = run(p).report.expectations.map((e) => e.iteration);
    expect(its).toEqual([
      [1, 1],
      [1, 2],
      [2, 1],
      [2, 2],
    ]);
  });
});

const ORDERED = `scenario: t
threads:
  a:
    steps:
      - mmap_read_lock: { as: r }
      - mmap_read_unlock: {}
      - signal: bound
  b:
    steps:
      - wait: bound
      - expect: { value: r, equals: 0 }
`;

describe('signal and wait', () => {
  it('order two threads in every interleaving: the name is always bound in time', () => {
    const p = scenario(ORDERED);
    const all = everyInterleaving(p);
    expect(all.failing).toEqual([]);
    expect(all.executions).toBeGreaterThan(1);
  });

  it('let a waiter through at once when the event was signalled before', () => {
    const p = scenario(steps('signal: e', 'wait: e', 'wait: e'));
    const { result } = run(p);
    expect(result.status).toBe('done');
  });

  it('are signalled by a thread whose earlier expectation failed: the thread goes on', () => {
    const text = `scenario: t
threads:
  a: { steps: [ { wait: go } ] }
  b: { steps: [ { expect: { value: 1, equals: 2 } }, { signal: go } ] }
`;
    expect(run(scenario(text)).result.status).toBe('done');
  });
});

describe('a name bound by another thread', () => {
  const RACY = ORDERED.replace('      - wait: bound\n', '');

  it('is a runtime input error (GS160) at the name, when the binder has not run yet', () => {
    const p = scenario(RACY);
    const { report, verdict } = run(p, 'gs1:1'); // b first
    expect(report.error?.code).toBe('GS160');
    expect(report.error?.where).toBe('t.yaml:10:26');
    expect(report.error?.problem).toBe(
      "'r' is not bound yet when thread 'b' runs expect; it is bound by mmap_read_lock in thread 'a' (line 5)",
    );
    expect(verdict.pass).toBe(false);
  });

  it('is found by exploring, and only in the interleavings that reach it', () => {
    const all = everyInterleaving(scenario(RACY));
    expect(all.failing.length).toBeGreaterThan(0);
    expect(all.failing.length).toBeLessThan(all.executions);
  });
});

describe('the end expectation', () => {
  const RECURSIVE = steps(
    'mmap_read_lock: {}',
    'mmap_read_lock: {}',
    'mmap_read_unlock: {}',
    'mmap_read_unlock: {}',
  );

  it('none: any report fails the run', () => {
    const { verdict, result } = run(scenario(RECURSIVE));
    expect(result.violations.map((v) => v.id)).toEqual(['lockdep.recursive']);
    expect(verdict.pass).toBe(false);
  });

  it('a list: exactly those ids must be reported', () => {
    const p = scenario(`${RECURSIVE}expect: { violations: [lockdep.recursive] }\n`);
    expect(run(p).verdict.pass).toBe(true);
    expect(p.expect?.violations).toEqual(['lockdep.recursive']);
  });

  it('any: reports are listed but do not fail the run', () => {
    const p = scenario(`${RECURSIVE}expect: { violations: any }\n`);
    expect(run(p).verdict.pass).toBe(true);
  });

  it('explore: fail marks a bug demonstration (Program.expectation)', () => {
    const p = scenario(`${RECURSIVE}expect: { violations: any, explore: fail }\n`);
    expect(p.expectation).toBe('fail');
    expect(scenario(RECURSIVE).expectation).toBe('pass');
  });

  it('places each report in the scenario step it was found in', () => {
    const { report } = run(scenario(RECURSIVE));
    expect(report.violationSteps).toEqual(['main step 2 (t.yaml:6:9)']);
  });
});

describe('processes', () => {
  it('are created at start, bound by name, and a step may act in another one', () => {
    const p = scenario(`scenario: t
processes: [p, q]
threads:
  main:
    steps:
      - mmap_write_lock: { process: q }
      - mmap_write_unlock: { process: q }
`);
    const { result, report, verdict } = run(p);
    expect(report.results).toEqual({ p: 'pid 1', q: 'pid 2' });
    expect(
      result.trace.some((e) => e.kind === 'lock.acquire' && JSON.stringify(e.args).includes('mm2')),
    ).toBe(true);
    expect(verdict.pass).toBe(true);
  });
});
