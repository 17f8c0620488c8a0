// userfaultfd, as a handler thread and a faulting thread see it: each test is one rule of
// fs/userfaultfd.c or mm/userfaultfd.c, driven through scenario steps (one execution under the
// default schedule unless it explores).
import { describe, expect, it } from 'vitest';
import { run, scenario, steps } from '../../scenario/interp/helpers.js';

const MMAP =
  'mmap: { as: buf, length: 4KiB, prot: [PROT_READ, PROT_WRITE], flags: [MAP_PRIVATE, MAP_ANONYMOUS] }';
const UFFD = 'userfaultfd: { as: uffd }';
const MISSING =
  'UFFDIO_REGISTER: { as: reg, uffd: uffd, start: buf, length: 4KiB, mode: [UFFDIO_REGISTER_MODE_MISSING] }';

/** A faulting thread (`steps`) and a handler thread that reads one event and runs `resolve`. */
function twoThreads(
  faulter: string[],
  resolve: string[],
  setup: string[] = [MMAP, UFFD, MISSING],
): string {
  const lines = (xs: string[]) => xs.map((l) => `      - ${l}`);
  return [
    'scenario: t',
    'threads:',
    '  faulter:',
    '    steps:',
    ...lines([...setup, 'signal: ready', ...faulter]),
    '  handler:',
    '    steps:',
    ...lines(['wait: ready', 'uffd_read: { as: ev, uffd: uffd }', ...resolve]),
    '',
  ].join('\n');
}

function passes(text: string): void {
  const r = run(scenario(text));
  expect(r.report.expectations.filter((e) => !e.ok)).toEqual([]);
  expect(r.verdict.pass).toBe(true);
}

describe('handle_userfault (fs/userfaultfd.c)', () => {
  it('a fault without FAULT_FLAG_ALLOW_RETRY gets VM_FAULT_SIGBUS: pin_user_pages returns -EFAULT', () => {
    passes(
      steps(
        MMAP,
        UFFD,
        MISSING,
        'pin_user_pages: { as: p, start: buf, nr_pages: 1, gup_flags: [FOLL_WRITE] }',
        'expect: { value: p.ret, equals: -EFAULT }',
        'uffd_read: { as: ev, uffd: uffd, nonblock: true }', // no message was queued
        'expect: { value: ev.ret, equals: -EAGAIN }',
      ),
    );
  });

  it('FAULT_FLAG_RETRY_NOWAIT returns VM_FAULT_RETRY at once: FOLL_NOWAIT GUP gets 0 pages, no message', () => {
    passes(
      steps(
        MMAP,
        UFFD,
        MISSING,
        'get_user_pages_remote: { as: q, start: buf, nr_pages: 1, gup_flags: [FOLL_NOWAIT] }',
        'expect: { value: q.ret, equals: 0 }',
        'uffd_read: { as: ev, uffd: uffd, nonblock: true }',
        'expect: { value: ev.ret, equals: -EAGAIN }',
      ),
    );
  });

  it('with ALLOW_RETRY the fault queues a message, sleeps until UFFDIO_COPY, and GUP retries to the page', () => {
    passes(
      twoThreads(
        [
          'pin_user_pages_unlocked: { as: p, start: buf, nr_pages: 1, gup_flags: [FOLL_WRITE] }',
          'expect: { value: p.ret, equals: 1 }',
          'expect: { pages: p, contents: 0x77 }',
          'unpin_user_pages: { pages: p }',
        ],
        [
          'expect: { value: ev.flags, equals: 1 }', // UFFD_PAGEFAULT_FLAG_WRITE
          'UFFDIO_COPY: { as: c, uffd: uffd, dst: ev, length: 4KiB, value: 0x77 }',
          'expect: { value: c.copy, equals: 4096 }',
        ],
      ),
    );
  });

  it('a user-space load blocks the same way and sees the copied contents (do_user_addr_fault retries)', () => {
    passes(
      twoThreads(
        ['read: { as: v, addr: buf, length: 4KiB }', 'expect: { value: v, equals: 0x31 }'],
        [
          'expect: { value: ev.flags, equals: 0 }', // a read fault
          'UFFDIO_COPY: { uffd: uffd, dst: ev, length: 4KiB, value: 0x31 }',
        ],
      ),
    );
  });

  it('UFFD_FEATURE_SIGBUS answers SIGBUS instead of blocking: the store fails with -EFAULT', () => {
    passes(
      steps(
        MMAP,
        'userfaultfd: { as: uffd, features: [UFFD_FEATURE_SIGBUS] }',
        MISSING,
        'memset: { as: s, addr: buf, length: 4KiB, value: 1 }',
        'expect: { value: s, equals: -EFAULT }',
      ),
    );
  });

  it('UFFDIO_UNREGISTER wakes a blocked fault, whose retry takes the ordinary anonymous fault', () => {
    passes(
      twoThreads(
        [
          'get_user_pages_unlocked: { as: p, start: buf, nr_pages: 1, gup_flags: [FOLL_WRITE] }',
          'expect: { value: p.ret, equals: 1 }',
          'expect: { pages: p, contents: 0 }', // a fresh zeroed page
          'put_page: { pages: p }',
        ],
        [
          'UFFDIO_UNREGISTER: { as: u, uffd: uffd, start: buf, length: 4KiB }',
          'expect: { value: u, equals: 0 }',
        ],
      ),
    );
  });

  it('closing the uffd (userfaultfd_release) wakes a blocked fault and unregisters the range', () => {
    passes(
      twoThreads(
        [
          'get_user_pages_unlocked: { as: p, start: buf, nr_pages: 1, gup_flags: [FOLL_WRITE] }',
          'expect: { value: p.ret, equals: 1 }',
          'put_page: { pages: p }',
        ],
        ['uffd_close: { uffd: uffd }'],
      ),
    );
  });
});

describe('mfill_atomic (mm/userfaultfd.c)', () => {
  it('UFFDIO_COPY onto a mapped page fails with -EEXIST (mfill_atomic_install_pte)', () => {
    passes(
      steps(
        MMAP,
        UFFD,
        MISSING,
        'UFFDIO_COPY: { as: a, uffd: uffd, dst: buf, length: 4KiB, value: 1 }',
        'expect: { value: a, equals: 0 }',
        'UFFDIO_COPY: { as: b, uffd: uffd, dst: buf, length: 4KiB, value: 2 }',
        'expect: { value: b, equals: -EEXIST }',
        'read: { as: v, addr: buf, length: 4KiB }',
        'expect: { value: v, equals: 1 }',
      ),
    );
  });

  it('UFFDIO_COPY outside a registered VMA fails with -ENOENT (validate_dst_vma)', () => {
    passes(
      steps(
        MMAP,
        UFFD,
        'UFFDIO_COPY: { as: a, uffd: uffd, dst: buf, length: 4KiB, value: 1 }',
        'expect: { value: a, equals: -ENOENT }',
      ),
    );
  });

  it('UFFDIO_ZEROPAGE maps the shared zero page read-only: a later store COWs it', () => {
    passes(
      steps(
        MMAP,
        UFFD,
        MISSING,
        'UFFDIO_ZEROPAGE: { as: z, uffd: uffd, start: buf, length: 4KiB }',
        'expect: { value: z.zeropage, equals: 4096 }',
        'memset: { addr: buf, length: 4KiB, value: 9 }',
        'read: { as: v, addr: buf, length: 4KiB }',
        'expect: { value: v, equals: 9 }',
      ),
    );
  });
});

describe('userfaultfd_register (fs/userfaultfd.c)', () => {
  it('UFFDIO_REGISTER_MODE_MINOR on anonymous memory is -EINVAL (vma_can_userfault)', () => {
    passes(
      steps(
        MMAP,
        UFFD,
        'UFFDIO_REGISTER: { as: r, uffd: uffd, start: buf, length: 4KiB, mode: [UFFDIO_REGISTER_MODE_MINOR] }',
        'expect: { value: r, equals: -EINVAL }',
      ),
    );
  });

  it('a range already owned by another userfaultfd is -EBUSY', () => {
    passes(
      steps(
        MMAP,
        UFFD,
        MISSING,
        'userfaultfd: { as: other }',
        'UFFDIO_REGISTER: { as: r, uffd: other, start: buf, length: 4KiB, mode: [UFFDIO_REGISTER_MODE_MISSING] }',
        'expect: { value: r, equals: -EBUSY }',
      ),
    );
  });

  it('an unaligned start is -EINVAL (validate_range)', () => {
    passes(
      steps(
        MMAP,
        UFFD,
        'UFFDIO_REGISTER: { as: r, uffd: uffd, start: buf + 1, length: 4KiB, mode: [UFFDIO_REGISTER_MODE_MISSING] }',
        'expect: { value: r, equals: -EINVAL }',
      ),
    );
  });
});

describe('uffd-wp (UFFDIO_WRITEPROTECT, do_wp_page)', () => {
  it('a store to a write-protected page blocks with UFFD_PAGEFAULT_FLAG_WP until the protection is resolved', () => {
    passes(
      twoThreads(
        ['memset: { as: s, addr: buf, length: 4KiB, value: 5 }', 'expect: { value: s, equals: 0 }'],
        [
          'expect: { value: ev.flags, equals: 3 }', // WRITE | WP
          'UFFDIO_WRITEPROTECT: { as: w, uffd: uffd, start: buf, length: 4KiB, mode: [] }',
          'expect: { value: w, equals: 0 }',
        ],
        [
          MMAP,
          'memset: { addr: buf, length: 4KiB, value: 1 }',
          UFFD,
          'UFFDIO_REGISTER: { uffd: uffd, start: buf, length: 4KiB, mode: [UFFDIO_REGISTER_MODE_WP] }',
          'UFFDIO_WRITEPROTECT: { uffd: uffd, start: buf, length: 4KiB, mode: [UFFDIO_WRITEPROTECT_MODE_WP] }',
        ],
      ),
    );
  });
});

describe('minor faults (shmem_get_folio_gfp, UFFDIO_CONTINUE)', () => {
  it('a load of a cached shmem page in a MINOR range is forwarded; UFFDIO_CONTINUE maps the cached page', () => {
    passes(
      twoThreads(
        ['read: { as: v, addr: buf, length: 4KiB }', 'expect: { value: v, equals: 0x44 }'],
        [
          'expect: { value: ev.flags, equals: 4 }', // UFFD_PAGEFAULT_FLAG_MINOR
          'UFFDIO_CONTINUE: { as: c, uffd: uffd, start: ev, length: 4KiB }',
          'expect: { value: c.mapped, equals: 4096 }',
        ],
        [
          'memfd_create: { as: fd, name: guest }',
          'ftruncate: { fd: fd, length: 4KiB }',
          'pwrite: { fd: fd, length: 4KiB, value: 0x44 }',
          'mmap: { as: buf, length: 4KiB, prot: [PROT_READ, PROT_WRITE], flags: [MAP_SHARED], file: fd }',
          UFFD,
          'UFFDIO_REGISTER: { uffd: uffd, start: buf, length: 4KiB, mode: [UFFDIO_REGISTER_MODE_MINOR] }',
        ],
      ),
    );
  });
});

describe('__get_user_pages_locked retries (mm/gup.c) and quirk kvm-gup-single-retry', () => {
  // The manager resolves the fault without waking it, the page is zapped, then UFFDIO_WAKE: the
  // woken GUP's retry finds the page gone and must wait a second time.
  function rezapped(quirk: boolean, resend: string[]): string {
    return [
      'scenario: t',
      ...(quirk ? ['kernel: { quirks: [kvm-gup-single-retry] }'] : []),
      'threads:',
      '  vcpu:',
      '    steps:',
      ...[MMAP, UFFD, MISSING, 'signal: ready'].map((l) => `      - ${l}`),
      '      - get_user_pages_unlocked: { as: p, start: buf, nr_pages: 1, gup_flags: [FOLL_WRITE] }',
      '      - signal: done',
      `      - expect: { value: p.ret, equals: ${quirk ? '-EFAULT' : '1'} }`,
      '      - put_page: { pages: p }',
      '  manager:',
      '    steps:',
      '      - wait: ready',
      '      - uffd_read: { as: ev, uffd: uffd }',
      '      - UFFDIO_COPY: { uffd: uffd, dst: ev, length: 4KiB, value: 1, mode: [UFFDIO_COPY_MODE_DONTWAKE] }',
      '      - madvise: { addr: buf, length: 4KiB, advice: MADV_DONTNEED }',
      '      - UFFDIO_WAKE: { uffd: uffd, start: buf, length: 4KiB }',
      ...resend.map((l) => `      - ${l}`),
      '',
    ].join('\n');
  }

  it('since v5.7 the FOLL_TRIED retry keeps ALLOW_RETRY: it waits again and gets the re-sent page', () => {
    passes(
      rezapped(false, [
        'uffd_read: { as: again, uffd: uffd }',
        'UFFDIO_COPY: { uffd: uffd, dst: again, length: 4KiB, value: 2 }',
      ]),
    );
  });

  it('before v5.7 the single retry has FAULT_FLAG_TRIED without ALLOW_RETRY: SIGBUS, -EFAULT', () => {
    passes(rezapped(true, ['wait: done']));
  });
});
