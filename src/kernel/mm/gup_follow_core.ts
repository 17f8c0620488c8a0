/**
 * The decisions of the slow path's lookup (mm/gup.c: follow_page_pte, follow_huge_pmd,
 * follow_huge_pud, no_page_table), as plain functions run with the entry's page-table lock held
 * (or, for a thread running alone, where no lock could be contended). They read the entry at
 * the given pointer, decide, and take the reference `flags` asks for.
 *
 * Results are numbers: a pfn (>= 0) with the reference taken, FOLLOW_NULL ("fault it in"),
 * NO_PAGE (follow_page_pte's `no_page`: not present), or a negative errno (ERR_PTR): -EMLINK
 * ("unshare first"), -EEXIST (a PFN entry without struct page), -EFAULT, -ENOMEM, -EREMOTEIO.
 */
import {
  HPAGE_PMD_NR,
  HPAGE_PUD_NR,
  PageAnonExclusive,
  folio_test_anon,
  folio_test_dirty,
  folio_test_ksm,
  is_zero_pfn,
  page_folio,
  pmd_protnone,
  pmd_trans_huge,
  pte_dirty,
  pte_pfn,
  pte_present,
  pte_protnone,
  pte_write,
  vma_is_anonymous,
  type VmAreaStruct,
} from '../../mm/index.js';
import { EFAULT, EMLINK } from '../include/errno.js';
import { FOLL_DUMP, FOLL_PIN, FOLL_TOUCH, FOLL_WRITE } from '../include/gup_flags.js';
import type { Kernel } from '../kernel.js';
import { gup_warn } from './gup_call.js';
import {
  folio_mark_accessed,
  folio_mark_dirty,
  follow_pfn_pte,
  touch_pmd,
  vm_normal_page,
} from './gup_deps.js';
import { gup_can_follow_protnone, gup_must_unshare } from './gup_internal.js';
import { try_grab_folio } from './gup_pin.js';
import { file_facts, gupState } from './gup_state.js';
import { is_vm_hugetlb_page } from './gup_vma.js';
import {
  can_follow_write_common,
  can_follow_write_pmd,
  can_follow_write_pte,
} from './gup_write.js';

/** follow_page_mask's "NULL": no page there yet, a fault is needed. Not an errno. */
export const FOLLOW_NULL = -4096;
/** follow_page_pte's `no_page` label: the PTE is not present (or protnone it may not follow). */
export const NO_PAGE = -8192;

/** struct follow_page_context (no dev_pagemap: no ZONE_DEVICE memory is modelled). */
export interface FollowPageContext {
  /** Pages of the leaf minus one (0 for a PTE, HPAGE_PMD_NR - 1 for a PMD leaf...). */
  page_mask: number;
  /**
   * Model-only, for a thread running alone (nothing can change the tables between two of its
   * lookups): the PMD pointer found for the 2 MiB region `pmd_region` (vpn / 512), or -1.
   */
  pmd_region: number;
  pmdp: number;
}

/**
 * mm/gup.c: no_page_table: NULL (fault it in), except for FOLL_DUMP over a hole that would
 * read as zeroes (anonymous or fault-less VMAs): -EFAULT, so the core dump skips it.
 * @fidelity simplified: a hugetlb VMA is treated as having no page-cache page at the hole
 */
export function no_page_table(vma: VmAreaStruct, flags: number): number {
  if ((flags & FOLL_DUMP) === 0) return FOLLOW_NULL;
  if (is_vm_hugetlb_page(vma) || vma_is_anonymous(vma)) return -EFAULT;
  if (vma.vm_file !== null && file_facts(vma.vm_file).fault === false) return -EFAULT;
  return FOLLOW_NULL;
}

/** VM_WARN_ON_ONCE_PAGE (CONFIG_DEBUG_VM): FOLL_PIN of a non-exclusive anon page cannot happen here. */
function warn_pin_not_exclusive(k: Kernel, page: number, flags: number): void {
  const mem = k.mem;
  if ((flags & FOLL_PIN) === 0 || page === mem.zero_pfn || !gupState(k).debugVm) return;
  const folio = page_folio(mem, page);
  if (!folio_test_anon(mem, folio) || folio_test_ksm(mem, folio)) return;
  if (!PageAnonExclusive(mem, page)) {
    gup_warn(
      k,
      'pin-not-exclusive',
      `FOLL_PIN of non-exclusive anon page ${page}`,
      'mm/gup.c: follow_page_pte (VM_WARN_ON_ONCE_PAGE)',
    );
  }
}

/**
 * mm/gup.c: follow_page_pte, between pte_offset_map_lock and pte_unmap_unlock: the page at
 * `ptep` with the reference taken, or NO_PAGE / FOLLOW_NULL / an errno.
 * @fidelity exact
 */
export function follow_pte_locked(
  k: Kernel,
  vma: VmAreaStruct,
  vpn: number,
  ptep: number,
  flags: number,
): number {
  const mem = k.mem;
  const pte = k.pool.entries[ptep]!;
  if (!pte_present(pte)) return NO_PAGE;
  if (pte_protnone(pte) && !gup_can_follow_protnone(vma, flags)) return NO_PAGE;
  let page = vm_normal_page(k, vma, pte);
  if ((flags & FOLL_WRITE) !== 0 && !can_follow_write_pte(k, pte, page, vma, flags))
    return FOLLOW_NULL;
  if (page < 0) {
    if ((flags & FOLL_DUMP) !== 0) return -EFAULT;
    if (!is_zero_pfn(mem, pte_pfn(pte))) return follow_pfn_pte(k, vma, vpn * 4096, ptep, flags);
    page = pte_pfn(pte);
  }
  if (!pte_write(pte) && gup_must_unshare(mem, vma, flags, page)) return -EMLINK;
  warn_pin_not_exclusive(k, page, flags);
  const folio = page_folio(mem, page);
  const ret = try_grab_folio(k, folio, 1, flags);
  if (ret !== 0) return ret;
  if ((flags & FOLL_TOUCH) !== 0) {
    if ((flags & FOLL_WRITE) !== 0 && !pte_dirty(pte) && !folio_test_dirty(mem, folio))
      folio_mark_dirty(k, folio);
    folio_mark_accessed(k, folio);
  }
  return page;
}

/**
 * mm/gup.c: follow_huge_pmd (PMD lock held): the subpage at vpn of a PMD leaf, one reference
 * taken (the caller grabs the rest), or NULL / -EMLINK / -EFAULT.
 * @fidelity exact
 */
export function follow_huge_pmd_locked(
  k: Kernel,
  vma: VmAreaStruct,
  vpn: number,
  pmdp: number,
  flags: number,
  ctx: FollowPageContext,
): number {
  const pmdval = k.pool.entries[pmdp]!;
  const head = pte_pfn(pmdval);
  if ((flags & FOLL_WRITE) !== 0 && !can_follow_write_pmd(k, pmdval, head, vma, flags))
    return FOLLOW_NULL;
  if ((flags & FOLL_DUMP) !== 0 && head === k.mem.huge_zero_pfn) return -EFAULT;
  if (pmd_protnone(pmdval) && !gup_can_follow_protnone(vma, flags)) return FOLLOW_NULL;
  if (!pte_write(pmdval) && gup_must_unshare(k.mem, vma, flags, head)) return -EMLINK;
  warn_pin_not_exclusive(k, head, flags);
  const ret = try_grab_folio(k, head, 1, flags);
  if (ret !== 0) return ret;
  if (pmd_trans_huge(pmdval) && (flags & FOLL_TOUCH) !== 0)
    touch_pmd(k, vma, pmdp, (flags & FOLL_WRITE) !== 0);
  ctx.page_mask = HPAGE_PMD_NR - 1;
  return head + (vpn % HPAGE_PMD_NR);
}

/**
 * mm/gup.c: follow_huge_pud (PUD lock held): like follow_huge_pmd for a 1 GiB leaf.
 * @fidelity exact
 */
export function follow_huge_pud_locked(
  k: Kernel,
  vma: VmAreaStruct,
  vpn: number,
  pudp: number,
  flags: number,
  ctx: FollowPageContext,
): number {
  const pud = k.pool.entries[pudp]!;
  if (!pte_present(pud)) return FOLLOW_NULL;
  const head = pte_pfn(pud);
  if (
    (flags & FOLL_WRITE) !== 0 &&
    !pte_write(pud) &&
    !can_follow_write_common(k, head, vma, flags)
  ) {
    return FOLLOW_NULL;
  }
  const page = head + (vpn % HPAGE_PUD_NR);
  if (!pte_write(pud) && gup_must_unshare(k.mem, vma, flags, page)) return -EMLINK;
  warn_pin_not_exclusive(k, head, flags);
  const ret = try_grab_folio(k, head, 1, flags);
  if (ret !== 0) return ret;
  ctx.page_mask = HPAGE_PUD_NR - 1;
  return page;
}
