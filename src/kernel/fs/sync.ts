/**
 * fsync(2): fs/sync.c (v6.18) vfs_fsync_range / do_fsync. Block file systems write back and
 * wait for the file's dirty folios (ext4_sync_file, xfs_file_fsync, btrfs_sync_file); tmpfs and
 * hugetlbfs have nothing to write (noop_fsync).
 * @fidelity simplified: no metadata sync, no journal commit
 */
import type { Sched } from '../../sim/thread.js';
import { EBADF, EINVAL } from '../include/errno.js';
import type { Kernel } from '../kernel.js';
import { fget } from './file.js';
import type { file } from './file_table.js';
import { fs_trace } from './fs_trace.js';

/** fs/sync.c: vfs_fsync_range(file, start, end, datasync). @fidelity simplified */
export function* vfs_fsync_range(
  k: Kernel,
  f: file,
  start: number,
  end: number,
  datasync: boolean,
): Sched<number> {
  const fsync = f.f_op.fsync;
  if (fsync === undefined) return -EINVAL;
  return yield* fsync(k, f, start, end, datasync);
}

/** fs/sync.c: do_fsync(fd, datasync) for process `tgid`. @fidelity simplified */
export function* do_fsync(k: Kernel, tgid: number, fd: number, datasync = false): Sched<number> {
  const f = fget(k, tgid, fd);
  const ret =
    f === null ? -EBADF : yield* vfs_fsync_range(k, f, 0, Number.MAX_SAFE_INTEGER, datasync);
  if (k.m.trace.enabled) fs_trace(k, 'fs.syscall', { name: 'fsync', fd, ret });
  return ret;
}
