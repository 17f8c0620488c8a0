/**
 * The `reclaim` and `khugepaged` executors (src/scenario/exec/mm_reclaim.ts): what they bind and
 * how they refuse bad input.
 */
import { describe, expect, it } from 'vitest';
import { run, scenario } from '../interp/helpers.js';

function program(machine: string, ...lines: string[]): string {
  return [
    'scenario: t',
    machine,
    'threads:',
    '  main:',
    '    steps:',
    ...lines.map((l) => `      - ${l}`),
    '',
  ].join('\n');
}

const MMAP =
  'mmap: { as: buf, length: 8KiB, prot: [PROT_READ, PROT_WRITE], flags: [MAP_PRIVATE, MAP_ANONYMOUS] }';

describe('reclaim', () => {
  it('binds the pages reclaimed (try_to_free_pages); a second run finds nothing left', () => {
    const { verdict } = run(
      scenario(
        program(
          'machine: { swap: 64KiB }',
          MMAP,
          'memset: { addr: buf, length: 8KiB, value: 1 }',
          'reclaim: { as: both, nr_pages: 2 }',
          'expect: { value: both, equals: 2 }',
          'reclaim: { as: rest }',
          'expect: { value: rest, equals: 0 }',
        ),
      ),
    );
    expect(verdict.pass).toBe(true);
  });

  it('reclaims no anon page without swap (get_scan_count: no anon scan)', () => {
    const { verdict } = run(
      scenario(
        program(
          'machine: { swap: 0 }',
          MMAP,
          'memset: { addr: buf, length: 8KiB, value: 1 }',
          'reclaim: { as: r }',
          'expect: { value: r, equals: 0 }',
        ),
      ),
    );
    expect(verdict.pass).toBe(true);
  });
});

describe('khugepaged', () => {
  it('refuses addr without length as input error', () => {
    const { report } = run(scenario(program('machine: {}', MMAP, 'khugepaged: { addr: buf }')));
    expect(report.error?.message).toMatch(/both addr and length/);
  });
});
