// The retry protocol of __get_user_pages_locked and the *locked contract (mm/gup.c), through
// scenario steps: a file page that must be read drops mmap_lock in filemap_fault
// (VM_FAULT_RETRY); GUP re-takes the lock and retries that page with FOLL_TRIED.
import { describe, expect, it } from 'vitest';
import { run, scenario, steps } from '../../scenario/interp/helpers.js';

const FILE = ['files:', '  data: { fs: ext4, size: 16KiB, fill: 0x11 }'];

function withFile(...lines: string[]): string {
  const text = steps(
    'open: { as: f, path: data, flags: [O_RDONLY] }',
    'mmap: { as: m, length: 16KiB, prot: [PROT_READ], flags: [MAP_PRIVATE], file: f }',
    ...lines,
  );
  return text.replace('threads:', [...FILE, 'threads:'].join('\n'));
}

function kinds(r: ReturnType<typeof run>): string[] {
  return r.result.trace.map((e) => e.kind).filter((k) => k.startsWith('gup.'));
}

describe('the locked contract', () => {
  it('*locked = 1: a fault drops the lock, GUP finishes and returns with it released, *locked = 0 (E4)', () => {
    const r = run(
      scenario(
        withFile(
          'get_user_pages_remote: { as: p, start: m, nr_pages: 2, locked: 1 }',
          'expect: { value: p.ret, equals: 2 }',
          'expect: { value: p.locked, equals: 0 }',
          'put_page: { pages: p }',
        ),
      ),
    );
    expect(r.verdict.reasons).toEqual([]);
    expect(kinds(r)).toContain('gup.retry');
    const faults = r.result.trace
      .filter((e) => e.kind === 'gup.fault')
      .map((e) => (e.args as { fault_flags: string }).fault_flags);
    expect(faults.some((f) => f.includes('FAULT_FLAG_TRIED'))).toBe(true);
  });

  it('locked NULL: the fault may not drop the lock (no ALLOW_RETRY), and the caller keeps it', () => {
    const r = run(
      scenario(
        withFile(
          'mmap_read_lock: {}',
          'get_user_pages_remote: { as: p, start: m, nr_pages: 2 }',
          'expect: { value: p.ret, equals: 2 }',
          'mmap_read_unlock: {}',
          'put_page: { pages: p }',
        ),
      ),
    );
    expect(r.verdict.reasons).toEqual([]);
    expect(kinds(r)).not.toContain('gup.retry');
  });

  it('get_user_pages_unlocked manages the lock itself and retries after a drop', () => {
    const r = run(
      scenario(
        withFile(
          'get_user_pages_unlocked: { as: p, start: m, nr_pages: 4 }',
          'expect: { value: p.ret, equals: 4 }',
          'expect: { pages: p, contents: 0x11 }',
          'put_page: { pages: p }',
        ),
      ),
    );
    expect(r.verdict.reasons).toEqual([]);
    expect(kinds(r)).toContain('gup.retry');
  });

  it('FOLL_NOWAIT asks for RETRY_NOWAIT faults: the lock is never dropped, the caller keeps it', () => {
    const r = run(
      scenario(
        withFile(
          'mmap_read_lock: {}',
          'get_user_pages_remote: { as: p, start: m, nr_pages: 2, gup_flags: [FOLL_NOWAIT], locked: 1 }',
          'expect: { value: p.locked, equals: 1 }',
          'mmap_read_unlock: {}',
          'put_page: { pages: p }',
        ),
      ),
    );
    expect(r.verdict.reasons).toEqual([]);
    expect(kinds(r)).not.toContain('gup.retry');
    const faults = r.result.trace
      .filter((e) => e.kind === 'gup.fault')
      .map((e) => (e.args as { fault_flags: string }).fault_flags);
    expect(faults.every((f) => f.includes('FAULT_FLAG_RETRY_NOWAIT'))).toBe(true);
  });

  it('pin_user_pages_remote with *locked = 1 pins across the drop and reports *locked = 0', () => {
    const r = run(
      scenario(
        withFile(
          'pin_user_pages_remote: { as: p, start: m, nr_pages: 3, locked: 1 }',
          'expect: { value: p.ret, equals: 3 }',
          'expect: { value: p.locked, equals: 0 }',
          'expect: { pages: p, contents: 0x11 }',
          'unpin_user_pages: { pages: p }',
        ),
      ),
    );
    expect(r.verdict.reasons).toEqual([]);
  });
});
