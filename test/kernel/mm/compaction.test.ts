// Compaction's migration scanner (mm/compaction.c: isolate_migratepages_block) and one
// compaction pass (compact_zone), through the `migrate_pages` step.
import { describe, expect, it } from 'vitest';
import { events, runSteps, text } from './migrate_helpers.js';

const BUF =
  'mmap: { as: buf, length: 8KiB, prot: [PROT_READ, PROT_WRITE], flags: [MAP_PRIVATE, MAP_ANONYMOUS] }';

describe('compaction', () => {
  it('isolate_migratepages_block skips an anon folio with more references than mappings (a pin)', () => {
    const r = runSteps('{ memory: 64MiB }', [
      BUF,
      'memset: { addr: buf, length: 8KiB, value: 0x5a }',
      'pin_user_pages: { as: p, start: buf, nr_pages: 1, gup_flags: [FOLL_WRITE] }',
      'migrate_pages: { as: m, addr: buf, length: 8KiB }',
      'expect: { value: m, equals: 1 }',
      'unpin_user_pages: { pages: p }',
    ]);
    expect(r.verdict.reasons).toEqual([]);
    expect(text(r, 'm.blocked')).toContain('skipped by isolate_migratepages_block');
    expect(events(r, 'mm.migrate')).toHaveLength(1); // the other page moved
  });

  it('the same rule skips a folio held by a FOLL_GET reference', () => {
    const r = runSteps('{ memory: 64MiB }', [
      BUF,
      'memset: { addr: buf, length: 4KiB, value: 0x5a }',
      'get_user_pages: { as: g, start: buf, nr_pages: 1, gup_flags: [] }',
      'migrate_pages: { as: m, addr: buf, length: 4KiB }',
      'expect: { value: m, equals: 1 }',
      'put_page: { pages: g }',
    ]);
    expect(r.verdict.reasons).toEqual([]);
    expect(text(r, 'm.blocked')).toContain('FOLL_GET x1 by get_user_pages');
  });

  it('unpinned anon folios migrate to free pages at the top of the zone; the data follows', () => {
    const r = runSteps('{ memory: 64MiB }', [
      BUF,
      'memset: { addr: buf, length: 8KiB, value: 0x5a }',
      'migrate_pages: { as: m, addr: buf, length: 8KiB }',
      'expect: { value: m, equals: 0 }',
      'expect: { memory: buf, length: 8KiB, contents: 0x5a }',
    ]);
    expect(r.verdict.reasons).toEqual([]);
    const to = events(r, 'mm.migrate').map((e) => Number(e.to));
    expect(to.every((pfn) => pfn >= 0x3e00)).toBe(true); // the last pageblock of a 64 MiB zone
  });
});
