// Every key the format makes optional gets its documented default.
import { describe, expect, it } from 'vitest';
import { MACHINE_DEFAULTS } from '../../src/scenario/index.js';
import { load, MMAP_BUF, withSteps } from './helpers.js';

const MiB = 2 ** 20;

describe('defaults', () => {
  it('a minimal scenario: default machine, one process init, no files, violations none', () => {
    const s = load('scenario: min\nthreads:\n  main:\n    steps: []\n');
    expect(s.machine).toEqual({
      memory: 64 * MiB,
      movable: 0,
      cma: 0,
      thp: MACHINE_DEFAULTS.thp,
      hugetlb: [],
      swap: 0,
    });
    expect(s.machine.thp.map((x) => [x.size / 1024, x.policy])).toEqual([
      [16, 'never'],
      [32, 'never'],
      [64, 'never'],
      [128, 'never'],
      [256, 'never'],
      [512, 'never'],
      [1024, 'never'],
      [2048, 'madvise'],
    ]);
    expect(s.processes.map((p) => p.name)).toEqual(['init']);
    expect(s.threads[0]?.process.name).toBe('init');
    expect(s.files).toEqual([]);
    expect(s.kernel.quirks).toEqual([]);
    expect(s.description).toBeNull();
    expect(s.expect.violations).toEqual({ kind: 'none' });
  });

  it('a partial machine keeps the defaults of the keys not given', () => {
    const s = load(
      'scenario: m\nmachine: { memory: 128MiB, thp: always, swap: 16MiB }\nthreads: { main: { steps: [] } }\n',
    );
    expect(s.machine).toMatchObject({
      memory: 128 * MiB,
      movable: 0,
      cma: 0,
      hugetlb: [],
      swap: 16 * MiB,
    });
    expect(s.machine.thp.at(-1)).toEqual({ size: 2 * MiB, policy: 'always' });
    expect(s.machine.thp[0]).toEqual({ size: 16384, policy: 'never' });
  });

  it('a thread without process: runs in the first process', () => {
    const s = load(
      'scenario: p\nprocesses: [a, b]\nthreads: { t1: { steps: [] }, t2: { process: b, steps: [] } }\n',
    );
    expect(s.threads.map((t) => t.process.name)).toEqual(['a', 'b']);
  });

  it('a file declaration: size 0, fill 0, mode rw', () => {
    const s = load(
      'scenario: f\nfiles: { log: { fs: tmpfs } }\nthreads: { main: { steps: [] } }\n',
    );
    expect(s.files).toMatchObject([{ path: 'log', fs: 'tmpfs', size: 0, fill: 0, mode: 'rw' }]);
  });

  it('operation arguments with defaults are filled in; optional ones stay absent', () => {
    const s = load(
      withSteps(
        MMAP_BUF,
        'pin_user_pages: { as: p, start: buf, nr_pages: 1 }',
        'kill: {}',
        'open: { as: f, path: x, flags: [O_CREAT] }',
      ),
    );
    const [mmap, pin, kill] = s.threads[0]!.steps;
    expect(mmap?.args).toMatchObject({ addr: { kind: 'literal', value: 0 }, offset: 0 });
    expect('file' in (mmap?.args ?? {})).toBe(false);
    expect(pin?.args['gup_flags']).toEqual({ value: 0, names: [] });
    expect(kill?.args['signal']).toEqual({ value: 9, name: 'SIGKILL' });
    expect(pin?.as?.fields).toEqual(['ret']);
  });

  it('a step may be a bare operation name when it takes no arguments', () => {
    const s = load(withSteps('mmap_read_lock', 'mmap_read_unlock: {}', 'fork:'));
    expect(s.threads[0]!.steps.map((x) => [x.op, x.args])).toEqual([
      ['mmap_read_lock', {}],
      ['mmap_read_unlock', {}],
      ['fork', {}],
    ]);
  });
});
