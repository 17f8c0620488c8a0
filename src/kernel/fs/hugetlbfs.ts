/**
 * hugetlbfs (fs/hugetlbfs/inode.c) and the page-cache side of mm/hugetlb.c (v6.18): files whose
 * page cache holds huge folios from the hugetlb pool, indexed in base pages (a 2 MiB folio
 * covers 512 indices). No writeback and no page_mkwrite (a shared writable mapping needs no
 * dirty tracking); no write(2) (hugetlbfs has no ->write_iter); sizes move in huge pages.
 * Faults on hugetlbfs mappings go through hugetlb_fault in the mm layer, which finds and adds
 * folios with filemap_lock_hugetlb_folio / hugetlb_add_to_page_cache.
 * @fidelity simplified: no reservations, subpools or i_blocks accounting; the pool folio is
 * taken with dequeue_hugetlb_folio.
 */
import { dequeue_hugetlb_folio, type Hstate } from '../../mm/hugetlb.js';
import { PF_MEMALLOC_PIN } from '../../mm/gfp.js';
import { folio_nr_pages } from '../../mm/folio.js';
import { folio_put } from '../../mm/page_free.js';
import { PG_locked, folio_mark_uptodate } from '../../mm/page_flags.js';
import { pmd_lockptr, pmd_lookup, pud_lookup } from '../../mm/pgtable_walk.js';
import {
  pmd_leaf,
  pmd_pfn,
  pmd_present,
  pud_leaf,
  pud_pfn,
  pud_present,
} from '../../mm/pgtable_types.js';
import { vma_pages, type VmAreaStruct } from '../../mm/vma.js';
import { Access } from '../../sim/footprint.js';
import type { Sched } from '../../sim/thread.js';
import { MmBug } from '../../mm/bug.js';
import { EEXIST, EINVAL, ENOSPC, EOPNOTSUPP, EPERM } from '../include/errno.js';
import { FALLOC_FL_KEEP_SIZE, FALLOC_FL_PUNCH_HOLE } from '../include/falloc.js';
import { VM_DONTEXPAND, VM_HUGETLB } from '../include/vm_flags.js';
import type { Kernel } from '../kernel.js';
import { folio_lock, folio_unlock } from '../mm/filemap.js';
import { current_pflags } from '../mm/internal.js';
import type { mm_struct } from '../mm/mm_struct.js';
import { mmState } from '../mm/mm_state.js';
import type { vm_operations_struct } from '../mm/mm_types.js';
import { folio_mark_dirty, noop_dirty_folio } from '../mm/page-writeback.js';
import {
  __filemap_get_folio,
  FGP_LOCK,
  page_cache_slots_free,
  page_cache_store,
  type fs_address_space,
} from '../mm/pagecache.js';
import { filemap_remove_folio, find_entries } from '../mm/pagecache_batch.js';
import { hugetlb_remove_rmap } from '../mm/rmap.js';
import { mm_solo, ptl_lock, ptl_unlock } from '../mm/solo.js';
import { mappingObj } from '../objects.js';
import type { file } from './file_table.js';
import type { address_space_operations, kiocb } from './fs.js';
import { i_size_read, i_size_write, inode_lock, inode_unlock, type inode } from './inode.js';
import { noop_fsync } from './libfs.js';
import { F_SEAL_GROW, F_SEAL_SHRINK, F_SEAL_WRITE } from '../mm/shmem.js';
import type { file_system_type } from './super.js';
import { copy_folio_to_iter, copy_point, iov_iter_count, type iov_iter } from './uio.js';

/** The hstate of a hugetlbfs inode (its superblock's page size). */
export function hstate_inode(inode: inode): Hstate {
  const h = inode.i_sb.s_hstate;
  if (h === null) throw new MmBug(`${inode.name} is not a hugetlbfs inode`);
  return h;
}

/** mm/hugetlb.c: alloc_hugetlb_folio(vma, addr) for a file: a pool folio (refcount 1), or -1. @fidelity simplified */
export function alloc_hugetlb_folio(k: Kernel, h: Hstate): number {
  return dequeue_hugetlb_folio(k.mem, h, (current_pflags(k) & PF_MEMALLOC_PIN) !== 0);
}

/** mm/hugetlb.c: filemap_lock_hugetlb_folio(h, mapping, idx): the locked folio of huge index `idx`, or -ENOENT. @fidelity exact */
export function filemap_lock_hugetlb_folio(
  k: Kernel,
  h: Hstate,
  mapping: fs_address_space,
  idx: number,
): Sched<number> {
  return __filemap_get_folio(k, mapping, idx << h.order, FGP_LOCK);
}

/**
 * mm/hugetlb.c: hugetlb_add_to_page_cache(folio, mapping, idx): insert a new huge folio at huge
 * index `idx`, locked, and mark it dirty so that no generic path drops it. 0 or -EEXIST.
 * @fidelity simplified
 */
export function* hugetlb_add_to_page_cache(
  k: Kernel,
  folio: number,
  mapping: fs_address_space,
  idx: number,
): Sched<number> {
  const index = idx * folio_nr_pages(k.mem, folio);
  k.mem.flags[folio] = k.mem.flags[folio] | (1 << PG_locked);
  mmState(k).folioLockOwner.set(folio, k.m.self);
  if (!mm_solo(k.m))
    yield k.m.at('hugetlb_add_to_page_cache', mappingObj(mapping.id), Access.Write);
  if (!page_cache_slots_free(mapping, index, folio_nr_pages(k.mem, folio))) {
    yield* folio_unlock(k, folio);
    return -EEXIST;
  }
  page_cache_store(k, mapping, folio, index);
  folio_mark_dirty(k, folio);
  return 0;
}

/** Unmap one hugetlb folio from one VMA (its PMD or PUD leaf), under the huge PTE lock. */
function* hugetlb_unmap_vma(
  k: Kernel,
  vma: VmAreaStruct,
  folio: number,
  pgoff: number,
): Sched<void> {
  if (pgoff < vma.vm_pgoff || pgoff >= vma.vm_pgoff + vma_pages(vma)) return;
  const mm = vma.vm_mm as mm_struct;
  const vpn = vma.vm_start / 4096 + (pgoff - vma.vm_pgoff);
  const pud = folio_nr_pages(k.mem, folio) > 512;
  const entryp = pud ? pud_lookup(k.pool, mm, vpn) : pmd_lookup(k.pool, mm, vpn);
  if (entryp < 0) return;
  const ptl = pud ? mm.page_table_lock : mm.ptlock(pmd_lockptr(entryp));
  yield* ptl_lock(ptl);
  const e = k.pool.get(entryp);
  const mapped = pud
    ? pud_present(e) && pud_leaf(e) && pud_pfn(e) === folio
    : pmd_present(e) && pmd_leaf(e) && pmd_pfn(e) === folio;
  if (mapped) {
    k.pool.set(entryp, 0);
    hugetlb_remove_rmap(k, folio);
    folio_put(k.mem, folio);
  }
  yield* ptl_unlock(ptl);
}

/** fs/hugetlbfs/inode.c: hugetlb_unmap_file_folio(h, mapping, folio, index): unmap it from every VMA. @fidelity simplified */
function* hugetlb_unmap_file_folio(
  k: Kernel,
  mapping: fs_address_space,
  folio: number,
): Sched<void> {
  const pgoff = k.mem.index[folio];
  for (const vma of [...mapping.i_mmap]) yield* hugetlb_unmap_vma(k, vma, folio, pgoff);
}

/**
 * fs/hugetlbfs/inode.c: remove_inode_hugepages(inode, lstart, lend): unmap and remove the folios
 * of bytes [lstart, lend); a pinned folio leaves the cache and stays alive.
 * @fidelity simplified
 */
export function* remove_inode_hugepages(
  k: Kernel,
  inode: inode,
  lstart: number,
  lend: number,
): Sched<void> {
  const mapping = inode.i_mapping;
  const last = lend === Number.MAX_SAFE_INTEGER ? lend : Math.ceil(lend / 4096) - 1;
  for (const folio of yield* find_entries(k, mapping, Math.floor(lstart / 4096), last, false)) {
    yield* folio_lock(k, folio);
    if (k.mem.mapping[folio] === mapping.id) {
      yield* hugetlb_unmap_file_folio(k, mapping, folio);
      yield* filemap_remove_folio(k, folio);
    }
    yield* folio_unlock(k, folio);
    folio_put(k.mem, folio);
  }
}

/** fs/hugetlbfs/inode.c: hugetlbfs_setattr with ATTR_SIZE: huge-page aligned, seals, hugetlb_vmtruncate. @fidelity simplified */
export function* hugetlbfs_setattr_size(k: Kernel, inode: inode, newsize: number): Sched<number> {
  const h = hstate_inode(inode);
  if (newsize % h.size !== 0) return -EINVAL;
  const oldsize = i_size_read(inode);
  if (
    (newsize < oldsize && (inode.seals & F_SEAL_SHRINK) !== 0) ||
    (newsize > oldsize && (inode.seals & F_SEAL_GROW) !== 0)
  ) {
    return -EPERM;
  }
  i_size_write(inode, newsize);
  if (newsize < oldsize) yield* remove_inode_hugepages(k, inode, newsize, Number.MAX_SAFE_INTEGER);
  return 0;
}

function* hugetlbfs_punch_hole(
  k: Kernel,
  inode: inode,
  offset: number,
  len: number,
): Sched<number> {
  const h = hstate_inode(inode);
  const hole_start = Math.ceil(offset / h.size) * h.size;
  const hole_end = Math.floor((offset + len) / h.size) * h.size;
  if (hole_end <= hole_start) return 0;
  if ((inode.seals & F_SEAL_WRITE) !== 0) return -EPERM;
  yield* remove_inode_hugepages(k, inode, hole_start, hole_end);
  return 0;
}

/** Allocate the huge folio at huge index `idx` unless it is cached: 0, or -ENOSPC. */
function* hugetlbfs_falloc_one(
  k: Kernel,
  h: Hstate,
  mapping: fs_address_space,
  idx: number,
): Sched<number> {
  const cached = yield* filemap_lock_hugetlb_folio(k, h, mapping, idx);
  if (cached >= 0) {
    yield* folio_unlock(k, cached);
    folio_put(k.mem, cached);
    return 0;
  }
  const folio = alloc_hugetlb_folio(k, h);
  if (folio < 0) return -ENOSPC;
  k.mem.content.fill(0, folio, folio + folio_nr_pages(k.mem, folio));
  folio_mark_uptodate(k.mem, folio);
  const err = yield* hugetlb_add_to_page_cache(k, folio, mapping, idx);
  if (err === 0) yield* folio_unlock(k, folio);
  folio_put(k.mem, folio);
  return 0;
}

/**
 * fs/hugetlbfs/inode.c: hugetlbfs_fallocate(file, mode, offset, len): punch whole huge pages,
 * or fill the range with pool folios (-ENOSPC when the pool runs out).
 * @fidelity simplified
 */
export function* hugetlbfs_fallocate(
  k: Kernel,
  f: file,
  mode: number,
  offset: number,
  len: number,
): Sched<number> {
  if ((mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE)) !== 0) return -EOPNOTSUPP;
  const inode = f.f_inode;
  const h = hstate_inode(inode);
  yield* inode_lock(inode);
  let ret = 0;
  if ((mode & FALLOC_FL_PUNCH_HOLE) !== 0) {
    ret = yield* hugetlbfs_punch_hole(k, inode, offset, len);
  } else if ((inode.seals & F_SEAL_GROW) !== 0 && offset + len > i_size_read(inode)) {
    ret = -EPERM;
  } else {
    for (
      let idx = Math.floor(offset / h.size);
      idx < Math.ceil((offset + len) / h.size) && ret === 0;
      idx++
    ) {
      ret = yield* hugetlbfs_falloc_one(k, h, inode.i_mapping, idx);
    }
    if (ret === 0 && (mode & FALLOC_FL_KEEP_SIZE) === 0 && offset + len > i_size_read(inode))
      i_size_write(inode, offset + len);
  }
  yield* inode_unlock(inode);
  return ret;
}

/** fs/hugetlbfs/inode.c: hugetlbfs_read_iter(iocb, to): copy from the huge folios; holes read as zeros. @fidelity simplified */
export function* hugetlbfs_read_iter(k: Kernel, iocb: kiocb, to: iov_iter): Sched<number> {
  const mapping = iocb.ki_filp.f_mapping;
  let done = 0;
  while (iov_iter_count(to) > 0 && iocb.ki_pos < i_size_read(mapping.host)) {
    const index = Math.floor(iocb.ki_pos / 4096);
    const bytes =
      Math.min((index + 1) * 4096, i_size_read(mapping.host), iocb.ki_pos + iov_iter_count(to)) -
      iocb.ki_pos;
    const folio = mapping.i_pages.get(index) ?? -1;
    if (folio >= 0) yield* copy_point(k, folio, false, to);
    const page = folio >= 0 ? folio + (index - k.mem.index[folio]) : k.mem.zero_pfn;
    const copied = yield* copy_folio_to_iter(k, page, bytes, to);
    iocb.ki_pos += copied;
    done += copied;
    if (copied < bytes) break;
  }
  return done;
}

/** fs/hugetlbfs/inode.c: hugetlbfs_file_mmap(file, vma): VM_HUGETLB | VM_DONTEXPAND; the offset must be huge-page aligned. @fidelity simplified */
export function hugetlbfs_file_mmap(_k: Kernel, f: file, vma: VmAreaStruct): number {
  const h = hstate_inode(f.f_inode);
  if (vma.vm_pgoff % (h.size / 4096) !== 0) return -EINVAL;
  vma.vm_flags = vma.vm_flags | VM_HUGETLB | VM_DONTEXPAND;
  return 0;
}

/** fs/hugetlbfs/inode.c: hugetlbfs_aops. @fidelity simplified */
export const hugetlbfs_aops: address_space_operations = {
  name: 'hugetlbfs_aops',
  dirty_folio: (k, _mapping, folio) => noop_dirty_folio(k, folio),
};

/** mm/hugetlb.c: hugetlb_vm_ops: faults never get here (hugetlb_fault handles them). @fidelity exact */
export const hugetlb_vm_ops: vm_operations_struct = {
  name: 'hugetlb_vm_ops',
  // eslint-disable-next-line require-yield
  *fault(): Sched<number> {
    throw new MmBug('BUG: hugetlb_vm_op_fault called (hugetlb faults go through hugetlb_fault)');
  },
};

/** fs/hugetlbfs/inode.c: hugetlbfs_fs_type. @fidelity simplified */
export const hugetlbfs_fs_type: file_system_type = {
  name: 'hugetlbfs',
  fs_flags: 0,
  bdi_capabilities: 0,
  evict: (k, inode) => remove_inode_hugepages(k, inode, 0, Number.MAX_SAFE_INTEGER),
  folio_private: null,
  ops: {
    i_fop: {
      name: 'hugetlbfs_file_operations',
      read_iter: hugetlbfs_read_iter,
      mmap: hugetlbfs_file_mmap,
      fsync: noop_fsync,
      fallocate: hugetlbfs_fallocate,
      open_fmode: 0,
    },
    i_op: { name: 'hugetlbfs_inode_operations', setattr_size: hugetlbfs_setattr_size },
    a_ops: hugetlbfs_aops,
    vm_ops: hugetlb_vm_ops,
  },
};
