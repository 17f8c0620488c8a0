// The operation catalogue covers the format's Steps table; every descriptor's example loads;
// the registry the loader is given decides what is accepted.
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  catalogue,
  catalogueRegistry,
  defineOperation,
  operationRegistry,
  required,
  t,
} from '../../src/scenario/index.js';
import type { AddressExpr, BindingRef, FlagSet, ResolvedArgs } from '../../src/scenario/index.js';
import type { mmap, unpin_user_pages_dirty_lock } from '../../src/scenario/ops/index.js';
import { errorOf, load } from './helpers.js';

/** The Steps table of the format contract, group by group. */
const CONTRACT_OPS = [
  'mmap',
  'munmap',
  'mprotect',
  'madvise',
  'mremap',
  'clear_refs',
  'fork',
  'exit',
  'kill',
  'memset',
  'read',
  'expect',
  'open',
  'memfd_create',
  'ftruncate',
  'fallocate',
  'pread',
  'pwrite',
  'fsync',
  'close',
  'get_user_pages',
  'get_user_pages_fast',
  'get_user_pages_remote',
  'get_user_pages_unlocked',
  'pin_user_pages',
  'pin_user_pages_fast',
  'pin_user_pages_remote',
  'pin_user_pages_unlocked',
  'unpin_user_page',
  'unpin_user_pages',
  'unpin_user_pages_dirty_lock',
  'put_page',
  'kernel_read',
  'kernel_write',
  'dma_read',
  'dma_write',
  'vmsplice',
  'pipe_read',
  'io_uring_register_buffers',
  'io_uring_write_fixed',
  'process_vm_writev',
  'proc_mem_write',
  'migrate_pages',
  'offline_pages',
  'cma_alloc',
  'writeback',
  'reclaim',
  'khugepaged',
  'mmap_read_lock',
  'mmap_read_unlock',
  'mmap_write_lock',
  'mmap_write_unlock',
  'signal',
  'wait',
  'repeat',
];

/** Steps that bind every name the examples use, keyed by the name. */
const PREAMBLE: Readonly<Record<string, string>> = {
  buf: 'mmap: { as: buf, length: 2MiB, prot: [PROT_READ, PROT_WRITE], flags: [MAP_PRIVATE, MAP_ANONYMOUS] }',
  src: 'mmap: { as: src, length: 4KiB, prot: [PROT_READ], flags: [MAP_PRIVATE, MAP_ANONYMOUS] }',
  text: 'mmap: { as: text, length: 4KiB, prot: [PROT_READ, PROT_EXEC], flags: [MAP_PRIVATE, MAP_ANONYMOUS] }',
  child: 'fork: { as: child }',
  p: 'pin_user_pages: { as: p, start: buf, nr_pages: 1 }',
  g: 'get_user_pages: { as: g, start: buf, nr_pages: 1 }',
  f: 'open: { as: f, path: passwd, flags: [O_RDWR] }',
  m: 'memfd_create: { as: m, name: mem }',
  pipe: 'vmsplice: { as: pipe, addr: buf, length: 4KiB }',
  fixed: 'io_uring_register_buffers: { as: fixed, addr: buf, length: 4KiB }',
  mr: 'ib_umem_get: { as: mr, addr: buf, length: 4KiB }',
  pinned: 'signal: pinned',
  vm: 'kvm_create_vm: { as: vm }',
  map: 'kvm_vcpu_map: { as: map, vm: vm, gpa: 0 }',
  uffd: 'userfaultfd: { as: uffd }',
  ev: 'uffd_read: { as: ev, uffd: uffd, nonblock: true }',
};

function scenarioAround(example: string): string {
  const bound = /\bas: (\w+)/.exec(example)?.[1];
  const setup = Object.entries(PREAMBLE)
    .filter(([name]) => name !== bound)
    .map(([, step]) => `      - ${step}`);
  return [
    'scenario: example',
    'files: { passwd: { fs: ext4, size: 4KiB } }',
    'threads:',
    '  setup:',
    '    steps:',
    ...setup,
    '  pinner: { steps: [] }',
    '  t:',
    '    steps:',
    `      - ${example}`,
    '',
  ].join('\n');
}

describe('the catalogue', () => {
  it('has a descriptor for every operation of the Steps table', () => {
    const names = catalogue.map((op) => op.name);
    expect(CONTRACT_OPS.filter((op) => !names.includes(op))).toEqual([]);
    expect(new Set(names).size).toBe(names.length);
  });

  it.each(catalogue.map((op) => [op.name, op.example]))(
    '%s: its example loads',
    (name, example) => {
      const step = load(scenarioAround(example)).threads.at(-1)?.steps[0];
      expect(step?.op).toBe(name);
    },
  );

  it('every descriptor documents itself and each argument', () => {
    for (const op of catalogue) {
      expect(op.doc.length, op.name).toBeGreaterThan(10);
      expect(op.kernel, op.name).toMatch(/: /);
      for (const [arg, spec] of Object.entries(op.args))
        expect(spec.doc, `${op.name}.${arg}`).not.toBe('');
    }
  });
});

describe('the registry given to the loader', () => {
  it('accepts only the operations it holds', () => {
    const registry = operationRegistry(catalogue.filter((op) => op.group !== 'mm events'));
    expect(
      errorOf('scenario: t\nthreads: { main: { steps: [ reclaim ] } }\n', { operations: registry })
        .code,
    ).toBe('GS132');
    expect(() =>
      load('scenario: t\nthreads: { main: { steps: [ fork ] } }\n', { operations: registry }),
    ).not.toThrow();
  });

  it('may hold operations outside the catalogue', () => {
    const poke = defineOperation({
      name: 'poke',
      group: 'user memory',
      kernel: 'gupsim: test',
      doc: 'A test operation.',
      example: 'poke: { n: 1 }',
      args: { n: required(t.int(0, 9), 'a digit') },
    });
    const registry = operationRegistry([...catalogueRegistry.values(), poke]);
    expect(
      load('scenario: t\nthreads: { main: { steps: [ { poke: { n: 3 } } ] } }\n', {
        operations: registry,
      }).threads[0]?.steps[0]?.args,
    ).toEqual({ n: 3 });
  });

  it('refuses an operation defined twice', () => {
    expect(() => operationRegistry([...catalogue, catalogue[0]!])).toThrow('defined twice');
  });

  it('types resolved arguments from the descriptor', () => {
    expectTypeOf<ResolvedArgs<typeof mmap.args>['length']>().toEqualTypeOf<number>();
    expectTypeOf<ResolvedArgs<typeof mmap.args>['flags']>().toEqualTypeOf<FlagSet>();
    expectTypeOf<ResolvedArgs<typeof mmap.args>['addr']>().toEqualTypeOf<AddressExpr>();
    expectTypeOf<ResolvedArgs<typeof mmap.args>['file']>().toEqualTypeOf<BindingRef | undefined>();
    expectTypeOf<
      ResolvedArgs<typeof unpin_user_pages_dirty_lock.args>['make_dirty']
    >().toEqualTypeOf<boolean>();
  });
});
