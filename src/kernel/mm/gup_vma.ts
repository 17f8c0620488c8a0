/**
 * Which VMAs GUP may use (mm/gup.c: check_vma_flags, writable_file_mapping_allowed,
 * gup_vma_lookup; mm/mmap.c: vma_needs_dirty_tracking; include/linux/mm.h: vma predicates).
 * File facts (shmem, secretmem, fsdax, writeback) come from the file layer (gup_state.ts).
 */
import {
  find_vma,
  is_cow_mapping,
  vma_is_anonymous,
  type MmStruct,
  type VmAreaStruct,
} from '../../mm/index.js';
import { maskHasAny } from '../include/bits.js';
import { EFAULT, EOPNOTSUPP } from '../include/errno.js';
import {
  FOLL_ANON,
  FOLL_FORCE,
  FOLL_LONGTERM,
  FOLL_PIN,
  FOLL_SPLIT_PMD,
  FOLL_WRITE,
} from '../include/gup_flags.js';
import {
  VM_HUGETLB,
  VM_IO,
  VM_MAYREAD,
  VM_PFNMAP,
  VM_READ,
  VM_SHADOW_STACK,
  VM_SHARED,
  VM_WRITE,
} from '../include/vm_flags.js';
import { file_facts } from './gup_state.js';

/** include/linux/hugetlb_inline.h: is_vm_hugetlb_page(vma). @fidelity exact */
export function is_vm_hugetlb_page(vma: VmAreaStruct): boolean {
  return maskHasAny(vma.vm_flags, VM_HUGETLB);
}

/** include/linux/secretmem.h: vma_is_secretmem(vma). @fidelity exact */
export function vma_is_secretmem(vma: VmAreaStruct): boolean {
  return vma.vm_file !== null && file_facts(vma.vm_file).secretmem === true;
}

/** include/linux/fs.h: vma_is_fsdax(vma). @fidelity simplified: the file layer says so */
export function vma_is_fsdax(vma: VmAreaStruct): boolean {
  return vma.vm_file !== null && file_facts(vma.vm_file).fsdax === true;
}

/** include/linux/mm.h: vma_is_shmem(vma). @fidelity simplified: the file layer says so */
export function vma_is_shmem(vma: VmAreaStruct): boolean {
  return vma.vm_file !== null && file_facts(vma.vm_file).shmem === true;
}

/**
 * mm/mmap.c: vma_needs_dirty_tracking: only shared writable file VMAs whose filesystem is
 * notified of writes (page_mkwrite) or can write back; shmem and hugetlbfs cannot.
 * @fidelity simplified: vm_ops are file facts
 */
export function vma_needs_dirty_tracking(vma: VmAreaStruct): boolean {
  const f = vma.vm_flags;
  if (!maskHasAny(f, VM_WRITE) || !maskHasAny(f, VM_SHARED)) return false;
  if (vma.vm_file === null) return false;
  const facts = file_facts(vma.vm_file);
  if (facts.page_mkwrite === true) return true;
  if (maskHasAny(f, VM_PFNMAP)) return false;
  if (facts.shmem === true || facts.hugetlbfs === true) return false;
  return facts.writeback !== false;
}

/** mm/gup.c: writable_file_mapping_allowed: only FOLL_PIN|FOLL_LONGTERM is refused, on dirty-tracked VMAs. @fidelity exact */
export function writable_file_mapping_allowed(vma: VmAreaStruct, gup_flags: number): boolean {
  if ((gup_flags & (FOLL_PIN | FOLL_LONGTERM)) !== (FOLL_PIN | FOLL_LONGTERM)) return true;
  return !vma_needs_dirty_tracking(vma);
}

/** A refusal by check_vma_flags: the errno and the rule, for traces. */
export interface VmaVerdict {
  readonly errno: number;
  readonly rule: string;
}

/** The rules of check_vma_flags, in the kernel's order: the first that refuses, or null. */
export function vma_flags_verdict(vma: VmAreaStruct, gup_flags: number): VmaVerdict | null {
  const f = vma.vm_flags;
  const anon = vma_is_anonymous(vma);
  if (maskHasAny(f, VM_IO | VM_PFNMAP))
    return no(EFAULT, 'VM_IO/VM_PFNMAP mappings have no pages GUP may take');
  if ((gup_flags & FOLL_ANON) !== 0 && !anon) return no(EFAULT, 'FOLL_ANON on a file mapping');
  if ((gup_flags & FOLL_LONGTERM) !== 0 && vma_is_fsdax(vma)) {
    return no(EOPNOTSUPP, 'FOLL_LONGTERM on an fsdax mapping');
  }
  if ((gup_flags & FOLL_SPLIT_PMD) !== 0 && is_vm_hugetlb_page(vma)) {
    return no(EOPNOTSUPP, 'FOLL_SPLIT_PMD on a hugetlb mapping');
  }
  if (vma_is_secretmem(vma)) return no(EFAULT, 'secretmem mappings are never GUP-able');
  return (gup_flags & FOLL_WRITE) !== 0
    ? writeVerdict(vma, gup_flags, anon)
    : readVerdict(vma, gup_flags);
}

function writeVerdict(vma: VmAreaStruct, gup_flags: number, anon: boolean): VmaVerdict | null {
  const f = vma.vm_flags;
  if (!anon && !writable_file_mapping_allowed(vma, gup_flags)) {
    return no(EFAULT, 'FOLL_LONGTERM|FOLL_WRITE pin of a file mapping that needs dirty tracking');
  }
  if (!maskHasAny(f, VM_WRITE) || maskHasAny(f, VM_SHADOW_STACK)) {
    if ((gup_flags & FOLL_FORCE) === 0)
      return no(EFAULT, 'FOLL_WRITE on a mapping without VM_WRITE');
    if (!is_cow_mapping(f))
      return no(EFAULT, 'FOLL_FORCE write to a non-COW (shared or read-only) mapping');
  }
  return null;
}

function readVerdict(vma: VmAreaStruct, gup_flags: number): VmaVerdict | null {
  const f = vma.vm_flags;
  if (maskHasAny(f, VM_READ)) return null;
  if ((gup_flags & FOLL_FORCE) === 0) return no(EFAULT, 'read of a mapping without VM_READ');
  if (!maskHasAny(f, VM_MAYREAD))
    return no(EFAULT, 'FOLL_FORCE read of a mapping without VM_MAYREAD');
  return null;
}

function no(errno: number, rule: string): VmaVerdict {
  return { errno: -errno, rule };
}

/**
 * mm/gup.c: check_vma_flags: 0, or -EFAULT / -EOPNOTSUPP when GUP may not use this VMA with
 * these flags (arch_vma_access_permitted is always true: no protection keys are modelled).
 * @fidelity exact
 */
export function check_vma_flags(vma: VmAreaStruct, gup_flags: number): number {
  return vma_flags_verdict(vma, gup_flags)?.errno ?? 0;
}

/**
 * mm/gup.c: gup_vma_lookup: the VMA containing `addr`, or null. GUP no longer expands stacks
 * (an address just below a VM_GROWSDOWN VMA is null too; the kernel only warns).
 * @fidelity exact
 */
export function gup_vma_lookup(mm: MmStruct, addr: number): VmAreaStruct | null {
  const vma = find_vma(mm, addr);
  if (vma === null || addr >= vma.vm_start) return vma;
  return null;
}
