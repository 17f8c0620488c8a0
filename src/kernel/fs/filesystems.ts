/**
 * Registered file-system types and their mounts: fs/filesystems.c (get_fs_type) and
 * fs/namespace.c (kern_mount). A type is mounted once per kernel on first use, and hugetlbfs
 * once per huge page size (hugetlbfs_vfsmount[]). Block-backed types get a simulated disk of
 * DISK_BYTES; btrfs marks its superblock SB_I_STABLE_WRITES (it checksums data under
 * writeback), the others inherit the disk's stable-writes feature (off).
 * @fidelity simplified: no mount options, one mount per type.
 */
import type { Hstate } from '../../mm/hugetlb.js';
import { bdev_create, bdev_stable_writes } from '../block/bdev.js';
import type { Kernel } from '../kernel.js';
import { shmem_fs_type } from '../mm/shmem.js';
import { btrfs_fs_type } from './btrfs.js';
import { ext4_fs_type } from './ext4.js';
import { hugetlbfs_fs_type } from './hugetlbfs.js';
import {
  SB_I_STABLE_WRITES,
  FS_REQUIRES_DEV,
  super_block,
  type FsName,
  type file_system_type,
} from './super.js';
import { vfs } from './vfs_state.js';
import { xfs_fs_type } from './xfs.js';

/** Capacity of each simulated disk. */
export const DISK_BYTES = 2 ** 36;

/** fs/filesystems.c: get_fs_type(name): the registered type. @fidelity simplified */
export function get_fs_type(name: FsName): file_system_type {
  switch (name) {
    case 'tmpfs':
      return shmem_fs_type;
    case 'ext4':
      return ext4_fs_type;
    case 'xfs':
      return xfs_fs_type;
    case 'btrfs':
      return btrfs_fs_type;
    case 'hugetlbfs':
      return hugetlbfs_fs_type;
  }
}

/**
 * fs/namespace.c: kern_mount(type): the superblock of `name` (hugetlbfs: of page size `h`),
 * mounted on first use.
 * @fidelity simplified
 */
export function kern_mount(k: Kernel, name: FsName, h: Hstate | null = null): super_block {
  const st = vfs(k);
  const key = name === 'hugetlbfs' && h !== null ? `hugetlbfs-${h.size / 1024}kB` : name;
  const found = st.supers.get(key);
  if (found !== undefined) return found;
  const type = get_fs_type(name);
  const bdev =
    (type.fs_flags & FS_REQUIRES_DEV) !== 0
      ? bdev_create(k, `${name}-disk`, DISK_BYTES, false)
      : null;
  const sb = new super_block(
    type,
    bdev,
    name === 'hugetlbfs' ? (h ?? k.mem.hstates[0] ?? null) : null,
    key,
  );
  if (name === 'btrfs' || (bdev !== null && bdev_stable_writes(bdev)))
    sb.s_iflags |= SB_I_STABLE_WRITES;
  st.supers.set(key, sb);
  return sb;
}
