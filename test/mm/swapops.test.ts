/**
 * Entry encodings (arch/x86/include/asm/pgtable.h, include/linux/swapops.h): PTE bit
 * accessors keep the pfn, swap and migration entries round-trip through a PTE with their
 * exclusive, soft-dirty and uffd-wp bits.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_SWAPFILES,
  PAGE_COPY,
  PAGE_NONE,
  PAGE_SHARED,
  PTE_MARKER_GUARD,
  PTE_MARKER_UFFD_WP,
  SWP_MIGRATION_READ,
  SWP_MIGRATION_READ_EXCLUSIVE,
  SWP_MIGRATION_WRITE,
  SWP_PTE_MARKER,
  is_migration_entry,
  is_migration_entry_dirty,
  is_migration_entry_young,
  is_pte_marker,
  is_readable_exclusive_migration_entry,
  is_readable_migration_entry,
  is_swap_pte,
  is_writable_migration_entry,
  make_migration_entry_dirty,
  make_pte_marker,
  make_readable_exclusive_migration_entry,
  make_readable_migration_entry,
  make_writable_migration_entry,
  non_swap_entry,
  pfn_pte,
  pmd_present,
  pte_clear_uffd_wp,
  pte_dirty,
  pte_marker_get,
  pte_mkclean,
  pte_mkdirty,
  pte_mkuffd_wp,
  pte_mkwrite,
  pte_modify,
  pte_none,
  pte_pfn,
  pte_present,
  pte_protnone,
  pte_soft_dirty,
  pte_swp_clear_exclusive,
  pte_swp_exclusive,
  pte_swp_mkexclusive,
  pte_swp_mksoft_dirty,
  pte_swp_mkuffd_wp,
  pte_swp_soft_dirty,
  pte_swp_uffd_wp,
  pte_to_swp_entry,
  pte_uffd_wp,
  pte_wrprotect,
  pte_write,
  swp_entry,
  swp_entry_to_pte,
  swp_offset,
  swp_offset_pfn,
  swp_type,
  vm_get_page_prot,
} from '../../src/mm/index.js';
import { VM_READ, VM_SHARED, VM_WRITE } from '../../src/kernel/include/vm_flags.js';

describe('PTE bits', () => {
  it('modifiers change only their bit and keep a pfn above 2^32 pages', () => {
    const pfn = 2 ** 33 + 12345;
    let pte = pfn_pte(pfn, PAGE_COPY);
    expect([pte_present(pte), pte_write(pte), pte_pfn(pte)]).toEqual([true, false, pfn]);
    pte = pte_mkwrite(pte_mkdirty(pte)); // x86 pte_mkdirty also sets soft-dirty
    expect([pte_write(pte), pte_dirty(pte), pte_soft_dirty(pte), pte_pfn(pte)]).toEqual([
      true,
      true,
      true,
      pfn,
    ]);
    pte = pte_mkuffd_wp(pte); // uffd-wp write-protects
    expect([pte_uffd_wp(pte), pte_write(pte)]).toEqual([true, false]);
    pte = pte_wrprotect(pte_mkclean(pte_clear_uffd_wp(pte)));
    expect([pte_uffd_wp(pte), pte_dirty(pte), pte_pfn(pte)]).toEqual([false, false, pfn]);
  });

  it('PROT_NONE entries are present but protnone; pte_modify keeps dirty and the pfn', () => {
    const pte = pte_modify(pte_mkdirty(pfn_pte(9, PAGE_SHARED)), PAGE_NONE);
    expect([
      pte_present(pte),
      pte_protnone(pte),
      pte_write(pte),
      pte_dirty(pte),
      pte_pfn(pte),
    ]).toEqual([true, true, false, true, 9]);
  });

  it('vm_get_page_prot: private writable mappings start read-only (COW), shared ones writable', () => {
    expect(vm_get_page_prot(VM_READ | VM_WRITE)).toBe(PAGE_COPY);
    expect(vm_get_page_prot(VM_READ | VM_WRITE | VM_SHARED)).toBe(PAGE_SHARED);
  });
});

describe('swap entries', () => {
  it('a swap PTE is neither none nor present, and not a present PMD either', () => {
    const pte = swp_entry_to_pte(swp_entry(1, 42));
    expect([pte_none(pte), pte_present(pte), is_swap_pte(pte), pmd_present(pte)]).toEqual([
      false,
      false,
      true,
      false,
    ]);
    expect(non_swap_entry(pte_to_swp_entry(pte))).toBe(false);
  });

  it('keeps exclusive, soft-dirty and uffd-wp outside the entry', () => {
    let pte = swp_entry_to_pte(swp_entry(3, 1000));
    pte = pte_swp_mkuffd_wp(pte_swp_mksoft_dirty(pte_swp_mkexclusive(pte)));
    expect([pte_swp_exclusive(pte), pte_swp_soft_dirty(pte), pte_swp_uffd_wp(pte)]).toEqual([
      true,
      true,
      true,
    ]);
    const e = pte_to_swp_entry(pte);
    expect([swp_type(e), swp_offset(e)]).toEqual([3, 1000]);
    expect(pte_swp_exclusive(pte_swp_clear_exclusive(pte))).toBe(false);
  });

  it('migration entries: read, read-exclusive and write types carry the pfn and A/D bits', () => {
    const r = make_readable_migration_entry(77);
    const x = make_readable_exclusive_migration_entry(77);
    const w = make_migration_entry_dirty(make_writable_migration_entry(77));
    expect([swp_type(r), swp_type(x), swp_type(w)]).toEqual([
      SWP_MIGRATION_READ,
      SWP_MIGRATION_READ_EXCLUSIVE,
      SWP_MIGRATION_WRITE,
    ]);
    expect([
      is_readable_migration_entry(r),
      is_readable_exclusive_migration_entry(x),
      is_writable_migration_entry(w),
    ]).toEqual([true, true, true]);
    expect([is_migration_entry(r), non_swap_entry(r), swp_type(r) > MAX_SWAPFILES]).toEqual([
      true,
      true,
      true,
    ]);
    expect([swp_offset_pfn(w), is_migration_entry_dirty(w), is_migration_entry_young(w)]).toEqual([
      77,
      true,
      false,
    ]);
  });

  it('PTE markers (uffd-wp, guard) decode back', () => {
    const pte = make_pte_marker(PTE_MARKER_UFFD_WP | PTE_MARKER_GUARD);
    expect(is_pte_marker(pte)).toBe(true);
    const e = pte_to_swp_entry(pte);
    expect([swp_type(e), pte_marker_get(e)]).toEqual([
      SWP_PTE_MARKER,
      PTE_MARKER_UFFD_WP | PTE_MARKER_GUARD,
    ]);
  });

  it('property: every entry round-trips through a PTE with any swap PTE bits', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 31 }),
        fc.integer({ min: 1, max: 2 ** 39 - 1 }),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        (type, offset, excl, sd, uffd) => {
          let pte = swp_entry_to_pte(swp_entry(type, offset));
          if (excl) pte = pte_swp_mkexclusive(pte);
          if (sd) pte = pte_swp_mksoft_dirty(pte);
          if (uffd) pte = pte_swp_mkuffd_wp(pte);
          expect(is_swap_pte(pte)).toBe(true);
          const e = pte_to_swp_entry(pte);
          expect([swp_type(e), swp_offset(e)]).toEqual([type, offset]);
          expect([pte_swp_exclusive(pte), pte_swp_soft_dirty(pte), pte_swp_uffd_wp(pte)]).toEqual([
            excl,
            sd,
            uffd,
          ]);
        },
      ),
      { numRuns: 300, seed: 3 },
    );
  });
});
