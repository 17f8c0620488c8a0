// Every example of the format contract loads, the big "Shape" one verbatim, with values resolved.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { argsOf } from '../../src/scenario/index.js';
import { expect as expectOp, memset, mmap, pin_user_pages } from '../../src/scenario/ops/index.js';
import { SHAPE_JSON, SHAPE_YAML } from './fixtures.js';
import { load, MMAP_BUF, withSteps } from './helpers.js';

const CONTRACT = '/work/shared/spec/scenario-format.md';

describe('the Shape example', () => {
  const text = SHAPE_YAML;

  it.skipIf(!existsSync(CONTRACT))('is the contract text, verbatim', () => {
    const spec = readFileSync(CONTRACT, 'utf8');
    const block = /## Shape\n\n```yaml\n([\s\S]*?)```/.exec(spec)?.[1];
    expect(block).toBe(text);
  });

  it('loads with the machine, files and processes it declares', () => {
    const s = load(text);
    expect(s.id).toBe('cow-ro-pin-shared-anon');
    expect(s.kernel.quirks).toEqual(['dirty-cow']);
    expect(s.machine.memory).toBe(64 * 2 ** 20);
    expect(s.machine.hugetlb).toEqual([{ size: 2 ** 21, pages: 4 }]);
    expect(s.machine.thp.find((x) => x.size === 2 ** 21)?.policy).toBe('madvise');
    expect(s.files).toMatchObject([
      { path: 'passwd', fs: 'ext4', size: 4096, fill: 0x11, mode: 'ro' },
    ]);
    expect(s.processes.map((p) => p.name)).toEqual(['parent']);
    expect(s.expect.violations).toEqual({ kind: 'none' });
  });

  it('resolves sizes, flags and names, and keeps each step position', () => {
    const [main] = load(text).threads;
    expect(main?.process.name).toBe('parent');
    const steps = main?.steps ?? [];
    expect(steps.map((s) => s.op)).toEqual([
      'mmap',
      'memset',
      'fork',
      'pin_user_pages',
      'expect',
      'memset',
      'expect',
      'unpin_user_pages',
      'exit',
    ]);
    const map = argsOf(steps[0]!, mmap);
    expect(map.length).toBe(4096);
    expect(map.prot).toEqual({ value: 3, names: ['PROT_READ', 'PROT_WRITE'] });
    expect(map.flags).toEqual({ value: 0x22, names: ['MAP_PRIVATE', 'MAP_ANONYMOUS'] });
    expect(steps[0]?.as).toMatchObject({ name: 'buf', kind: 'address', thread: 'main' });
    expect(argsOf(steps[1]!, memset).addr).toMatchObject({
      kind: 'ref',
      ref: { name: 'buf' },
      offset: 0,
    });
    expect(argsOf(steps[3]!, pin_user_pages).gup_flags).toEqual({
      value: 0x100,
      names: ['FOLL_LONGTERM'],
    });
    expect(argsOf(steps[4]!, expectOp).value).toMatchObject({
      kind: 'ref',
      ref: { name: 'p', field: 'ret' },
    });
    expect(steps[8]?.process).toMatchObject({
      name: 'child',
      binding: { kind: 'process', op: 'fork' },
    });
    expect(steps[3]?.pos).toEqual({ file: 'test.yaml', line: 25, column: 9 });
    expect(steps[3]?.path).toEqual([4]);
  });

  it('loads the same from JSON', () => {
    const json = load(SHAPE_JSON, {}, 'shape.json');
    const yaml = load(text);
    const strip = (s: typeof yaml) =>
      JSON.stringify(
        s.threads.map((t) => t.steps.map((x) => [x.op, x.args])),
        (k, v: unknown) => (k === 'pos' ? undefined : v),
      );
    expect(strip(json)).toBe(strip(yaml));
    expect(json.threads[0]?.steps[0]?.pos).toEqual({ file: 'shape.json', line: 35, column: 11 });
  });
});

describe('the examples in the Values, Steps and Expectations sections', () => {
  it('thp as a per-size map keeps the unnamed sizes at their defaults', () => {
    const s = load(
      [
        'scenario: t',
        'machine:',
        '  thp: { 2MiB: never, 64KiB: always }',
        'threads: { main: { steps: [] } }',
      ].join('\n'),
    );
    const policy = (kib: number) => s.machine.thp.find((x) => x.size === kib * 1024)?.policy;
    expect([policy(2048), policy(64), policy(16), policy(1024)]).toEqual([
      'never',
      'always',
      'never',
      'never',
    ]);
  });

  it('errno names, NAME+OFFSET, .locked, memory expectations and open of a declared file', () => {
    const text = [
      'scenario: values',
      'files: { passwd: { fs: ext4, size: 4KiB, fill: 0x11, mode: ro } }',
      'processes: [parent, other]',
      'threads:',
      '  main:',
      '    steps:',
      `      - ${MMAP_BUF}`,
      '      - pin_user_pages_remote: { process: other, as: r, start: buf+4KiB, nr_pages: 1, gup_flags: [FOLL_WRITE], locked: 1 }',
      '      - expect: { value: r.ret, equals: -EFAULT }',
      '      - expect: { value: r.locked, equals: 1 }',
      '      - expect: { memory: buf, length: 8KiB, contents: 0 }',
      '      - open: { as: f, path: passwd, flags: [O_RDONLY, O_DIRECT] }',
      '      - clear_refs: { value: 4 }',
      'expect: { violations: [pin-leak-at-exit] }',
    ].join('\n');
    const s = load(text);
    const steps = s.threads[0]!.steps;
    expect(steps[1]?.args['start']).toMatchObject({ kind: 'ref', offset: 4096 });
    expect(steps[1]?.as?.fields).toEqual(['ret', 'locked']);
    expect(steps[2]?.args['equals']).toEqual({ kind: 'literal', value: -14, text: '-EFAULT' });
    expect(steps[3]?.args['value']).toMatchObject({ ref: { field: 'locked' } });
    expect(steps[5]?.args['flags']).toEqual({ value: 0o40000, names: ['O_RDONLY', 'O_DIRECT'] });
    expect(s.expect.violations).toEqual({ kind: 'list', ids: ['pin-leak-at-exit'] });
  });

  it('signal, wait and repeat between threads; names used across threads', () => {
    const text = [
      'scenario: sync',
      'threads:',
      '  pinner:',
      '    steps:',
      '      - wait: mapped',
      '      - pin_user_pages_fast: { as: p, start: buf, nr_pages: 2, gup_flags: [FOLL_WRITE, FOLL_LONGTERM] }',
      '      - signal: { name: pinned }',
      '  main:',
      '    steps:',
      `      - ${MMAP_BUF}`,
      '      - signal: mapped',
      '      - wait: pinned',
      '      - repeat: { times: 3, steps: [ { memset: { addr: buf, length: 8KiB, value: 2 } }, { read: { as: v, addr: buf, length: 8KiB } } ] }',
      '      - expect: { value: v, equals: [2, 2] }',
      '      - unpin_user_pages_dirty_lock: { pages: p, make_dirty: true }',
      'expect: { violations: any }',
    ].join('\n');
    const s = load(text);
    expect(s.events).toEqual(['pinned', 'mapped']);
    const repeat = s.threads[1]!.steps[3]!;
    const body = repeat.args['steps'] as { path: number[]; op: string }[];
    expect(body.map((b) => [b.op, b.path])).toEqual([
      ['memset', [4, 1]],
      ['read', [4, 2]],
    ]);
    expect(s.threads[1]!.steps[4]?.args['equals']).toMatchObject({ kind: 'list', values: [2, 2] });
  });

  it('process and as may also sit beside the operation key', () => {
    const s = load(withSteps('fork: {}\n        as: child', 'exit: {}\n        process: child'));
    expect(s.threads[0]!.steps[1]?.process?.name).toBe('child');
  });
});
