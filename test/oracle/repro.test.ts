/**
 * gupsim repro: scenario -> C. Steps without an exact door are refused by name and line; the
 * order follows the default schedule at step granularity; every generated program builds with
 * cc -Wall -Werror and, run on the host, reports each expectation as a TAP line with gupsim's
 * message and the bound names as JSON.
 */
import { describe, expect, it } from 'vitest';
import { catalogue } from '../../src/scenario/index.js';
import {
  DOORS,
  defaultOrder,
  instanceLabel,
  ReproRefused,
  generateRepro,
} from '../../src/cli/repro/index.js';
import { buildAndRun, need, repro, spec } from './helpers.js';

const HEAD = `processes: [parent]
threads:
  main:
    steps:
      - mmap: { as: buf, length: 8KiB, prot: [PROT_READ, PROT_WRITE], flags: [MAP_PRIVATE, MAP_ANONYMOUS] }
`;

function refusals(text: string): string[] {
  try {
    generateRepro(spec(text));
  } catch (e) {
    if (e instanceof ReproRefused)
      return e.refusals.map((r) => `${r.pos.line} ${r.what}: ${r.reason}`);
    throw e;
  }
  return [];
}

describe('the door map', () => {
  it('has an entry, door or reason, for every operation of the format', () => {
    for (const op of catalogue) {
      expect(DOORS[op.name], op.name).toBeDefined();
      expect(DOORS[op.name]!.why.length, op.name).toBeGreaterThan(10);
    }
  });
});

describe('refusals: a step without an exact door is named, with its line and why', () => {
  it('refuses pin_user_pages and the steps that use its pages', () => {
    const text = `scenario: t\n${HEAD}      - pin_user_pages: { as: p, start: buf, nr_pages: 1, gup_flags: [FOLL_LONGTERM] }
      - expect: { pages: p, contents: 0 }\n`;
    const r = refusals(text);
    expect(r[0]).toMatch(/^7 main:2 pin_user_pages: no door pins with caller-held mmap_lock/);
    expect(r[1]).toMatch(/^8 main:3 expect: its pages 'p' come from pin_user_pages/);
  });

  it("maps pin_user_pages_fast only with exactly io_uring's flags", () => {
    const pin = (flags: string) =>
      refusals(
        `scenario: t\n${HEAD}      - pin_user_pages_fast: { as: p, start: buf, nr_pages: 2, gup_flags: [${flags}] }\n`,
      );
    expect(pin('FOLL_WRITE, FOLL_LONGTERM')).toEqual([]);
    expect(pin('FOLL_LONGTERM')[0]).toMatch(/R\/O longterm pin .* need devices/);
    expect(pin('FOLL_WRITE')[0]).toMatch(/short-term pin/);
  });

  it('refuses kernel_write, dma_*, mmap locks, reclaim and khugepaged by their reasons', () => {
    const text = `scenario: t\n${HEAD}      - mmap_read_lock: {}
      - mmap_read_unlock: {}
      - reclaim: {}
      - khugepaged: {}\n`;
    const r = refusals(text);
    expect(r).toHaveLength(4);
    expect(r[0]).toMatch(/^7 main:2 mmap_read_lock: user space cannot hold mmap_lock/);
    expect(r[2]).toMatch(/MADV_PAGEOUT .* per-range door/);
  });

  it('refuses stores that are not whole pages, and literal addresses', () => {
    const r = refusals(`scenario: t\n${HEAD}      - memset: { addr: buf+1, length: 4KiB, value: 1 }
      - munmap: { addr: 0x7f0000000000, length: 4KiB }\n`);
    expect(r[0]).toMatch(/one value per 4 KiB page/);
    expect(r[1]).toMatch(/address of the model's address space/);
  });

  it('refuses a scenario with quirks switched on', () => {
    const r = refusals(`scenario: t\nkernel: { quirks: [dirty-cow] }\n${HEAD}`);
    expect(r[0]).toMatch(/kernel.quirks: quirks \[dirty-cow\] switch on historical behaviour/);
  });

  it('refuses a descriptor used in a process that does not hold it', () => {
    const text = `scenario: t\nprocesses: [parent]
threads:
  main:
    steps:
      - fork: { as: child }
      - memfd_create: { as: m, name: x, process: child }
      - ftruncate: { fd: m, length: 4KiB, process: parent }
      - exit: { process: child }
      - ftruncate: { fd: m, length: 4KiB }\n`;
    const r = refusals(text);
    expect(r).toHaveLength(1);
    expect(r[0]).toMatch(/^10 main:5 ftruncate: 'm' is not in the file table of process 'parent'/);
  });
});

describe('the order of the steps (the default schedule, whole steps)', () => {
  it('runs each thread until it waits; a signal does not preempt the signaller', () => {
    const s = spec(`scenario: t
threads:
  a:
    steps:
      - wait: go
      - signal: back
  b:
    steps:
      - signal: go
      - repeat: { times: 2, steps: [ { expect: { value: 1, equals: 1 } } ] }
      - wait: back\n`);
    const order = defaultOrder(s);
    if ('tooLong' in order) throw new Error('too long');
    expect(order.instances.map(instanceLabel)).toEqual([
      'b:1',
      'b:2.1#0',
      'b:2.1#1',
      'a:1',
      'a:2',
      'b:3',
    ]);
  });

  it('ends the threads of a process that exits', () => {
    const s = spec(`scenario: t
processes: [p, q]
threads:
  a: { process: p, steps: [ { exit: {} }, { signal: never } ] }
  b: { process: q, steps: [ { expect: { value: 1, equals: 1 } } ] }\n`);
    const order = defaultOrder(s);
    if ('tooLong' in order) throw new Error('too long');
    expect(order.instances.map(instanceLabel)).toEqual(['a:1', 'b:1']);
    expect(order.unfinished).toEqual([{ thread: 'a', why: "its process 'p' ended at exit" }]);
  });
});

describe('generated programs on the host', () => {
  it("builds with -Wall -Werror; COW after fork as TAP lines with gupsim's messages, names as JSON", async (ctx) => {
    need(ctx);
    const r = repro(`scenario: cow
${HEAD}      - memset: { addr: buf, length: 8KiB, value: 0x11 }
      - fork: { as: child }
      - memset: { process: child, addr: buf, length: 4KiB, value: 0x22 }
      - read: { as: v, addr: buf, length: 8KiB }
      - expect: { value: v, equals: 0x11 }
      - expect: { process: child, memory: buf, length: 8KiB, contents: [0x22, 0x11] }
      - exit: { process: child }
      - memset: { as: w, addr: buf+4KiB, length: 4KiB, value: 0x33 }\n`);
    const run = await buildAndRun(r);
    expect(run.end, run.transcript).toBe('passed');
    expect(run.expectations).toEqual([
      { key: 'main:6', ok: true, message: 'v == 0x11' },
      { key: 'main:7', ok: true, message: 'memory buf (8KiB) holds [0x22, 0x11]' },
    ]);
    expect(run.bound['v']).toBe(0x11);
    expect(run.bound['w.ret']).toBe(0);
    expect(run.bound['buf']).toMatch(/^0x[0-9a-f]+$/);
  });

  it("runs threads in two processes in the scenario's order, and a repeat as a loop", async (ctx) => {
    need(ctx);
    const r = repro(`scenario: threads
processes: [p1, p2]
threads:
  a:
    process: p1
    steps:
      - wait: go
      - mmap: { as: buf, length: 4KiB, prot: [PROT_READ, PROT_WRITE], flags: [MAP_PRIVATE, MAP_ANONYMOUS] }
      - repeat: { times: 5, steps: [ { memset: { addr: buf, length: 4KiB, value: 7 } }, { read: { as: v, addr: buf, length: 4KiB } } ] }
      - expect: { value: v, equals: 7 }
      - signal: back
  b:
    process: p2
    steps:
      - expect: { value: 2, equals: 3 }
      - signal: go
      - wait: back
      - expect: { value: v.ret, equals: 0 }\n`);
    expect(r.source).toMatch(/for \(int i0 = 0; i0 < 5; i0\+\+\)/);
    const run = await buildAndRun(r);
    expect(run.end, run.transcript).toBe('failed'); // 2 == 3 fails on every kernel
    expect(run.expectations.map((e) => `${e.key} ${e.ok}`)).toEqual([
      'b:1 false',
      'a:4 true',
      'b:4 true',
    ]);
  });

  it('a fault in a user store becomes -EFAULT, and a pin sees what the mapping writes', async (ctx) => {
    need(ctx, 'io_uring');
    const r = repro(`scenario: pin
${HEAD}      - memset: { addr: buf, length: 8KiB, value: 1 }
      - pin_user_pages_fast: { as: p, start: buf, nr_pages: 2, gup_flags: [FOLL_WRITE, FOLL_LONGTERM] }
      - memset: { addr: buf+4KiB, length: 4KiB, value: 2 }
      - expect: { pages: p, contents: [1, 2] }
      - kernel_read: { as: k, pages: p }
      - unpin_user_pages: { pages: p }
      - mprotect: { addr: buf, length: 8KiB, prot: [PROT_READ] }
      - memset: { as: w, addr: buf, length: 4KiB, value: 3 }
      - expect: { value: w, equals: -EFAULT }\n`);
    const run = await buildAndRun(r);
    expect(run.end, run.transcript).toBe('passed');
    expect(run.bound['k']).toEqual([1, 2]);
    expect(run.bound['p.ret']).toBe(2);
  });
});
