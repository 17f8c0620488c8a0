/**
 * May a FOLL_WRITE lookup use an entry that is not writable? (mm/gup.c: can_follow_write_common,
 * can_follow_write_pte, can_follow_write_pmd; mm/internal.h: pte_needs_soft_dirty_wp;
 * include/linux/userfaultfd_k.h: userfaultfd_pte_wp.) Only FOLL_FORCE in a private mapping
 * without VM_WRITE (but VM_MAYWRITE), on an exclusive anon page: COW has already been broken
 * for this process. This replaced the old FOLL_COW rule after Dirty COW. Under quirk dirty-cow
 * (the kernel before v4.9) only a writable entry may be followed for writing.
 */
import {
  PageAnonExclusive,
  folio_test_anon,
  folio_test_ksm,
  page_folio,
  pte_uffd_wp,
  pte_write,
  type VmAreaStruct,
} from '../../mm/index.js';
import { maskHasAny } from '../include/bits.js';
import { FOLL_FORCE } from '../include/gup_flags.js';
import { VM_MAYSHARE, VM_MAYWRITE, VM_SHARED, VM_UFFD_WP, VM_WRITE } from '../include/vm_flags.js';
import type { Kernel } from '../kernel.js';
import { pte_needs_soft_dirty_wp } from './internal.js';

/** mm/gup.c: can_follow_write_common(page, vma, flags); `page` -1 is NULL. @fidelity exact */
export function can_follow_write_common(
  k: Kernel,
  page: number,
  vma: VmAreaStruct,
  flags: number,
): boolean {
  // Quirk dirty-cow: before 19be0eaffa3a (v4.9) there was no FOLL_FORCE exception: a lookup for
  // writing needed a writable entry, and faultin_page dropped FOLL_WRITE after COW instead.
  if (k.m.quirk('dirty-cow')) return false;
  if ((flags & FOLL_FORCE) === 0) return false;
  const f = vma.vm_flags;
  if (maskHasAny(f, VM_MAYSHARE | VM_SHARED)) return false;
  if (!maskHasAny(f, VM_MAYWRITE)) return false;
  if (maskHasAny(f, VM_WRITE)) return false;
  if (page < 0) return false;
  const folio = page_folio(k.mem, page);
  if (!folio_test_anon(k.mem, folio) || folio_test_ksm(k.mem, folio)) return false;
  return PageAnonExclusive(k.mem, page);
}

/** include/linux/userfaultfd_k.h: userfaultfd_pte_wp(vma, pte) (also userfaultfd_huge_pmd_wp). @fidelity exact */
export function userfaultfd_pte_wp(vma: VmAreaStruct, pte: number): boolean {
  return maskHasAny(vma.vm_flags, VM_UFFD_WP) && pte_uffd_wp(pte);
}

/** mm/gup.c: can_follow_write_pte(pte, page, vma, flags). @fidelity exact */
export function can_follow_write_pte(
  k: Kernel,
  pte: number,
  page: number,
  vma: VmAreaStruct,
  flags: number,
): boolean {
  if (pte_write(pte)) return true;
  if (!can_follow_write_common(k, page, vma, flags)) return false;
  if (pte_needs_soft_dirty_wp(vma, pte)) return false;
  return !userfaultfd_pte_wp(vma, pte);
}

/** mm/gup.c: can_follow_write_pmd(pmd, page, vma, flags) (bit layout shared with PTEs). @fidelity exact */
export const can_follow_write_pmd = can_follow_write_pte;
