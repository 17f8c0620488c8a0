// Page-cache migration (mm/migrate.c: move_to_new_folio -> the mapping's ->migrate_folio ->
// __migrate_folio -> __folio_migrate_mapping): the cache's slot and references move to the new
// folio only when every reference is explained; buffer heads count as one and move along.
import { describe, expect, it } from 'vitest';
import { events, runSteps, text } from './migrate_helpers.js';

const MOVABLE = '{ memory: 64MiB, movable: 16MiB }';
const EXT4 = ['data: { fs: ext4, size: 4KiB, fill: 0x33 }'];
const SHM = ['data: { fs: tmpfs, size: 8KiB, fill: 0x22 }'];

describe('page-cache migration', () => {
  it('FOLL_LONGTERM migrates shmem folios out of ZONE_MOVABLE (shmem_aops.migrate_folio) and the mapping follows', () => {
    const r = runSteps(
      MOVABLE,
      [
        'open: { as: f, path: data, flags: [O_RDWR] }',
        'mmap: { as: m, length: 8KiB, prot: [PROT_READ, PROT_WRITE], flags: [MAP_SHARED], file: f }',
        'pin_user_pages: { as: p, start: m, nr_pages: 2, gup_flags: [FOLL_WRITE, FOLL_LONGTERM] }',
        'expect: { value: p.ret, equals: 2 }',
        'memset: { addr: m, length: 8KiB, value: 0x55 }', // through the new PTEs
        'expect: { pages: p, contents: 0x55 }', // reaches the pinned copies
        'unpin_user_pages: { pages: p }',
        'pread: { as: r, fd: f, offset: 0, length: 8KiB }',
        'expect: { value: r, equals: 0x55 }', // the page cache holds the copies
      ],
      SHM,
    );
    expect(r.verdict.reasons).toEqual([]);
    const moved = events(r, 'mm.migrate');
    expect(moved.map((e) => e.reason)).toEqual(['longterm_pin', 'longterm_pin']);
  });

  it('__folio_migrate_mapping refuses a pinned file folio: more references than mappings + cache + buffers + isolation (-EAGAIN)', () => {
    const r = runSteps(
      '{ memory: 64MiB }',
      [
        'open: { as: f, path: data, flags: [O_RDWR] }',
        'mmap: { as: m, length: 4KiB, prot: [PROT_READ, PROT_WRITE], flags: [MAP_SHARED], file: f }',
        'memset: { addr: m, length: 4KiB, value: 0x44 }', // ext4 page_mkwrite attaches buffers
        'pin_user_pages: { as: p, start: m, nr_pages: 1, gup_flags: [] }',
        'migrate_pages: { as: mp, addr: m, length: 4KiB }',
        'expect: { value: mp, equals: 1 }', // it stayed
        'unpin_user_pages: { pages: p }',
      ],
      EXT4,
    );
    expect(r.verdict.reasons).toEqual([]);
    const why = text(r, 'mp.blocked');
    expect(why).toContain('file ext4:data');
    expect(why).toContain('expected 3'); // 1 mapping + 1 page-cache + 1 PG_private (buffer heads)
    expect(why).toContain('-EAGAIN');
    expect(why).toContain('pinned x1 by pin_user_pages');
  });

  it('buffer_migrate_folio moves the buffer heads (PG_private and its reference) to the new folio', () => {
    const r = runSteps(
      '{ memory: 64MiB }',
      [
        'open: { as: f, path: data, flags: [O_RDWR] }',
        'mmap: { as: m, length: 4KiB, prot: [PROT_READ, PROT_WRITE], flags: [MAP_SHARED], file: f }',
        'memset: { addr: m, length: 4KiB, value: 0x44 }', // ext4 attaches buffer heads
        'migrate_pages: { as: mp, addr: m, length: 4KiB }',
        'expect: { value: mp, equals: 0 }', // moved
        'pin_user_pages: { as: p, start: m, nr_pages: 1, gup_flags: [] }',
        'migrate_pages: { as: again, addr: m, length: 4KiB }', // the new folio, pinned
        'unpin_user_pages: { pages: p }',
        'pread: { as: r, fd: f, offset: 0, length: 4KiB }',
        'expect: { value: r, equals: 0x44 }',
      ],
      EXT4,
    );
    expect(r.verdict.reasons).toEqual([]);
    expect(events(r, 'mm.migrate').map((e) => e.reason)).toEqual(['compaction']);
    // the new folio carries PG_private: its expected count includes the buffer heads' reference
    expect(text(r, 'again.blocked')).toContain('expected 3');
  });
});
