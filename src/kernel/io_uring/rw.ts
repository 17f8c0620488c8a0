/**
 * io_uring/rw.c (v6.18): IORING_OP_WRITE_FIXED and IORING_OP_READ_FIXED. The request takes a
 * reference on the registered buffer (io_find_buf_node), io_import_fixed checks the range and
 * builds an ITER_BVEC over the pinned pages, and the file's ->write_iter / ->read_iter moves the
 * data; no GUP happens at I/O time. The completion's res is the bytes moved or a negative errno.
 * @fidelity simplified: the bvec iterator is stood in for page by page (each page's value is
 * read, or written, in a step of its own, declaring its folio, and moved through a one-value
 * kernel iterator with vfs_write / vfs_read, so the file sees one call per page); issued
 * synchronously (no io-wq punt, no -EAGAIN retry).
 */
import { Access } from '../../sim/footprint.js';
import type { Sched } from '../../sim/thread.js';
import { page_folio } from '../../mm/index.js';
import { EBADF, EFAULT } from '../include/errno.js';
import { fget } from '../fs/file.js';
import { vfs_read, vfs_write } from '../fs/read_write.js';
import { iov_iter_collect, iov_iter_collected, iov_iter_value } from '../fs/uio.js';
import type { Kernel } from '../kernel.js';
import { folioObj } from '../objects.js';
import {
  IO_IMU_DEST,
  IO_IMU_SOURCE,
  io_find_buf_node,
  io_put_rsrc_node,
  type io_mapped_ubuf,
  type io_ring_ctx,
} from './rsrc.js';

const PAGE_SIZE = 4096;

/** include/linux/uio.h: ITER_DEST / ITER_SOURCE, the data direction of the iterator. */
const ITER_DEST = 0;
const ITER_SOURCE = 1;

/** One page-sized piece of an imported fixed buffer. */
interface Chunk {
  readonly page: number;
  readonly bytes: number;
}

/**
 * io_uring/rw.c: io_import_fixed(ddir, iter, imu, buf_addr, len): the pieces of [buf_addr, buf_addr + len)
 * in the buffer's pages, or -EFAULT when the range leaves the buffer or the direction is not
 * allowed.
 * @fidelity simplified (the ITER_BVEC as a list of pieces)
 */
export function io_import_fixed(
  ddir: number,
  imu: io_mapped_ubuf,
  buf_addr: number,
  len: number,
): Chunk[] | number {
  const buf_end = buf_addr + len;
  if (buf_end >= 2 ** 64) return -EFAULT;
  if (buf_addr < imu.ubuf || buf_end > imu.ubuf + imu.len) return -EFAULT;
  if ((imu.dir & (1 << ddir)) === 0) return -EFAULT;
  const out: Chunk[] = [];
  let off = buf_addr - imu.ubuf + imu.bvec[0]!.bv_offset;
  for (let left = len; left > 0;) {
    const page = imu.bvec[Math.floor(off / PAGE_SIZE)]!.bv_page;
    const bytes = Math.min(left, PAGE_SIZE - (off % PAGE_SIZE));
    out.push({ page, bytes });
    off += bytes;
    left -= bytes;
  }
  return out;
}

function* fixed_rw(
  k: Kernel,
  ctx: io_ring_ctx,
  tgid: number,
  fd: number,
  buf_addr: number,
  len: number,
  pos: number,
  ddir: number,
): Sched<number> {
  const f = fget(k, tgid, fd);
  if (f === null) return -EBADF;
  const imu = io_find_buf_node(ctx, 0);
  if (imu === null) return -EFAULT;
  const chunks = io_import_fixed(ddir, imu, buf_addr, len);
  let done = 0;
  let ret = 0;
  if (typeof chunks === 'number') ret = chunks;
  else
    for (const c of chunks) {
      ret =
        ddir === ITER_SOURCE
          ? yield* write_chunk(k, f, c, pos + done)
          : yield* read_chunk(k, f, c, pos + done);
      if (ret <= 0) break;
      done += ret;
      if (ret < c.bytes) break;
    }
  yield* io_put_rsrc_node(k, ctx, imu);
  return done > 0 ? done : ret;
}

function* write_chunk(
  k: Kernel,
  f: NonNullable<ReturnType<typeof fget>>,
  c: Chunk,
  pos: number,
): Sched<number> {
  yield k.m.at('copy_page_from_iter(bvec)', folioObj(page_folio(k.mem, c.page)), Access.Read);
  const value = k.mem.content[c.page]!;
  return yield* vfs_write(k, f, iov_iter_value(value, c.bytes), pos);
}

function* read_chunk(
  k: Kernel,
  f: NonNullable<ReturnType<typeof fget>>,
  c: Chunk,
  pos: number,
): Sched<number> {
  const iter = iov_iter_collect(c.bytes);
  const ret = yield* vfs_read(k, f, iter, pos);
  const values = iov_iter_collected(iter);
  if (ret <= 0 || values.length === 0) return ret;
  yield k.m.at('copy_page_to_iter(bvec)', folioObj(page_folio(k.mem, c.page)), Access.Write);
  k.mem.content[c.page] = values[0]!;
  return ret;
}

/**
 * io_uring/rw.c: io_write(req) for IORING_OP_WRITE_FIXED: write `len` bytes of the registered buffer at
 * buf_addr to fd at `pos`. The bytes written, or a negative errno.
 * @fidelity simplified
 */
export function io_write_fixed(
  k: Kernel,
  ctx: io_ring_ctx,
  tgid: number,
  fd: number,
  buf_addr: number,
  len: number,
  pos: number,
): Sched<number> {
  return fixed_rw(k, ctx, tgid, fd, buf_addr, len, pos, ITER_SOURCE);
}

/**
 * io_uring/rw.c: io_read(req) for IORING_OP_READ_FIXED: read `len` bytes of fd at `pos` into the registered
 * buffer at buf_addr. The bytes read, or a negative errno.
 * @fidelity simplified
 */
export function io_read_fixed(
  k: Kernel,
  ctx: io_ring_ctx,
  tgid: number,
  fd: number,
  buf_addr: number,
  len: number,
  pos: number,
): Sched<number> {
  return fixed_rw(k, ctx, tgid, fd, buf_addr, len, pos, ITER_DEST);
}

export { IO_IMU_DEST, IO_IMU_SOURCE };
