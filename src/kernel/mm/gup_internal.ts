/**
 * Helpers GUP shares between its paths: gup_must_unshare (mm/internal.h),
 * gup_can_follow_protnone and vm_fault_to_errno (include/linux/mm.h), and the x86 access checks
 * of the lockless walk (arch/x86/include/asm/pgtable.h).
 */
import {
  PageAnonExclusive,
  _PAGE_PRESENT,
  _PAGE_RW,
  _PAGE_USER,
  folio_test_anon,
  folio_test_ksm,
  is_cow_mapping,
  page_folio,
  type PhysMem,
  type VmAreaStruct,
} from '../../mm/index.js';
import { EFAULT, EHWPOISON, ENOMEM } from '../include/errno.js';
import {
  VM_FAULT_HWPOISON,
  VM_FAULT_HWPOISON_LARGE,
  VM_FAULT_OOM,
  VM_FAULT_SIGBUS,
  VM_FAULT_SIGSEGV,
} from '../include/fault_flags.js';
import {
  FOLL_HONOR_NUMA_FAULT,
  FOLL_HWPOISON,
  FOLL_LONGTERM,
  FOLL_PIN,
  FOLL_WRITE,
} from '../include/gup_flags.js';
import { vma_is_accessible } from './internal.js';

/**
 * mm/internal.h: gup_must_unshare: must a R/O pin of `page`, mapped by a non-writable entry,
 * first unshare it (FAULT_FLAG_UNSHARE)? Only FOLL_PIN without FOLL_WRITE asks. Anon pages:
 * unless PageAnonExclusive (KSM pages never are). Other pages: only for FOLL_LONGTERM, in a COW
 * mapping; the fast path (vma null) cannot tell and says yes.
 * @fidelity exact
 */
export function gup_must_unshare(
  mem: PhysMem,
  vma: VmAreaStruct | null,
  flags: number,
  page: number,
): boolean {
  if ((flags & (FOLL_WRITE | FOLL_PIN)) !== FOLL_PIN) return false;
  const folio = page_folio(mem, page);
  if (!folio_test_anon(mem, folio)) {
    if ((flags & FOLL_LONGTERM) === 0) return false;
    if (vma === null) return true;
    return is_cow_mapping(vma.vm_flags);
  }
  if (folio_test_ksm(mem, folio)) return true;
  return !PageAnonExclusive(mem, page);
}

/**
 * include/linux/mm.h: gup_can_follow_protnone: may GUP follow a PROT_NONE (NUMA hinting) entry?
 * Yes unless FOLL_HONOR_NUMA_FAULT; then only in an inaccessible VMA (never in the fast path).
 * @fidelity exact
 */
export function gup_can_follow_protnone(vma: VmAreaStruct | null, flags: number): boolean {
  if ((flags & FOLL_HONOR_NUMA_FAULT) === 0) return true;
  if (vma === null) return false;
  return !vma_is_accessible(vma);
}

/** include/linux/mm.h: vm_fault_to_errno(vm_fault, foll_flags). @fidelity exact */
export function vm_fault_to_errno(vm_fault: number, foll_flags: number): number {
  if ((vm_fault & VM_FAULT_OOM) !== 0) return -ENOMEM;
  if ((vm_fault & (VM_FAULT_HWPOISON | VM_FAULT_HWPOISON_LARGE)) !== 0) {
    return (foll_flags & FOLL_HWPOISON) !== 0 ? -EHWPOISON : -EFAULT;
  }
  if ((vm_fault & (VM_FAULT_SIGBUS | VM_FAULT_SIGSEGV)) !== 0) return -EFAULT;
  return 0;
}

/**
 * arch/x86/include/asm/pgtable.h: pte_access_permitted(pte, write): present, user and, for a
 * write, writable (no protection keys are modelled). Also pmd_/pud_access_permitted.
 * @fidelity simplified
 */
export function pte_access_permitted(pte: number, write: boolean): boolean {
  const need = _PAGE_PRESENT | _PAGE_USER | (write ? _PAGE_RW : 0);
  return (pte & need) === need;
}
