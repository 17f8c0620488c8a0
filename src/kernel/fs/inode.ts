/**
 * struct inode (include/linux/fs.h) and its helpers from fs/inode.c: new_inode, i_size_read /
 * i_size_write, inode_lock (i_rwsem). Every inode owns one file mapping (i_data) whose a_ops
 * come from its file system; block-backed inodes also own an extent map.
 * @fidelity simplified: no dentries or hard links beyond i_nlink, no uid/gid (permissions are
 * the mode bits, checked as for an unprivileged process), no timestamps, no inode cache.
 */
import { RwSemaphore } from '../../sim/locking/rwsem.js';
import type { Sched } from '../../sim/thread.js';
import type { Kernel } from '../kernel.js';
import { mapping_alloc, type fs_address_space } from '../mm/pagecache.js';
import { rw_down_read, rw_down_write, rw_up_read, rw_up_write } from '../mm/solo.js';
import { extent_map } from './extents.js';
import type { file_operations, inode_operations } from './fs.js';
import type { super_block } from './super.js';
import { vfs } from './vfs_state.js';

/** include/uapi/linux/stat.h: S_IFREG. */
export const S_IFREG = 0o100000;
/** include/linux/fs.h: S_IMMUTABLE (i_flags). */
export const S_IMMUTABLE = 1 << 3;

/** include/linux/fs.h: struct inode. @fidelity simplified */
export class inode {
  i_mode: number;
  i_nlink = 1;
  /** i_count: the open files of this inode. */
  i_count = 0;
  i_flags = 0;
  /** mm/shmem.c: shmem_inode_info->seals (F_SEAL_*), for memfds. */
  seals = 0;
  readonly i_rwsem: RwSemaphore;
  readonly i_mapping: fs_address_space;
  /** The block map of a block-backed file system, else null. */
  readonly i_extents: extent_map | null;

  constructor(
    k: Kernel,
    readonly i_ino: number,
    readonly i_sb: super_block,
    mode: number,
    /** A path, or `memfd:name`, for traces and reports. */
    readonly name: string,
  ) {
    this.i_mode = mode;
    const type = i_sb.s_type;
    this.i_rwsem = new RwSemaphore(k.m, `inode${i_ino}->i_rwsem`, `&${type.name}->i_mutex_key`);
    this.i_mapping = mapping_alloc(k, `${type.name}:${name}`, type.ops.a_ops);
    this.i_mapping.host = this;
    this.i_extents = i_sb.s_bdev !== null ? new extent_map() : null;
  }

  /** inode->i_size in bytes (kept in the mapping, where the fault path reads it). */
  get i_size(): number {
    return this.i_mapping.i_size;
  }

  set i_size(size: number) {
    this.i_mapping.i_size = size;
  }

  /** inode->i_fop. */
  get i_fop(): file_operations {
    return this.i_sb.s_type.ops.i_fop;
  }

  /** inode->i_op. */
  get i_op(): inode_operations {
    return this.i_sb.s_type.ops.i_op;
  }
}

/** fs/inode.c: new_inode(sb): a regular-file inode with an empty page cache. @fidelity simplified */
export function new_inode(k: Kernel, sb: super_block, mode: number, name: string): inode {
  const st = vfs(k);
  const ino = new inode(k, st.nextIno++, sb, S_IFREG | (mode & 0o7777), name);
  st.inodes.push(ino);
  return ino;
}

/** include/linux/fs.h: i_size_read(inode). @fidelity exact */
export function i_size_read(inode: inode): number {
  return inode.i_size;
}

/** include/linux/fs.h: i_size_write(inode, size). @fidelity exact */
export function i_size_write(inode: inode, size: number): void {
  inode.i_size = size;
}

/** include/linux/fs.h: inode_lock(inode): i_rwsem for writing. @fidelity exact */
export function* inode_lock(inode: inode): Sched<void> {
  yield* rw_down_write(inode.i_rwsem);
}

/** include/linux/fs.h: inode_unlock(inode). @fidelity exact */
export function* inode_unlock(inode: inode): Sched<void> {
  yield* rw_up_write(inode.i_rwsem);
}

/** include/linux/fs.h: inode_lock_shared(inode). @fidelity exact */
export function* inode_lock_shared(inode: inode): Sched<void> {
  yield* rw_down_read(inode.i_rwsem);
}

/** include/linux/fs.h: inode_unlock_shared(inode). @fidelity exact */
export function* inode_unlock_shared(inode: inode): Sched<void> {
  yield* rw_up_read(inode.i_rwsem);
}

/** include/linux/fs.h: filemap_invalidate_lock(mapping). @fidelity exact */
export function* filemap_invalidate_lock(mapping: fs_address_space): Sched<void> {
  yield* rw_down_write(mapping.invalidate_lock);
}

/** include/linux/fs.h: filemap_invalidate_unlock(mapping). @fidelity exact */
export function* filemap_invalidate_unlock(mapping: fs_address_space): Sched<void> {
  yield* rw_up_write(mapping.invalidate_lock);
}

/** include/linux/fs.h: filemap_invalidate_lock_shared(mapping). @fidelity exact */
export function* filemap_invalidate_lock_shared(mapping: fs_address_space): Sched<void> {
  yield* rw_down_read(mapping.invalidate_lock);
}

/** include/linux/fs.h: filemap_invalidate_unlock_shared(mapping). @fidelity exact */
export function* filemap_invalidate_unlock_shared(mapping: fs_address_space): Sched<void> {
  yield* rw_up_read(mapping.invalidate_lock);
}

/**
 * fs/inode.c: iput(inode) for the last open file: an unlinked inode (a memfd) is evicted
 * (evict -> truncate_inode_pages_final) by a kernel thread, as the deferred __fput would: its
 * folios leave the page cache, and pinned ones stay alive with the pins.
 * @fidelity simplified
 */
export function iput(k: Kernel, inode: inode): void {
  if (--inode.i_count > 0 || inode.i_nlink > 0) return;
  k.kthread_run(`evict-inode${inode.i_ino}`, () => evict(k, inode));
}

/** fs/inode.c: evict(inode): the file system's eviction, then the page cache goes. @fidelity simplified */
function* evict(k: Kernel, inode: inode): Sched<void> {
  k.m.enter('fs/inode.c: evict');
  yield* inode.i_sb.s_type.evict(k, inode);
  k.m.leave();
}
