/**
 * tmpfs / shmem (mm/shmem.c, v6.18): files whose only store is the page cache. Folios are
 * swap-backed (PG_swapbacked, NR_SHMEM), ->dirty_folio is noop_dirty_folio, the backing device
 * cannot write back (mapping_can_writeback is false), and the vm_ops have no page_mkwrite, so a
 * shared writable shmem mapping needs no dirty tracking: long-term writable pins are allowed.
 *
 * shmem_get_folio_gfp is the one lookup: SGP_READ finds holes without allocating (reads see
 * zeros), SGP_CACHE allocates within i_size (faults), SGP_WRITE allocates and leaves clearing
 * to the write, SGP_FALLOC allocates folios that are not yet uptodate.
 * @fidelity simplified: no swap (shmem_writeout is reclaim's, another issue), no huge= mount
 * option (order-0 folios), no quotas or xattrs.
 */
import { shmem_userfault } from './userfaultfd.js';
import { folio_put } from '../../mm/page_free.js';
import {
  folio_mark_uptodate,
  folio_set_swapbacked,
  folio_test_uptodate,
  PG_locked,
} from '../../mm/page_flags.js';
import { Access } from '../../sim/footprint.js';
import type { Sched } from '../../sim/thread.js';
import {
  EEXIST,
  EFAULT,
  EFBIG,
  EINVAL,
  ENOENT,
  ENOMEM,
  EOPNOTSUPP,
  EPERM,
} from '../include/errno.js';
import { FALLOC_FL_KEEP_SIZE, FALLOC_FL_PUNCH_HOLE } from '../include/falloc.js';
import { VM_FAULT_LOCKED, VM_FAULT_OOM, VM_FAULT_SIGBUS } from '../include/fault_flags.js';
import type { Kernel } from '../kernel.js';
import { mappingObj } from '../objects.js';
import type { file } from '../fs/file_table.js';
import { FMODE_CAN_ODIRECT, type address_space_operations, type kiocb } from '../fs/fs.js';
import { i_size_read, i_size_write, inode_lock, inode_unlock, type inode } from '../fs/inode.js';
import { noop_fsync } from '../fs/libfs.js';
import type { file_system_type } from '../fs/super.js';
import { copy_folio_to_iter, copy_point, iov_iter_count, type iov_iter } from '../fs/uio.js';
import { folio_lock, folio_unlock } from './filemap.js';
import {
  generic_perform_write,
  generic_write_end,
  vmf_file,
  vmf_kernel,
} from './filemap_pagecache.js';
import { folio_add_lru } from './internal.js';
import { mmState } from './mm_state.js';
import type { vm_fault, vm_fault_t, vm_operations_struct } from './mm_types.js';
import { noop_dirty_folio } from './page-writeback.js';
import {
  filemap_alloc_folio,
  filemap_get_entry,
  folio_file_page,
  page_cache_slots_free,
  page_cache_store,
  type fs_address_space,
} from './pagecache.js';
import { mm_solo } from './solo.js';
import { truncate_inode_pages_final, truncate_inode_pages_range } from './truncate.js';
import { unmap_mapping_range } from './truncate_unmap.js';
import { migrate_folio } from './migrate_folio.js';

/** include/linux/shmem_fs.h: enum sgp_type. */
export const SGP_READ = 0;
export const SGP_NOALLOC = 1;
export const SGP_CACHE = 2;
export const SGP_WRITE = 3;
export const SGP_FALLOC = 4;

/** include/uapi/linux/fcntl.h: F_SEAL_* (memfd seals). */
export const F_SEAL_SEAL = 0x0001;
export const F_SEAL_SHRINK = 0x0002;
export const F_SEAL_GROW = 0x0004;
export const F_SEAL_WRITE = 0x0008;
export const F_SEAL_FUTURE_WRITE = 0x0010;
export const F_SEAL_EXEC = 0x0020;

const MAX_LFS_PAGES = 2 ** 51;

/**
 * mm/shmem.c: shmem_alloc_and_add_folio + shmem_add_to_page_cache: a new locked, swap-backed
 * folio in the cache at `index`; -EEXIST if another got there first, -ENOMEM.
 * @fidelity simplified
 */
function* shmem_alloc_and_add_folio(
  k: Kernel,
  mapping: fs_address_space,
  index: number,
): Sched<number> {
  const folio = filemap_alloc_folio(k, mapping.gfp_mask, 0);
  if (folio < 0) return -ENOMEM;
  const mem = k.mem;
  mem.flags[folio] = mem.flags[folio] | (1 << PG_locked);
  mmState(k).folioLockOwner.set(folio, k.m.self);
  folio_set_swapbacked(mem, folio);
  if (!mm_solo(k.m)) yield k.m.at('shmem_add_to_page_cache', mappingObj(mapping.id), Access.Write);
  if (!page_cache_slots_free(mapping, index, 1)) {
    yield* folio_unlock(k, folio);
    folio_put(mem, folio);
    return -EEXIST;
  }
  page_cache_store(k, mapping, folio, index);
  folio_add_lru(k, folio);
  return folio;
}

/**
 * mm/shmem.c: shmem_get_folio_gfp(inode, index, write_end, &folio, sgp): the folio at `index`,
 * locked with a reference; -1 for a hole with SGP_READ; -EINVAL past i_size (SGP_READ,
 * SGP_CACHE), -ENOENT (SGP_NOALLOC), -ENOMEM, -EFBIG.
 * @fidelity simplified (no swap-in)
 */
export function* shmem_get_folio_gfp(
  k: Kernel,
  inode: inode,
  index: number,
  sgp: number,
): Sched<number> {
  const mapping = inode.i_mapping;
  if (index > MAX_LFS_PAGES) return -EFBIG;
  for (;;) {
    if (sgp <= SGP_CACHE && index * 4096 >= i_size_read(inode)) return -EINVAL;
    let folio = yield* filemap_get_entry(k, mapping, index);
    if (folio >= 0) {
      yield* folio_lock(k, folio);
      if (k.mem.mapping[folio] !== mapping.id) {
        yield* folio_unlock(k, folio);
        folio_put(k.mem, folio);
        continue;
      }
      if (folio_test_uptodate(k.mem, folio)) return folio;
      if (sgp !== SGP_READ) return yield* shmem_clear(k, inode, folio, index, sgp);
      yield* folio_unlock(k, folio);
      folio_put(k.mem, folio);
    }
    if (sgp === SGP_READ) return -1;
    if (sgp === SGP_NOALLOC) return -ENOENT;
    folio = yield* shmem_alloc_and_add_folio(k, mapping, index);
    if (folio === -EEXIST) continue;
    if (folio < 0) return folio;
    return yield* shmem_clear(k, inode, folio, index, sgp === SGP_FALLOC ? SGP_WRITE : sgp);
  }
}

/** The `clear:` tail of shmem_get_folio_gfp: zero a folio that is not uptodate, recheck i_size. */
function* shmem_clear(
  k: Kernel,
  inode: inode,
  folio: number,
  index: number,
  sgp: number,
): Sched<number> {
  if (sgp !== SGP_WRITE && !folio_test_uptodate(k.mem, folio)) {
    k.mem.content[folio] = 0;
    folio_mark_uptodate(k.mem, folio);
  }
  if (sgp <= SGP_CACHE && index * 4096 >= i_size_read(inode)) {
    yield* folio_unlock(k, folio);
    folio_put(k.mem, folio);
    return -EINVAL;
  }
  return folio;
}

/** mm/shmem.c: shmem_read_folio_gfp(mapping, index): an uptodate folio with a reference, unlocked. @fidelity simplified */
export function* shmem_read_folio(
  k: Kernel,
  mapping: fs_address_space,
  index: number,
): Sched<number> {
  const folio = yield* shmem_get_folio_gfp(k, mapping.host, index, SGP_CACHE);
  if (folio < 0) return folio;
  yield* folio_unlock(k, folio);
  return folio;
}

/**
 * mm/shmem.c: shmem_fault(vmf): the locked page of the fault (SGP_CACHE), VM_FAULT_SIGBUS past
 * i_size, VM_FAULT_OOM.
 * @fidelity simplified (no huge pages, no fallocate-hole wait; the userfaultfd checks of
 * shmem_get_folio_gfp are made first, by shmem_userfault)
 */
export function* shmem_fault(vmf: vm_fault): Sched<vm_fault_t> {
  const k = vmf_kernel(vmf);
  const inode = vmf_file(vmf).f_inode;
  const uffd = yield* shmem_userfault(vmf);
  if (uffd !== null) return uffd;
  const folio = yield* shmem_get_folio_gfp(k, inode, vmf.pgoff, SGP_CACHE);
  if (folio === -ENOMEM) return VM_FAULT_OOM;
  if (folio < 0) return VM_FAULT_SIGBUS;
  vmf.page = folio_file_page(k, folio, vmf.pgoff);
  return VM_FAULT_LOCKED;
}

/** mm/shmem.c: shmem_write_begin(iocb, mapping, pos, len): the locked folio (SGP_WRITE); seals say -EPERM. @fidelity simplified */
function* shmem_write_begin(
  k: Kernel,
  mapping: fs_address_space,
  pos: number,
  len: number,
): Sched<number> {
  const inode = mapping.host;
  if ((inode.seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)) !== 0) return -EPERM;
  if ((inode.seals & F_SEAL_GROW) !== 0 && pos + len > i_size_read(inode)) return -EPERM;
  return yield* shmem_get_folio_gfp(k, inode, Math.floor(pos / 4096), SGP_WRITE);
}

function shmem_write_end(
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
 * mm/shmem.c: shmem_file_read_iter(iocb, to): copy from the cache page by page (SGP_READ); a
 * hole reads as zeros without allocating. Bytes read or a negative errno.
 * @fidelity simplified
 */
export function* shmem_file_read_iter(k: Kernel, iocb: kiocb, to: iov_iter): Sched<number> {
  const inode = iocb.ki_filp.f_inode;
  let done = 0;
  while (iov_iter_count(to) > 0 && iocb.ki_pos < i_size_read(inode)) {
    const index = Math.floor(iocb.ki_pos / 4096);
    const folio = yield* shmem_get_folio_gfp(k, inode, index, SGP_READ);
    if (folio < -1) return done > 0 ? done : folio;
    if (folio >= 0) yield* folio_unlock(k, folio);
    const end = Math.min(i_size_read(inode), (index + 1) * 4096, iocb.ki_pos + iov_iter_count(to));
    const bytes = end - iocb.ki_pos;
    if (bytes <= 0) {
      if (folio >= 0) folio_put(k.mem, folio);
      break;
    }
    let copied: number;
    if (folio >= 0) {
      yield* copy_point(k, folio, false, to);
      copied = yield* copy_folio_to_iter(k, folio_file_page(k, folio, index), bytes, to);
      folio_put(k.mem, folio);
    } else {
      copied = yield* copy_zero_to_iter(k, bytes, to);
    }
    iocb.ki_pos += copied;
    done += copied;
    if (copied < bytes) return done > 0 ? done : -EFAULT;
  }
  return done;
}

/** lib/iov_iter.c: iov_iter_zero(bytes, iter): a hole's zeros into the iterator. */
function* copy_zero_to_iter(k: Kernel, bytes: number, to: iov_iter): Sched<number> {
  const zero = k.mem.zero_pfn;
  return yield* copy_folio_to_iter(k, zero, bytes, to);
}

/** mm/shmem.c: shmem_file_write_iter(iocb, from): generic_perform_write under i_rwsem. @fidelity simplified */
export function* shmem_file_write_iter(k: Kernel, iocb: kiocb, from: iov_iter): Sched<number> {
  const inode = iocb.ki_filp.f_inode;
  yield* inode_lock(inode);
  const ret = yield* generic_perform_write(k, iocb, from);
  yield* inode_unlock(inode);
  return ret;
}

/** mm/shmem.c: shmem_truncate_range(inode, lstart, lend) (shmem_undo_range). @fidelity simplified */
export function shmem_truncate_range(
  k: Kernel,
  inode: inode,
  lstart: number,
  lend: number,
): Sched<void> {
  return truncate_inode_pages_range(k, inode.i_mapping, lstart, lend);
}

/**
 * mm/shmem.c: shmem_setattr with ATTR_SIZE (i_rwsem held): seals may forbid it (-EPERM); a
 * shrink unmaps the tail (COWs included), drops it from the cache, and unmaps again.
 * @fidelity simplified
 */
export function* shmem_setattr_size(k: Kernel, inode: inode, newsize: number): Sched<number> {
  const oldsize = i_size_read(inode);
  if (
    (newsize < oldsize && (inode.seals & F_SEAL_SHRINK) !== 0) ||
    (newsize > oldsize && (inode.seals & F_SEAL_GROW) !== 0)
  ) {
    return -EPERM;
  }
  i_size_write(inode, newsize);
  if (newsize < oldsize) {
    const holebegin = Math.ceil(newsize / 4096) * 4096;
    yield* unmap_mapping_range(k, inode.i_mapping, holebegin, 0, true);
    yield* shmem_truncate_range(k, inode, newsize, -1);
    yield* unmap_mapping_range(k, inode.i_mapping, holebegin, 0, true);
  }
  return 0;
}

/**
 * mm/shmem.c: shmem_fallocate(file, mode, offset, len): punch a hole (unmap the whole pages,
 * then drop them: pinned folios leave the cache and stay alive), or allocate folios that are
 * not yet uptodate (SGP_FALLOC) and grow i_size unless FALLOC_FL_KEEP_SIZE.
 * @fidelity simplified (no shmem_falloc wait queue for faults into the hole)
 */
export function* shmem_fallocate(
  k: Kernel,
  f: file,
  mode: number,
  offset: number,
  len: number,
): Sched<number> {
  if ((mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE)) !== 0) return -EOPNOTSUPP;
  const inode = f.f_inode;
  yield* inode_lock(inode);
  let ret = 0;
  if ((mode & FALLOC_FL_PUNCH_HOLE) !== 0) {
    if ((inode.seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)) !== 0) ret = -EPERM;
    else {
      const unmap_start = Math.ceil(offset / 4096) * 4096;
      const unmap_end = Math.floor((offset + len) / 4096) * 4096 - 1;
      if (unmap_end > unmap_start)
        yield* unmap_mapping_range(
          k,
          inode.i_mapping,
          unmap_start,
          1 + unmap_end - unmap_start,
          false,
        );
      yield* shmem_truncate_range(k, inode, offset, offset + len - 1);
    }
  } else if ((inode.seals & F_SEAL_GROW) !== 0 && offset + len > i_size_read(inode)) {
    ret = -EPERM;
  } else {
    ret = yield* shmem_falloc_range(k, inode, offset, len);
    if (ret === 0 && (mode & FALLOC_FL_KEEP_SIZE) === 0 && offset + len > i_size_read(inode))
      i_size_write(inode, offset + len);
  }
  yield* inode_unlock(inode);
  return ret;
}

function* shmem_falloc_range(k: Kernel, inode: inode, offset: number, len: number): Sched<number> {
  for (let index = Math.floor(offset / 4096); index < Math.ceil((offset + len) / 4096); index++) {
    const folio = yield* shmem_get_folio_gfp(k, inode, index, SGP_FALLOC);
    if (folio < 0) return folio;
    yield* folio_unlock(k, folio);
    folio_put(k.mem, folio);
  }
  return 0;
}

/** include/linux/shmem_fs.h: shmem_mapping(mapping): a tmpfs / memfd page cache. @fidelity exact */
export function shmem_mapping(mapping: fs_address_space): boolean {
  return mapping.host.i_sb.s_type.name === 'tmpfs';
}

/** include/linux/shmem_fs.h: shmem_file(file). @fidelity exact */
export function shmem_file(f: file | null): boolean {
  return f !== null && shmem_mapping(f.f_mapping);
}

/** mm/shmem.c: shmem_aops. @fidelity simplified */
export const shmem_aops: address_space_operations = {
  name: 'shmem_aops',
  dirty_folio: (k, _mapping, folio) => noop_dirty_folio(k, folio),
  write_begin: shmem_write_begin,
  write_end: shmem_write_end,
  migrate_folio: (k, mapping, dst, src, mode) => migrate_folio(k, mapping, dst, src, mode),
};

/** mm/shmem.c: shmem_vm_ops (no page_mkwrite: no dirty tracking). @fidelity simplified */
export const shmem_vm_ops: vm_operations_struct = {
  name: 'shmem_vm_ops',
  fault: shmem_fault,
};

/** mm/shmem.c: shmem_fs_type ("tmpfs"); its bdi cannot write back. @fidelity simplified */
export const shmem_fs_type: file_system_type = {
  name: 'tmpfs',
  fs_flags: 0,
  bdi_capabilities: 0,
  evict: truncate_inode_pages_final,
  folio_private: null,
  ops: {
    i_fop: {
      name: 'shmem_file_operations',
      read_iter: shmem_file_read_iter,
      write_iter: shmem_file_write_iter,
      fsync: noop_fsync,
      fallocate: shmem_fallocate,
      open_fmode: FMODE_CAN_ODIRECT,
    },
    i_op: { name: 'shmem_inode_operations', setattr_size: shmem_setattr_size },
    a_ops: shmem_aops,
    vm_ops: shmem_vm_ops,
  },
};
