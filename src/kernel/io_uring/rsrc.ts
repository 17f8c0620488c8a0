/**
 * io_uring/rsrc.c (v6.18): registered ("fixed") buffers. IORING_REGISTER_BUFFERS pins each
 * buffer long-term (io_pin_pages), charges the pages to the user's locked memory and the mm's
 * pinned_vm (io_buffer_account_pin), and keeps them in an io_mapped_ubuf as bvecs; fixed reads and
 * writes use those pages without GUP; unregistering drops the table's reference and the last
 * reference unpins (io_buffer_unmap).
 * @fidelity simplified: one buffer per registration (the model's io_ring_ctx has one table slot);
 * no folio coalescing (io_coalesce_buffer: one bvec per page); the user_struct is one per
 * kernel; no CAP_IPC_LOCK (ctx->user is always set); no kernel (kbuf) buffers.
 */
import { Access } from '../../sim/footprint.js';
import type { Sched } from '../../sim/thread.js';
import { page_folio, folio_nr_pages } from '../../mm/index.js';
import { EFAULT, ENOMEM, ENXIO, EOVERFLOW } from '../include/errno.js';
import type { Kernel } from '../kernel.js';
import { unpin_user_page, unpin_user_pages } from '../mm/gup_unpin.js';
import { longterm_hold } from '../mm/longterm_hold.js';
import type { mm_struct } from '../mm/mm_struct.js';
import { rlimit_memlock } from '../mm/util.js';
import { mmObj } from '../objects.js';
import { io_pin_pages } from './memmap.js';

const PAGE_SIZE = 4096;
const SZ_1G = 2 ** 30;

/** include/linux/bvec.h: struct bio_vec. */
export interface bio_vec {
  readonly bv_page: number;
  readonly bv_len: number;
  readonly bv_offset: number;
}

/** io_uring/rsrc.h: IO_IMU_DEST / IO_IMU_SOURCE (1 << ITER_DEST, 1 << ITER_SOURCE). */
export const IO_IMU_DEST = 1 << 0;
export const IO_IMU_SOURCE = 1 << 1;

/** io_uring/rsrc.h: struct io_mapped_ubuf. @fidelity simplified */
export interface io_mapped_ubuf {
  readonly ubuf: number;
  readonly len: number;
  readonly bvec: readonly bio_vec[];
  readonly dir: number;
  acct_pages: number;
  /** The rsrc node's references: the table's, and one per request using the buffer. */
  refs: number;
}

/** include/linux/io_uring_types.h: struct io_ring_ctx (the parts buffer registration uses). */
export interface io_ring_ctx {
  /** io_uring/rsrc.c: ctx->mm_account: the mm charged with pinned_vm. */
  readonly mm_account: mm_struct;
  /** The registered buffer table (one slot in the model). */
  buf_table: (io_mapped_ubuf | null)[];
}

/** The locked_vm of the one user_struct (per kernel). */
const userLocked = new WeakMap<Kernel, { locked_vm: number }>();

function user_struct(k: Kernel): { locked_vm: number } {
  let u = userLocked.get(k);
  if (u === undefined) userLocked.set(k, (u = { locked_vm: 0 }));
  return u;
}

/** io_uring/io_uring.c: io_uring_setup: a ring whose memory is charged to current->mm. @fidelity simplified */
export function io_ring_ctx_alloc(k: Kernel): io_ring_ctx | null {
  const mm = k.current.mm;
  return mm === null ? null : { mm_account: mm, buf_table: [] };
}

/** io_uring/rsrc.c: __io_account_mem(user, nr_pages): charge user->locked_vm against RLIMIT_MEMLOCK. @fidelity exact */
export function __io_account_mem(k: Kernel, nr_pages: number): number {
  const page_limit = Math.floor(rlimit_memlock(k) / PAGE_SIZE);
  const user = user_struct(k);
  if (user.locked_vm + nr_pages > page_limit) return -ENOMEM;
  user.locked_vm += nr_pages;
  return 0;
}

/** io_uring/rsrc.c: io_account_mem(ctx, nr_pages) / io_unaccount_mem. @fidelity exact */
function* io_account_mem(
  k: Kernel,
  ctx: io_ring_ctx,
  nr_pages: number,
  sign: 1 | -1,
): Sched<number> {
  // user->locked_vm is shared by every ring of the user: a point that may touch anything
  yield k.m.point('io_account_mem');
  if (sign > 0) {
    const ret = __io_account_mem(k, nr_pages);
    if (ret !== 0) return ret;
  } else {
    user_struct(k).locked_vm -= nr_pages;
  }
  ctx.mm_account.pinned_vm += sign * nr_pages;
  return 0;
}

/**
 * io_buffer_account_pin(ctx, pages, nr_pages, imu, last_hpage): pages to charge; a large folio
 * is charged whole, once.
 * @fidelity simplified (headpage_already_acct looks at this buffer only)
 */
function io_buffer_acct_pages(k: Kernel, pages: Int32Array): number {
  let acct = 0;
  const seen = new Set<number>();
  for (const p of pages) {
    const folio = page_folio(k.mem, p);
    const nr = folio_nr_pages(k.mem, folio);
    if (nr === 1) acct++;
    else if (!seen.has(folio)) {
      seen.add(folio);
      acct += nr;
    }
  }
  return acct;
}

/** io_uring/rsrc.c: io_buffer_validate(iov). @fidelity exact */
export function io_buffer_validate(base: number, len: number): number {
  if (base === 0) return len !== 0 ? -EFAULT : 0;
  if (len === 0 || len > SZ_1G) return -EFAULT;
  if (base + len + PAGE_SIZE - 1 >= 2 ** 64) return -EOVERFLOW;
  return 0;
}

/**
 * io_uring/rsrc.c: io_sqe_buffer_register(ctx, iov, last_hpage): pin, charge and describe one buffer; the imu,
 * null for a sparse (NULL) slot, or a negative errno with nothing kept.
 * @fidelity simplified
 */
export function* io_sqe_buffer_register(
  k: Kernel,
  ctx: io_ring_ctx,
  base: number,
  len: number,
): Sched<io_mapped_ubuf | null | number> {
  if (base === 0) return null;
  const pages = yield* io_pin_pages(k, base, len);
  if (typeof pages === 'number') return pages;
  const acct_pages = io_buffer_acct_pages(k, pages);
  const ret = yield* io_account_mem(k, ctx, acct_pages, 1);
  if (ret !== 0) {
    unpin_user_pages(k, pages, pages.length);
    return ret;
  }
  const bvec: bio_vec[] = [];
  let off = base % PAGE_SIZE;
  let size = len;
  for (const page of pages) {
    const vec_len = Math.min(size, PAGE_SIZE - off);
    bvec.push({ bv_page: page, bv_len: vec_len, bv_offset: off });
    off = 0;
    size -= vec_len;
  }
  return { ubuf: base, len, bvec, dir: IO_IMU_DEST | IO_IMU_SOURCE, acct_pages, refs: 1 };
}

/**
 * io_uring/rsrc.c: io_sqe_buffers_register(ctx, arg, nr_args): IORING_REGISTER_BUFFERS with one iovec: validate,
 * register, install in the table. 0 or a negative errno.
 * @fidelity simplified (one iovec)
 */
export function* io_sqe_buffers_register(
  k: Kernel,
  ctx: io_ring_ctx,
  base: number,
  len: number,
  where: string | null = null,
): Sched<number> {
  const err = io_buffer_validate(base, len);
  if (err !== 0) return err;
  const imu = yield* io_sqe_buffer_register(k, ctx, base, len);
  if (typeof imu === 'number') return imu;
  ctx.buf_table = [imu];
  if (imu !== null)
    longterm_hold(k, {
      consumer: 'io_uring',
      fn: 'io_sqe_buffer_register',
      pages: imu.bvec.map((b) => b.bv_page),
      where,
    });
  return 0;
}

/** io_uring/rsrc.c: io_buffer_unmap(ctx, imu): the last reference is gone: uncharge and unpin each bvec's page. @fidelity simplified */
function* io_buffer_unmap(k: Kernel, ctx: io_ring_ctx, imu: io_mapped_ubuf): Sched<void> {
  if (imu.acct_pages > 0) yield* io_account_mem(k, ctx, imu.acct_pages, -1);
  for (const b of imu.bvec) unpin_user_page(k, b.bv_page);
}

/** io_uring/rsrc.c: io_put_rsrc_node(ctx, node): drop a reference; the last one frees the buffer. @fidelity simplified */
export function* io_put_rsrc_node(k: Kernel, ctx: io_ring_ctx, imu: io_mapped_ubuf): Sched<void> {
  yield k.m.at('io_put_rsrc_node', mmObj(ctx.mm_account.mm_id), Access.Write);
  if (--imu.refs === 0) yield* io_buffer_unmap(k, ctx, imu);
}

/** io_uring/rsrc.c: io_find_buf_node(req, issue_flags): the buffer at `index` with a reference for the request. @fidelity simplified */
export function io_find_buf_node(ctx: io_ring_ctx, index: number): io_mapped_ubuf | null {
  const imu = ctx.buf_table[index] ?? null;
  if (imu !== null) imu.refs++;
  return imu;
}

/**
 * io_uring/rsrc.c: io_sqe_buffers_unregister(ctx): IORING_UNREGISTER_BUFFERS: empty the table; each buffer is
 * unpinned when its last reference goes. 0, or -ENXIO when nothing is registered.
 * @fidelity simplified
 */
export function* io_sqe_buffers_unregister(k: Kernel, ctx: io_ring_ctx): Sched<number> {
  if (ctx.buf_table.length === 0) return -ENXIO;
  const table = ctx.buf_table;
  ctx.buf_table = [];
  for (const imu of table) if (imu !== null) yield* io_put_rsrc_node(k, ctx, imu);
  return 0;
}
