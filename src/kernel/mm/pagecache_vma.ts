/**
 * What a VMA's file says about pins and dirty tracking: mm/mmap.c (v6.18)
 * vma_needs_dirty_tracking and vma_wants_writenotify, include/linux/hugetlb.h
 * is_file_hugepages, mm/shmem.c vma_is_shmem, mm/secretmem.c secretmem_mapping. GUP refuses a
 * FOLL_LONGTERM|FOLL_WRITE pin of a shared mapping that needs dirty tracking
 * (writable_file_mapping_allowed): ext4, xfs and btrfs files, whose vm_ops have page_mkwrite;
 * tmpfs/memfd and hugetlbfs files need none.
 * @fidelity exact (for the files of this model; secretmem is not modelled)
 */
import type { VmAreaStruct } from '../../mm/vma.js';
import { VM_HUGETLB, VM_PFNMAP, VM_SHARED, VM_WRITE } from '../include/vm_flags.js';
import type { file } from '../fs/file_table.js';
import { vma_soft_dirty_enabled, userfaultfd_wp } from './internal.js';
import { vma_file, type vm_operations_struct } from './mm_types.js';
import { mapping_can_writeback } from './pagecache.js';

/** mm/mmap.c: vm_ops_needs_writenotify(vm_ops): the backer wants to know about first writes. @fidelity exact */
export function vm_ops_needs_writenotify(vm_ops: vm_operations_struct | undefined): boolean {
  return vm_ops !== undefined && vm_ops.page_mkwrite !== undefined;
}

/** mm/mmap.c: vma_is_shared_writable(vma). @fidelity exact */
export function vma_is_shared_writable(vma: VmAreaStruct): boolean {
  return (vma.vm_flags & (VM_WRITE | VM_SHARED)) === (VM_WRITE | VM_SHARED);
}

/**
 * mm/mmap.c: vma_needs_dirty_tracking(vma): a shared writable mapping whose file system must
 * see writes (page_mkwrite) or whose mapping can write back.
 * @fidelity exact
 */
export function vma_needs_dirty_tracking(vma: VmAreaStruct): boolean {
  if (!vma_is_shared_writable(vma)) return false;
  const f = vma_file(vma);
  if (vm_ops_needs_writenotify(f?.vm_ops)) return true;
  if ((vma.vm_flags & VM_PFNMAP) !== 0) return false;
  return f !== null && mapping_can_writeback(f.f_mapping);
}

/**
 * mm/mmap.c: vma_wants_writenotify(vma, vm_page_prot): map shared writable pages read-only
 * first, so that the first write faults (page_mkwrite, soft-dirty, uffd-wp, dirty tracking).
 * @fidelity simplified (vm_page_prot is assumed unchanged by ->mmap)
 */
export function vma_wants_writenotify(vma: VmAreaStruct): boolean {
  if (!vma_is_shared_writable(vma)) return false;
  if (vm_ops_needs_writenotify(vma_file(vma)?.vm_ops)) return true;
  if (vma_soft_dirty_enabled(vma) && (vma.vm_flags & VM_HUGETLB) === 0) return true;
  if (userfaultfd_wp(vma)) return true;
  return vma_needs_dirty_tracking(vma);
}

/** include/linux/hugetlb.h: is_file_hugepages(file): a hugetlbfs file. @fidelity exact */
export function is_file_hugepages(f: file | null): boolean {
  return f !== null && f.hugetlbfs;
}

/** mm/shmem.c: vma_is_shmem(vma): the VMA maps a tmpfs / memfd file. @fidelity simplified */
export function vma_is_shmem(vma: VmAreaStruct): boolean {
  return vma_file(vma)?.shmem === true;
}

/** include/linux/secretmem.h: secretmem_mapping(mapping): memfd_secret is not modelled. @fidelity exact */
export function secretmem_mapping(): boolean {
  return false;
}
