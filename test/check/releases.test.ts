// The always-on release checkers, through scenarios as a user writes them: a leaked pin is
// reported with the step that took it; put_page on a pin and unpin on a GET reference are
// mismatches; releasing twice is a double release; a device access after the unpin is reported.
import { describe, expect, it } from 'vitest';
import { run, scenario, steps } from '../scenario/interp/helpers.js';

const MAP =
  'mmap: { as: buf, length: 8KiB, prot: [PROT_READ, PROT_WRITE], flags: [MAP_PRIVATE, MAP_ANONYMOUS] }';

function violations(
  ...lines: string[]
): { id: string; message: string; where?: string | undefined }[] {
  const r = run(scenario(steps(MAP, 'memset: { addr: buf, length: 8KiB, value: 1 }', ...lines)));
  return r.result.violations.map((v) => ({ id: v.id, message: v.message, where: v.where }));
}

describe('release checkers', () => {
  it('gup.pin-leak: a pin never released, reported with the step that took it', () => {
    const v = violations(
      'pin_user_pages_fast: { as: p, start: buf, nr_pages: 2, gup_flags: [FOLL_WRITE] }',
    );
    expect(v.map((x) => x.id)).toEqual(['gup.pin-leak']);
    expect(v[0]!.message).toContain('2 pin(s) taken by pin_user_pages_fast');
    expect(v[0]!.where).toContain('t.yaml:');
  });

  it('gup.ref-leak: a GET reference never released', () => {
    const v = violations('get_user_pages_fast: { as: g, start: buf, nr_pages: 1 }');
    expect(v.map((x) => x.id)).toEqual(['gup.ref-leak']);
  });

  it('gup.release-mismatch: put_page on a pin, unpin on a GET reference', () => {
    expect(
      violations(
        'pin_user_pages_fast: { as: p, start: buf, nr_pages: 1 }',
        'put_page: { pages: p }',
      ).map((x) => x.id),
    ).toEqual(['gup.release-mismatch']);
    expect(
      violations(
        'get_user_pages_fast: { as: g, start: buf, nr_pages: 1 }',
        'unpin_user_pages: { pages: g }',
      ).map((x) => x.id),
    ).toEqual(['gup.release-mismatch']);
  });

  it('gup.double-release: unpinning the same pages twice', () => {
    const v = violations(
      'pin_user_pages_fast: { as: p, start: buf, nr_pages: 1 }',
      'unpin_user_pages: { pages: p }',
      'unpin_user_pages: { pages: p }',
    );
    expect(v.map((x) => x.id)).toEqual(['gup.double-release']);
  });

  it('gup.access-unpinned: a device writes through a released pin', () => {
    const v = violations(
      'pin_user_pages_fast: { as: p, start: buf, nr_pages: 1, gup_flags: [FOLL_WRITE] }',
      'unpin_user_pages: { pages: p }',
      'dma_write: { pages: p, value: 9 }',
    );
    expect(v.map((x) => x.id)).toEqual(['gup.access-unpinned']);
  });

  it('unpin_user_pages_dirty_lock through a pin that a device wrote: no reports', () => {
    expect(
      violations(
        'pin_user_pages_fast: { as: p, start: buf, nr_pages: 2, gup_flags: [FOLL_WRITE] }',
        'dma_write: { pages: p, value: 9 }',
        'unpin_user_pages_dirty_lock: { pages: p, make_dirty: true }',
        'expect: { memory: buf, length: 8KiB, contents: 9 }',
      ),
    ).toEqual([]);
  });
});
