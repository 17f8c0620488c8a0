/**
 * gupsim repro: the doors of the userfaultfd steps (fs/userfaultfd.c: the system call, its
 * ioctls and userfaultfd_read), process_vm_readv and IORING_OP_READ_FIXED, and the refusals by
 * name of the steps that need a device or a hypervisor (vfio, ib_umem, Xen) or are
 * kernel-internal (iov_iter; KVM's are in repro-kvm.test.ts). A step that waits in
 * handle_userfault may overlap the handler's steps only when a blocking uffd_read ties them.
 */
import { describe, expect, it } from 'vitest';
import { runInGupsim, stepTimeline } from '../../src/cli/oracle/gupsim.js';
import { generateRepro, ReproRefused } from '../../src/cli/repro/index.js';
import type { TraceEvent } from '../../src/sim/trace.js';
import { buildAndRun, need, spec } from './helpers.js';

const HEAD = `processes: [app]
threads:
  main:
    steps:
      - mmap: { as: buf, length: 4KiB, prot: [PROT_READ, PROT_WRITE], flags: [MAP_PRIVATE, MAP_ANONYMOUS] }
`;

/** A missing fault resolved by the handler thread (as scenarios/oracle/uffd-missing-copy.yaml). */
const MISSING = `scenario: uffd-missing
${HEAD}      - userfaultfd: { as: uffd }
      - UFFDIO_REGISTER: { as: reg, uffd: uffd, start: buf, length: 4KiB, mode: [UFFDIO_REGISTER_MODE_MISSING] }
      - signal: registered
      - read: { as: v, addr: buf, length: 4KiB }
      - expect: { value: v, equals: 0x5a }
  handler:
    steps:
      - wait: registered
      - uffd_read: { as: ev, uffd: uffd }
      - expect: { value: ev.flags, equals: 0 }
      - UFFDIO_COPY: { as: c, uffd: uffd, dst: ev, length: 4KiB, value: 0x5a }
      - expect: { value: c.copy, equals: 4096 }
`;

function refusals(text: string): string[] {
  try {
    generateRepro(spec(text));
  } catch (e) {
    if (e instanceof ReproRefused) return e.refusals.map((r) => `${r.what}: ${r.reason}`);
    throw e;
  }
  return [];
}

/** The reproducer in the order of gupsim's run (the overlap comes from the model's trace). */
function reproFromGupsim(text: string): ReturnType<typeof generateRepro> {
  const s = spec(text);
  const g = runInGupsim(s, text);
  if ('unavailable' in g) throw new Error(`gupsim cannot run it: ${g.unavailable}`);
  if ('problem' in g.order) throw new Error(g.order.problem);
  return generateRepro(s, { order: g.order });
}

describe('userfaultfd doors', () => {
  it('are the system call and its ioctls, with a blocking read of the uffd', () => {
    const c = reproFromGupsim(MISSING).source;
    expect(c).toContain('syscall(SYS_userfaultfd, 0)');
    expect(c).toContain('ioctl(fd, UFFDIO_API, &api)');
    expect(c).toContain('UFFDIO_REGISTER, &reg');
    expect(c).toContain('.mode = UFFDIO_REGISTER_MODE_MISSING');
    expect(c).toContain('UFFDIO_COPY, &copy');
    expect(c).toContain('sys(read((int)S->b[B_uffd].value, &msg, sizeof(msg)))');
    expect(c).toContain('scalar(S->b[B_c].field[0] + 0)'); // c.copy
  });

  it('start the faulting load at its turn in the model, before the handler reads the uffd', () => {
    const r = reproFromGupsim(MISSING);
    const read = r.plan.steps.find((p) => p.inst.step.op === 'read')!;
    const uffdRead = r.plan.steps.find((p) => p.inst.step.op === 'uffd_read')!;
    expect(read.startTurn).toBeDefined();
    expect(read.startTurn).toBeLessThanOrEqual(uffdRead.turn);
    expect(read.turn).toBeGreaterThan(uffdRead.turn);
    expect(r.source).toContain(`turn_reach(${read.startTurn});`);
  });

  it('set O_NONBLOCK around a nonblock read', () => {
    const text = `scenario: t\n${HEAD}      - userfaultfd: { as: uffd }
      - uffd_read: { as: ev, uffd: uffd, nonblock: true }
      - expect: { value: ev.ret, equals: -EAGAIN }\n`;
    const c = generateRepro(spec(text)).source;
    expect(c).toContain('fcntl(fd, F_SETFL, fl | O_NONBLOCK);');
  });

  it('keep the userfaultfd output fields, and refuse a field no door keeps', () => {
    expect(refusals(MISSING)).toEqual([]);
    const locked = `scenario: t\n${HEAD}      - get_user_pages_remote: { as: q, start: buf, nr_pages: 1, gup_flags: [FOLL_WRITE], locked: 1 }
      - expect: { value: q.locked, equals: 1 }\n`;
    expect(refusals(locked).some((r) => r.includes("'.locked' comes from a remote GUP call"))).toBe(
      true,
    );
  });
});

describe('the order: a step inside the kernel while another thread runs', () => {
  const ev = (kind: 'scenario.step' | 'scenario.done', thread: number, op: string): TraceEvent =>
    ({ kind, thread, args: { op, step: '1' } }) as unknown as TraceEvent;
  const name = (id: number) => ['main', 'handler'][id]!;

  it('is followed when the other thread starts with a blocking uffd_read', () => {
    const t = stepTimeline(
      [
        ev('scenario.step', 0, 'read'),
        ev('scenario.step', 1, 'uffd_read'),
        ev('scenario.done', 1, 'uffd_read'),
        ev('scenario.step', 1, 'UFFDIO_COPY'),
        ev('scenario.done', 1, 'UFFDIO_COPY'),
        ev('scenario.done', 0, 'read'),
      ],
      name,
    );
    expect(t).toEqual({ threads: ['handler', 'handler', 'main'], starts: [0, 1, 0] });
  });

  it('is not followed when nothing ties the two steps', () => {
    const t = stepTimeline(
      [
        ev('scenario.step', 0, 'get_user_pages_unlocked'),
        ev('scenario.step', 1, 'madvise'),
        ev('scenario.done', 1, 'madvise'),
        ev('scenario.done', 0, 'get_user_pages_unlocked'),
      ],
      name,
    );
    expect(t).toHaveProperty('problem');
  });
});

describe('process_vm_readv and IORING_OP_READ_FIXED', () => {
  it('are the system calls themselves', () => {
    const text = `scenario: t
files:
  data: { fs: tmpfs, size: 4KiB, fill: 0x11 }
${HEAD}      - mmap: { as: dst, length: 4KiB, prot: [PROT_READ, PROT_WRITE], flags: [MAP_PRIVATE, MAP_ANONYMOUS] }
      - process_vm_readv: { as: n, pid: app, local: dst, remote: buf, length: 4KiB }
      - io_uring_register_buffers: { as: fixed, addr: buf, length: 4KiB }
      - open: { as: f, path: data, flags: [O_RDONLY] }
      - io_uring_read_fixed: { as: r, buffers: fixed, fd: f, length: 4KiB }\n`;
    const c = generateRepro(spec(text)).source;
    expect(c).toContain('process_vm_readv((pid_t)S->b[B_app].value, &local, 1, &remote, 1, 0)');
    expect(c).toContain('ring_rw_fixed(&rings[B_fixed], IORING_OP_READ_FIXED,');
  });
});

describe('steps without a door are refused by name', () => {
  const cases: [string, RegExp][] = [
    ['vfio_iommu_type1_map_dma: { vaddr: buf, iova: 0, size: 4KiB }', /vfio-pci and an IOMMU/],
    ['ib_umem_get: { as: mr, addr: buf, length: 4KiB }', /needs an RDMA device/],
    [
      'privcmd_ioctl_dm_op: { as: r, dom: 1, bufs: [{ addr: buf, length: 100 }] }',
      /needs a Xen hypervisor/,
    ],
    [
      'iov_iter_extract_pages: { as: p, addr: buf, length: 4KiB, direction: ITER_DEST }',
      /kernel-internal call on an iterator/,
    ],
  ];
  for (const [step, reason] of cases) {
    it(step.slice(0, step.indexOf(':')), () => {
      const r = refusals(`scenario: t\n${HEAD}      - ${step}\n`);
      expect(r[0]).toMatch(reason);
    });
  }
});

describe('on the host', () => {
  it('a load on a missing page waits for the handler: UFFDIO_COPY fills it', async (ctx) => {
    need(ctx);
    const run = await buildAndRun(reproFromGupsim(MISSING), {}, 'uffd');
    expect(run.end, run.transcript).toBe('passed');
    expect(run.expectations.filter((t) => t.ok).map((t) => t.message)).toEqual([
      'ev.flags == 0',
      'c.copy == 4096',
      'v == 0x5a',
    ]);
  });
});
