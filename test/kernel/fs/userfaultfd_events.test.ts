// The non-cooperative userfaultfd events (UFFD_FEATURE_EVENT_FORK, REMAP, REMOVE, UNMAP), as a
// handler and the thread changing the address space see them: each test is one rule of
// fs/userfaultfd.c (dup_userfaultfd, mremap_userfaultfd_prep, userfaultfd_remove,
// userfaultfd_unmap_prep, userfaultfd_event_wait_completion, userfaultfd_ctx_read), driven
// through scenario steps, in kernel-selftest style (tools/testing/selftests/mm/uffd-unit-tests.c).
import { describe, expect, it } from 'vitest';
import { explore } from '../../../src/explore/explore.js';
import type { RunResult } from '../../../src/sim/machine.js';
import { runProgram } from '../../../src/sim/program.js';
import { ReplayChooser } from '../../../src/sim/chooser.js';
import { run, scenario, steps } from '../../scenario/interp/helpers.js';
import type { ScenarioProgram } from '../../../src/scenario/interp/index.js';

const MMAP =
  'mmap: { as: buf, length: 4KiB, prot: [PROT_READ, PROT_WRITE], flags: [MAP_PRIVATE, MAP_ANONYMOUS] }';
const MISSING =
  'UFFDIO_REGISTER: { uffd: uffd, start: buf, length: 4KiB, mode: [UFFDIO_REGISTER_MODE_MISSING] }';
const uffdWith = (...features: string[]): string =>
  `userfaultfd: { as: uffd, features: [${features.join(', ')}] }`;

/** Thread `main` (`mainSteps`) and thread `handler` (`handlerSteps`) in process `p`. */
function twoThreads(mainSteps: string[], handlerSteps: string[]): string {
  const lines = (xs: string[]) => xs.map((l) => `      - ${l}`);
  return [
    'scenario: t',
    'processes: [p]',
    'threads:',
    '  main:',
    '    steps:',
    ...lines(mainSteps),
    '  handler:',
    '    steps:',
    ...lines(handlerSteps),
    '',
  ].join('\n');
}

function passes(text: string): void {
  const r = run(scenario(text));
  expect(r.report.error).toBeNull();
  expect(r.report.expectations.filter((e) => !e.ok)).toEqual([]);
  expect(r.verdict.pass).toBe(true);
}

/** Explore every interleaving with DPOR, calling `each` on every complete execution. */
function exploreAll(p: ScenarioProgram, each: (r: RunResult) => void = () => {}): number {
  const out = explore(
    p,
    { strategy: 'dpor', maxExecutions: Infinity, seed: 0 },
    { onExecution: (r) => r !== null && each(r) },
  );
  expect(out.counterexample).toBeUndefined();
  return out.exploration.executions;
}

/** Passes in every interleaving. */
function passesAlways(text: string): void {
  expect(exploreAll(scenario(text))).toBeGreaterThan(1);
}

describe('userfaultfd_api (fs/userfaultfd.c)', () => {
  it('UFFDIO_API accepts the four non-cooperative event features', () => {
    passes(
      steps(
        uffdWith(
          'UFFD_FEATURE_EVENT_FORK',
          'UFFD_FEATURE_EVENT_REMAP',
          'UFFD_FEATURE_EVENT_REMOVE',
          'UFFD_FEATURE_EVENT_UNMAP',
        ),
        'expect: { value: uffd.ret, equals: uffd }',
      ),
    );
  });

  it('a feature the kernel does not offer is still -EINVAL (features & ~uffdio_api.features)', () => {
    passes(
      steps(
        'userfaultfd: { as: u, features: [UFFD_FEATURE_EVENT_FORK, UFFD_FEATURE_MOVE] }',
        'expect: { value: u.ret, equals: -EINVAL }',
      ),
    );
  });
});

describe('fork (dup_userfaultfd, dup_userfaultfd_complete)', () => {
  it('without UFFD_FEATURE_EVENT_FORK the child loses the registration: its fault is an ordinary zero-fill', () => {
    passes(
      steps(
        MMAP,
        uffdWith(),
        MISSING,
        'fork: { as: child }',
        'read: { process: child, as: v, addr: buf, length: 4KiB }', // would block if registered
        'expect: { value: v, equals: 0 }',
        'uffd_read: { as: ev, uffd: uffd, nonblock: true }', // no FORK event was queued
        'expect: { value: ev.ret, equals: -EAGAIN }',
      ),
    );
  });

  it("with UFFD_FEATURE_EVENT_FORK the read installs the child's uffd (msg.arg.fork.ufd) and the child's fault goes there", () => {
    passesAlways(
      twoThreads(
        [
          MMAP,
          uffdWith('UFFD_FEATURE_EVENT_FORK'),
          MISSING,
          'signal: registered',
          'fork: { as: child }',
          'read: { process: child, as: v, addr: buf, length: 4KiB }',
          'expect: { value: v, equals: 0x5a }',
        ],
        [
          'wait: registered',
          'uffd_read: { as: ev, uffd: uffd }',
          'expect: { value: ev.event, equals: 0x13 }', // UFFD_EVENT_FORK
          'uffd_read: { as: f, uffd: ev.ufd }',
          'expect: { value: f, equals: buf }', // the child's fault, on the child's uffd
          'UFFDIO_COPY: { as: c, uffd: ev.ufd, dst: f, length: 4KiB, value: 0x5a }',
          'expect: { value: c, equals: 0 }',
          'uffd_read: { as: none, uffd: uffd, nonblock: true }', // nothing reached the parent's
          'expect: { value: none.ret, equals: -EAGAIN }',
        ],
      ),
    );
  });

  it('the fork waits until the event is read: meanwhile UFFDIO_COPY on the parent uffd is -EAGAIN (mmap_changing)', () => {
    const p = scenario(
      twoThreads(
        [
          MMAP,
          uffdWith('UFFD_FEATURE_EVENT_FORK'),
          MISSING,
          'signal: registered',
          'fork: { as: child }',
          'signal: forked',
        ],
        [
          'wait: registered',
          'UFFDIO_COPY: { as: c, uffd: uffd, dst: buf, length: 4KiB, value: 1 }',
          'uffd_read: { as: ev, uffd: uffd }',
          'expect: { value: ev.event, equals: 0x13 }',
          'wait: forked',
        ],
      ),
    );
    const copies = new Set<unknown>();
    exploreAll(p, (x) => copies.add(p.report(x)!.results['c']));
    expect([...copies].sort()).toEqual([-11, 0]);
  });

  it('closing the parent uffd instead of reading lets the fork go on and unregisters the child (userfaultfd_release_new)', () => {
    passesAlways(
      twoThreads(
        [
          MMAP,
          uffdWith('UFFD_FEATURE_EVENT_FORK'),
          MISSING,
          'signal: registered',
          'fork: { as: child }',
          'read: { process: child, as: v, addr: buf, length: 4KiB }',
          'expect: { value: v, equals: 0 }',
        ],
        ['wait: registered', 'uffd_close: { uffd: uffd }'],
      ),
    );
  });
});

describe('mremap (mremap_userfaultfd_prep, mremap_userfaultfd_complete)', () => {
  const DST =
    'mmap: { as: dst, length: 4KiB, prot: [PROT_READ, PROT_WRITE], flags: [MAP_PRIVATE, MAP_ANONYMOUS] }';
  const MOVE =
    'mremap: { as: m, addr: buf, old_len: 4KiB, new_len: 4KiB, flags: [MREMAP_MAYMOVE, MREMAP_FIXED], new_addr: dst }';

  it('without UFFD_FEATURE_EVENT_REMAP the moved VMA is no longer registered', () => {
    passes(
      steps(
        MMAP,
        DST,
        uffdWith(),
        MISSING,
        MOVE,
        'expect: { value: m, equals: dst }',
        'UFFDIO_COPY: { as: c, uffd: uffd, dst: dst, length: 4KiB, value: 1 }',
        'expect: { value: c, equals: -ENOENT }', // mfill_atomic finds no registered VMA
        'read: { as: v, addr: dst, length: 4KiB }', // an ordinary zero-fill, no message
        'expect: { value: v, equals: 0 }',
        'uffd_read: { as: ev, uffd: uffd, nonblock: true }',
        'expect: { value: ev.ret, equals: -EAGAIN }',
      ),
    );
  });

  it('MREMAP_DONTUNMAP without EVENT_REMAP: the old VMA stays registered, the new one is not', () => {
    passes(
      steps(
        MMAP,
        uffdWith(),
        MISSING,
        'mremap: { as: m, addr: buf, old_len: 4KiB, new_len: 4KiB, flags: [MREMAP_MAYMOVE, MREMAP_DONTUNMAP] }',
        'UFFDIO_COPY: { as: old, uffd: uffd, dst: buf, length: 4KiB, value: 1 }',
        'expect: { value: old, equals: 0 }',
        'UFFDIO_COPY: { as: moved, uffd: uffd, dst: m, length: 4KiB, value: 1 }',
        'expect: { value: moved, equals: -ENOENT }',
      ),
    );
  });

  it('with UFFD_FEATURE_EVENT_REMAP the handler reads UFFD_EVENT_REMAP (from, to, len) and faults at the new address come to it', () => {
    passesAlways(
      twoThreads(
        [
          MMAP,
          DST,
          uffdWith('UFFD_FEATURE_EVENT_REMAP'),
          MISSING,
          'signal: registered',
          MOVE,
          'read: { as: v, addr: dst, length: 4KiB }',
          'expect: { value: v, equals: 7 }',
        ],
        [
          'wait: registered',
          'uffd_read: { as: ev, uffd: uffd }',
          'expect: { value: ev.event, equals: 0x14 }', // UFFD_EVENT_REMAP
          'expect: { value: ev.from, equals: buf }',
          'expect: { value: ev.to, equals: dst }',
          'expect: { value: ev.len, equals: 4096 }',
          'uffd_read: { as: f, uffd: uffd }',
          'expect: { value: f, equals: dst }',
          'UFFDIO_COPY: { uffd: uffd, dst: f, length: 4KiB, value: 7 }',
        ],
      ),
    );
  });
});

describe('madvise and munmap (userfaultfd_remove, userfaultfd_unmap_prep)', () => {
  it('MADV_DONTNEED with UFFD_FEATURE_EVENT_REMOVE sends UFFD_EVENT_REMOVE (start, end), then zaps', () => {
    passesAlways(
      twoThreads(
        [
          MMAP,
          uffdWith('UFFD_FEATURE_EVENT_REMOVE'),
          MISSING,
          'UFFDIO_COPY: { uffd: uffd, dst: buf, length: 4KiB, value: 3 }',
          'signal: registered',
          'madvise: { as: a, addr: buf, length: 4KiB, advice: MADV_DONTNEED }',
          'expect: { value: a, equals: 0 }',
          'UFFDIO_COPY: { as: again, uffd: uffd, dst: buf, length: 4KiB, value: 4 }',
          'expect: { value: again, equals: 0 }', // the page was zapped: missing again
        ],
        [
          'wait: registered',
          'uffd_read: { as: ev, uffd: uffd }',
          'expect: { value: ev.event, equals: 0x15 }', // UFFD_EVENT_REMOVE
          'expect: { value: ev.start, equals: buf }',
          'expect: { value: ev.end, equals: buf+4KiB }',
        ],
      ),
    );
  });

  it('munmap with UFFD_FEATURE_EVENT_UNMAP sends UFFD_EVENT_UNMAP of the whole range after the unmap', () => {
    passesAlways(
      twoThreads(
        [
          MMAP,
          uffdWith('UFFD_FEATURE_EVENT_UNMAP'),
          MISSING,
          'signal: registered',
          'munmap: { as: u, addr: buf, length: 4KiB }',
          'expect: { value: u, equals: 0 }',
        ],
        [
          'wait: registered',
          'uffd_read: { as: ev, uffd: uffd }',
          'expect: { value: ev.event, equals: 0x16 }', // UFFD_EVENT_UNMAP
          'expect: { value: ev.start, equals: buf }',
          'expect: { value: ev.end, equals: buf+4KiB }',
        ],
      ),
    );
  });

  it('without the features neither MADV_DONTNEED nor munmap queues a message', () => {
    passes(
      steps(
        MMAP,
        uffdWith(),
        MISSING,
        'madvise: { addr: buf, length: 4KiB, advice: MADV_DONTNEED }',
        'munmap: { addr: buf, length: 4KiB }',
        'uffd_read: { as: ev, uffd: uffd, nonblock: true }',
        'expect: { value: ev.ret, equals: -EAGAIN }',
      ),
    );
  });
});

describe('userfaultfd_event_wait_completion (fs/userfaultfd.c)', () => {
  it('a fork event nobody reads leaves the forking thread asleep: the run deadlocks', () => {
    const p = scenario(
      steps(MMAP, uffdWith('UFFD_FEATURE_EVENT_FORK'), MISSING, 'fork: { as: child }'),
    );
    const { result } = runProgram(p, { chooser: new ReplayChooser('gs1:'), trace: false });
    expect(result.status).toBe('deadlock');
  });
});
