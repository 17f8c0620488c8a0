/**
 * Direct I/O through bios (fs/iomap/direct-io.c, v6.18, as ext4, xfs and btrfs use it):
 * __iomap_dio_rw for an iterator over memory (user buffers above all), iomap_dio_bio_iter
 * filling bios with bio_iov_iter_get_pages (user pages pinned), submission to the disk whose
 * device agent moves each page by DMA in a step of its own, and iomap_dio_bio_end_io releasing
 * the pages (bio_check_pages_dirty for a read into user memory: IOMAP_DIO_DIRTY, so data the
 * device wrote is never dropped as clean) and waking the submitter, which waits (a synchronous
 * kiocb) until every bio completed.
 *
 * Alignment (iomap_dio_bio_iter, block/fops.c): the file position and length must be multiples
 * of the logical block size (512) and the memory of every segment aligned to the queue's DMA
 * alignment (511), else -EINVAL.
 *
 * This is pin_user_pages.rst CASE 1 (direct I/O): pins taken by iov_iter_extract_pages, released
 * by bio_release_pages, the pages dirtied for a read.
 * @fidelity simplified: synchronous only (no AIO / io_uring completion), one bio per
 * __bio_iov_iter_get_pages run, no sub-block zeroing or unwritten extents, no fallback to
 * buffered I/O; a read past EOF moves whole blocks and reports the bytes up to EOF.
 */
import { Completion, complete, wait_for_completion } from '../../sim/locking/waitqueue.js';
import { Access } from '../../sim/footprint.js';
import type { Sched } from '../../sim/thread.js';
import { type block_device } from '../block/bdev.js';
import { trace_block_bio_queue } from '../block/block_bio_queue.js';
import { REQ_OP_READ, REQ_OP_WRITE, bio, submit_bio } from '../block/bio.js';
import {
  bio_check_pages_dirty,
  bio_iov_iter_get_pages,
  bio_release_pages,
} from '../block/bio_pages.js';
import { EINVAL, ENOSPC } from '../include/errno.js';
import type { Kernel } from '../kernel.js';
import {
  ITER_DEST,
  ITER_SOURCE,
  iov_iter_alignment,
  iov_iter_count,
  iov_iter_reexpand,
  iov_iter_truncate,
  iov_iter_ubuf,
  user_backed_iter,
  type iov_iter,
} from '../lib/iov_iter.js';
import { filemap_write_and_wait_range } from '../mm/filemap_pagecache_wb.js';
import { mm_solo } from '../mm/solo.js';
import { invalidate_inode_pages2_range } from '../mm/truncate.js';
import { bdevObj } from '../objects.js';
import type { task_struct } from '../sched/task.js';
import { ext_alloc, ext_lookup, type extent_map } from './extents.js';
import type { file } from './file_table.js';
import { FMODE_CAN_ODIRECT, IOCB_DIRECT, kiocb } from './fs.js';
import { i_size_read, i_size_write } from './inode.js';

/** include/linux/blkdev.h: bdev_logical_block_size(bdev) (512 on the model's disks). @fidelity simplified */
export function bdev_logical_block_size(_bdev: block_device): number {
  return 512;
}

/** include/linux/blkdev.h: bdev_dma_alignment(bdev): queue_dma_alignment's default, 511. @fidelity simplified */
export function bdev_dma_alignment(_bdev: block_device): number {
  return 511;
}

/** The alignment rules of iomap_dio_bio_iter / blkdev_dio_invalid: true when refused. @fidelity simplified */
export function dio_misaligned(bdev: block_device, pos: number, iter: iov_iter): boolean {
  const mask = bdev_logical_block_size(bdev) - 1;
  if (((pos | iov_iter_count(iter)) & mask) !== 0) return true;
  return (iov_iter_alignment(iter) & bdev_dma_alignment(bdev)) !== 0;
}

/** One direct I/O in flight (struct iomap_dio). */
interface iomap_dio {
  readonly done: Completion;
  /** IOMAP_DIO_DIRTY: a read into user memory. */
  readonly dirty: boolean;
}

/** fs/iomap/direct-io.c: iomap_dio_bio_end_io(bio): release the pages, wake the submitter. @fidelity simplified */
function iomap_dio_bio_end_io(dio: iomap_dio) {
  return function* (k: Kernel, b: bio): Sched<void> {
    k.m.enter('fs/iomap/direct-io.c: iomap_dio_bio_end_io');
    if (dio.dirty) yield* bio_check_pages_dirty(k, b);
    else yield* bio_release_pages(k, b, false);
    yield* complete(dio.done);
    k.m.leave();
  };
}

/** Give every vector its disk block (iomap_begin): allocate for a write; -1 if out of space. */
function* map_blocks(
  k: Kernel,
  b: bio,
  bdev: block_device,
  map: extent_map,
  pos: number,
  write: boolean,
  cow: boolean,
): Sched<number> {
  if (!mm_solo(k.m)) yield k.m.at('iomap_begin', bdevObj(bdev.bd_dev), Access.Write);
  let p = pos;
  for (let j = 0; j < b.bi_io_vec.length; j++) {
    const v = b.bi_io_vec[j]!;
    const index = Math.floor(p / 4096);
    const block = write ? ext_alloc(bdev, map, index, cow) : ext_lookup(map, index);
    if (write && block < 0) return -ENOSPC;
    b.bi_io_vec[j] = { ...v, block };
    p += v.bv_len ?? 4096;
  }
  return 0;
}

/**
 * fs/iomap/direct-io.c: iomap_dio_bio_iter for [pos, pos + length): fill, map and submit bios
 * until the range is queued; the bytes queued and the number of bios, or an error.
 * @fidelity simplified
 */
function* iomap_dio_bio_iter(
  k: Kernel,
  dio: iomap_dio,
  iocb: kiocb,
  iter: iov_iter,
  write: boolean,
  cow: boolean,
): Sched<{ queued: number; bios: number; err: number }> {
  const inode = iocb.ki_filp.f_inode;
  const bdev = inode.i_sb.s_bdev!;
  const map = inode.i_extents!;
  const mask = bdev_logical_block_size(bdev) - 1;
  const out = { queued: 0, bios: 0, err: 0 };
  while (iov_iter_count(iter) > 0) {
    const op = write ? REQ_OP_WRITE : REQ_OP_READ;
    const b = new bio(bdev, op, iomap_dio_bio_end_io(dio), `dio ${k.current.comm}`);
    if (user_backed_iter(iter)) b.dio_mm = iter.task?.mm ?? null;
    const ret = yield* bio_iov_iter_get_pages(k, b, iter, mask);
    if (ret < 0) {
      out.err = ret;
      break;
    }
    if ((yield* map_blocks(k, b, bdev, map, iocb.ki_pos + out.queued, write, cow)) < 0) {
      yield* bio_release_pages(k, b, false);
      out.err = -ENOSPC;
      break;
    }
    out.queued += b.bi_size;
    out.bios++;
    yield* trace_block_bio_queue(k);
    yield* submit_bio(k, b);
  }
  return out;
}

/**
 * fs/iomap/direct-io.c: __iomap_dio_rw + iomap_dio_complete for a synchronous kiocb over
 * memory: bytes moved, or a negative errno (-EINVAL when misaligned). `cow` allocates new
 * blocks for every write (btrfs).
 * @fidelity simplified
 */
export function* iomap_dio_rw_bio(
  k: Kernel,
  iocb: kiocb,
  iter: iov_iter,
  write: boolean,
  cow: boolean,
): Sched<number> {
  const inode = iocb.ki_filp.f_inode;
  const bdev = inode.i_sb.s_bdev!;
  const pos = iocb.ki_pos;
  const count = iov_iter_count(iter);
  if (count === 0) return 0;
  if (dio_misaligned(bdev, pos, iter)) return -EINVAL;
  const size = i_size_read(inode);
  if (!write && pos >= size) return 0;
  const length = write ? count : Math.min(count, Math.ceil((size - pos) / 512) * 512);
  const ret = yield* filemap_write_and_wait_range(k, inode.i_mapping, pos, pos + length - 1);
  if (ret < 0) return ret;
  const first = Math.floor(pos / 4096);
  const last = Math.floor((pos + length - 1) / 4096);
  if (write && (yield* invalidate_inode_pages2_range(k, inode.i_mapping, first, last)) < 0)
    return 0;
  const dio: iomap_dio = {
    done: new Completion(k.m, 'iomap_dio'),
    dirty: !write && user_backed_iter(iter),
  };
  iov_iter_truncate(iter, length);
  const r = yield* iomap_dio_bio_iter(k, dio, iocb, iter, write, cow);
  iov_iter_reexpand(iter, iov_iter_count(iter) + (count - length));
  for (let i = 0; i < r.bios; i++) yield* wait_for_completion(dio.done);
  let done = r.queued;
  if (write) {
    if (pos + done > i_size_read(inode)) i_size_write(inode, pos + done);
    yield* invalidate_inode_pages2_range(k, inode.i_mapping, first, last);
  } else if (pos + done > size) {
    done = size - pos;
  }
  if (done === 0 && r.err < 0) return r.err;
  iocb.ki_pos += done;
  return done;
}

/**
 * Direct I/O of the user range [addr, addr + len) of `task` (the current task) to or from file
 * `f` at `pos`, as a synchronous O_DIRECT read or write does: an ITER_UBUF iterator through the
 * file's ->read_iter / ->write_iter with IOCB_DIRECT. Bytes moved or a negative errno (-EINVAL
 * for a file that cannot do direct I/O). The entry point for other models (a Xen blkback, a
 * loop device) that do direct I/O on a process's memory.
 * @fidelity simplified (no rw_verify_area, no fsnotify)
 */
export function* dio_rw_user(
  k: Kernel,
  task: task_struct,
  f: file,
  addr: number,
  len: number,
  pos: number,
  write: boolean,
): Sched<number> {
  if ((f.f_mode & FMODE_CAN_ODIRECT) === 0) return -EINVAL;
  const op = write ? f.f_op.write_iter : f.f_op.read_iter;
  if (op === undefined) return -EINVAL;
  const iter = iov_iter_ubuf(write ? ITER_SOURCE : ITER_DEST, task, addr, len);
  return yield* op(k, new kiocb(f, pos, IOCB_DIRECT), iter);
}
