// Memory offlining (mm/memory_hotplug.c: offline_pages, scan_movable_pages, do_migrate_range;
// mm/page_isolation.c: start_isolate_page_range, has_unmovable_pages, test_pages_isolated).
import { describe, expect, it } from 'vitest';
import { EBUSY, EINTR } from '../../../src/kernel/include/errno.js';
import { events, runSteps, text } from './migrate_helpers.js';

const MOVABLE = '{ memory: 64MiB, movable: 16MiB }';
const BUF =
  'mmap: { as: buf, length: 8KiB, prot: [PROT_READ, PROT_WRITE], flags: [MAP_PRIVATE, MAP_ANONYMOUS] }';

describe('offline_pages', () => {
  it('a short-term pin keeps its folio from migrating; the kernel loops until a signal (-EINTR) and the report names the pin', () => {
    const r = runSteps(MOVABLE, [
      BUF,
      'memset: { addr: buf, length: 8KiB, value: 0x5a }',
      'pin_user_pages: { as: p, start: buf, nr_pages: 1, gup_flags: [FOLL_WRITE] }',
      'offline_pages: { as: off, addr: buf, length: 8KiB, passes: 3 }',
      'unpin_user_pages: { pages: p }',
    ]);
    expect(r.report.results.off).toBe(-EINTR);
    const why = text(r, 'off.blocked');
    expect(why).toContain('anon, refcount 1025, expected 1');
    expect(why).toContain('pinned x1 by pin_user_pages [FOLL_WRITE] (main at t.yaml:');
    const range = events(r, 'mm.range');
    expect(range[0]!.reason).toContain('signal backoff');
  });

  it('a FOLL_GET reference blocks it too, and is named as one', () => {
    const r = runSteps(MOVABLE, [
      BUF,
      'memset: { addr: buf, length: 8KiB, value: 0x5a }',
      'get_user_pages: { as: g, start: buf, nr_pages: 1, gup_flags: [] }',
      'offline_pages: { as: off, addr: buf, length: 8KiB, passes: 1 }',
      'put_page: { pages: g }',
    ]);
    expect(r.report.results.off).toBe(-EINTR);
    expect(text(r, 'off.blocked')).toContain('FOLL_GET x1 by get_user_pages');
  });

  it('without the pin every folio migrates, the block goes offline and the data is intact', () => {
    const r = runSteps(MOVABLE, [
      BUF,
      'memset: { addr: buf, length: 8KiB, value: 0x5a }',
      'offline_pages: { as: off, addr: buf, length: 8KiB }',
      'expect: { value: off, equals: 0 }',
      'expect: { memory: buf, length: 8KiB, contents: 0x5a }',
    ]);
    expect(r.verdict.reasons).toEqual([]);
    expect(events(r, 'mm.migrate').map((e) => e.reason)).toEqual([
      'memory_hotplug',
      'memory_hotplug',
    ]);
  });

  it('has_unmovable_pages: a block holding a PageReserved page (the zero page) cannot be isolated (-EBUSY)', () => {
    const r = runSteps(MOVABLE, [
      'mmap: { as: z, length: 4KiB, prot: [PROT_READ], flags: [MAP_PRIVATE, MAP_ANONYMOUS] }',
      'read: { as: v, addr: z, length: 4KiB }', // maps the shared zero page
      'offline_pages: { as: off, addr: z, length: 4KiB }',
    ]);
    expect(r.report.results.off).toBe(-EBUSY);
    expect(events(r, 'mm.range')[0]!.reason).toContain('failure to isolate range');
    expect(text(r, 'off.blocked')).toContain('PageReserved');
  });
});
