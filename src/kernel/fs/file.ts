/**
 * Open-file tables: fs/file.c (alloc_fd, fd_install, fget, close_fd, dup_fd). Each process
 * (thread group) has one table; descriptors 0-2 stand for the standard streams, so the first
 * file opened gets 3, and a new descriptor is always the lowest free one.
 * @fidelity simplified: no close-on-exec semantics (no exec), no RLIMIT_NOFILE
 */
import { EBADF } from '../include/errno.js';
import type { Kernel } from '../kernel.js';
import { fput, get_file, type file } from './file_table.js';
import { vfs } from './vfs_state.js';

/** The standard streams (0, 1, 2) are open in every process. */
const STDIO = 3;

/** include/linux/fdtable.h: struct files_struct (the descriptor table). @fidelity simplified */
export class files_struct {
  /** fdt->fd[]: the open file of each descriptor (null: free; 0-2 stand for stdio). */
  readonly fd: (file | null)[] = [];
}

/** The descriptor table of process `tgid` (created on first use). @fidelity custom */
export function files_of(k: Kernel, tgid: number): files_struct {
  const st = vfs(k);
  let f = st.files.get(tgid);
  if (f === undefined) {
    f = new files_struct();
    st.files.set(tgid, f);
  }
  return f;
}

/** fs/file.c: alloc_fd + fd_install(fd, file): the lowest free descriptor now refers to `f`. @fidelity simplified */
export function fd_install_new(files: files_struct, f: file): number {
  let fd = STDIO;
  while (fd < files.fd.length && files.fd[fd] !== null) fd++;
  while (files.fd.length < fd) files.fd.push(null);
  files.fd[fd] = f;
  return fd;
}

/** fs/file.c: fget(fd) / fdget: the open file of a descriptor, or null (no reference taken). @fidelity simplified */
export function fget(k: Kernel, tgid: number, fd: number): file | null {
  if (!Number.isInteger(fd) || fd < STDIO) return null;
  return files_of(k, tgid).fd[fd] ?? null;
}

/** fs/file.c: close_fd(fd) + filp_close: 0, or -EBADF. @fidelity simplified */
export function close_fd(k: Kernel, tgid: number, fd: number): number {
  const files = files_of(k, tgid);
  const f = fd >= STDIO ? (files.fd[fd] ?? null) : null;
  if (f === null) return -EBADF;
  files.fd[fd] = null;
  fput(f);
  return 0;
}

/** kernel/fork.c + fs/file.c: dup_fd(): the child shares every open file of the parent. @fidelity simplified */
export function dup_fd(k: Kernel, parentTgid: number, childTgid: number): void {
  const from = files_of(k, parentTgid);
  const to = files_of(k, childTgid);
  from.fd.forEach((f, fd) => {
    to.fd[fd] = f === null ? null : get_file(f);
  });
}

/** kernel/exit.c: exit_files(): close every descriptor of an exiting process. @fidelity simplified */
export function exit_files(k: Kernel, tgid: number): void {
  const files = files_of(k, tgid);
  files.fd.forEach((f, fd) => {
    if (f !== null) close_fd(k, tgid, fd);
  });
}
