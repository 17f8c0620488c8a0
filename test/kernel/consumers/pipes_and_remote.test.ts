// vmsplice (fs/splice.c: vmsplice_to_pipe, iter_to_pipe) and pipe_read (fs/pipe.c), and
// process_vm_readv/writev (mm/process_vm_access.c), driven as scenarios.
import { describe, expect, it } from 'vitest';
import { run, scenario, steps } from '../../scenario/interp/helpers.js';

const MMAP = (len: string): string =>
  `mmap: { as: buf, length: ${len}, prot: [PROT_READ, PROT_WRITE], flags: [MAP_PRIVATE, MAP_ANONYMOUS] }`;

describe('vmsplice and pipe_read', () => {
  it('the pipe holds FOLL_GET references, not pins, until it is read: an unread pipe leaks references', () => {
    const r = run(
      scenario(
        steps(
          MMAP('4KiB'),
          'memset: { addr: buf, length: 4KiB, value: 1 }',
          'vmsplice: { as: p, addr: buf, length: 4KiB }',
        ),
      ),
    );
    expect(r.result.violations.map((v) => v.id)).toEqual(['gup.ref-leak']);
  });

  it('pipe_read copies each page and releases its reference (page_cache_pipe_buf_release)', () => {
    const r = run(
      scenario(
        steps(
          MMAP('8KiB'),
          'memset: { addr: buf, length: 4KiB, value: 0x21 }',
          'memset: { addr: buf+4KiB, length: 4KiB, value: 0x22 }',
          'vmsplice: { as: p, addr: buf, length: 8KiB }',
          'pipe_read: { as: v, pipe: p }',
          'expect: { value: v, equals: [0x21, 0x22] }',
          'expect: { value: v.ret, equals: 8KiB }',
        ),
      ),
    );
    expect(r.verdict.pass).toBe(true);
    expect(r.result.violations).toEqual([]);
  });

  it('a pipe takes at most PIPE_DEF_BUFFERS (16) pages: vmsplice of 20 pages queues 64KiB', () => {
    const r = run(
      scenario(
        steps(
          MMAP('80KiB'),
          'memset: { addr: buf, length: 80KiB, value: 3 }',
          'vmsplice: { as: p, addr: buf, length: 80KiB }',
          'expect: { value: p.ret, equals: 64KiB }',
          'pipe_read: { pipe: p }',
        ),
      ),
    );
    expect(r.verdict.pass).toBe(true);
    expect(r.result.violations).toEqual([]);
  });

  it('vmsplice of unmapped memory is -EFAULT and queues nothing', () => {
    const r = run(
      scenario(
        steps(
          'vmsplice: { as: p, addr: 0x1000, length: 4KiB }',
          'expect: { value: p.ret, equals: -EFAULT }',
        ),
      ),
    );
    expect(r.verdict.pass).toBe(true);
  });
});

describe('process_vm_readv / process_vm_writev', () => {
  const two = (...lines: string[]): string =>
    [
      'scenario: t',
      'processes: [me, other]',
      'threads:',
      '  main:',
      '    process: me',
      '    steps:',
      '      - mmap: { as: src, length: 8KiB, prot: [PROT_READ, PROT_WRITE], flags: [MAP_PRIVATE, MAP_ANONYMOUS] }',
      '      - memset: { addr: src, length: 8KiB, value: 0x5 }',
      ...lines.map((l) => `      - ${l}`),
      '',
    ].join('\n');

  it('a remote range mapped only in part copies the mapped part: the partial count wins over -EFAULT', () => {
    const r = run(
      scenario(
        two(
          'mmap: { as: dst, process: other, length: 8KiB, prot: [PROT_READ, PROT_WRITE], flags: [MAP_PRIVATE, MAP_ANONYMOUS] }',
          'munmap: { process: other, addr: dst+4KiB, length: 4KiB }',
          'process_vm_writev: { as: n, pid: other, local: src, remote: dst, length: 8KiB }',
          'expect: { value: n, equals: 4KiB }',
          'expect: { process: other, memory: dst, length: 4KiB, contents: 0x5 }',
        ),
      ),
    );
    expect(r.report.expectations.filter((e) => !e.ok)).toEqual([]);
    expect(r.result.violations).toEqual([]);
  });

  it('a target that has exited is -ESRCH (mm_access finds no mm)', () => {
    const r = run(
      scenario(
        two(
          'exit: { process: other }',
          'process_vm_readv: { as: n, pid: other, local: src, remote: 0x7f0000000000, length: 4KiB }',
          'expect: { value: n, equals: -ESRCH }',
        ),
      ),
    );
    expect(r.report.expectations.filter((e) => !e.ok)).toEqual([]);
  });

  it('writing into a read-only remote mapping is -EFAULT (pin_user_pages_remote with FOLL_WRITE, no FOLL_FORCE)', () => {
    const r = run(
      scenario(
        two(
          'mmap: { as: dst, process: other, length: 4KiB, prot: [PROT_READ], flags: [MAP_PRIVATE, MAP_ANONYMOUS] }',
          'process_vm_writev: { as: n, pid: other, local: src, remote: dst, length: 4KiB }',
          'expect: { value: n, equals: -EFAULT }',
          'process_vm_readv: { as: m, pid: other, local: src, remote: dst, length: 4KiB }',
          'expect: { value: m, equals: 4KiB }',
          'expect: { memory: src, length: 8KiB, contents: [0, 0x5] }',
        ),
      ),
    );
    expect(r.report.expectations.filter((e) => !e.ok)).toEqual([]);
    expect(r.result.violations).toEqual([]);
  });
});
