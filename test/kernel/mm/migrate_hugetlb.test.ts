// hugetlb migration (mm/migrate.c: unmap_and_move_huge_page; mm/hugetlb.c:
// alloc_hugetlb_folio_nodemask / alloc_migrate_hugetlb_folio) as FOLL_LONGTERM uses it.
import { describe, expect, it } from 'vitest';
import { EFAULT, ENOMEM } from '../../../src/kernel/include/errno.js';
import { events, runSteps } from './migrate_helpers.js';

const MACHINE = '{ memory: 64MiB, movable: 16MiB, hugetlb: { 2MiB: 2 } }';
const ANON_HUGE =
  'mmap: { as: h, length: 2MiB, prot: [PROT_READ, PROT_WRITE], flags: [MAP_PRIVATE, MAP_ANONYMOUS, MAP_HUGETLB] }';

describe('hugetlb migration', () => {
  it('FOLL_LONGTERM migrates an anon hugetlb folio out of ZONE_MOVABLE into a temporary folio; the pin sees the mapping', () => {
    const r = runSteps(MACHINE, [
      ANON_HUGE,
      'memset: { addr: h, length: 2MiB, value: 0x66 }',
      'pin_user_pages: { as: p, start: h, nr_pages: 512, gup_flags: [FOLL_WRITE, FOLL_LONGTERM] }',
      'expect: { value: p.ret, equals: 512 }',
      'expect: { pages: p, contents: 0x66 }', // the copy
      'memset: { addr: h, length: 2MiB, value: 0x77 }', // the huge PTE points at the copy
      'expect: { pages: p, contents: 0x77 }',
      'unpin_user_pages: { pages: p }',
      'munmap: { addr: h, length: 2MiB }',
    ]);
    expect(r.verdict.reasons).toEqual([]);
    expect(events(r, 'mm.migrate').map((e) => e.reason)).toEqual(['longterm_pin']);
  });

  it('the pool keeps its size: after the migration exactly two pool pages can be mapped', () => {
    // move_hugetlb_state: the temporary target stays in the pool, the old folio leaves it
    const r = runSteps(MACHINE, [
      ANON_HUGE,
      'memset: { addr: h, length: 2MiB, value: 0x66 }',
      'pin_user_pages: { as: p, start: h, nr_pages: 512, gup_flags: [FOLL_LONGTERM] }',
      'unpin_user_pages: { pages: p }',
      'mmap: { as: h2, length: 2MiB, prot: [PROT_READ, PROT_WRITE], flags: [MAP_PRIVATE, MAP_ANONYMOUS, MAP_HUGETLB] }',
      'memset: { as: w2, addr: h2, length: 2MiB, value: 0x11 }',
      'expect: { memory: h, length: 2MiB, contents: 0x66 }',
      'mmap: { as: h3, length: 2MiB, prot: [PROT_READ, PROT_WRITE], flags: [MAP_PRIVATE, MAP_ANONYMOUS, MAP_HUGETLB] }',
      'memset: { as: w3, addr: h3, length: 2MiB, value: 0x11 }',
    ]);
    expect(r.verdict.reasons).toEqual([]);
    expect(r.report.results.w2).toBe(0); // the second pool page is there
    expect(r.report.results.w3).toBe(-EFAULT); // and there is no third (the fault gets SIGBUS)
  });

  it('a hugetlb folio someone else pins cannot move: FOLL_LONGTERM fails with -ENOMEM and holds nothing', () => {
    const r = runSteps(MACHINE, [
      ANON_HUGE,
      'memset: { addr: h, length: 2MiB, value: 0x66 }',
      'pin_user_pages: { as: short, start: h, nr_pages: 1, gup_flags: [FOLL_WRITE] }',
      'pin_user_pages: { as: lt, start: h, nr_pages: 512, gup_flags: [FOLL_WRITE, FOLL_LONGTERM] }',
      'unpin_user_pages: { pages: short }',
    ]);
    expect(r.report.results['lt.ret']).toBe(-ENOMEM);
    expect(r.verdict.reasons).toEqual([]); // no pin leaked
  });

  it('a shared hugetlbfs folio migrates with its page-cache slot: the file reads the writes made through the pin', () => {
    const r = runSteps(MACHINE, [
      'memfd_create: { as: f, name: buf, flags: [MFD_HUGETLB] }',
      'ftruncate: { fd: f, length: 2MiB }',
      'mmap: { as: h, length: 2MiB, prot: [PROT_READ, PROT_WRITE], flags: [MAP_SHARED], file: f }',
      'memset: { addr: h, length: 2MiB, value: 0x66 }',
      'pin_user_pages: { as: p, start: h, nr_pages: 512, gup_flags: [FOLL_WRITE, FOLL_LONGTERM] }',
      'expect: { value: p.ret, equals: 512 }',
      'kernel_write: { pages: p, value: 0x99 }',
      'unpin_user_pages: { pages: p }',
      'pread: { as: r, fd: f, offset: 0, length: 4KiB }',
      'expect: { value: r, equals: 0x99 }',
    ]);
    expect(r.verdict.reasons).toEqual([]);
    expect(events(r, 'mm.migrate')).toHaveLength(1);
  });
});
