// Dirty COW (CVE-2016-5195) and its fix: a FOLL_FORCE write through /proc/self/mem to a
// read-only private file mapping, racing MADV_DONTNEED. Quirk dirty-cow is the kernel before
// 19be0eaffa3a (v4.9): mm/gup.c faultin_page drops FOLL_WRITE after the COW fault, so the retry
// of follow_page_mask accepts whatever is mapped read-only; the current kernel keeps FOLL_WRITE
// and follows a read-only entry for writing only to an exclusive anon page
// (can_follow_write_common).
import { describe, expect, it } from 'vitest';
import { combine, planExploration, runInOrder } from '../../../src/explore/index.js';
import { run, scenario } from '../../scenario/interp/helpers.js';

/** The race: `writer` forces one write, `madviser` zaps the page once, then the file is read. */
function race(quirks: string): string {
  return `scenario: dirty-cow-race
kernel: { quirks: [${quirks}] }
files:
  passwd: { fs: ext4, size: 4KiB, fill: 0x11, mode: ro }
processes: [app]
threads:
  writer:
    steps:
      - open: { as: f, path: passwd, flags: [O_RDONLY] }
      - mmap: { as: text, length: 4KiB, prot: [PROT_READ], flags: [MAP_PRIVATE], file: f }
      - pread: { as: cached, fd: f, length: 4KiB }
      - signal: mapped
      - proc_mem_write: { as: w, addr: text, length: 4KiB, value: 0x66 }
      - wait: zapped
      - pread: { as: on_disk, fd: f, length: 4KiB }
      - expect: { value: on_disk, equals: 0x11 }
  madviser:
    steps:
      - wait: mapped
      - madvise: { addr: text, length: 4KiB, advice: MADV_DONTNEED }
      - signal: zapped
`;
}

/** A single forced write, no race: what GUP decided on the way. */
function alone(quirks: string) {
  const text = `scenario: t
kernel: { quirks: [${quirks}] }
files:
  passwd: { fs: ext4, size: 4KiB, fill: 0x11, mode: ro }
processes: [app]
threads:
  main:
    steps:
      - open: { as: f, path: passwd, flags: [O_RDONLY] }
      - mmap: { as: text, length: 4KiB, prot: [PROT_READ], flags: [MAP_PRIVATE], file: f }
      - proc_mem_write: { as: w, addr: text, length: 4KiB, value: 0x66 }
      - read: { as: seen, addr: text, length: 4KiB }
      - pread: { as: on_disk, fd: f, length: 4KiB }
`;
  const r = run(scenario(text));
  const kinds = r.result.trace.map((e) => e.kind as string);
  return { r, kinds, results: r.report.results };
}

/** Every schedule with at most one preemption (DPOR): the first failure's signature, if any. */
function oneSwitch(quirks: string): { signature: string | undefined; complete: boolean } {
  const p = scenario(race(quirks), 'race.yaml');
  const plan = planExploration(p, {
    strategy: 'dpor',
    maxExecutions: 5000,
    seed: 0,
    preemptionBound: 1,
  });
  const x = combine(plan, runInOrder(p, plan));
  return { signature: x.failure?.signature, complete: x.complete };
}

describe('faultin_page after a COW fault on a VMA without VM_WRITE', () => {
  it('the pre-v4.9 kernel drops FOLL_WRITE and retries the lookup as a read (quirk dirty-cow)', () => {
    // do_wp_page reuses the COW copy and answers VM_FAULT_WRITE; faultin_page clears FOLL_WRITE.
    const { kinds, results } = alone('dirty-cow');
    expect(kinds).toContain('gup.drop-write');
    expect(results['w']).toBe(4096);
    expect(results['seen']).toBe(0x66); // without a race the copy is still what it finds
    expect(results['on_disk']).toBe(0x11);
  });

  it('the current kernel keeps FOLL_WRITE: can_follow_write_pte accepts the exclusive anon copy', () => {
    const { kinds, results } = alone('');
    expect(kinds).not.toContain('gup.drop-write');
    expect(results['w']).toBe(4096);
    expect(results['on_disk']).toBe(0x11);
  });
});

describe('MADV_DONTNEED between the COW fault and the retry', () => {
  it('with quirk dirty-cow, one preemption lets the forced write reach the page cache', () => {
    // The retry without FOLL_WRITE faults the file page back in read-only and GUP returns it:
    // gup.force-write reports it, and pread sees 0x66 in a file nobody may write.
    const { signature } = oneSwitch('dirty-cow');
    expect(signature).toContain('gup.force-write');
    expect(signature).toContain('expectation race.yaml:');
  });

  it('on the current kernel no schedule with one preemption writes the file', () => {
    const { signature, complete } = oneSwitch('');
    expect(signature).toBeUndefined();
    expect(complete).toBe(true);
  });
});
