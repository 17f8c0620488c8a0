// io_uring fixed buffers (io_uring/rsrc.c, io_uring/memmap.c, io_uring/rw.c), driven as
// scenarios: registration pins with FOLL_WRITE | FOLL_LONGTERM all or nothing, fixed reads
// and writes use the pinned pages within the buffer's bounds, unregistration unpins.
import { describe, expect, it } from 'vitest';
import { run, scenario } from '../../scenario/interp/helpers.js';

function withFile(...lines: string[]): string {
  return [
    'scenario: t',
    'files:',
    '  data: { fs: tmpfs, size: 8KiB, fill: 0x11 }',
    'threads:',
    '  main:',
    '    steps:',
    '      - mmap: { as: buf, length: 8KiB, prot: [PROT_READ, PROT_WRITE], flags: [MAP_PRIVATE, MAP_ANONYMOUS] }',
    '      - open: { as: f, path: data, flags: [O_RDWR] }',
    ...lines.map((l) => `      - ${l}`),
    '',
  ].join('\n');
}

describe('io_uring fixed buffers', () => {
  it('registration of a read-only mapping fails with -EFAULT and pins nothing (io_pin_pages: FOLL_WRITE)', () => {
    const r = run(
      scenario(
        withFile(
          'mprotect: { addr: buf, length: 8KiB, prot: [PROT_READ] }',
          'io_uring_register_buffers: { as: fixed, addr: buf, length: 8KiB }',
          'expect: { value: fixed.ret, equals: -EFAULT }',
        ),
      ),
    );
    expect(r.verdict.pass).toBe(true);
    expect(r.result.violations).toEqual([]);
  });

  it('a buffer over 1 GiB is refused with -EFAULT before pinning (io_buffer_validate)', () => {
    const r = run(
      scenario(
        withFile(
          'io_uring_register_buffers: { as: fixed, addr: buf, length: 0x40001000 }',
          'expect: { value: fixed.ret, equals: -EFAULT }',
        ),
      ),
    );
    expect(r.verdict.pass).toBe(true);
  });

  it('a fixed write outside the registered range is -EFAULT (io_import_fixed); inside it writes the buffer', () => {
    const r = run(
      scenario(
        withFile(
          'memset: { addr: buf, length: 8KiB, value: 0x42 }',
          'io_uring_register_buffers: { as: fixed, addr: buf, length: 4KiB }',
          'io_uring_write_fixed: { as: out, buffers: fixed, fd: f, length: 8KiB }',
          'expect: { value: out, equals: -EFAULT }',
          'io_uring_write_fixed: { as: ok, buffers: fixed, fd: f, offset: 4KiB, length: 4KiB }',
          'expect: { value: ok, equals: 4KiB }',
          'pread: { as: v, fd: f, length: 8KiB }',
          'expect: { value: v, equals: [0x11, 0x42] }',
          'io_uring_unregister_buffers: { buffers: fixed }',
        ),
      ),
    );
    expect(r.report.expectations.filter((e) => !e.ok)).toEqual([]);
    expect(r.result.violations).toEqual([]);
  });

  it('a fixed read fills the pinned pages, which the process sees through its mapping', () => {
    const r = run(
      scenario(
        withFile(
          'io_uring_register_buffers: { as: fixed, addr: buf, length: 8KiB }',
          'io_uring_read_fixed: { as: n, buffers: fixed, fd: f, length: 8KiB }',
          'expect: { value: n, equals: 8KiB }',
          'expect: { memory: buf, length: 8KiB, contents: 0x11 }',
          'io_uring_unregister_buffers: { buffers: fixed }',
        ),
      ),
    );
    expect(r.report.expectations.filter((e) => !e.ok)).toEqual([]);
    expect(r.result.violations).toEqual([]);
  });

  it('a registered buffer never unregistered is a pin leak; a second unregister is -ENXIO', () => {
    const leak = run(
      scenario(withFile('io_uring_register_buffers: { as: fixed, addr: buf, length: 8KiB }')),
    );
    expect(leak.result.violations.map((v) => v.id)).toContain('gup.pin-leak');
    const twice = run(
      scenario(
        withFile(
          'io_uring_register_buffers: { as: fixed, addr: buf, length: 8KiB }',
          'io_uring_unregister_buffers: { buffers: fixed }',
          'io_uring_unregister_buffers: { as: again, buffers: fixed }',
          'expect: { value: again, equals: -ENXIO }',
        ),
      ),
    );
    expect(twice.verdict.pass).toBe(true);
  });
});
