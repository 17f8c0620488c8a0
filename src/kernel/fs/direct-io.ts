/**
 * Direct I/O from and to kernel buffers: fs/iomap/direct-io.c iomap_dio_rw as ext4, xfs and
 * btrfs use it, reduced to the page-cache rules that matter here: the range is written back
 * first (kiocb_write_and_wait), a write invalidates the cached folios of the range before and
 * after (kiocb_invalidate_pages, kiocb_invalidate_post_direct_write), and the data moves
 * between the buffer and the disk blocks, not the page cache.
 *
 * Direct I/O on memory (user buffers, bvec/kvec/xarray pages) goes through bios, the device
 * agent and GUP pins: direct-io_bio.ts. Here, model kernel buffers (scenario values).
 * @fidelity simplified: synchronous (no device agent) for model kernel buffers.
 */
import { Access } from '../../sim/footprint.js';
import type { Sched } from '../../sim/thread.js';
import { bdev_read_block } from '../block/bdev.js';
import { ENOSPC, EOPNOTSUPP } from '../include/errno.js';
import type { Kernel } from '../kernel.js';
import { filemap_write_and_wait_range } from '../mm/filemap_pagecache_wb.js';
import { invalidate_inode_pages2_range } from '../mm/truncate.js';
import { mm_solo } from '../mm/solo.js';
import { bdevObj } from '../objects.js';
import { ext_alloc, ext_lookup } from './extents.js';
import type { kiocb } from './fs.js';
import { i_size_read, i_size_write } from './inode.js';
import { ITER_DISCARD } from '../lib/iov_iter.js';
import { iomap_dio_rw_bio } from './direct-io_bio.js';
import { iov_iter_count, type iov_iter } from './uio.js';

/**
 * fs/iomap/direct-io.c: iomap_dio_rw(iocb, iter, ...) for a kernel buffer: bytes moved, or a
 * negative errno. `cow` allocates new blocks for every write (btrfs).
 * @fidelity simplified
 */
export function* iomap_dio_rw(
  k: Kernel,
  iocb: kiocb,
  iter: iov_iter,
  write: boolean,
  cow: boolean,
): Sched<number> {
  const inode = iocb.ki_filp.f_inode;
  const mapping = inode.i_mapping;
  const bdev = inode.i_sb.s_bdev;
  const map = inode.i_extents;
  if (bdev === null || map === null) return -EOPNOTSUPP;
  if (iter.kbuf === null && iter.iter_type !== ITER_DISCARD)
    return yield* iomap_dio_rw_bio(k, iocb, iter, write, cow);
  const count = iov_iter_count(iter);
  const pos = iocb.ki_pos;
  const ret = yield* filemap_write_and_wait_range(k, mapping, pos, pos + count - 1);
  if (ret < 0) return ret;
  const first = Math.floor(pos / 4096);
  const last = Math.floor((pos + count - 1) / 4096);
  if (write) {
    const r = yield* invalidate_inode_pages2_range(k, mapping, first, last);
    if (r < 0) return 0;
  }
  if (!mm_solo(k.m)) yield k.m.at('iomap_dio_rw', bdevObj(bdev.bd_dev), Access.Write);
  const end = write ? pos + count : Math.min(pos + count, i_size_read(inode));
  let done = 0;
  for (let p = pos; p < end;) {
    const index = Math.floor(p / 4096);
    const bytes = Math.min(end - p, (index + 1) * 4096 - p);
    const b = iter.kbuf;
    if (write) {
      const block = ext_alloc(bdev, map, index, cow);
      if (block < 0) return done > 0 ? done : -ENOSPC;
      if (b !== null && b.kind === 'value') bdev.data[block] = b.value;
    } else {
      const block = ext_lookup(map, index);
      if (b !== null && b.kind === 'collect')
        b.values.push(block < 0 ? 0 : bdev_read_block(bdev, block));
    }
    iter.done += bytes;
    iter.count -= bytes;
    done += bytes;
    p += bytes;
  }
  if (write) {
    if (pos + done > i_size_read(inode)) i_size_write(inode, pos + done);
    yield* invalidate_inode_pages2_range(k, mapping, first, last);
  }
  iocb.ki_pos += done;
  return done;
}
