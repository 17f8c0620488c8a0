/**
 * btrfs (fs/btrfs/file.c, fs/btrfs/inode.c, fs/btrfs/extent_io.c, v6.18), as far as pins are
 * concerned: copy-on-write, so every write needs a delalloc reservation, made by the buffered
 * write path (prepare_one_folio, btrfs_dirty_folio) and by btrfs_page_mkwrite, which also mark
 * the folio extent-mapped (folio->private). Data is checksummed when the bio is submitted and
 * pages must not change under writeback: btrfs_page_mkwrite and the write path wait for it
 * (modelled as SB_I_STABLE_WRITES). A dirty folio found at writeback without a reservation was
 * dirtied behind btrfs's back: the non-experimental kernel queues the COW fixup worker, which
 * reserves space and redirties the folio (btrfs_writepage_cow_fixup); it is written next time.
 * @fidelity simplified: no ordered extents (the reservation is consumed when the folio is
 * mapped), no compression, no subpage, no transaction commit; the fixup runs inline.
 */
import { folio_test_dirty, folio_test_writeback } from '../../mm/page_flags.js';
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
  folio_wait_writeback,
  type writeback_control,
} from '../mm/page-writeback.js';
import {
  FGP_WRITEBEGIN,
  __filemap_get_folio,
  folio_file_mapping,
  folio_pos,
  type fs_address_space,
} from '../mm/pagecache.js';
import { folio_attach_private, folio_buffers, folio_detach_private } from './buffer.js';
import { iomap_dio_rw } from './direct-io.js';
import { ext_alloc } from './extents.js';
import { FMODE_CAN_ODIRECT, IOCB_DIRECT, type address_space_operations, type kiocb } from './fs.js';
import { fs_trace } from './fs_trace.js';
import { i_size_read, inode_lock, inode_unlock, type inode } from './inode.js';
import { blockfs_fallocate, blockfs_fsync, blockfs_setattr_size } from './libfs.js';
import { WB_REDIRTY, blockfs_writepages, mpage_read_folio, type blockfs_wb } from './mpage.js';
import {
  BDI_CAP_WRITEBACK,
  BDI_CAP_WRITEBACK_ACCT,
  FS_REQUIRES_DEV,
  type file_system_type,
} from './super.js';
import type { iov_iter } from './uio.js';
import { truncate_inode_pages_final } from '../mm/truncate.js';
import { filemap_migrate_folio } from '../mm/migrate_folio.js';

/** fs/btrfs/extent_io.c: set_folio_extent_mapped(folio): attach EXTENT_FOLIO_PRIVATE. @fidelity simplified */
export function set_folio_extent_mapped(k: Kernel, folio: number): void {
  if (folio_buffers(k, folio) === null) folio_attach_private(k, folio, 0, 'extent_mapped');
}

/** fs/btrfs/extent_io.c: clear_folio_extent_mapped(folio). @fidelity simplified */
export function clear_folio_extent_mapped(k: Kernel, folio: number): void {
  folio_detach_private(k, folio, 'extent_mapped');
}

/** btrfs_delalloc_reserve_space + btrfs_set_extent_delalloc for the folio's page. */
function btrfs_reserve(k: Kernel, inode: inode, folio: number): void {
  inode.i_extents?.reserve(k.mem.index[folio]);
}

/** fs/btrfs/file.c: prepare_one_folio: the locked, stable, extent-mapped folio of `pos`, reserved. @fidelity simplified */
function* btrfs_write_begin(k: Kernel, mapping: fs_address_space, pos: number): Sched<number> {
  const folio = yield* __filemap_get_folio(k, mapping, Math.floor(pos / 4096), FGP_WRITEBEGIN);
  if (folio < 0) return folio;
  set_folio_extent_mapped(k, folio);
  btrfs_reserve(k, mapping.host, folio);
  return folio;
}

function btrfs_write_end(
  k: Kernel,
  mapping: fs_address_space,
  pos: number,
  _len: number,
  copied: number,
  folio: number,
): Sched<number> {
  return generic_write_end(k, mapping, pos, copied, folio);
}

/**
 * fs/btrfs/inode.c: run_delalloc_range / btrfs_writepage_cow_fixup: COW a reserved folio to a
 * new block; a folio without a reservation goes to the fixup worker and is redirtied.
 */
function btrfs_map_folio(k: Kernel, inode: inode, folio: number): number {
  const bdev = inode.i_sb.s_bdev;
  const map = inode.i_extents;
  if (bdev === null || map === null) return -EFAULT;
  const index = k.mem.index[folio];
  if (map.reserved(index)) return ext_alloc(bdev, map, index, true);
  if (k.m.trace.enabled) {
    fs_trace(k, 'fs.warn', {
      id: 'btrfs-cow-fixup',
      message: `folio ${folio} (index ${index}) dirtied without btrfs knowing: COW fixup, redirtied`,
    });
  }
  set_folio_extent_mapped(k, folio);
  map.reserve(index);
  return WB_REDIRTY;
}

const btrfs_wb: blockfs_wb = { map: btrfs_map_folio, csum: true };

/** fs/btrfs/extent_io.c: btrfs_writepages(mapping, wbc). @fidelity simplified */
export function btrfs_writepages(
  k: Kernel,
  mapping: fs_address_space,
  wbc: writeback_control,
): Sched<number> {
  return blockfs_writepages(k, mapping, wbc, btrfs_wb);
}

/**
 * fs/btrfs/file.c: btrfs_page_mkwrite(vmf): lock the folio, check it is still in the file,
 * wait for writeback (stable pages for checksums), reserve and mark it extent-mapped, dirty it.
 * @fidelity simplified
 */
export function* btrfs_page_mkwrite(vmf: vm_fault): Sched<vm_fault_t> {
  const k = vmf_kernel(vmf);
  const mapping = vmf_file(vmf).f_mapping;
  const folio = vmf.page;
  yield* folio_lock(k, folio);
  if (k.mem.mapping[folio] !== mapping.id || folio_pos(k, folio) >= i_size_read(mapping.host)) {
    yield* folio_unlock(k, folio);
    return VM_FAULT_NOPAGE;
  }
  yield* folio_wait_writeback(k, folio);
  btrfs_reserve(k, mapping.host, folio);
  set_folio_extent_mapped(k, folio);
  folio_mark_dirty(k, folio);
  return VM_FAULT_LOCKED;
}

/** fs/btrfs/inode.c: btrfs_release_folio: drop the private state of a clean folio. */
function btrfs_release_folio(k: Kernel, folio: number): boolean {
  if (folio_test_writeback(k.mem, folio) || folio_test_dirty(k.mem, folio)) return false;
  clear_folio_extent_mapped(k, folio);
  return true;
}

/** fs/btrfs/inode.c: btrfs_invalidate_folio: drop the reservation and, for the whole folio, the private state. */
function btrfs_invalidate_folio(k: Kernel, folio: number, offset: number, length: number): void {
  if (offset !== 0 || length < 4096) return;
  folio_file_mapping(k, folio)?.host.i_extents?.unreserve(k.mem.index[folio]);
  clear_folio_extent_mapped(k, folio);
}

function* btrfs_file_read_iter(k: Kernel, iocb: kiocb, iter: iov_iter): Sched<number> {
  if ((iocb.ki_flags & IOCB_DIRECT) !== 0) return yield* iomap_dio_rw(k, iocb, iter, false, true);
  return yield* filemap_read(k, iocb, iter);
}

function* btrfs_file_write_iter(k: Kernel, iocb: kiocb, iter: iov_iter): Sched<number> {
  const inode = iocb.ki_filp.f_inode;
  yield* inode_lock(inode);
  const ret =
    (iocb.ki_flags & IOCB_DIRECT) !== 0
      ? yield* iomap_dio_rw(k, iocb, iter, true, true)
      : yield* generic_perform_write(k, iocb, iter);
  yield* inode_unlock(inode);
  return ret;
}

/** fs/btrfs/inode.c: btrfs_aops. @fidelity simplified */
export const btrfs_aops: address_space_operations = {
  name: 'btrfs_aops',
  dirty_folio: filemap_dirty_folio,
  read_folio: mpage_read_folio,
  writepages: btrfs_writepages,
  write_begin: btrfs_write_begin,
  write_end: btrfs_write_end,
  invalidate_folio: btrfs_invalidate_folio,
  release_folio: btrfs_release_folio,
  // fs/btrfs/inode.c: btrfs_migrate_folio is filemap_migrate_folio plus the ordered-extent bit
  migrate_folio: (k, mapping, dst, src, mode) => filemap_migrate_folio(k, mapping, dst, src, mode),
};

/** fs/btrfs/file.c: btrfs_file_vm_ops. @fidelity simplified */
export const btrfs_file_vm_ops: vm_operations_struct = {
  name: 'btrfs_file_vm_ops',
  fault: filemap_fault,
  page_mkwrite: btrfs_page_mkwrite,
};

/** fs/btrfs/super.c: btrfs_fs_type. @fidelity simplified */
export const btrfs_fs_type: file_system_type = {
  name: 'btrfs',
  fs_flags: FS_REQUIRES_DEV,
  bdi_capabilities: BDI_CAP_WRITEBACK | BDI_CAP_WRITEBACK_ACCT,
  evict: truncate_inode_pages_final,
  folio_private: 'extent_mapped',
  ops: {
    i_fop: {
      name: 'btrfs_file_operations',
      read_iter: btrfs_file_read_iter,
      write_iter: btrfs_file_write_iter,
      fsync: (k, f, start, end) => blockfs_fsync(k, f, start, end),
      fallocate: blockfs_fallocate,
      open_fmode: FMODE_CAN_ODIRECT,
    },
    i_op: { name: 'btrfs_file_inode_operations', setattr_size: blockfs_setattr_size },
    a_ops: btrfs_aops,
    vm_ops: btrfs_file_vm_ops,
  },
};
