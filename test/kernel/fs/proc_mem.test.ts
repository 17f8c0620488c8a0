// /proc/PID/mem (fs/proc/base.c: mem_rw -> mm/memory.c: access_remote_vm): FOLL_FORCE reads and
// writes, page by page, with the byte count or -EIO as pread/pwrite return them.
import { describe, expect, it } from 'vitest';
import { run, scenario } from '../../scenario/interp/helpers.js';

/** One thread in process `app` with a read-only 4 KiB file `passwd` (0x11) and these steps. */
function withFile(...lines: string[]): string {
  return [
    'scenario: t',
    'files:',
    '  passwd: { fs: ext4, size: 4KiB, fill: 0x11, mode: ro }',
    'processes: [app]',
    'threads:',
    '  main:',
    '    steps:',
    '      - open: { as: f, path: passwd, flags: [O_RDONLY] }',
    ...lines.map((l) => `      - ${l}`),
    '',
  ].join('\n');
}

function results(text: string): Readonly<Record<string, unknown>> {
  const r = run(scenario(text));
  expect(r.report.error).toBeNull();
  expect(r.report.expectations.filter((e) => !e.ok)).toEqual([]);
  expect(r.result.violations).toEqual([]);
  return r.report.results;
}

describe('mem_rw writes with FOLL_FORCE', () => {
  it('a write to a read-only private file mapping goes to a private copy, never to the file', () => {
    // access_remote_vm: get_user_pages_remote(FOLL_FORCE|FOLL_WRITE) -> check_vma_flags lets a
    // COW mapping through, the write fault copies the page-cache page (do_wp_page/do_cow_fault).
    const r = results(
      withFile(
        'mmap: { as: text, length: 4KiB, prot: [PROT_READ], flags: [MAP_PRIVATE], file: f }',
        'proc_mem_write: { as: w, addr: text, length: 4KiB, value: 0x66 }',
        'read: { as: seen, addr: text, length: 4KiB }',
        'pread: { as: on_disk, fd: f, length: 4KiB }',
      ),
    );
    expect(r['w']).toBe(4096);
    expect(r['seen']).toBe(0x66);
    expect(r['on_disk']).toBe(0x11);
  });

  it('a write to a read-only shared file mapping copies nothing: -EIO', () => {
    // check_vma_flags: FOLL_FORCE writes only into COW mappings (is_cow_mapping).
    const r = results(
      withFile(
        'mmap: { as: text, length: 4KiB, prot: [PROT_READ], flags: [MAP_SHARED], file: f }',
        'proc_mem_write: { as: w, addr: text, length: 4KiB, value: 0x66 }',
        'pread: { as: on_disk, fd: f, length: 4KiB }',
      ),
    );
    expect(r['w']).toBe(-5);
    expect(r['on_disk']).toBe(0x11);
  });

  it('returns the bytes copied before a hole (a partial count wins over the error)', () => {
    // __access_remote_vm stops at the first page GUP refuses and returns what it copied; mem_rw
    // returns that count, and -EIO only when the first round copied nothing.
    const r = results(
      withFile(
        'mmap: { as: buf, length: 8KiB, prot: [PROT_READ, PROT_WRITE], flags: [MAP_PRIVATE, MAP_ANONYMOUS] }',
        'munmap: { addr: buf + 4KiB, length: 4KiB }',
        'proc_mem_write: { as: w, addr: buf, length: 8KiB, value: 0x22 }',
        'proc_mem_write: { as: hole, addr: buf + 4KiB, length: 4KiB, value: 0x22 }',
        'read: { as: seen, addr: buf, length: 4KiB }',
      ),
    );
    expect(r['w']).toBe(4096);
    expect(r['hole']).toBe(-5);
    expect(r['seen']).toBe(0x22);
  });
});

describe('mem_rw reads with FOLL_FORCE', () => {
  it('reads a PROT_NONE mapping that a user load could not', () => {
    // check_vma_flags: a FOLL_FORCE read needs only VM_MAYREAD.
    const r = results(
      withFile(
        'mmap: { as: text, length: 8KiB, prot: [PROT_NONE], flags: [MAP_PRIVATE], file: f }',
        'proc_mem_read: { as: v, addr: text, length: 4KiB }',
      ),
    );
    expect(r['v']).toBe(0x11);
    expect(r['v.ret']).toBe(4096);
  });

  it('binds one value per page when the pages differ', () => {
    const r = results(
      withFile(
        'mmap: { as: buf, length: 8KiB, prot: [PROT_READ, PROT_WRITE], flags: [MAP_PRIVATE, MAP_ANONYMOUS] }',
        'memset: { addr: buf, length: 4KiB, value: 0x01 }',
        'memset: { addr: buf + 4KiB, length: 4KiB, value: 0x02 }',
        'proc_mem_read: { as: v, addr: buf, length: 8KiB }',
      ),
    );
    expect(r['v']).toEqual([1, 2]);
    expect(r['v.ret']).toBe(8192);
  });
});
