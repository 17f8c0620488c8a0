// GUP-fast (mm/gup.c: gup_fast, gup_fast_fallback): what the lockless walk takes, where it stops
// and hands over to the slow path, and FOLL_PIN against a concurrent fork (write_protect_seq),
// explored over every interleaving.
import { describe, expect, it } from 'vitest';
import { FOLL_WRITE } from '../../../src/kernel/include/gup_flags.js';
import * as gup from '../../../src/kernel/mm/gup.js';
import type { RunResult } from '../../../src/sim/machine.js';
import { explore } from '../../../src/explore/explore.js';
import { run as runScenario, scenario, steps } from '../../scenario/interp/helpers.js';
import { BASE, PAGE, anonVma, boot, ids, mapped, run, touch } from './harness.js';

function bails(r: RunResult): string[] {
  return r.trace
    .filter((e) => e.kind === 'gup.fast-bail')
    .map((e) => (e.args as { reason: string }).reason);
}

describe('GUP-fast', () => {
  it('takes prefaulted pages lock-free, and hands the rest to the slow path (E1)', () => {
    const w = boot();
    anonVma(w, BASE, 4 * PAGE);
    const pages = new Int32Array(4);
    let ret = 0;
    const r = run(w, function* () {
      yield* touch(w, BASE, 2 * PAGE);
      ret = yield* gup.pin_user_pages_fast(w.k, BASE, 4, FOLL_WRITE, pages);
      gup.unpin_user_pages(w.k, pages, ret);
    });
    expect(ret).toBe(4);
    expect(ids(r)).toEqual([]);
    expect(bails(r)[0]).toContain('not present');
    const fb = r.trace.find((e) => e.kind === 'gup.fast-fallback')?.args as { nr_pinned: number };
    expect(fb.nr_pinned).toBe(2);
  });

  it('never returns the zero page: its PTE is special, the slow path returns it', () => {
    const w = boot();
    anonVma(w, BASE, PAGE);
    const pages = new Int32Array(1);
    const r = run(w, function* () {
      yield* touch(w, BASE, PAGE, false); // maps the zero page
      expect(yield* gup.pin_user_pages_fast(w.k, BASE, 1, 0, pages)).toBe(1);
      gup.unpin_user_pages(w.k, pages, 1);
    });
    expect(pages[0]).toBe(w.k.mem.zero_pfn);
    expect(bails(r)[0]).toContain('special');
    expect(ids(r)).toEqual([]);
  });

  it('get_user_pages_fast_only returns what the walk got, and never falls back', () => {
    const w = boot();
    anonVma(w, BASE, 4 * PAGE);
    const pages = new Int32Array(4);
    let ret = -1;
    const r = run(w, function* () {
      yield* touch(w, BASE, 2 * PAGE);
      ret = yield* gup.get_user_pages_fast_only(w.k, BASE, 4, 0, pages);
      for (let i = 0; i < ret; i++) gup.put_page(w.k, pages[i]!);
    });
    expect(ret).toBe(2);
    expect(r.trace.some((e) => e.kind === 'gup.fast-fallback')).toBe(false);
    expect(mapped(w, BASE + 2 * PAGE)).toBe(-1); // not faulted in
    expect(ids(r)).toEqual([]);
  });

  it('a write pin of a read-only PTE falls back and takes a write fault', () => {
    const w = boot();
    anonVma(w, BASE, PAGE);
    const pages = new Int32Array(1);
    const r = run(w, function* () {
      yield* touch(w, BASE, PAGE, false); // zero page, read-only
      expect(yield* gup.pin_user_pages_fast(w.k, BASE, 1, FOLL_WRITE, pages)).toBe(1);
      gup.unpin_user_pages(w.k, pages, 1);
    });
    expect(bails(r)[0]).toContain('write to a read-only PTE');
    expect(pages[0]).not.toBe(w.k.mem.zero_pfn);
    expect(ids(r)).toEqual([]);
  });

  it('a read pin of a page shared after fork bails (needs unsharing); the slow path unshares (C1)', () => {
    const r = runScenario(
      scenario(
        steps(
          'mmap: { as: buf, length: 4KiB, prot: [PROT_READ, PROT_WRITE], flags: [MAP_PRIVATE, MAP_ANONYMOUS] }',
          'memset: { addr: buf, length: 4KiB, value: 0x01 }',
          'fork: { as: child }',
          'pin_user_pages_fast: { as: p, start: buf, nr_pages: 1 }',
          'expect: { value: p.ret, equals: 1 }',
          'memset: { addr: buf, length: 4KiB, value: 0x02 }',
          'expect: { pages: p, contents: 0x02 }',
          'expect: { process: child, memory: buf, length: 4KiB, contents: 0x01 }',
          'unpin_user_pages: { pages: p }',
          'exit: { process: child }',
        ),
      ),
    );
    expect(r.verdict.reasons).toEqual([]);
    expect(bails(r.result).some((b) => b.includes('unshared first'))).toBe(true);
    expect(r.result.trace.some((e) => e.kind === 'gup.unshare')).toBe(true);
  });

  it('a FOLL_PIN walk racing fork never keeps pins taken in the write-protect window (DPOR, 2 preemptions)', () => {
    // pinner: map, fault, pin (fast), DMA-write through the pin, check the parent sees it;
    // forker: fork and reap the child, anywhere in between. C7: the pin is either taken before
    // fork (fork then copies the page for the child) or after (the slow path breaks COW first).
    const text = [
      'scenario: fast-vs-fork',
      'processes: [parent]',
      'threads:',
      '  pinner:',
      '    steps:',
      '      - mmap: { as: buf, length: 4KiB, prot: [PROT_READ, PROT_WRITE], flags: [MAP_PRIVATE, MAP_ANONYMOUS] }',
      '      - memset: { addr: buf, length: 4KiB, value: 0x01 }',
      '      - signal: ready',
      '      - pin_user_pages_fast: { as: p, start: buf, nr_pages: 1, gup_flags: [FOLL_WRITE] }',
      '      - dma_write: { pages: p, value: 0x07 }',
      '      - expect: { memory: buf, length: 4KiB, contents: 0x07 }',
      '      - unpin_user_pages: { pages: p }',
      '  forker:',
      '    steps:',
      '      - wait: ready',
      '      - fork: { as: child }',
      '      - exit: { process: child }',
      '',
    ].join('\n');
    let executions = 0;
    const o = explore(
      scenario(text),
      { strategy: 'dpor', maxExecutions: 5000, seed: 1, preemptionBound: 2 },
      { onExecution: () => executions++ },
    );
    expect(o.exploration.complete).toBe(true);
    expect(executions).toBeGreaterThan(100);
    expect(o.counterexample).toBeUndefined();
  });
});
