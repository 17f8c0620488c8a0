/**
 * Executors of the Xen operations (src/kernel/drivers/xen, src/kernel/arch/x86/xen).
 *
 * privcmd_ioctl_dm_op acts on the thread's own mm (pin_user_pages_fast pins current->mm) and
 * binds the ioctl's return value. The grant-path steps bind numbers: a grant reference
 * (blkif_queue_request) or a mapping id (gnttab_map_refs) that later steps name.
 */
import { gupState } from '../../kernel/mm/gup_state.js';
import { DOMID_INVALID, privcmd_ioctl_dm_op } from '../../kernel/drivers/xen/privcmd.js';
import {
  blkif_interrupt,
  blkif_queue_request,
  make_response,
} from '../../kernel/drivers/xen/blkif.js';
import {
  gntdev_map_grant_pages,
  gntdev_unmap_grant_pages,
  type gntdev_grant_map,
} from '../../kernel/drivers/xen/gntdev.js';
import { xen_pv_dio_read } from '../../kernel/drivers/xen/xen_pv_dio.js';
import { xenState } from '../../kernel/arch/x86/xen/xen_state.js';
import type { Kernel } from '../../kernel/kernel.js';
import * as ops from '../ops/xen.js';
import type { ValueExpr } from '../spec.js';
import { defineExecutor, type ExecContext, type ExecutorEntry } from './types.js';

/** The gntdev mappings made by the scenario's steps, by id. */
const maps = new WeakMap<Kernel, gntdev_grant_map[]>();

function mapsOf(k: Kernel): gntdev_grant_map[] {
  let list = maps.get(k);
  if (list === undefined) {
    list = [];
    maps.set(k, list);
  }
  return list;
}

function number(ctx: ExecContext, e: ValueExpr, what: string): number {
  const v = ctx.value(e);
  if (typeof v !== 'number') ctx.inputError(`${what} must be one number, found a list`);
  return v;
}

function mapOf(ctx: ExecContext, e: ValueExpr): gntdev_grant_map {
  const id = number(ctx, e, 'map');
  const map = mapsOf(ctx.k)[id];
  if (map === undefined) ctx.inputError(`map ${id} is not a mapping bound by gnttab_map_refs`);
  return map;
}

function requestOf(ctx: ExecContext, e: ValueExpr): number {
  const gref = number(ctx, e, 'req');
  if (!xenState(ctx.k).requests.has(gref))
    ctx.inputError(`req ${gref} is not a request queued by blkif_queue_request (or it completed)`);
  return gref;
}

const dmOp = defineExecutor(ops.privcmd_ioctl_dm_op, function* (ctx, args) {
  if (ctx.process.mm !== ctx.task.mm)
    ctx.inputError("privcmd_ioctl_dm_op pins the calling thread's own memory; drop process:");
  const ubufs = args.bufs.map((b) => ({ uptr: ctx.addr(b.addr), size: b.length }));
  const s = gupState(ctx.k);
  s.where = `${ctx.threadName} at ${ctx.where}`;
  const effect = { value: args.value < 0 ? null : args.value };
  const ret = yield* privcmd_ioctl_dm_op(
    ctx.k,
    { domid: DOMID_INVALID },
    { dom: args.dom, ubufs },
    effect,
  );
  s.where = null;
  return { primary: ret, ret };
});

const queue = defineExecutor(ops.blkif_queue_request, function* (ctx, args) {
  const ret = yield* blkif_queue_request(ctx.k, args.backend);
  return { primary: ret, ret };
});

const interrupt = defineExecutor(ops.blkif_interrupt, function* (ctx, args) {
  const v = yield* blkif_interrupt(ctx.k, requestOf(ctx, args.req));
  return { primary: v, ret: 0 };
});

const response = defineExecutor(ops.make_response, function* (ctx, args) {
  const ret = yield* make_response(ctx.k, requestOf(ctx, args.req));
  return { primary: ret, ret };
});

const map = defineExecutor(ops.gnttab_map_refs, function* (ctx, args) {
  const ref = number(ctx, args.ref, 'ref');
  if (!xenState(ctx.k).domains.has(args.domid))
    ctx.inputError(`domain ${args.domid} does not exist (the model has dom0 only)`);
  const r = yield* gntdev_map_grant_pages(ctx.k, args.domid, [ref]);
  if (r.map === null) return { primary: -1, ret: r.ret };
  const list = mapsOf(ctx.k);
  list.push(r.map);
  return { primary: list.length - 1, ret: r.ret };
});

const unmap = defineExecutor(ops.gnttab_unmap_refs, function* (ctx, args) {
  const m = mapOf(ctx, args.map);
  if (m.unmapped) ctx.inputError('this mapping was already unmapped');
  const ret = yield* gntdev_unmap_grant_pages(ctx.k, m);
  return { primary: ret, ret };
});

const dio = defineExecutor(ops.do_blockdev_direct_IO, function* (ctx, args) {
  const ret = yield* xen_pv_dio_read(ctx.k, mapOf(ctx, args.map), args.value);
  return { primary: ret, ret };
});

export const xenExecutors: readonly ExecutorEntry[] = [
  dmOp,
  queue,
  interrupt,
  response,
  map,
  unmap,
  dio,
];
