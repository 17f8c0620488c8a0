// CMA (mm/cma.c: cma_alloc; mm/page_alloc.c: alloc_contig_range, __alloc_contig_migrate_range).
// The CMA area is more than half of ZONE_NORMAL, so movable allocations are served from it first.
import { describe, expect, it } from 'vitest';
import { EBUSY } from '../../../src/kernel/include/errno.js';
import { events, runSteps, text } from './migrate_helpers.js';

const CMA = '{ memory: 64MiB, cma: 40MiB }';
const AREA = 10240; // pages in the CMA area
const BUF =
  'mmap: { as: buf, length: 8KiB, prot: [PROT_READ, PROT_WRITE], flags: [MAP_PRIVATE, MAP_ANONYMOUS] }';

describe('cma_alloc', () => {
  it('a short-term pinned anon folio in the range makes it fail with -EBUSY, naming the pin', () => {
    const r = runSteps(CMA, [
      BUF,
      'memset: { addr: buf, length: 8KiB, value: 0x5a }',
      'pin_user_pages: { as: p, start: buf, nr_pages: 1, gup_flags: [FOLL_WRITE] }',
      `cma_alloc: { as: c, count: ${AREA} }`,
      'unpin_user_pages: { pages: p }',
    ]);
    expect(r.report.results.c).toBe(0);
    expect(r.report.results['c.ret']).toBe(-EBUSY);
    const why = text(r, 'c.blocked');
    expect(why).toContain('skipped by isolate_migratepages_block');
    expect(why).toContain('pinned x1 by pin_user_pages [FOLL_WRITE]');
  });

  it('it migrates what is not pinned and takes the whole area', () => {
    const r = runSteps(CMA, [
      BUF,
      'memset: { addr: buf, length: 8KiB, value: 0x5a }',
      `cma_alloc: { as: c, count: ${AREA} }`,
      'expect: { value: c, equals: 1 }',
      'expect: { memory: buf, length: 8KiB, contents: 0x5a }',
    ]);
    expect(r.verdict.reasons).toEqual([]);
    expect(events(r, 'mm.migrate').map((e) => e.reason)).toEqual(['contig_range', 'contig_range']);
  });

  it('a busy range is given back and the next aligned range is tried', () => {
    const r = runSteps(CMA, [
      BUF,
      'memset: { addr: buf, length: 4KiB, value: 0x5a }', // the first page of the area
      'pin_user_pages: { as: p, start: buf, nr_pages: 1, gup_flags: [FOLL_WRITE] }',
      'cma_alloc: { as: c, count: 1 }',
      'expect: { value: c, equals: 1 }',
      'unpin_user_pages: { pages: p }',
    ]);
    expect(r.verdict.reasons).toEqual([]);
    expect(events(r, 'mm.range')[0]!.reason).toContain('after 1 busy range(s)');
  });

  it('a FOLL_LONGTERM pin first moves the folio out of CMA, so cma_alloc succeeds while it is held', () => {
    const r = runSteps(CMA, [
      BUF,
      'memset: { addr: buf, length: 8KiB, value: 0x5a }',
      'pin_user_pages: { as: p, start: buf, nr_pages: 2, gup_flags: [FOLL_WRITE, FOLL_LONGTERM] }',
      `cma_alloc: { as: c, count: ${AREA} }`,
      'expect: { value: c, equals: 1 }',
      'unpin_user_pages: { pages: p }',
    ]);
    expect(r.verdict.reasons).toEqual([]);
  });
});
