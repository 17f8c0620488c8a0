/**
 * What the block-backed file systems share beyond the page cache: fsync (fs/libfs.c:
 * generic_file_fsync, noop_fsync; ext4_sync_file, xfs_file_fsync, btrfs_sync_file write and
 * wait the range), truncate through ->setattr (ext4_setattr, xfs_setattr_size,
 * btrfs_setattr: the page cache goes first, then the blocks), and fallocate (allocate blocks,
 * or punch a hole: truncate_pagecache_range, then free the blocks).
 * @fidelity simplified: no journal or transaction commit, no unwritten extents (fallocated
 * blocks read as zeros because they are zeroed), no ZERO_RANGE / COLLAPSE / INSERT.
 */
import type { Sched } from '../../sim/thread.js';
import { bdev_alloc_block } from '../block/bdev.js';
import { ENOSPC, EOPNOTSUPP } from '../include/errno.js';
import { FALLOC_FL_KEEP_SIZE, FALLOC_FL_PUNCH_HOLE } from '../include/falloc.js';
import type { Kernel } from '../kernel.js';
import { file_write_and_wait_range } from '../mm/filemap_pagecache_wb.js';
import { truncate_pagecache, truncate_pagecache_range } from '../mm/truncate.js';
import { ext_remove_range } from './extents.js';
import type { file } from './file_table.js';
import {
  filemap_invalidate_lock,
  filemap_invalidate_unlock,
  i_size_read,
  i_size_write,
  inode_lock,
  inode_unlock,
  type inode,
} from './inode.js';

/** fs/libfs.c: noop_fsync(file, start, end, datasync): nothing to write (tmpfs, hugetlbfs). @fidelity exact */
// eslint-disable-next-line require-yield
export function* noop_fsync(): Sched<number> {
  return 0;
}

/** fs/libfs.c: generic_file_fsync (ext4_sync_file & co.): write back and wait for the range. @fidelity simplified */
export function* blockfs_fsync(k: Kernel, f: file, start: number, end: number): Sched<number> {
  return yield* file_write_and_wait_range(k, f, start, end);
}

/**
 * ext4_setattr / xfs_setattr_size / btrfs_setattr with ATTR_SIZE (i_rwsem held): under the
 * invalidate_lock, set i_size and truncate the page cache; a shrink then frees the blocks past
 * the new end.
 * @fidelity simplified
 */
export function* blockfs_setattr_size(k: Kernel, inode: inode, newsize: number): Sched<number> {
  const mapping = inode.i_mapping;
  const oldsize = i_size_read(inode);
  yield* filemap_invalidate_lock(mapping);
  i_size_write(inode, newsize);
  yield* truncate_pagecache(k, inode, newsize);
  if (newsize < oldsize && inode.i_extents !== null && inode.i_sb.s_bdev !== null) {
    ext_remove_range(
      inode.i_sb.s_bdev,
      inode.i_extents,
      Math.ceil(newsize / 4096),
      Number.MAX_SAFE_INTEGER,
    );
  }
  yield* filemap_invalidate_unlock(mapping);
  return 0;
}

/** Allocate (zeroed) blocks for the holes of pages [first, last]; 0 or -ENOSPC. */
function alloc_range(inode: inode, first: number, last: number): number {
  const bdev = inode.i_sb.s_bdev;
  const map = inode.i_extents;
  if (bdev === null || map === null) return 0;
  for (let index = first; index <= last; index++) {
    if (map.block(index) >= 0) continue;
    const b = bdev_alloc_block(bdev);
    if (b < 0) return -ENOSPC;
    map.setBlock(index, b);
  }
  return 0;
}

/**
 * ext4_fallocate / xfs_file_fallocate / btrfs_fallocate for FALLOC_FL_PUNCH_HOLE|KEEP_SIZE and
 * plain allocation (optionally KEEP_SIZE), with i_rwsem and the invalidate_lock held as the
 * file systems take them. 0 or a negative errno.
 * @fidelity simplified
 */
export function* blockfs_fallocate(
  k: Kernel,
  f: file,
  mode: number,
  offset: number,
  len: number,
): Sched<number> {
  if ((mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE)) !== 0) return -EOPNOTSUPP;
  const inode = f.f_inode;
  const mapping = inode.i_mapping;
  yield* inode_lock(inode);
  yield* filemap_invalidate_lock(mapping);
  let ret = 0;
  if ((mode & FALLOC_FL_PUNCH_HOLE) !== 0) {
    yield* truncate_pagecache_range(k, inode, offset, offset + len - 1);
    const first = Math.ceil(offset / 4096);
    const last = Math.floor((offset + len) / 4096) - 1;
    if (last >= first && inode.i_extents !== null && inode.i_sb.s_bdev !== null) {
      ext_remove_range(inode.i_sb.s_bdev, inode.i_extents, first, last);
    }
  } else {
    ret = alloc_range(inode, Math.floor(offset / 4096), Math.ceil((offset + len) / 4096) - 1);
    if (ret === 0 && (mode & FALLOC_FL_KEEP_SIZE) === 0 && offset + len > i_size_read(inode)) {
      i_size_write(inode, offset + len);
    }
  }
  yield* filemap_invalidate_unlock(mapping);
  yield* inode_unlock(inode);
  return ret;
}
