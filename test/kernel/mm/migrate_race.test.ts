// A fault that meets a migration entry waits for the migrating folio's lock without taking a
// reference (mm/filemap.c: migration_entry_wait_on_locked), so it never makes the migration it
// waits for fail: a FOLL_LONGTERM pin of shmem in ZONE_MOVABLE racing a write fault succeeds in
// every interleaving with at most one preemption.
import { describe, expect, it } from 'vitest';
import { explore } from '../../../src/explore/explore.js';
import { scenario } from '../../scenario/interp/helpers.js';

const TEXT = `
scenario: t
machine: { memory: 64MiB, movable: 16MiB }
files:
  data: { fs: tmpfs, size: 4KiB, fill: 0x22 }
threads:
  a:
    steps:
      - open: { as: s, path: data, flags: [O_RDWR] }
      - mmap: { as: m, length: 4KiB, prot: [PROT_READ, PROT_WRITE], flags: [MAP_SHARED], file: s }
      - read: { as: r0, addr: m, length: 4KiB }
      - signal: mapped
      - pin_user_pages: { as: p, start: m, nr_pages: 1, gup_flags: [FOLL_WRITE, FOLL_LONGTERM] }
      - expect: { value: p.ret, equals: 1 }
      - wait: written
      - expect: { pages: p, contents: 0x77 }
      - unpin_user_pages: { pages: p }
  b:
    steps:
      - wait: mapped
      - memset: { addr: m, length: 4KiB, value: 0x77 }
      - signal: written
`;

describe('migration and faults', () => {
  it('a write fault waiting on the migration entry does not make the long-term migration fail', () => {
    const out = explore(scenario(TEXT), {
      strategy: 'dpor',
      maxExecutions: Infinity,
      seed: 0,
      preemptionBound: 1,
    });
    expect(out.counterexample).toBeUndefined();
    expect(out.exploration.executions).toBeGreaterThan(1);
  }, 120_000);
});
