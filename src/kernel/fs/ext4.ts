/**
 * ext4 (fs/ext4/inode.c, fs/ext4/file.c, v6.18) with delayed allocation, as far as pins are
 * concerned: buffered writes and ->page_mkwrite give a folio buffer heads and reserve its block
 * (ext4_da_write_begin, ext4_page_mkwrite -> block_page_mkwrite with ext4_da_get_block_prep);
 * writeback allocates the block and writes the folio (ext4_do_writepages); ->dirty_folio
 * (ext4_dirty_folio) WARNs about a folio without buffers; and a dirty folio found without
 * buffers at writeback is not written: "page %lu does not have buffers attached", its dirty
 * bit is cleared and its data is lost (cc5095747edf, 2022). With the quirk
 * `ext4-writepage-bug` the old kernels' BUG in ext4_writepage is reported instead.
 * @fidelity simplified: data=ordered without a journal, no inline data, no extents beyond the
 * one-block-per-page map, no dioread_nolock, no quota.
 */
import type { Sched } from '../../sim/thread.js';
import { PG_dirty, test_and_clear_page_flag } from '../../mm/page_flags.js';
import { EFAULT, ENOMEM } from '../include/errno.js';
import {
  VM_FAULT_LOCKED,
  VM_FAULT_NOPAGE,
  VM_FAULT_OOM,
  VM_FAULT_SIGBUS,
} from '../include/fault_flags.js';
import type { Kernel } from '../kernel.js';
import { folio_unlock } from '../mm/filemap.js';
import {
  filemap_fault,
  generic_perform_write,
  generic_write_end,
  vmf_file,
  filemap_read,
} from '../mm/filemap_pagecache.js';
import type { vm_fault, vm_fault_t, vm_operations_struct } from '../mm/mm_types.js';
import { FGP_WRITEBEGIN, __filemap_get_folio, type fs_address_space } from '../mm/pagecache.js';
import type { writeback_control } from '../mm/page-writeback.js';
import { folio_put } from '../../mm/page_free.js';
import {
  BH_Delay,
  BH_Dirty,
  BH_Mapped,
  BH_New,
  __block_write_begin,
  block_commit_write,
  block_dirty_folio,
  block_invalidate_folio,
  block_page_mkwrite,
  buffer_set,
  folio_buffers,
  try_to_free_buffers,
  type buffer_head,
} from './buffer.js';
import { iomap_dio_rw } from './direct-io.js';
import { ext_alloc, ext_lookup, ext_reserve_delalloc } from './extents.js';
import { FMODE_CAN_ODIRECT, IOCB_DIRECT, type address_space_operations, type kiocb } from './fs.js';
import { fs_warn } from './fs_trace.js';
import {
  filemap_invalidate_lock_shared,
  filemap_invalidate_unlock_shared,
  inode_lock,
  inode_unlock,
  type inode,
} from './inode.js';
import { blockfs_fallocate, blockfs_fsync, blockfs_setattr_size } from './libfs.js';
import { blockfs_writepages, mpage_read_folio, type blockfs_wb } from './mpage.js';
import {
  BDI_CAP_WRITEBACK,
  BDI_CAP_WRITEBACK_ACCT,
  FS_REQUIRES_DEV,
  type file_system_type,
} from './super.js';
import type { iov_iter } from './uio.js';
import { truncate_inode_pages_final } from '../mm/truncate.js';
import { buffer_migrate_folio } from '../mm/migrate_folio.js';

/**
 * fs/ext4/inode.c: ext4_da_get_block_prep(inode, iblock, bh, create): map a buffer to its block,
 * or reserve a delayed allocation (BH_Delay, BH_New) for a hole.
 * @fidelity simplified
 */
export function ext4_da_get_block_prep(
  _k: Kernel,
  inode: inode,
  index: number,
  bh: buffer_head,
): number {
  const map = inode.i_extents;
  if (map === null) return -EFAULT;
  const block = ext_lookup(map, index);
  if (block >= 0) {
    bh.b_blocknr = block;
  } else {
    ext_reserve_delalloc(map, index);
    buffer_set(bh, BH_Delay, true);
    buffer_set(bh, BH_New, true);
  }
  buffer_set(bh, BH_Mapped, true);
  return 0;
}

/** fs/ext4/inode.c: ext4_dirty_folio(mapping, folio): WARN without buffers, then block_dirty_folio. @fidelity exact */
export function ext4_dirty_folio(k: Kernel, mapping: fs_address_space, folio: number): boolean {
  if (folio_buffers(k, folio) === null) {
    fs_warn(
      k,
      'ext4-dirty-without-buffers',
      `ext4: folio ${folio} (index ${k.mem.index[folio]}) dirtied without buffers: someone dirtied it without asking ext4 (WARN_ON_ONCE(!folio_buffers(folio)))`,
      'fs/ext4/inode.c: ext4_dirty_folio',
    );
  }
  return block_dirty_folio(k, mapping, folio);
}

/**
 * fs/ext4/inode.c: ext4_da_write_begin(iocb, mapping, pos, len): the locked folio, stable, with
 * buffers and a block or a reservation.
 * @fidelity simplified
 */
function* ext4_da_write_begin(k: Kernel, mapping: fs_address_space, pos: number): Sched<number> {
  const folio = yield* __filemap_get_folio(k, mapping, Math.floor(pos / 4096), FGP_WRITEBEGIN);
  if (folio < 0) return folio;
  const ret = __block_write_begin(k, folio, ext4_da_get_block_prep);
  if (ret !== 0) {
    yield* folio_unlock(k, folio);
    folio_put(k.mem, folio);
    return ret;
  }
  return folio;
}

/** fs/ext4/inode.c: ext4_da_write_end: commit the buffers (folio dirty), extend i_size, unlock. @fidelity simplified */
function ext4_da_write_end(
  k: Kernel,
  mapping: fs_address_space,
  pos: number,
  _len: number,
  copied: number,
  folio: number,
): Sched<number> {
  return generic_write_end(k, mapping, pos, copied, folio, block_commit_write);
}

/**
 * fs/ext4/inode.c: mpage_prepare_extent_to_map's check: a dirty folio without buffers was
 * dirtied behind ext4's back; warn, clear the dirty bit and skip it (the data is lost).
 */
function ext4_check_buffers(k: Kernel, _mapping: fs_address_space, folio: number): boolean {
  if (folio_buffers(k, folio) !== null) return true;
  const index = k.mem.index[folio];
  if (k.m.quirk('ext4-writepage-bug')) {
    k.m.report({
      id: 'fs.ext4-writepage-bug',
      message: `kernel BUG at fs/ext4/inode.c: ext4_writepage: folio ${folio} (index ${index}) is dirty but has no buffers`,
      rule: 'fs/ext4/inode.c: ext4_writepage (BUG_ON(!page_has_buffers(page)) before cc5095747edf)',
    });
  } else {
    fs_warn(
      k,
      'ext4-no-buffers',
      `EXT4-fs warning: page ${index} does not have buffers attached: its dirty data is dropped`,
      'fs/ext4/inode.c: mpage_prepare_extent_to_map',
    );
  }
  test_and_clear_page_flag(k.mem, folio, PG_dirty);
  return false;
}

/** mpage_map_and_submit_extent: allocate the delayed block of a cleaned folio. */
function ext4_map_folio(k: Kernel, inode: inode, folio: number): number {
  const bdev = inode.i_sb.s_bdev;
  const map = inode.i_extents;
  if (bdev === null || map === null) return -EFAULT;
  return ext_alloc(bdev, map, k.mem.index[folio], false);
}

/** ext4_bio_write_folio: the buffer is clean and mapped once the folio is submitted. */
function ext4_submitted(k: Kernel, folio: number, block: number): void {
  const bh = folio_buffers(k, folio);
  if (bh === null) return;
  buffer_set(bh, BH_Dirty, false);
  buffer_set(bh, BH_Delay, false);
  buffer_set(bh, BH_Mapped, true);
  bh.b_blocknr = block;
}

const ext4_wb: blockfs_wb = {
  check: ext4_check_buffers,
  map: ext4_map_folio,
  submitted: ext4_submitted,
  csum: false,
};

/** fs/ext4/inode.c: ext4_writepages(mapping, wbc). @fidelity simplified */
export function ext4_writepages(
  k: Kernel,
  mapping: fs_address_space,
  wbc: writeback_control,
): Sched<number> {
  return blockfs_writepages(k, mapping, wbc, ext4_wb);
}

/** fs/ext4/inode.c: vmf_fs_error(err) as ext4_page_mkwrite returns it. */
function vmf_fs_error(err: number): vm_fault_t {
  if (err === 0) return VM_FAULT_LOCKED;
  if (err === -EFAULT) return VM_FAULT_NOPAGE;
  if (err === -ENOMEM) return VM_FAULT_OOM;
  return VM_FAULT_SIGBUS;
}

/**
 * fs/ext4/inode.c: ext4_page_mkwrite(vmf) (delalloc): under the invalidate_lock, give the
 * folio buffers and a reservation, dirty it and wait for stable pages: VM_FAULT_LOCKED, or
 * VM_FAULT_NOPAGE if it was truncated.
 * @fidelity simplified
 */
export function* ext4_page_mkwrite(vmf: vm_fault): Sched<vm_fault_t> {
  const mapping = vmf_file(vmf).f_mapping;
  yield* filemap_invalidate_lock_shared(mapping);
  const err = yield* block_page_mkwrite(vmf, ext4_da_get_block_prep);
  yield* filemap_invalidate_unlock_shared(mapping);
  return vmf_fs_error(err);
}

/** fs/ext4/file.c: ext4_file_read_iter: direct I/O for IOCB_DIRECT, else filemap_read. @fidelity simplified */
function* ext4_file_read_iter(k: Kernel, iocb: kiocb, iter: iov_iter): Sched<number> {
  if ((iocb.ki_flags & IOCB_DIRECT) !== 0) return yield* iomap_dio_rw(k, iocb, iter, false, false);
  return yield* filemap_read(k, iocb, iter);
}

/** fs/ext4/file.c: ext4_file_write_iter: under i_rwsem, direct or buffered. @fidelity simplified */
function* ext4_file_write_iter(k: Kernel, iocb: kiocb, iter: iov_iter): Sched<number> {
  const inode = iocb.ki_filp.f_inode;
  yield* inode_lock(inode);
  const ret =
    (iocb.ki_flags & IOCB_DIRECT) !== 0
      ? yield* iomap_dio_rw(k, iocb, iter, true, false)
      : yield* generic_perform_write(k, iocb, iter);
  yield* inode_unlock(inode);
  return ret;
}

/** fs/ext4/inode.c: ext4_da_aops. @fidelity simplified */
export const ext4_da_aops: address_space_operations = {
  name: 'ext4_da_aops',
  dirty_folio: ext4_dirty_folio,
  read_folio: mpage_read_folio,
  writepages: ext4_writepages,
  write_begin: ext4_da_write_begin,
  write_end: ext4_da_write_end,
  invalidate_folio: block_invalidate_folio,
  release_folio: (k, folio) => try_to_free_buffers(k, folio),
  migrate_folio: (k, mapping, dst, src, mode) => buffer_migrate_folio(k, mapping, dst, src, mode),
};

/** fs/ext4/file.c: ext4_file_vm_ops. @fidelity simplified */
export const ext4_file_vm_ops: vm_operations_struct = {
  name: 'ext4_file_vm_ops',
  fault: filemap_fault,
  page_mkwrite: ext4_page_mkwrite,
};

/** fs/ext4/super.c: ext4_fs_type. @fidelity simplified */
export const ext4_fs_type: file_system_type = {
  name: 'ext4',
  fs_flags: FS_REQUIRES_DEV,
  bdi_capabilities: BDI_CAP_WRITEBACK | BDI_CAP_WRITEBACK_ACCT,
  evict: truncate_inode_pages_final,
  folio_private: 'buffer_head',
  ops: {
    i_fop: {
      name: 'ext4_file_operations',
      read_iter: ext4_file_read_iter,
      write_iter: ext4_file_write_iter,
      fsync: (k, f, start, end) => blockfs_fsync(k, f, start, end),
      fallocate: blockfs_fallocate,
      open_fmode: FMODE_CAN_ODIRECT,
    },
    i_op: { name: 'ext4_file_inode_operations', setattr_size: blockfs_setattr_size },
    a_ops: ext4_da_aops,
    vm_ops: ext4_file_vm_ops,
  },
};
