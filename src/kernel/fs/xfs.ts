/**
 * xfs through iomap (fs/xfs/xfs_file.c, fs/xfs/xfs_aops.c, fs/iomap/buffered-io.c, v6.18), as
 * far as pins are concerned: a buffered write or ->page_mkwrite reserves a delayed allocation
 * for a hole (xfs_buffered_write_iomap_begin, iomap_page_mkwrite); with 4 KiB blocks a folio
 * holds one block and iomap attaches no per-folio state (iomap_folio_state exists only for
 * folios of several blocks), so ->dirty_folio never complains. At writeback xfs_map_blocks
 * converts the reservation; a dirty folio over a hole with no reservation (dirtied without
 * ->page_mkwrite after its blocks were freed) maps IOMAP_HOLE and is not written: the data is
 * silently dropped.
 * @fidelity simplified: no COW fork, no unwritten extents, no XFS_MMAPLOCK beyond the
 * invalidate_lock it now is.
 */
import { folio_test_dirty } from '../../mm/page_flags.js';
import type { Sched } from '../../sim/thread.js';
import { EFAULT } from '../include/errno.js';
import { VM_FAULT_LOCKED, VM_FAULT_NOPAGE } from '../include/fault_flags.js';
import type { Kernel } from '../kernel.js';
import { folio_lock, folio_unlock } from '../mm/filemap.js';
import {
  filemap_fault,
  filemap_read,
  generic_perform_write,
  generic_write_end,
  vmf_file,
  vmf_kernel,
} from '../mm/filemap_pagecache.js';
import type { vm_fault, vm_fault_t, vm_operations_struct } from '../mm/mm_types.js';
import {
  filemap_dirty_folio,
  folio_mark_dirty,
  folio_wait_stable,
  type writeback_control,
} from '../mm/page-writeback.js';
import {
  FGP_WRITEBEGIN,
  __filemap_get_folio,
  folio_pos,
  type fs_address_space,
} from '../mm/pagecache.js';
import { iomap_dio_rw } from './direct-io.js';
import { ext_alloc, ext_reserve_delalloc } from './extents.js';
import { FMODE_CAN_ODIRECT, IOCB_DIRECT, type address_space_operations, type kiocb } from './fs.js';
import {
  filemap_invalidate_lock_shared,
  filemap_invalidate_unlock_shared,
  i_size_read,
  inode_lock,
  inode_unlock,
  type inode,
} from './inode.js';
import { blockfs_fallocate, blockfs_fsync, blockfs_setattr_size } from './libfs.js';
import { WB_HOLE, blockfs_writepages, mpage_read_folio, type blockfs_wb } from './mpage.js';
import {
  BDI_CAP_WRITEBACK,
  BDI_CAP_WRITEBACK_ACCT,
  FS_REQUIRES_DEV,
  type file_system_type,
} from './super.js';
import type { iov_iter } from './uio.js';
import { truncate_inode_pages_final } from '../mm/truncate.js';
import { filemap_migrate_folio } from '../mm/migrate_folio.js';

/** fs/xfs/xfs_iomap.c: xfs_buffered_write_iomap_begin: reserve delalloc for a hole. @fidelity simplified */
function xfs_reserve(inode: inode, index: number): void {
  if (inode.i_extents !== null) ext_reserve_delalloc(inode.i_extents, index);
}

/** fs/iomap/buffered-io.c: iomap_write_begin: the locked, stable folio of `pos`, its block reserved. @fidelity simplified */
function* iomap_write_begin(k: Kernel, mapping: fs_address_space, pos: number): Sched<number> {
  const index = Math.floor(pos / 4096);
  xfs_reserve(mapping.host, index);
  return yield* __filemap_get_folio(k, mapping, index, FGP_WRITEBEGIN);
}

/** fs/iomap/buffered-io.c: iomap_write_end: dirty the folio (filemap_dirty_folio), extend i_size. @fidelity simplified */
function iomap_write_end(
  k: Kernel,
  mapping: fs_address_space,
  pos: number,
  _len: number,
  copied: number,
  folio: number,
): Sched<number> {
  return generic_write_end(k, mapping, pos, copied, folio);
}

/** fs/xfs/xfs_aops.c: xfs_map_blocks: allocate a reserved block; a hole without reservation is IOMAP_HOLE. */
function xfs_map_folio(k: Kernel, inode: inode, folio: number): number {
  const bdev = inode.i_sb.s_bdev;
  const map = inode.i_extents;
  if (bdev === null || map === null) return -EFAULT;
  const index = k.mem.index[folio];
  if (map.block(index) < 0 && !map.reserved(index)) return WB_HOLE;
  return ext_alloc(bdev, map, index, false);
}

const xfs_wb: blockfs_wb = { map: xfs_map_folio, csum: false };

/** fs/xfs/xfs_aops.c: xfs_vm_writepages(mapping, wbc) -> iomap_writepages. @fidelity simplified */
export function xfs_vm_writepages(
  k: Kernel,
  mapping: fs_address_space,
  wbc: writeback_control,
): Sched<number> {
  return blockfs_writepages(k, mapping, wbc, xfs_wb);
}

/**
 * fs/xfs/xfs_file.c: xfs_filemap_page_mkwrite -> xfs_write_fault -> iomap_page_mkwrite: under
 * the invalidate_lock (XFS_MMAPLOCK_SHARED), lock the folio, reserve its block, dirty it and
 * wait for stable pages.
 * @fidelity simplified
 */
export function* xfs_filemap_page_mkwrite(vmf: vm_fault): Sched<vm_fault_t> {
  const k = vmf_kernel(vmf);
  const mapping = vmf_file(vmf).f_mapping;
  const folio = vmf.page;
  yield* filemap_invalidate_lock_shared(mapping);
  yield* folio_lock(k, folio);
  let ret = VM_FAULT_LOCKED;
  if (k.mem.mapping[folio] !== mapping.id || folio_pos(k, folio) >= i_size_read(mapping.host)) {
    yield* folio_unlock(k, folio);
    ret = VM_FAULT_NOPAGE;
  } else {
    xfs_reserve(mapping.host, k.mem.index[folio]);
    folio_mark_dirty(k, folio);
    yield* folio_wait_stable(k, folio);
  }
  yield* filemap_invalidate_unlock_shared(mapping);
  return ret;
}

/** fs/iomap/buffered-io.c: iomap_release_folio: nothing to free unless dirty. */
function iomap_release_folio(k: Kernel, folio: number): boolean {
  return !folio_test_dirty(k.mem, folio);
}

function* xfs_file_read_iter(k: Kernel, iocb: kiocb, iter: iov_iter): Sched<number> {
  if ((iocb.ki_flags & IOCB_DIRECT) !== 0) return yield* iomap_dio_rw(k, iocb, iter, false, false);
  return yield* filemap_read(k, iocb, iter);
}

function* xfs_file_write_iter(k: Kernel, iocb: kiocb, iter: iov_iter): Sched<number> {
  const inode = iocb.ki_filp.f_inode;
  yield* inode_lock(inode);
  const ret =
    (iocb.ki_flags & IOCB_DIRECT) !== 0
      ? yield* iomap_dio_rw(k, iocb, iter, true, false)
      : yield* generic_perform_write(k, iocb, iter);
  yield* inode_unlock(inode);
  return ret;
}

/** fs/xfs/xfs_aops.c: xfs_address_space_operations. @fidelity simplified */
export const xfs_address_space_operations: address_space_operations = {
  name: 'xfs_address_space_operations',
  dirty_folio: filemap_dirty_folio,
  read_folio: mpage_read_folio,
  writepages: xfs_vm_writepages,
  write_begin: iomap_write_begin,
  write_end: iomap_write_end,
  release_folio: iomap_release_folio,
  migrate_folio: (k, mapping, dst, src, mode) => filemap_migrate_folio(k, mapping, dst, src, mode),
};

/** fs/xfs/xfs_file.c: xfs_file_vm_ops. @fidelity simplified */
export const xfs_file_vm_ops: vm_operations_struct = {
  name: 'xfs_file_vm_ops',
  fault: filemap_fault,
  page_mkwrite: xfs_filemap_page_mkwrite,
};

/** fs/xfs/xfs_super.c: xfs_fs_type. @fidelity simplified */
export const xfs_fs_type: file_system_type = {
  name: 'xfs',
  fs_flags: FS_REQUIRES_DEV,
  bdi_capabilities: BDI_CAP_WRITEBACK | BDI_CAP_WRITEBACK_ACCT,
  evict: truncate_inode_pages_final,
  folio_private: null,
  ops: {
    i_fop: {
      name: 'xfs_file_operations',
      read_iter: xfs_file_read_iter,
      write_iter: xfs_file_write_iter,
      fsync: (k, f, start, end) => blockfs_fsync(k, f, start, end),
      fallocate: blockfs_fallocate,
      open_fmode: FMODE_CAN_ODIRECT,
    },
    i_op: { name: 'xfs_inode_operations', setattr_size: blockfs_setattr_size },
    a_ops: xfs_address_space_operations,
    vm_ops: xfs_file_vm_ops,
  },
};
