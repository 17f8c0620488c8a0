/**
 * memfd_create(2) and the memfd helpers GUP uses: mm/memfd.c (v6.18) — sys_memfd_create
 * (flag checks, shmem or hugetlbfs file, initial seals) and memfd_alloc_folio (the folio
 * memfd_pin_folios pins when the page cache has none) — with mm/shmem.c: shmem_file_setup and
 * fs/hugetlbfs/inode.c: hugetlb_file_setup.
 * @fidelity simplified: no vm.memfd_noexec sysctl (MFD_EXEC / MFD_NOEXEC_SEAL only set seals),
 * names are not limited beyond MFD_NAME_MAX_LEN.
 */
import { size_to_hstate, type Hstate } from '../../mm/hugetlb.js';
import { folio_nr_pages } from '../../mm/folio.js';
import { folio_mark_uptodate } from '../../mm/page_flags.js';
import type { Sched } from '../../sim/thread.js';
import { EFAULT, EINVAL, ENODEV, ENOMEM } from '../include/errno.js';
import { O_LARGEFILE, O_RDWR } from '../include/fcntl.js';
import {
  MFD_ALLOW_SEALING,
  MFD_CLOEXEC,
  MFD_EXEC,
  MFD_HUGE_MASK,
  MFD_HUGE_SHIFT,
  MFD_HUGETLB,
  MFD_NOEXEC_SEAL,
} from '../include/memfd.js';
import type { Kernel } from '../kernel.js';
import { fd_install_new, files_of } from '../fs/file.js';
import { alloc_file, type file } from '../fs/file_table.js';
import { kern_mount } from '../fs/filesystems.js';
import { FMODE_LSEEK, FMODE_PREAD, FMODE_PWRITE, FMODE_READ, FMODE_WRITE } from '../fs/fs.js';
import { alloc_hugetlb_folio, hugetlb_add_to_page_cache } from '../fs/hugetlbfs.js';
import { new_inode, type inode } from '../fs/inode.js';
import { fs_trace } from '../fs/fs_trace.js';
import { folio_unlock } from './filemap.js';
import { F_SEAL_EXEC, F_SEAL_SEAL, shmem_read_folio } from './shmem.js';
import { folio_put } from '../../mm/page_free.js';

/** include/uapi/linux/memfd.h + mm/memfd.c: MFD_NAME_MAX_LEN (NAME_MAX - strlen("memfd:")). */
export const MFD_NAME_MAX_LEN = 249;
const MFD_ALL_FLAGS = MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_HUGETLB | MFD_NOEXEC_SEAL | MFD_EXEC;

/** mm/shmem.c: shmem_file_setup(name, size, flags): an unlinked tmpfs inode. @fidelity simplified */
export function shmem_file_setup(k: Kernel, name: string, size: number): inode {
  const inode = new_inode(k, kern_mount(k, 'tmpfs'), 0o777, name);
  inode.i_size = size;
  inode.i_nlink = 0; // clear_nlink: it is unlinked
  return inode;
}

/** fs/hugetlbfs/inode.c: hugetlb_file_setup(name, size, ...): an unlinked hugetlbfs inode of page size `h`. @fidelity simplified */
export function hugetlb_file_setup(k: Kernel, name: string, size: number, h: Hstate): inode {
  const inode = new_inode(k, kern_mount(k, 'hugetlbfs', h), 0o777, name);
  inode.i_size = size;
  inode.i_nlink = 0;
  return inode;
}

/** The hstate selected by MFD_HUGETLB's size bits (0: the default, 2 MiB), or undefined. */
function memfd_hstate(k: Kernel, flags: number): Hstate | undefined {
  const log = (flags >>> MFD_HUGE_SHIFT) & MFD_HUGE_MASK;
  return log === 0 ? k.mem.hstates[0] : size_to_hstate(k.mem, 2 ** log);
}

/**
 * mm/memfd.c: sys_memfd_create(uname, flags) for process `tgid`: a new descriptor (O_RDWR) of
 * an anonymous shmem file, or a hugetlbfs one with MFD_HUGETLB; -EINVAL for bad flags or name,
 * -ENODEV for a huge page size the machine has no pool for.
 * @fidelity simplified
 */
export function sys_memfd_create(k: Kernel, tgid: number, name: string, flags: number): number {
  if ((flags & MFD_HUGETLB) === 0) {
    if ((flags & ~MFD_ALL_FLAGS) !== 0) return -EINVAL;
  } else if ((flags & ~(MFD_ALL_FLAGS | (MFD_HUGE_MASK << MFD_HUGE_SHIFT))) !== 0) {
    return -EINVAL;
  }
  if ((flags & MFD_EXEC) !== 0 && (flags & MFD_NOEXEC_SEAL) !== 0) return -EINVAL;
  if (name.length > MFD_NAME_MAX_LEN) return -EINVAL;
  let inode: inode;
  if ((flags & MFD_HUGETLB) !== 0) {
    const h = memfd_hstate(k, flags);
    if (h === undefined) return -ENODEV;
    inode = hugetlb_file_setup(k, `memfd:${name}`, 0, h);
  } else {
    inode = shmem_file_setup(k, `memfd:${name}`, 0);
  }
  inode.seals =
    (flags & MFD_ALLOW_SEALING) !== 0 || (flags & MFD_NOEXEC_SEAL) !== 0 ? 0 : F_SEAL_SEAL;
  if ((flags & MFD_NOEXEC_SEAL) !== 0) inode.seals |= F_SEAL_EXEC;
  const fmode = FMODE_READ | FMODE_WRITE | FMODE_LSEEK | FMODE_PREAD | FMODE_PWRITE;
  const f = alloc_file(k, inode, O_RDWR | O_LARGEFILE, fmode);
  const fd = fd_install_new(files_of(k, tgid), f);
  if (k.m.trace.enabled)
    fs_trace(k, 'fs.open', { path: inode.name, flags: 'memfd_create', ret: fd });
  return fd;
}

/**
 * mm/memfd.c: memfd_alloc_folio(memfd, idx): the folio at page index `idx` of a memfd, created
 * if missing (shmem: shmem_read_folio; hugetlbfs: a pool folio added to the cache at huge
 * index idx >> order), with a reference; -ENOMEM, -EFAULT.
 * @fidelity simplified
 */
export function* memfd_alloc_folio(k: Kernel, memfd: file, idx: number): Sched<number> {
  const inode = memfd.f_inode;
  const h = inode.i_sb.s_hstate;
  if (h === null) return yield* shmem_read_folio(k, memfd.f_mapping, idx);
  const folio = alloc_hugetlb_folio(k, h);
  if (folio < 0) return -ENOMEM;
  k.mem.content.fill(0, folio, folio + folio_nr_pages(k.mem, folio));
  folio_mark_uptodate(k.mem, folio);
  const err = yield* hugetlb_add_to_page_cache(k, folio, memfd.f_mapping, idx >> h.order);
  if (err !== 0) {
    folio_put(k.mem, folio);
    return -EFAULT;
  }
  yield* folio_unlock(k, folio);
  return folio;
}
