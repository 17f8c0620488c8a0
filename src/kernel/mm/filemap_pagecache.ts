/**
 * Buffered I/O and faults through the page cache: mm/filemap.c (v6.18) — filemap_read,
 * generic_perform_write, generic_file_write_iter, filemap_fault with the invalidate_lock and
 * the mmap_lock-dropping retry, filemap_page_mkwrite, folio_end_read and filemap_read_folio.
 * (The folio lock itself is mm/filemap.ts; the tree is pagecache.ts.)
 *
 * Lock order, as in the kernel: mmap_lock -> invalidate_lock -> folio lock (faults);
 * i_rwsem -> folio lock, with user copies done without faulting while the folio is locked
 * (generic_perform_write faults the source in after unlocking).
 * @fidelity simplified: no readahead (a missing folio is read alone), order-0 folios, no
 * dropbehind, no atime/mtime.
 */
import { page_folio } from '../../mm/folio.js';
import { folio_put } from '../../mm/page_free.js';
import { folio_mark_uptodate, folio_test_uptodate } from '../../mm/page_flags.js';
import type { Sched } from '../../sim/thread.js';
import { EFAULT, EINTR, EINVAL, EIO } from '../include/errno.js';
import {
  FAULT_FLAG_KILLABLE,
  FAULT_FLAG_RETRY_NOWAIT,
  VM_FAULT_LOCKED,
  VM_FAULT_MAJOR,
  VM_FAULT_NOPAGE,
  VM_FAULT_OOM,
  VM_FAULT_RETRY,
  VM_FAULT_SIGBUS,
} from '../include/fault_flags.js';
import type { Kernel } from '../kernel.js';
import { IOCB_APPEND, type kiocb } from '../fs/fs.js';
import { get_file, fput, type file } from '../fs/file_table.js';
import {
  filemap_invalidate_lock_shared,
  filemap_invalidate_unlock_shared,
  i_size_read,
  i_size_write,
  inode_lock,
  inode_unlock,
} from '../fs/inode.js';
import {
  copy_folio_from_iter_atomic,
  copy_folio_to_iter,
  copy_point,
  fault_in_iov_iter_readable,
  iov_iter_count,
  iov_iter_revert,
  type iov_iter,
} from '../fs/uio.js';
import {
  fault_flag_allow_retry_first,
  folio_lock,
  folio_lock_killable,
  folio_trylock,
  folio_unlock,
  folio_wait_locked,
  release_fault_lock,
} from './filemap.js';
import type { mm_struct } from './mm_struct.js';
import { mm_solo } from './solo.js';
import type { vm_fault, vm_fault_t } from './mm_types.js';
import { folio_mark_dirty, folio_wait_stable } from './page-writeback.js';
import {
  FGP_CREAT,
  FGP_FOR_MMAP,
  __filemap_get_folio,
  filemap_alloc_folio,
  filemap_add_folio,
  filemap_get_folio,
  folio_file_page,
  type fs_address_space,
} from './pagecache.js';

/** The kernel of a fault (every VMA's mm is a kernel-layer mm_struct). */
export function vmf_kernel(vmf: vm_fault): Kernel {
  return (vmf.vma.vm_mm as mm_struct).k;
}

/** The file behind a fault's VMA. */
export function vmf_file(vmf: vm_fault): file {
  return vmf.vma.vm_file as unknown as file;
}

/** mm/filemap.c: folio_end_read(folio, success): mark uptodate on success and unlock. @fidelity exact */
export function* folio_end_read(k: Kernel, folio: number, success: boolean): Sched<void> {
  if (success) folio_mark_uptodate(k.mem, folio);
  yield* folio_unlock(k, folio);
}

/**
 * mm/filemap.c: filemap_read_folio(file, filler, folio): start ->read_folio on a locked folio
 * and wait for it to be unlocked; 0 if it came out uptodate, else -EIO.
 * @fidelity exact
 */
export function* filemap_read_folio(
  k: Kernel,
  mapping: fs_address_space,
  folio: number,
): Sched<number> {
  const read_folio = mapping.a_ops.read_folio;
  if (read_folio === undefined) throw new Error(`${mapping.a_ops.name} has no read_folio`);
  const err = yield* read_folio(k, folio);
  if (err !== 0) return err;
  const ret = yield* folio_wait_locked(k, folio, true);
  if (ret !== 0) return ret;
  return folio_test_uptodate(k.mem, folio) ? 0 : -EIO;
}

/**
 * mm/filemap.c: filemap_get_pages for one index: the uptodate folio at `index` with a
 * reference (reading it in if needed: filemap_create_folio / filemap_update_page), or -errno.
 * @fidelity simplified (no readahead, no IOCB_NOWAIT)
 */
function* filemap_get_page(k: Kernel, mapping: fs_address_space, index: number): Sched<number> {
  for (;;) {
    let folio = yield* filemap_get_folio(k, mapping, index);
    if (folio < 0) {
      folio = filemap_alloc_folio(k, mapping.gfp_mask, 0);
      if (folio < 0) return folio;
      yield* filemap_invalidate_lock_shared(mapping);
      const err = yield* filemap_add_folio(k, mapping, folio, index);
      if (err === 0) {
        const rd = yield* filemap_read_folio(k, mapping, folio);
        yield* filemap_invalidate_unlock_shared(mapping);
        if (rd === 0) return folio;
        folio_put(k.mem, folio);
        return rd;
      }
      yield* filemap_invalidate_unlock_shared(mapping);
      folio_put(k.mem, folio);
      continue;
    }
    if (folio_test_uptodate(k.mem, folio)) return folio;
    if ((yield* folio_lock_killable(k, folio)) !== 0) {
      folio_put(k.mem, folio);
      return -EINTR;
    }
    if (k.mem.mapping[folio] !== mapping.id) {
      yield* folio_unlock(k, folio);
      folio_put(k.mem, folio);
      continue;
    }
    if (folio_test_uptodate(k.mem, folio)) {
      yield* folio_unlock(k, folio);
      return folio;
    }
    const rd = yield* filemap_read_folio(k, mapping, folio);
    if (rd === 0) return folio;
    folio_put(k.mem, folio);
    return rd;
  }
}

/**
 * mm/filemap.c: filemap_read(iocb, iter, already_read): copy file data from the page cache,
 * reading missing folios in; stops at i_size. Bytes read, or a negative errno if none.
 * @fidelity simplified
 */
export function* filemap_read(
  k: Kernel,
  iocb: kiocb,
  iter: iov_iter,
  already_read = 0,
): Sched<number> {
  const mapping = iocb.ki_filp.f_mapping;
  const inode = mapping.host;
  let done = already_read;
  let error = 0;
  while (iov_iter_count(iter) > 0 && iocb.ki_pos < i_size_read(inode) && error === 0) {
    const index = Math.floor(iocb.ki_pos / 4096);
    const folio = yield* filemap_get_page(k, mapping, index);
    if (folio < 0) {
      error = folio;
      break;
    }
    const isize = i_size_read(inode);
    if (iocb.ki_pos >= isize) {
      folio_put(k.mem, folio);
      break;
    }
    const end = Math.min(isize, (index + 1) * 4096, iocb.ki_pos + iov_iter_count(iter));
    const bytes = end - iocb.ki_pos;
    const page = folio_file_page(k, folio, index);
    if (!mm_solo(k.m)) yield* copy_point(k, folio, false, iter);
    const copied = yield* copy_folio_to_iter(k, page, bytes, iter);
    done += copied;
    iocb.ki_pos += copied;
    folio_put(k.mem, folio);
    if (copied < bytes) error = -EFAULT;
  }
  return done > 0 ? done : error;
}

/**
 * mm/filemap.c: generic_perform_write(iocb, iter): ->write_begin, an atomic copy from the
 * source, ->write_end, page by page; a copy that would fault is retried after faulting the
 * source in with the folio unlocked. Bytes written, or a negative errno if none.
 * @fidelity simplified (PAGE_SIZE chunks)
 */
export function* generic_perform_write(k: Kernel, iocb: kiocb, iter: iov_iter): Sched<number> {
  const mapping = iocb.ki_filp.f_mapping;
  const a_ops = mapping.a_ops;
  if (a_ops.write_begin === undefined || a_ops.write_end === undefined) return -EINVAL;
  let pos = iocb.ki_pos;
  let written = 0;
  let status = 0;
  while (iov_iter_count(iter) > 0) {
    const offset = pos % 4096;
    const bytes = Math.min(4096 - offset, iov_iter_count(iter));
    if (k.m.self.fatalSignal) {
      status = -EINTR;
      break;
    }
    const folio = yield* a_ops.write_begin(k, mapping, pos, bytes);
    if (folio < 0) {
      status = folio;
      break;
    }
    const page = folio_file_page(k, folio, Math.floor(pos / 4096));
    if (!mm_solo(k.m)) yield* copy_point(k, folio, true, iter);
    const copied = copy_folio_from_iter_atomic(k, page, bytes, iter);
    status = yield* a_ops.write_end(k, mapping, pos, bytes, copied, folio);
    if (status !== copied) {
      iov_iter_revert(iter, copied - Math.max(status, 0));
      if (status < 0) break;
    }
    if (status === 0) {
      if ((yield* fault_in_iov_iter_readable(k, iter, bytes)) === bytes) {
        status = -EFAULT;
        break;
      }
      continue;
    }
    pos += status;
    written += status;
  }
  if (written === 0) return status;
  iocb.ki_pos += written;
  return written;
}

/**
 * mm/filemap.c: generic_file_write_iter(iocb, from): the buffered write under i_rwsem
 * (generic_write_checks: O_APPEND writes at i_size).
 * @fidelity simplified (no O_SYNC, no file_remove_privs)
 */
export function* generic_file_write_iter(k: Kernel, iocb: kiocb, from: iov_iter): Sched<number> {
  const inode = iocb.ki_filp.f_inode;
  yield* inode_lock(inode);
  if ((iocb.ki_flags & IOCB_APPEND) !== 0) iocb.ki_pos = i_size_read(inode);
  const ret = iov_iter_count(from) === 0 ? 0 : yield* generic_perform_write(k, iocb, from);
  yield* inode_unlock(inode);
  return ret;
}

/**
 * The end of a buffered write into a locked folio (generic_write_end / block_write_end):
 * mark it uptodate and dirty, extend i_size, unlock and drop the reference. The file system
 * passes how it dirties the folio (its ->dirty_folio, or buffer heads).
 * @fidelity simplified
 */
export function* generic_write_end(
  k: Kernel,
  mapping: fs_address_space,
  pos: number,
  copied: number,
  folio: number,
  mark_dirty: (k: Kernel, folio: number) => void = (kk, f) => void folio_mark_dirty(kk, f),
): Sched<number> {
  if (copied > 0) {
    folio_mark_uptodate(k.mem, folio);
    mark_dirty(k, folio);
    if (pos + copied > i_size_read(mapping.host)) i_size_write(mapping.host, pos + copied);
  }
  yield* folio_unlock(k, folio);
  folio_put(k.mem, folio);
  return copied;
}

/**
 * mm/filemap.c: maybe_unlock_mmap_for_io(vmf, fpin): before blocking on I/O in a fault that
 * may retry, pin the file and drop mmap_lock.
 * @fidelity exact
 */
function* maybe_unlock_mmap_for_io(vmf: vm_fault, fpin: file | null): Sched<file | null> {
  if (fpin !== null) return fpin;
  if (fault_flag_allow_retry_first(vmf.flags) && (vmf.flags & FAULT_FLAG_RETRY_NOWAIT) === 0) {
    const f = get_file(vmf_file(vmf));
    yield* release_fault_lock(vmf);
    return f;
  }
  return null;
}

/** mm/filemap.c: lock_folio_maybe_drop_mmap(vmf, folio, &fpin): [locked, fpin]. @fidelity exact */
function* lock_folio_maybe_drop_mmap(
  k: Kernel,
  vmf: vm_fault,
  folio: number,
  fpin: file | null,
): Sched<[boolean, file | null]> {
  if (yield* folio_trylock(k, folio)) return [true, fpin];
  if ((vmf.flags & FAULT_FLAG_RETRY_NOWAIT) !== 0) return [false, fpin];
  const f = yield* maybe_unlock_mmap_for_io(vmf, fpin);
  if ((vmf.flags & FAULT_FLAG_KILLABLE) !== 0) {
    if ((yield* folio_lock_killable(k, folio)) !== 0) {
      if (f === null) yield* release_fault_lock(vmf);
      return [false, f];
    }
  } else {
    yield* folio_lock(k, folio);
  }
  return [true, f];
}

/**
 * mm/filemap.c: filemap_fault(vmf): find or read the file page of a fault and return it
 * locked (VM_FAULT_LOCKED, vmf.page set, one reference), VM_FAULT_SIGBUS beyond i_size, or
 * VM_FAULT_RETRY after dropping mmap_lock to wait for a folio lock or a read.
 * @fidelity simplified (no readahead; no fault-around)
 */
export function* filemap_fault(vmf: vm_fault): Sched<vm_fault_t> {
  const k = vmf_kernel(vmf);
  const f = vmf_file(vmf);
  const mapping = f.f_mapping;
  const index = vmf.pgoff;
  if (index >= Math.ceil(i_size_read(mapping.host) / 4096)) return VM_FAULT_SIGBUS;
  let fpin: file | null = null;
  let ret = 0;
  let locked = false;
  let folio = yield* filemap_get_folio(k, mapping, index);
  if (folio >= 0 && !folio_test_uptodate(k.mem, folio)) {
    yield* filemap_invalidate_lock_shared(mapping);
    locked = true;
  }
  if (folio < 0) ret = VM_FAULT_MAJOR;
  for (;;) {
    if (folio < 0) {
      if (!locked) {
        yield* filemap_invalidate_lock_shared(mapping);
        locked = true;
      }
      folio = yield* __filemap_get_folio(k, mapping, index, FGP_CREAT | FGP_FOR_MMAP);
      if (folio < 0) {
        yield* filemap_invalidate_unlock_shared(mapping);
        return VM_FAULT_OOM;
      }
    }
    const [ok, fp]: [boolean, file | null] = yield* lock_folio_maybe_drop_mmap(k, vmf, folio, fpin);
    fpin = fp;
    if (!ok) return yield* out_retry(k, mapping, folio, locked, fpin, ret);
    if (k.mem.mapping[folio] !== mapping.id) {
      yield* folio_unlock(k, folio);
      folio_put(k.mem, folio);
      folio = -1;
      continue;
    }
    if (!folio_test_uptodate(k.mem, folio)) {
      if (!locked) {
        yield* folio_unlock(k, folio);
        folio_put(k.mem, folio);
        folio = -1;
        continue;
      }
      if (nowait_readahead(vmf)) {
        // do_sync_mmap_readahead stand-in: under FAULT_FLAG_RETRY_NOWAIT (GUP's FOLL_NOWAIT,
        // KVM's first attempt) readahead starts the read and the fault retries without waiting.
        yield* mapping.a_ops.read_folio!(k, folio);
        return yield* out_retry(k, mapping, folio, locked, fpin, ret);
      }
      fpin = yield* maybe_unlock_mmap_for_io(vmf, fpin);
      const err = yield* filemap_read_folio(k, mapping, folio);
      if (fpin !== null) return yield* out_retry(k, mapping, folio, locked, fpin, ret);
      folio_put(k.mem, folio);
      folio = -1;
      if (err === 0) continue;
      yield* filemap_invalidate_unlock_shared(mapping);
      return VM_FAULT_SIGBUS;
    }
    if (fpin !== null) {
      yield* folio_unlock(k, folio);
      return yield* out_retry(k, mapping, folio, locked, fpin, ret);
    }
    if (locked) yield* filemap_invalidate_unlock_shared(mapping);
    if (index >= Math.ceil(i_size_read(mapping.host) / 4096)) {
      yield* folio_unlock(k, folio);
      folio_put(k.mem, folio);
      return VM_FAULT_SIGBUS;
    }
    vmf.page = folio_file_page(k, folio, index);
    return ret | VM_FAULT_LOCKED;
  }
}

/**
 * A first fault attempt with FAULT_FLAG_RETRY_NOWAIT on a folio that must be read: in the kernel
 * do_sync_mmap_readahead starts the read (the new folios stay locked until it completes) and
 * lock_folio_maybe_drop_mmap then answers VM_FAULT_RETRY without waiting, mmap_lock kept.
 * @fidelity simplified (no readahead window: the one folio is read)
 */
function nowait_readahead(vmf: vm_fault): boolean {
  return fault_flag_allow_retry_first(vmf.flags) && (vmf.flags & FAULT_FLAG_RETRY_NOWAIT) !== 0;
}

function* out_retry(
  k: Kernel,
  mapping: fs_address_space,
  folio: number,
  locked: boolean,
  fpin: file | null,
  ret: number,
): Sched<vm_fault_t> {
  if (folio >= 0) folio_put(k.mem, folio);
  if (locked) yield* filemap_invalidate_unlock_shared(mapping);
  if (fpin !== null) fput(fpin);
  return ret | VM_FAULT_RETRY;
}

/**
 * mm/filemap.c: filemap_page_mkwrite(vmf): a shared page is about to become writable: lock
 * it, mark it dirty and wait for stable pages. VM_FAULT_LOCKED, or VM_FAULT_NOPAGE if it was
 * truncated meanwhile.
 * @fidelity exact (no sb_start_pagefault / file_update_time)
 */
export function* filemap_page_mkwrite(vmf: vm_fault): Sched<vm_fault_t> {
  const k = vmf_kernel(vmf);
  const mapping = vmf_file(vmf).f_mapping;
  const folio = page_folio(k.mem, vmf.page);
  yield* folio_lock(k, folio);
  if (k.mem.mapping[folio] !== mapping.id) {
    yield* folio_unlock(k, folio);
    return VM_FAULT_NOPAGE;
  }
  folio_mark_dirty(k, folio);
  yield* folio_wait_stable(k, folio);
  return VM_FAULT_LOCKED;
}
