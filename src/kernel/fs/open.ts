/**
 * Opening and resizing files: fs/open.c and fs/namei.c (v6.18) — do_sys_open (path lookup in
 * the model's flat name space, O_CREAT/O_EXCL, may_open's permission check, O_DIRECT needing
 * FMODE_CAN_ODIRECT, O_TRUNC), do_truncate / do_sys_ftruncate, vfs_fallocate, and close.
 *
 * Processes are unprivileged (no CAP_DAC_OVERRIDE): a file whose mode has no write bit (a
 * scenario's `mode: ro`) cannot be opened for writing (-EACCES).
 * @fidelity simplified: no directories (a path names a file, O_DIRECTORY fails with -ENOTDIR),
 * no symlinks, no umask, no O_TMPFILE or O_PATH.
 */
import type { Sched } from '../../sim/thread.js';
import {
  EACCES,
  EBADF,
  EEXIST,
  EFBIG,
  EINVAL,
  ENOENT,
  ENOTDIR,
  EOPNOTSUPP,
  EPERM,
} from '../include/errno.js';
import { FALLOC_FL_KEEP_SIZE, FALLOC_FL_PUNCH_HOLE } from '../include/falloc.js';
import {
  O_ACCMODE,
  O_CREAT,
  O_DIRECT,
  O_DIRECTORY,
  O_EXCL,
  O_RDONLY,
  O_RDWR,
  O_TRUNC,
  O_WRONLY,
  openTable,
} from '../include/fcntl.js';
import type { Kernel } from '../kernel.js';
import { close_fd, fd_install_new, fget, files_of } from './file.js';
import { alloc_file, type file } from './file_table.js';
import { kern_mount } from './filesystems.js';
import {
  FMODE_CAN_ODIRECT,
  FMODE_LSEEK,
  FMODE_PREAD,
  FMODE_PWRITE,
  FMODE_READ,
  FMODE_WRITE,
} from './fs.js';
import { fs_trace } from './fs_trace.js';
import { S_IMMUTABLE, inode_lock, inode_unlock, new_inode, type inode } from './inode.js';
import type { FsName } from './super.js';
import { vfs } from './vfs_state.js';

/** include/linux/fs.h: MAX_LFS_FILESIZE on 64-bit (in the model's exact-number range). */
export const MAX_LFS_FILESIZE = Number.MAX_SAFE_INTEGER;

/** fs/namei.c: may_open(idmap, path, acc_mode, flag): permission for the access mode. @fidelity simplified */
function may_open(inode: inode, flags: number): number {
  const acc = flags & O_ACCMODE;
  const wants_write = acc === O_WRONLY || acc === O_RDWR || (flags & O_TRUNC) !== 0;
  const wants_read = acc === O_RDONLY || acc === O_RDWR;
  if (wants_write && (inode.i_mode & 0o222) === 0) return -EACCES;
  if (wants_read && (inode.i_mode & 0o444) === 0) return -EACCES;
  if (wants_write && (inode.i_flags & S_IMMUTABLE) !== 0) return -EPERM;
  return 0;
}

/** The FMODE_* bits of an open with `flags` (OPEN_FMODE + do_dentry_open). */
function open_fmode(inode: inode, flags: number): number {
  const acc = flags & O_ACCMODE;
  let fmode = FMODE_LSEEK | FMODE_PREAD | FMODE_PWRITE | inode.i_fop.open_fmode;
  if (acc === O_RDONLY || acc === O_RDWR) fmode |= FMODE_READ;
  if (acc === O_WRONLY || acc === O_RDWR) fmode |= FMODE_WRITE;
  return fmode;
}

/** Find or create the inode of `path` (lookup_open). */
function lookup_open(
  k: Kernel,
  path: string,
  flags: number,
  mode: number,
  fs: FsName,
): inode | number {
  const st = vfs(k);
  const found = st.dentries.get(path);
  if (found !== undefined)
    return (flags & O_CREAT) !== 0 && (flags & O_EXCL) !== 0 ? -EEXIST : found;
  if ((flags & O_CREAT) === 0) return -ENOENT;
  const inode = new_inode(k, kern_mount(k, fs), mode, path);
  st.dentries.set(path, inode);
  return inode;
}

/**
 * fs/open.c: do_sys_open(dfd, filename, flags, mode) for process `tgid`: a new descriptor or a
 * negative errno. A file created with O_CREAT lives on `fs` (the model's stand-in for the
 * mount the path is under).
 * @fidelity simplified
 */
export function* do_sys_open(
  k: Kernel,
  tgid: number,
  path: string,
  flags: number,
  mode = 0o644,
  fs: FsName = 'tmpfs',
): Sched<number> {
  const ret = yield* do_filp_open(k, tgid, path, flags, mode, fs);
  if (k.m.trace.enabled)
    fs_trace(k, 'fs.open', { path, flags: openTable.decode(flags).join('|') || 'O_RDONLY', ret });
  return ret;
}

function* do_filp_open(
  k: Kernel,
  tgid: number,
  path: string,
  flags: number,
  mode: number,
  fs: FsName,
): Sched<number> {
  const inode = lookup_open(k, path, flags, mode, fs);
  if (typeof inode === 'number') return inode;
  if ((flags & O_DIRECTORY) !== 0) return -ENOTDIR;
  const err = may_open(inode, flags);
  if (err !== 0) return err;
  const fmode = open_fmode(inode, flags);
  if ((flags & O_DIRECT) !== 0 && (fmode & FMODE_CAN_ODIRECT) === 0) return -EINVAL;
  const f = alloc_file(k, inode, flags, fmode);
  if ((flags & O_TRUNC) !== 0 && (fmode & FMODE_WRITE) !== 0) {
    const t = yield* do_truncate(k, inode, 0);
    if (t !== 0) return t;
  }
  return fd_install_new(files_of(k, tgid), f);
}

/** fs/open.c: do_truncate(idmap, dentry, length, attrs, filp): ->setattr(ATTR_SIZE) under i_rwsem. @fidelity simplified */
export function* do_truncate(k: Kernel, inode: inode, length: number): Sched<number> {
  if (length < 0) return -EINVAL;
  if (length > MAX_LFS_FILESIZE) return -EFBIG;
  yield* inode_lock(inode);
  const ret = yield* inode.i_op.setattr_size(k, inode, length);
  yield* inode_unlock(inode);
  return ret;
}

/** fs/open.c: do_sys_ftruncate(fd, length, small) / do_ftruncate(file, length). @fidelity simplified */
export function* do_sys_ftruncate(
  k: Kernel,
  tgid: number,
  fd: number,
  length: number,
): Sched<number> {
  if (length < 0) return -EINVAL;
  const f = fget(k, tgid, fd);
  if (f === null) return -EBADF;
  if ((f.f_mode & FMODE_WRITE) === 0) return -EINVAL;
  if ((f.f_inode.i_flags & S_IMMUTABLE) !== 0) return -EPERM;
  return yield* do_truncate(k, f.f_inode, length);
}

/**
 * fs/open.c: vfs_fallocate(file, mode, offset, len): the generic checks (range, mode
 * combinations, FMODE_WRITE, immutable), then ->fallocate.
 * @fidelity simplified (no ZERO_RANGE / COLLAPSE / INSERT / UNSHARE / WRITE_ZEROES: -EOPNOTSUPP)
 */
export function* vfs_fallocate(
  k: Kernel,
  f: file,
  mode: number,
  offset: number,
  len: number,
): Sched<number> {
  if (offset < 0 || len <= 0) return -EINVAL;
  if ((mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE)) !== 0) return -EOPNOTSUPP;
  if ((mode & FALLOC_FL_PUNCH_HOLE) !== 0 && (mode & FALLOC_FL_KEEP_SIZE) === 0) return -EOPNOTSUPP;
  if ((f.f_mode & FMODE_WRITE) === 0) return -EBADF;
  if ((f.f_inode.i_flags & S_IMMUTABLE) !== 0) return -EPERM;
  if (offset + len > MAX_LFS_FILESIZE) return -EFBIG;
  const fallocate = f.f_op.fallocate;
  if (fallocate === undefined) return -EOPNOTSUPP;
  return yield* fallocate(k, f, mode, offset, len);
}

/** fs/open.c: ksys_fallocate(fd, mode, offset, len). @fidelity exact */
export function* ksys_fallocate(
  k: Kernel,
  tgid: number,
  fd: number,
  mode: number,
  offset: number,
  len: number,
): Sched<number> {
  const f = fget(k, tgid, fd);
  if (f === null) return -EBADF;
  return yield* vfs_fallocate(k, f, mode, offset, len);
}

/** fs/open.c: close(fd) -> close_fd. @fidelity simplified */
export function sys_close(k: Kernel, tgid: number, fd: number): number {
  return close_fd(k, tgid, fd);
}
