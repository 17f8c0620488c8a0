/**
 * The files group of the scenario format, end to end: the `files:` section, open / pread /
 * pwrite / fsync / ftruncate / fallocate / memfd_create / close and the `writeback` event, as a
 * scenario file runs them (src/scenario/exec/files.ts, exec/mm_events.ts).
 */
import { describe, expect, it } from 'vitest';
import { run, scenario } from '../../scenario/interp/helpers.js';

const FILES = `scenario: files-basic
files:
  data: { fs: ext4, size: 8KiB, fill: 0x11 }
  passwd: { fs: ext4, size: 4KiB, fill: 0x22, mode: ro }
threads:
  main:
    steps:
      - open: { as: f, path: data, flags: [O_RDWR] }
      - pread: { as: v, fd: f, length: 8KiB }
      - expect: { value: v, equals: 0x11 }
      - pwrite: { as: w, fd: f, offset: 4KiB, length: 4KiB, value: 0x33 }
      - expect: { value: w.ret, equals: 4KiB }
      - writeback: { fd: f }
      - fsync: { fd: f }
      - pread: { as: v2, fd: f, length: 8KiB }
      - expect: { value: v2, equals: [0x11, 0x33] }
      - open: { as: r, path: passwd, flags: [O_RDWR] }
      - expect: { value: r.ret, equals: -EACCES }
      - ftruncate: { as: t, fd: f, length: 4KiB }
      - expect: { value: t.ret, equals: 0 }
      - pread: { as: v3, fd: f, length: 8KiB }
      - expect: { value: v3.ret, equals: 4KiB }
      - memfd_create: { as: m, name: guest }
      - ftruncate: { fd: m, length: 8KiB }
      - fallocate: { as: p, fd: m, mode: [FALLOC_FL_PUNCH_HOLE, FALLOC_FL_KEEP_SIZE], length: 4KiB }
      - expect: { value: p.ret, equals: 0 }
      - close: { as: c, fd: f }
      - expect: { value: c.ret, equals: 0 }
      - close: { as: c2, fd: f }
      - expect: { value: c2.ret, equals: -EBADF }
`;

describe('the files group in scenarios', () => {
  it('runs open, pread, pwrite, writeback, fsync, ftruncate, memfd_create, fallocate, close', () => {
    const r = run(scenario(FILES));
    expect(r.report.expectations.filter((e) => !e.ok)).toEqual([]);
    expect(r.verdict.pass).toBe(true);
  });

  it('reads into user memory with O_DIRECT through iov_iter and GUP (fs/iomap/direct-io.c)', () => {
    const text = `scenario: odirect
files:
  data: { fs: ext4, size: 4KiB, fill: 0x33 }
threads:
  main:
    steps:
      - mmap: { as: buf, length: 4KiB, prot: [PROT_READ, PROT_WRITE], flags: [MAP_PRIVATE, MAP_ANONYMOUS] }
      - open: { as: f, path: data, flags: [O_RDWR, O_DIRECT] }
      - pread: { as: n, fd: f, length: 4KiB, addr: buf }
      - expect: { value: n, equals: 4KiB }
      - expect: { memory: buf, length: 4KiB, contents: 0x33 }
`;
    const r = run(scenario(text));
    expect(r.report.expectations.filter((e) => !e.ok)).toEqual([]);
    expect(r.verdict.pass).toBe(true);
  });
});
