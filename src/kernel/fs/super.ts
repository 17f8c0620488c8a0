/**
 * Superblocks and file-system types: include/linux/fs.h (struct super_block, struct
 * file_system_type, SB_I_*), include/linux/backing-dev-defs.h (BDI_CAP_*), fs/super.c.
 * Each file-system type is mounted once per kernel, on first use (kern_mount); block-backed
 * types get their own simulated disk.
 * @fidelity simplified: one superblock per type (one hugetlbfs mount per huge page size), no
 * mount options, no freezing, no s_umount.
 */
import type { Hstate } from '../../mm/hugetlb.js';
import type { block_device } from '../block/bdev.js';
import type { Sched } from '../../sim/thread.js';
import type { Kernel } from '../kernel.js';
import type { fs_file_ops } from './fs.js';
import type { inode } from './inode.js';

/** The file-system types the model implements. */
export type FsName = 'tmpfs' | 'ext4' | 'xfs' | 'btrfs' | 'hugetlbfs';

/** include/linux/fs.h: SB_I_STABLE_WRITES (pages must not change under writeback). */
export const SB_I_STABLE_WRITES = 0x00000008;

/** include/linux/backing-dev.h: BDI_CAP_WRITEBACK (dirty pages are written back). */
export const BDI_CAP_WRITEBACK = 1 << 0;
/** include/linux/backing-dev.h: BDI_CAP_WRITEBACK_ACCT. */
export const BDI_CAP_WRITEBACK_ACCT = 1 << 1;

/** include/linux/fs.h: FS_REQUIRES_DEV. */
export const FS_REQUIRES_DEV = 1;

/**
 * include/linux/fs.h: struct file_system_type, with the operations its regular files get and
 * the properties that matter for pins.
 */
export interface file_system_type {
  readonly name: FsName;
  readonly fs_flags: number;
  /** bdi->capabilities of its mounts. */
  readonly bdi_capabilities: number;
  /** The per-folio private state the file system keeps ('buffer_head', 'extent', or none). */
  readonly folio_private: 'buffer_head' | 'extent_mapped' | null;
  readonly ops: fs_file_ops;
  /** ->evict_inode(inode): drop its page cache (truncate_inode_pages_final). */
  evict(k: Kernel, inode: inode): Sched<void>;
}

/** include/linux/backing-dev-defs.h: struct backing_dev_info (capabilities only). */
export interface backing_dev_info {
  readonly capabilities: number;
}

/** include/linux/fs.h: struct super_block. @fidelity simplified */
export class super_block {
  s_iflags = 0;
  readonly s_blocksize = 4096;
  readonly s_bdi: backing_dev_info;

  constructor(
    readonly s_type: file_system_type,
    /** The simulated disk of a block-backed file system, else null. */
    readonly s_bdev: block_device | null,
    /** hugetlbfs: the huge page size of this mount (hugetlbfs_sb_info->hstate). */
    readonly s_hstate: Hstate | null,
    readonly s_id: string,
  ) {
    this.s_bdi = { capabilities: s_type.bdi_capabilities };
  }
}
