/**
 * struct file (include/linux/fs.h) and its lifetime (fs/file_table.c: alloc_file, get_file,
 * fput). A file is what a VMA's vm_file points to: it carries the mapping, the vm_ops its
 * file system's ->mmap installs, and the facts GUP asks about (gup_state.ts: GupFileFacts).
 * @fidelity simplified: no f_path, credentials or readahead state; the last fput releases at
 * once (the kernel defers __fput to task_work).
 */
import type { Hstate } from '../../mm/hugetlb.js';
import type { Kernel } from '../kernel.js';
import type { file as vm_file, vm_operations_struct } from '../mm/mm_types.js';
import { mapping_can_writeback, type fs_address_space } from '../mm/pagecache.js';
import type { file_operations } from './fs.js';
import { iput, type inode } from './inode.js';
import { vfs } from './vfs_state.js';

/** include/linux/fs.h: struct file. @fidelity simplified */
export class file implements vm_file {
  /** File position (read/write without an offset; pread/pwrite do not move it). */
  f_pos = 0;
  /** f_count: open descriptors, mappings and in-flight syscalls holding the file. */
  f_count = 1;
  /** f_wb_err: the writeback error sequence seen by this file. */
  f_wb_err = 0;
  readonly secretmem = false;
  readonly fsdax = false;
  readonly fault = true;

  constructor(
    private readonly k: Kernel,
    /** A kernel-wide identity (VmFile.id). */
    readonly id: number,
    readonly f_inode: inode,
    /** O_* flags given to open (O_ACCMODE, O_DIRECT, O_APPEND...). */
    public f_flags: number,
    /** FMODE_* bits. */
    public f_mode: number,
  ) {}

  get f_mapping(): fs_address_space {
    return this.f_inode.i_mapping;
  }

  get f_op(): file_operations {
    return this.f_inode.i_fop;
  }

  /** What the file system's ->mmap installs as vma->vm_ops. */
  get vm_ops(): vm_operations_struct {
    return this.f_inode.i_sb.s_type.ops.vm_ops;
  }

  /** shmem_file(file): a tmpfs / memfd file. */
  get shmem(): boolean {
    return this.f_inode.i_sb.s_type.name === 'tmpfs';
  }

  /** is_file_hugepages(file): a hugetlbfs file. */
  get hugetlbfs(): boolean {
    return this.f_inode.i_sb.s_type.name === 'hugetlbfs';
  }

  /** hstate_file(file): the huge page size of a hugetlbfs file. */
  get hstate(): Hstate | undefined {
    return this.f_inode.i_sb.s_hstate ?? undefined;
  }

  /** __fput(): the last reference is gone (called by fput and the mm layer's vma_fput). */
  release(): void {
    iput(this.k, this.f_inode);
  }

  /** mapping_can_writeback(file->f_mapping). */
  get writeback(): boolean {
    return mapping_can_writeback(this.f_mapping);
  }

  /** vm_ops->page_mkwrite exists (vm_ops_needs_writenotify). */
  get page_mkwrite(): boolean {
    return this.vm_ops.page_mkwrite !== undefined;
  }
}

/** fs/file_table.c: alloc_file(inode, flags, fmode): a new open file with one reference. @fidelity simplified */
export function alloc_file(k: Kernel, inode: inode, flags: number, fmode: number): file {
  inode.i_count++;
  return new file(k, vfs(k).nextFileId++, inode, flags, fmode);
}

/** include/linux/fs.h: get_file(file): one more reference (a VMA, a duplicated descriptor). @fidelity exact */
export function get_file(f: file): file {
  f.f_count++;
  return f;
}

/** fs/file_table.c: fput(file): drop a reference; the last one releases the file. @fidelity simplified */
export function fput(f: file): void {
  if (f.f_count <= 0) throw new Error(`fput of file ${f.id} with f_count ${f.f_count}`);
  f.f_count--;
  if (f.f_count === 0) f.release();
}

/** include/linux/fs.h: file_inode(file). @fidelity exact */
export function file_inode(f: file): inode {
  return f.f_inode;
}
