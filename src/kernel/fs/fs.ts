/**
 * The operation tables of include/linux/fs.h that the model's file systems fill in: struct
 * file_operations, struct inode_operations and struct address_space_operations, with struct
 * kiocb and the FMODE_* bits. Every hook takes the kernel first; hooks that may sleep are
 * generators. Each file system (fs/ext4.ts, fs/xfs.ts, fs/btrfs.ts, mm/shmem.ts,
 * fs/hugetlbfs.ts) exports one table of each.
 * @fidelity simplified: only the hooks the page cache, writeback and the syscalls of this model
 * call exist.
 */
import type { VmAreaStruct } from '../../mm/vma.js';
import type { Sched } from '../../sim/thread.js';
import type { Kernel } from '../kernel.js';
import type { vm_operations_struct } from '../mm/mm_types.js';
import type { writeback_control } from '../mm/page-writeback.js';
import type { fs_address_space } from '../mm/pagecache.js';
import type { file } from './file_table.js';
import type { inode } from './inode.js';
import type { iov_iter } from './uio.js';

/** include/linux/fs.h: FMODE_READ. */
export const FMODE_READ = 1 << 0;
/** include/linux/fs.h: FMODE_WRITE. */
export const FMODE_WRITE = 1 << 1;
/** include/linux/fs.h: FMODE_LSEEK. */
export const FMODE_LSEEK = 1 << 2;
/** include/linux/fs.h: FMODE_PREAD. */
export const FMODE_PREAD = 1 << 3;
/** include/linux/fs.h: FMODE_PWRITE. */
export const FMODE_PWRITE = 1 << 4;
/** include/linux/fs.h: FMODE_CAN_ODIRECT (the file system supports O_DIRECT). */
export const FMODE_CAN_ODIRECT = 1 << 22;

/** include/linux/fs.h: IOCB_DIRECT (the I/O bypasses the page cache). */
export const IOCB_DIRECT = 1 << 17;
/** include/linux/fs.h: IOCB_APPEND. */
export const IOCB_APPEND = 1 << 3;

/** include/linux/fs.h: struct kiocb (the I/O position and flags). @fidelity simplified */
export class kiocb {
  constructor(
    readonly ki_filp: file,
    public ki_pos: number,
    public ki_flags = 0,
  ) {}
}

/** include/linux/fs.h: struct file_operations (the hooks the model's syscalls call). */
export interface file_operations {
  readonly name: string;
  /** ->read_iter(iocb, iter): bytes read, or a negative errno. */
  read_iter?(k: Kernel, iocb: kiocb, iter: iov_iter): Sched<number>;
  /** ->write_iter(iocb, iter): bytes written, or a negative errno. */
  write_iter?(k: Kernel, iocb: kiocb, iter: iov_iter): Sched<number>;
  /** ->mmap(file, vma): 0 or a negative errno; the VMA's operations are file.vm_ops. */
  mmap?(k: Kernel, f: file, vma: VmAreaStruct): number;
  /** ->fsync(file, start, end, datasync). */
  fsync?(k: Kernel, f: file, start: number, end: number, datasync: boolean): Sched<number>;
  /** ->fallocate(file, mode, offset, len). */
  fallocate?(k: Kernel, f: file, mode: number, offset: number, len: number): Sched<number>;
  /** FMODE_* bits ->open adds (FMODE_CAN_ODIRECT). */
  readonly open_fmode: number;
}

/** include/linux/fs.h: struct inode_operations (only ->setattr with ATTR_SIZE). */
export interface inode_operations {
  readonly name: string;
  /** ->setattr(ATTR_SIZE): change i_size with i_rwsem held; 0 or a negative errno. */
  setattr_size(k: Kernel, inode: inode, newsize: number): Sched<number>;
}

/** include/linux/fs.h: struct address_space_operations. */
export interface address_space_operations {
  readonly name: string;
  /** ->dirty_folio(mapping, folio): true when the folio was newly dirtied. */
  dirty_folio(k: Kernel, mapping: fs_address_space, folio: number): boolean;
  /** ->read_folio(file, folio): the folio is locked; it is unlocked when the read ends. */
  read_folio?(k: Kernel, folio: number): Sched<number>;
  /** ->writepages(mapping, wbc). */
  writepages?(k: Kernel, mapping: fs_address_space, wbc: writeback_control): Sched<number>;
  /** ->write_begin(iocb, mapping, pos, len): a locked folio with a reference, or -errno. */
  write_begin?(k: Kernel, mapping: fs_address_space, pos: number, len: number): Sched<number>;
  /** ->write_end(iocb, mapping, pos, len, copied, folio): bytes accepted; unlocks and puts. */
  write_end?(
    k: Kernel,
    mapping: fs_address_space,
    pos: number,
    len: number,
    copied: number,
    folio: number,
  ): Sched<number>;
  /** ->invalidate_folio(folio, offset, length): drop private state for the range. */
  invalidate_folio?(k: Kernel, folio: number, offset: number, length: number): void;
  /** ->release_folio(folio, gfp): free private state; false if it cannot. */
  release_folio?(k: Kernel, folio: number, gfp: number): boolean;
  /**
   * ->migrate_folio(mapping, dst, src, mode): move a locked, unmapped folio's cache slots,
   * references and private data to dst (mm/migrate_folio.ts); 0 or -errno.
   */
  migrate_folio?(
    k: Kernel,
    mapping: fs_address_space,
    dst: number,
    src: number,
    mode: number,
  ): number;
}

/** The operations a file system gives its regular files. @fidelity custom */
export interface fs_file_ops {
  readonly i_fop: file_operations;
  readonly i_op: inode_operations;
  readonly a_ops: address_space_operations;
  /** What ->mmap installs as vma->vm_ops. */
  readonly vm_ops: vm_operations_struct;
}
