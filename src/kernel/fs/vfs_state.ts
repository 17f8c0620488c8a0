/**
 * Per-kernel VFS state the kernel keeps in globals: the mounted file systems (one superblock
 * per type), the name space (path -> inode, flat), every inode, the open-file tables of the
 * processes and the simulated disks. Created on first
 * use, like mm_state.ts.
 * @fidelity custom
 */
import type { block_device } from '../block/bdev.js';
import type { Kernel } from '../kernel.js';
import type { files_struct } from './file.js';
import type { inode } from './inode.js';
import type { super_block } from './super.js';

export class VfsState {
  /** Mounted file systems by name (`ext4`, `hugetlbfs-2048kB`...). */
  readonly supers = new Map<string, super_block>();
  /** The name space: path -> inode (no directories). */
  readonly dentries = new Map<string, inode>();
  /** Every inode ever created, in creation order. */
  readonly inodes: inode[] = [];
  /** Open-file tables by thread-group id. */
  readonly files = new Map<number, files_struct>();
  readonly bdevs: block_device[] = [];
  nextIno = 1;
  nextFileId = 1;
}

const states = new WeakMap<Kernel, VfsState>();

/** The VFS state of a kernel, created on first use. @fidelity custom */
export function vfs(k: Kernel): VfsState {
  let s = states.get(k);
  if (s === undefined) {
    s = new VfsState();
    states.set(k, s);
  }
  return s;
}
