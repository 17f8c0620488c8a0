/**
 * The page-table half of splitting a PMD leaf: mm/huge_memory.c: __split_huge_pmd_locked()
 * and __split_huge_zero_page_pmd() (v6.18). The caller has already cleared/invalidated the PMD
 * (pmdp_invalidate), holds the PMD lock, and decides every refcount, mapcount and
 * PageAnonExclusive effect; this function only fills the PTE table and installs it.
 */
import { PTRS_PER_PTE } from './layout.js';
import { table_ptr, type PgtablePool } from './pgtable.js';
import {
  mk_table_entry,
  pfn_pte,
  pmd_dirty,
  pmd_pfn,
  pmd_soft_dirty,
  pmd_uffd_wp,
  pmd_write,
  pmd_young,
  pte_mkdirty,
  pte_mkold,
  pte_mksoft_dirty,
  pte_mkspecial,
  pte_mkuffd_wp,
  pte_mkwrite,
} from './pgtable_types.js';
import {
  is_pmd_migration_entry,
  pmd_swp_soft_dirty,
  pmd_swp_uffd_wp,
  pmd_to_swp_entry,
  pte_swp_mksoft_dirty,
  pte_swp_mkuffd_wp,
  swp_entry,
  swp_entry_to_pte,
  swp_offset,
  swp_type,
} from './swapops.js';

function split_present(pool: PgtablePool, base: number, old_pmd: number, prot: number): void {
  const pfn = pmd_pfn(old_pmd);
  const write = pmd_write(old_pmd);
  const young = pmd_young(old_pmd);
  const dirty = pmd_dirty(old_pmd);
  const soft_dirty = pmd_soft_dirty(old_pmd);
  const uffd_wp = pmd_uffd_wp(old_pmd);
  for (let i = 0; i < PTRS_PER_PTE; i++) {
    let entry = pfn_pte(pfn + i, prot);
    if (write) entry = pte_mkwrite(entry);
    if (!young) entry = pte_mkold(entry);
    if (dirty) entry = pte_mkdirty(entry); // on x86 this sets soft-dirty too, as the kernel notes
    if (soft_dirty) entry = pte_mksoft_dirty(entry);
    if (uffd_wp) entry = pte_mkuffd_wp(entry);
    pool.set(base + i, entry);
  }
}

function split_migration(pool: PgtablePool, base: number, old_pmd: number): void {
  const entry = pmd_to_swp_entry(old_pmd);
  const type = swp_type(entry);
  const offset = swp_offset(entry); // pfn plus the young/dirty bits above it
  const soft_dirty = pmd_swp_soft_dirty(old_pmd);
  const uffd_wp = pmd_swp_uffd_wp(old_pmd);
  for (let i = 0; i < PTRS_PER_PTE; i++) {
    let pte = swp_entry_to_pte(swp_entry(type, offset + i));
    if (soft_dirty) pte = pte_swp_mksoft_dirty(pte);
    if (uffd_wp) pte = pte_swp_mkuffd_wp(pte);
    pool.set(base + i, pte);
  }
}

/**
 * mm/huge_memory.c: __split_huge_pmd_locked(), page-table part: fill `pgtable` (a withdrawn
 * deposit, already accounted; or a fresh table the caller accounts with mm_inc_nr_ptes) from
 * `old_pmd` and point `pmdp` at it. A present leaf becomes 512 PTEs built from `vm_page_prot`
 * and the PMD's write/young/dirty/soft-dirty/uffd-wp bits; a PMD migration entry becomes 512
 * migration entries of the same type for pfn+i; with `zero_pfn >= 0` every PTE maps the zero
 * page, special (the huge zero PMD case).
 * @fidelity simplified
 */
export function split_huge_pmd_to_ptes(
  pool: PgtablePool,
  pmdp: number,
  old_pmd: number,
  pgtable: number,
  vm_page_prot: number,
  zero_pfn = -1,
): void {
  const base = table_ptr(pgtable, 0);
  if (zero_pfn >= 0) {
    const uffd_wp = pmd_uffd_wp(old_pmd);
    for (let i = 0; i < PTRS_PER_PTE; i++) {
      const entry = pte_mkspecial(pfn_pte(zero_pfn, vm_page_prot));
      pool.set(base + i, uffd_wp ? pte_mkuffd_wp(entry) : entry);
    }
  } else if (is_pmd_migration_entry(old_pmd)) {
    split_migration(pool, base, old_pmd);
  } else {
    split_present(pool, base, old_pmd, vm_page_prot);
  }
  pool.set(pmdp, mk_table_entry(pgtable));
}
