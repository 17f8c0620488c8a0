/**
 * Executors of the consumers group: the kernel's users of GUP that keep or move user pages.
 * vmsplice / pipe_read (FOLL_GET references held by a pipe), io_uring fixed buffers (long-term
 * pins used by fixed reads and writes), process_vm_readv / writev (short pins of another
 * process), VFIO type1 DMA mappings and emulated-device pins, RDMA umems.
 *
 * Calls that pin current->mm (vmsplice, io_uring, ib_umem_get, VFIO map, the local side of
 * process_vm_*) act on the thread's own process: `process:` naming another process is refused.
 * Each VFIO container belongs to a process (created by its first map, with or without an IOMMU
 * domain); vfio_pin_pages and unmap may name it with `container:`. An RDMA umem binds as pages
 * (so dma_read/dma_write reach it); a registered io_uring buffer binds as buffers.
 */
import { gupState } from '../../kernel/mm/gup_state.js';
import {
  IOMMU_READ,
  IOMMU_WRITE,
  VFIO_DMA_MAP_FLAG_READ,
  VFIO_DMA_MAP_FLAG_WRITE,
  vfio_iommu,
} from '../../kernel/drivers/vfio/vfio_iommu_type1.js';
import {
  vfio_dma_do_map,
  vfio_dma_do_unmap,
  vfio_iommu_type1_pin_pages,
} from '../../kernel/drivers/vfio/vfio_iommu_type1_ioctl.js';
import type { ib_umem } from '../../kernel/drivers/infiniband/umem.js';
import {
  IB_ACCESS_LOCAL_WRITE,
  ib_umem_get,
  ib_umem_release,
} from '../../kernel/drivers/infiniband/umem.js';
import { alloc_pipe_info, pipe_inode_info, pipe_read } from '../../kernel/fs/pipe.js';
import { vmsplice_to_pipe } from '../../kernel/fs/splice.js';
import {
  io_ring_ctx_alloc,
  io_sqe_buffers_register,
  io_sqe_buffers_unregister,
  type io_ring_ctx,
} from '../../kernel/io_uring/rsrc.js';
import { io_read_fixed, io_write_fixed } from '../../kernel/io_uring/rw.js';
import type { Kernel } from '../../kernel/kernel.js';
import { process_vm_rw_core } from '../../kernel/mm/process_vm_access.js';
import { Process } from '../../kernel/sched/task.js';
import type { Sched } from '../../sim/thread.js';
import * as ops from '../ops/consumers.js';
import type { BindingRef } from '../spec.js';
import { fdOf } from './files.js';
import {
  defineExecutor,
  type ExecContext,
  type ExecutorEntry,
  type PagesBinding,
  type StepOutcome,
} from './types.js';

/** A registered io_uring buffer as a step binds it. */
interface BuffersBinding {
  readonly ctx: io_ring_ctx;
  readonly ubuf: number;
}

/** Per-kernel consumer objects the scenario names indirectly: VFIO containers, umems. */
interface ConsumerState {
  readonly containers: Map<number, vfio_iommu>;
  readonly umems: WeakMap<PagesBinding, ib_umem>;
}

const states = new WeakMap<Kernel, ConsumerState>();

function state(k: Kernel): ConsumerState {
  let s = states.get(k);
  if (s === undefined) states.set(k, (s = { containers: new Map(), umems: new WeakMap() }));
  return s;
}

/** The acting process must be the thread's own: the call works on current->mm. */
function requireOwnMm(ctx: ExecContext, op: string): void {
  if (ctx.process.mm !== ctx.task.mm || ctx.task.mm === null)
    ctx.inputError(
      `${op} works on current->mm: run it from a thread of that process, without process:`,
    );
}

/** Run a call that takes pins with the step's place recorded for leak reports. */
function* located<T>(ctx: ExecContext, fn: string, body: (where: string) => Sched<T>): Sched<T> {
  const s = gupState(ctx.k);
  const where = `${ctx.threadName} at ${ctx.where}`;
  s.where = where;
  ctx.m.enter(fn);
  const ret = yield* body(where);
  ctx.m.leave();
  s.where = null;
  return ret;
}

function outcome(ret: number): StepOutcome {
  return { primary: ret, ret };
}

function contents(values: readonly number[]): number | readonly number[] {
  if (values.length > 0 && values.every((v) => v === values[0])) return values[0]!;
  return values;
}

function processOf(ctx: ExecContext, ref: BindingRef | undefined): Process {
  if (ref === undefined) return ctx.process;
  const p = ctx.lookup(ref);
  if (!(p instanceof Process)) ctx.inputError(`'${ref.name}' is not a process`);
  return p;
}

const vmspliceExecutor = defineExecutor(ops.vmsplice, function* (ctx, args) {
  requireOwnMm(ctx, 'vmsplice');
  const pipe = alloc_pipe_info(ctx.k, ctx.step.as?.name ?? 'vmsplice');
  const addr = ctx.addr(args.addr);
  const ret = yield* located(ctx, ops.vmsplice.kernel, () =>
    vmsplice_to_pipe(ctx.k, pipe, addr, args.length, 0),
  );
  return { primary: pipe, ret };
});

function pipeOf(ctx: ExecContext, ref: BindingRef): pipe_inode_info {
  const pipe = ctx.lookup(ref);
  if (!(pipe instanceof pipe_inode_info))
    ctx.inputError(`'${ref.name}' is not a pipe bound by vmsplice`);
  return pipe;
}

const pipeReadExecutor = defineExecutor(ops.pipe_read, function* (ctx, args) {
  const pipe = pipeOf(ctx, args.pipe);
  ctx.m.enter(ops.pipe_read.kernel);
  const r = yield* pipe_read(ctx.k, pipe);
  ctx.m.leave();
  return { primary: contents(r.values), ret: r.bytes };
});

function buffersOf(ctx: ExecContext, ref: BindingRef): BuffersBinding {
  const b = ctx.lookup(ref) as BuffersBinding | undefined;
  if (b === undefined || typeof b.ubuf !== 'number')
    ctx.inputError(`'${ref.name}' is not a buffer bound by io_uring_register_buffers`);
  return b;
}

const registerExecutor = defineExecutor(ops.io_uring_register_buffers, function* (ctx, args) {
  requireOwnMm(ctx, 'io_uring_register_buffers');
  const ring = io_ring_ctx_alloc(ctx.k)!;
  const base = ctx.addr(args.addr);
  const ret = yield* located(ctx, ops.io_uring_register_buffers.kernel, (where) =>
    io_sqe_buffers_register(ctx.k, ring, base, args.length, where),
  );
  const binding: BuffersBinding = { ctx: ring, ubuf: base };
  return { primary: binding, ret };
});

const unregisterExecutor = defineExecutor(ops.io_uring_unregister_buffers, function* (ctx, args) {
  const b = buffersOf(ctx, args.buffers);
  ctx.m.enter(ops.io_uring_unregister_buffers.kernel);
  const ret = yield* io_sqe_buffers_unregister(ctx.k, b.ctx);
  ctx.m.leave();
  return outcome(ret);
});

function fixedExecutor(
  op: typeof ops.io_uring_write_fixed | typeof ops.io_uring_read_fixed,
  io: typeof io_write_fixed,
): ExecutorEntry {
  return defineExecutor(op, function* (ctx, args) {
    const b = buffersOf(ctx, args.buffers);
    const fd = fdOf(ctx, args.fd);
    const addr = args.addr === undefined ? b.ubuf : ctx.addr(args.addr);
    ctx.m.enter(op.kernel);
    const ret = yield* io(ctx.k, b.ctx, ctx.process.tgid, fd, addr, args.length, args.offset);
    ctx.m.leave();
    return outcome(ret);
  });
}

function processVm(
  op: typeof ops.process_vm_writev | typeof ops.process_vm_readv,
  vm_write: boolean,
): ExecutorEntry {
  return defineExecutor(op, function* (ctx, args) {
    requireOwnMm(ctx, op.name);
    const target = processOf(ctx, args.pid);
    const local = ctx.addr(args.local);
    const remote = ctx.addr(args.remote);
    const ret = yield* located(ctx, op.kernel, () =>
      process_vm_rw_core(ctx.k, target, local, remote, args.length, vm_write),
    );
    return outcome(ret);
  });
}

function containerOf(
  ctx: ExecContext,
  owner: Process,
  has_domain: boolean | null,
): vfio_iommu | null {
  const s = state(ctx.k);
  let c = s.containers.get(owner.tgid);
  if (c === undefined && has_domain !== null) {
    c = new vfio_iommu(ctx.m, `vfio(${owner.comm})`, has_domain);
    s.containers.set(owner.tgid, c);
  }
  if (c !== undefined && has_domain !== null && (c.domain !== null) !== has_domain)
    ctx.inputError(
      `the VFIO container of '${owner.comm}' was created with domain: ${c.domain !== null}`,
    );
  return c ?? null;
}

function existingContainer(ctx: ExecContext, ref: BindingRef | undefined): vfio_iommu {
  const owner = processOf(ctx, ref);
  const c = containerOf(ctx, owner, null);
  if (c === null)
    ctx.inputError(`process '${owner.comm}' has no VFIO container: map something first`);
  return c;
}

const mapDmaExecutor = defineExecutor(ops.vfio_iommu_type1_map_dma, function* (ctx, args) {
  requireOwnMm(ctx, 'vfio_iommu_type1_map_dma');
  const iommu = containerOf(ctx, ctx.process, args.domain)!;
  const flags =
    (args.read ? VFIO_DMA_MAP_FLAG_READ : 0) | (args.write ? VFIO_DMA_MAP_FLAG_WRITE : 0);
  const map = { flags, vaddr: ctx.addr(args.vaddr), iova: args.iova, size: args.size };
  const ret = yield* located(ctx, ops.vfio_iommu_type1_map_dma.kernel, (where) =>
    vfio_dma_do_map(ctx.k, iommu, map, where),
  );
  return outcome(ret);
});

const unmapDmaExecutor = defineExecutor(ops.vfio_iommu_type1_unmap_dma, function* (ctx, args) {
  const iommu = existingContainer(ctx, args.container);
  const unmap = { flags: 0, iova: args.iova, size: args.size };
  ctx.m.enter(ops.vfio_iommu_type1_unmap_dma.kernel);
  const ret = yield* vfio_dma_do_unmap(ctx.k, iommu, unmap);
  ctx.m.leave();
  return { primary: unmap.size, ret };
});

const pinPagesExecutor = defineExecutor(ops.vfio_pin_pages, function* (ctx, args) {
  const iommu = existingContainer(ctx, args.container);
  const pages = new Int32Array(args.npage).fill(-1);
  const prot = IOMMU_READ | (args.write ? IOMMU_WRITE : 0);
  const where = `${ctx.threadName} at ${ctx.where}`;
  const ret = yield* located(ctx, ops.vfio_pin_pages.kernel, () =>
    vfio_iommu_type1_pin_pages(ctx.k, iommu, args.iova, args.npage, prot, pages, where),
  );
  const pfns = ret > 0 ? Array.from(pages.subarray(0, ret)) : [];
  const binding: PagesBinding = { pfns, kind: 'pin', tgid: ctx.process.tgid, where };
  return { primary: binding, ret };
});

const umemGetExecutor = defineExecutor(ops.ib_umem_get, function* (ctx, args) {
  requireOwnMm(ctx, 'ib_umem_get');
  const addr = ctx.addr(args.addr);
  const access = args.writable ? IB_ACCESS_LOCAL_WRITE : 0;
  const where = `${ctx.threadName} at ${ctx.where}`;
  const umem = yield* located(ctx, ops.ib_umem_get.kernel, () =>
    ib_umem_get(ctx.k, addr, args.length, access, where),
  );
  const pfns = typeof umem === 'number' ? [] : [...umem.pages];
  const binding: PagesBinding = { pfns, kind: 'pin', tgid: ctx.process.tgid, where };
  if (typeof umem !== 'number') state(ctx.k).umems.set(binding, umem);
  return { primary: binding, ret: typeof umem === 'number' ? umem : 0 };
});

function umemOf(ctx: ExecContext, ref: BindingRef): ib_umem {
  const binding = ctx.lookup(ref) as PagesBinding;
  const umem = state(ctx.k).umems.get(binding);
  if (umem === undefined)
    ctx.inputError(`'${ref.name}' is not a live umem bound by a successful ib_umem_get`);
  state(ctx.k).umems.delete(binding);
  return umem;
}

const umemReleaseExecutor = defineExecutor(ops.ib_umem_release, function* (ctx, args) {
  const umem = umemOf(ctx, args.umem);
  ctx.m.enter(ops.ib_umem_release.kernel);
  yield* ib_umem_release(ctx.k, umem);
  ctx.m.leave();
  return outcome(0);
});

export const consumerExecutors: readonly ExecutorEntry[] = [
  vmspliceExecutor,
  pipeReadExecutor,
  registerExecutor,
  fixedExecutor(ops.io_uring_write_fixed, io_write_fixed),
  fixedExecutor(ops.io_uring_read_fixed, io_read_fixed),
  unregisterExecutor,
  processVm(ops.process_vm_writev, true),
  processVm(ops.process_vm_readv, false),
  mapDmaExecutor,
  unmapDmaExecutor,
  pinPagesExecutor,
  umemGetExecutor,
  umemReleaseExecutor,
];
