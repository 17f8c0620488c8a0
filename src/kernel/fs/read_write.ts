/**
 * read/write at an offset: fs/read_write.c (v6.18) — ksys_pread64 / ksys_pwrite64, vfs_read /
 * vfs_write with rw_verify_area and MAX_RW_COUNT, and the kiocb flags an open file implies
 * (iocb_flags: O_DIRECT -> IOCB_DIRECT, O_APPEND -> IOCB_APPEND). The data goes through the
 * file system's ->read_iter / ->write_iter (the page cache, or direct I/O for O_DIRECT).
 * @fidelity simplified: no fsnotify, no O_SYNC / O_DSYNC syncing after a write.
 */
import type { Sched } from '../../sim/thread.js';
import { EBADF, EINVAL, ESPIPE } from '../include/errno.js';
import { O_APPEND, O_DIRECT } from '../include/fcntl.js';
import type { Kernel } from '../kernel.js';
import { fget } from './file.js';
import type { file } from './file_table.js';
import {
  FMODE_CAN_ODIRECT,
  FMODE_PREAD,
  FMODE_PWRITE,
  FMODE_READ,
  FMODE_WRITE,
  IOCB_APPEND,
  IOCB_DIRECT,
  kiocb,
} from './fs.js';
import { fs_trace } from './fs_trace.js';
import type { iov_iter } from './uio.js';

/** include/linux/fs.h: MAX_RW_COUNT (INT_MAX & PAGE_MASK). */
export const MAX_RW_COUNT = 0x7ffff000;

/** include/linux/fs.h: iocb_flags(file). @fidelity simplified */
export function iocb_flags(f: file): number {
  let res = 0;
  if ((f.f_flags & O_APPEND) !== 0) res |= IOCB_APPEND;
  if ((f.f_flags & O_DIRECT) !== 0 && (f.f_mode & FMODE_CAN_ODIRECT) !== 0) res |= IOCB_DIRECT;
  return res;
}

/** fs/read_write.c: rw_verify_area(read_write, file, ppos, count). @fidelity simplified */
function rw_verify_area(pos: number, count: number): number {
  if (pos < 0 || pos + count > Number.MAX_SAFE_INTEGER) return -EINVAL;
  return 0;
}

/** fs/read_write.c: vfs_read(file, buf, count, pos) through ->read_iter: bytes read or -errno. @fidelity simplified */
export function* vfs_read(k: Kernel, f: file, iter: iov_iter, pos: number): Sched<number> {
  if ((f.f_mode & FMODE_READ) === 0) return -EBADF;
  const read_iter = f.f_op.read_iter;
  if (read_iter === undefined) return -EINVAL;
  const err = rw_verify_area(pos, iter.count);
  if (err !== 0) return err;
  if (iter.count > MAX_RW_COUNT) iter.count = MAX_RW_COUNT;
  if (iter.count === 0) return 0;
  return yield* read_iter(k, new kiocb(f, pos, iocb_flags(f)), iter);
}

/** fs/read_write.c: vfs_write(file, buf, count, pos) through ->write_iter: bytes written or -errno. @fidelity simplified */
export function* vfs_write(k: Kernel, f: file, iter: iov_iter, pos: number): Sched<number> {
  if ((f.f_mode & FMODE_WRITE) === 0) return -EBADF;
  const write_iter = f.f_op.write_iter;
  if (write_iter === undefined) return -EINVAL;
  const err = rw_verify_area(pos, iter.count);
  if (err !== 0) return err;
  if (iter.count > MAX_RW_COUNT) iter.count = MAX_RW_COUNT;
  if (iter.count === 0) return 0;
  return yield* write_iter(k, new kiocb(f, pos, iocb_flags(f)), iter);
}

/** fs/read_write.c: ksys_pread64(fd, buf, count, pos) for process `tgid`. @fidelity simplified */
export function* ksys_pread64(
  k: Kernel,
  tgid: number,
  fd: number,
  iter: iov_iter,
  pos: number,
): Sched<number> {
  if (pos < 0) return -EINVAL;
  const f = fget(k, tgid, fd);
  let ret: number;
  if (f === null) ret = -EBADF;
  else if ((f.f_mode & FMODE_PREAD) === 0) ret = -ESPIPE;
  else ret = yield* vfs_read(k, f, iter, pos);
  if (k.m.trace.enabled) fs_trace(k, 'fs.syscall', { name: 'pread64', fd, ret });
  return ret;
}

/** fs/read_write.c: ksys_pwrite64(fd, buf, count, pos) for process `tgid`. @fidelity simplified */
export function* ksys_pwrite64(
  k: Kernel,
  tgid: number,
  fd: number,
  iter: iov_iter,
  pos: number,
): Sched<number> {
  if (pos < 0) return -EINVAL;
  const f = fget(k, tgid, fd);
  let ret: number;
  if (f === null) ret = -EBADF;
  else if ((f.f_mode & FMODE_PWRITE) === 0) ret = -ESPIPE;
  else ret = yield* vfs_write(k, f, iter, pos);
  if (k.m.trace.enabled) fs_trace(k, 'fs.syscall', { name: 'pwrite64', fd, ret });
  return ret;
}
