// gupsim explain's story of a run: each step under a heading with its line, the decisions of the
// kernel under it with the rule behind each, and the verdict with its reasons.
import { describe, expect, it } from 'vitest';
import { narrate } from '../../../src/scenario/interp/narrative.js';
import type { TraceEvent } from '../../../src/sim/trace.js';
import { run, scenario } from './helpers.js';

const ABBA = `scenario: abba
description: opposite orders
processes: [p, q]
threads:
  t1:
    process: p
    steps:
      - mmap_write_lock: {}
      - mmap_write_lock: { process: q }
      - mmap_write_unlock: { process: q }
      - mmap_write_unlock: {}
  t2:
    process: q
    steps:
      - mmap_write_lock: {}
      - mmap_write_lock: { process: p }
      - mmap_write_unlock: { process: p }
      - mmap_write_unlock: {}
expect: { violations: [lockdep.recursive] }
`;

function story(schedule: string): string[] {
  const p = scenario(ABBA);
  const r = run(p, schedule);
  return narrate({
    name: p.name,
    description: p.description,
    result: r.result,
    threadNames: p.threadNames,
    report: r.report,
    verdict: r.verdict,
  }).map((l) => l.text);
}

describe('narrate', () => {
  it('tells a deadlock: steps, the rules of the reports, who waits for whom, the verdict', () => {
    const lines = story('gs1:0x3.1');
    expect(lines[0]).toBe('abba: opposite orders');
    expect(lines).toContain('t1, step 1 (line 8): mmap_write_lock {}');
    expect(lines).toContain('-- t2 runs; t1 is preempted --');
    expect(lines).toContain('t2, step 2 (line 16): mmap_write_lock { process: p }');
    expect(lines).toContain('      rule: kernel/locking/lockdep.c: check_deadlock');
    expect(lines).toContain('    t2 waits for mm1->mmap_lock (write), held by [t1]');
    expect(lines).toContain('at the end of the run:');
    expect(lines).toContain('verdict: FAIL (deadlock), because:');
  });

  it('tells a passing run with each step result and the verdict', () => {
    const lines = story('gs1:');
    expect(lines).toContain('  => returned 0');
    expect(lines.at(-1)).toBe(
      'verdict: PASS: no expectations; the checkers reported what the scenario expects (lockdep.recursive)',
    );
  });

  it('shows an event kind it does not know, with its function and its rule', () => {
    const p = scenario(ABBA);
    const r = run(p);
    const extra: TraceEvent = {
      seq: 999,
      step: 1,
      thread: 0,
      kind: 'note',
      fn: undefined,
      args: { text: 'x' },
    };
    const odd = {
      ...extra,
      kind: 'gup.new-kind',
      fn: 'mm/gup.c: f',
      args: { addr: 4096, rule: 'why not' },
    };
    const result = {
      ...r.result,
      trace: [...r.result.trace.slice(0, 5), odd as unknown as TraceEvent],
    };
    const lines = narrate({
      name: 'x',
      result,
      threadNames: p.threadNames,
      verdict: r.verdict,
    }).map((l) => l.text);
    expect(lines).toContain('    gup.new-kind: addr=0x1000  (mm/gup.c: f)');
    expect(lines).toContain('      rule: why not');
  });
});
