/**
 * Swap entries, migration entries, device entries and PTE markers: include/linux/swapops.h,
 * include/linux/swap.h, arch/x86/include/asm/pgtable_64.h (v6.18, CONFIG_MIGRATION,
 * CONFIG_MEMORY_FAILURE, CONFIG_DEVICE_PRIVATE).
 *
 * swp_entry_t.val is modelled as `type * 2^SWP_TYPE_SHIFT + offset` with SWP_TYPE_SHIFT = 39
 * (the kernel uses 58; 39 keeps every value an exact JavaScript number).
 * A swap PTE follows the x86 layout's low bits: bit 1 soft-dirty (_PAGE_SWP_SOFT_DIRTY =
 * _PAGE_RW), bit 2 uffd-wp (_PAGE_SWP_UFFD_WP = _PAGE_USER), bit 3 exclusive
 * (_PAGE_SWP_EXCLUSIVE = _PAGE_PWT), bits 0, 7, 8 zero (so neither pte_present nor
 * pmd_present), offset from bit 9 (SWP_OFFSET_FIRST_BIT). x86 puts the type in bits 59-63 and
 * stores the offset inverted (an L1TF mitigation); the model puts the type in bits 48-52 and
 * stores the offset plainly, giving 39 offset bits.
 */
import {
  _PAGE_PWT,
  _PAGE_RW,
  _PAGE_USER,
  pmd_none,
  pmd_present,
  pte_none,
  pte_present,
} from './pgtable_types.js';

/** include/linux/swap.h: MAX_SWAPFILES_SHIFT and the special types. @fidelity exact */
export const MAX_SWAPFILES_SHIFT = 5;
export const SWP_DEVICE_NUM = 3;
export const SWP_MIGRATION_NUM = 3;
export const SWP_HWPOISON_NUM = 1;
export const SWP_PTE_MARKER_NUM = 1;
export const MAX_SWAPFILES =
  (1 << MAX_SWAPFILES_SHIFT) -
  SWP_DEVICE_NUM -
  SWP_MIGRATION_NUM -
  SWP_HWPOISON_NUM -
  SWP_PTE_MARKER_NUM;
export const SWP_HWPOISON = MAX_SWAPFILES;
export const SWP_MIGRATION_READ = MAX_SWAPFILES + SWP_HWPOISON_NUM;
export const SWP_MIGRATION_READ_EXCLUSIVE = MAX_SWAPFILES + SWP_HWPOISON_NUM + 1;
export const SWP_MIGRATION_WRITE = MAX_SWAPFILES + SWP_HWPOISON_NUM + 2;
export const SWP_DEVICE_WRITE = MAX_SWAPFILES + SWP_HWPOISON_NUM + SWP_MIGRATION_NUM;
export const SWP_DEVICE_READ = SWP_DEVICE_WRITE + 1;
export const SWP_DEVICE_EXCLUSIVE = SWP_DEVICE_WRITE + 2;
export const SWP_PTE_MARKER = MAX_SWAPFILES + SWP_HWPOISON_NUM + SWP_MIGRATION_NUM + SWP_DEVICE_NUM;

/** Model's SWP_TYPE_SHIFT (see the file comment). @fidelity custom */
export const SWP_TYPE_SHIFT = 39;
const TYPE_UNIT = 2 ** SWP_TYPE_SHIFT;
/** include/linux/swapops.h: SWP_PFN_BITS = MAX_PHYSMEM_BITS(46, 4-level) - PAGE_SHIFT. @fidelity exact */
export const SWP_PFN_BITS = 34;
const PFN_UNIT = 2 ** SWP_PFN_BITS;
/** include/linux/swapops.h: SWP_MIG_YOUNG_BIT / SWP_MIG_DIRTY_BIT (offset bits above the pfn). @fidelity exact */
export const SWP_MIG_YOUNG = PFN_UNIT;
export const SWP_MIG_DIRTY = 2 * PFN_UNIT;

/** include/linux/swapops.h: PTE marker bits. @fidelity exact */
export const PTE_MARKER_UFFD_WP = 1 << 0;
export const PTE_MARKER_POISONED = 1 << 1;
export const PTE_MARKER_GUARD = 1 << 2;

/** arch/x86/include/asm/pgtable_types.h: swap PTE flag bits. @fidelity exact */
export const _PAGE_SWP_SOFT_DIRTY = _PAGE_RW;
export const _PAGE_SWP_UFFD_WP = _PAGE_USER;
export const _PAGE_SWP_EXCLUSIVE = _PAGE_PWT;
const SWP_PTE_LOW = 0x1ff; // bits 0-8: flags, never part of the entry
const PTE_OFFSET_UNIT = 512; // offset starts at bit 9
const PTE_TYPE_UNIT = 2 ** 48;

/** include/linux/swapops.h: swp_entry(type, offset). @fidelity exact */
export function swp_entry(type: number, offset: number): number {
  return type * TYPE_UNIT + offset;
}

/** include/linux/swapops.h: swp_type(entry). @fidelity exact */
export function swp_type(entry: number): number {
  return Math.floor(entry / TYPE_UNIT);
}

/** include/linux/swapops.h: swp_offset(entry). @fidelity exact */
export function swp_offset(entry: number): number {
  return entry % TYPE_UNIT;
}

/** include/linux/swapops.h: swp_offset_pfn(entry) for pfn-carrying entries. @fidelity exact */
export function swp_offset_pfn(entry: number): number {
  return swp_offset(entry) % PFN_UNIT;
}

/** include/linux/swapops.h: non_swap_entry(entry). @fidelity exact */
export function non_swap_entry(entry: number): boolean {
  return swp_type(entry) >= MAX_SWAPFILES;
}

/** include/linux/swapops.h: is_swap_pte(pte). @fidelity exact */
export function is_swap_pte(pte: number): boolean {
  return !pte_none(pte) && !pte_present(pte);
}

/** include/linux/swapops.h: pte_to_swp_entry(pte) (drops the swap PTE flag bits). @fidelity exact */
export function pte_to_swp_entry(pte: number): number {
  const raw = pte - (pte & SWP_PTE_LOW);
  const type = Math.floor(raw / PTE_TYPE_UNIT);
  return swp_entry(type, (raw - type * PTE_TYPE_UNIT) / PTE_OFFSET_UNIT);
}

/** include/linux/swapops.h: swp_entry_to_pte(entry). @fidelity exact */
export function swp_entry_to_pte(entry: number): number {
  return swp_type(entry) * PTE_TYPE_UNIT + swp_offset(entry) * PTE_OFFSET_UNIT;
}

function swpTest(pte: number, bit: number): boolean {
  return (pte & bit) !== 0;
}

function swpSet(pte: number, bit: number): number {
  return (pte & bit) !== 0 ? pte : pte + bit;
}

function swpClear(pte: number, bit: number): number {
  return (pte & bit) !== 0 ? pte - bit : pte;
}

/** arch/x86/include/asm/pgtable.h: pte_swp_exclusive(pte). @fidelity exact */
export function pte_swp_exclusive(pte: number): boolean {
  return swpTest(pte, _PAGE_SWP_EXCLUSIVE);
}
/** arch/x86/include/asm/pgtable.h: pte_swp_mkexclusive(pte). @fidelity exact */
export function pte_swp_mkexclusive(pte: number): number {
  return swpSet(pte, _PAGE_SWP_EXCLUSIVE);
}
/** arch/x86/include/asm/pgtable.h: pte_swp_clear_exclusive(pte). @fidelity exact */
export function pte_swp_clear_exclusive(pte: number): number {
  return swpClear(pte, _PAGE_SWP_EXCLUSIVE);
}
/** arch/x86/include/asm/pgtable.h: pte_swp_soft_dirty(pte). @fidelity exact */
export function pte_swp_soft_dirty(pte: number): boolean {
  return swpTest(pte, _PAGE_SWP_SOFT_DIRTY);
}
/** arch/x86/include/asm/pgtable.h: pte_swp_mksoft_dirty(pte). @fidelity exact */
export function pte_swp_mksoft_dirty(pte: number): number {
  return swpSet(pte, _PAGE_SWP_SOFT_DIRTY);
}
/** arch/x86/include/asm/pgtable.h: pte_swp_clear_soft_dirty(pte). @fidelity exact */
export function pte_swp_clear_soft_dirty(pte: number): number {
  return swpClear(pte, _PAGE_SWP_SOFT_DIRTY);
}
/** arch/x86/include/asm/pgtable.h: pte_swp_uffd_wp(pte). @fidelity exact */
export function pte_swp_uffd_wp(pte: number): boolean {
  return swpTest(pte, _PAGE_SWP_UFFD_WP);
}
/** arch/x86/include/asm/pgtable.h: pte_swp_mkuffd_wp(pte). @fidelity exact */
export function pte_swp_mkuffd_wp(pte: number): number {
  return swpSet(pte, _PAGE_SWP_UFFD_WP);
}
/** arch/x86/include/asm/pgtable.h: pte_swp_clear_uffd_wp(pte). @fidelity exact */
export function pte_swp_clear_uffd_wp(pte: number): number {
  return swpClear(pte, _PAGE_SWP_UFFD_WP);
}

/** include/linux/swapops.h: make_readable_migration_entry(offset). @fidelity exact */
export function make_readable_migration_entry(offset: number): number {
  return swp_entry(SWP_MIGRATION_READ, offset);
}
/** include/linux/swapops.h: make_readable_exclusive_migration_entry(offset). @fidelity exact */
export function make_readable_exclusive_migration_entry(offset: number): number {
  return swp_entry(SWP_MIGRATION_READ_EXCLUSIVE, offset);
}
/** include/linux/swapops.h: make_writable_migration_entry(offset). @fidelity exact */
export function make_writable_migration_entry(offset: number): number {
  return swp_entry(SWP_MIGRATION_WRITE, offset);
}
/** include/linux/swapops.h: is_migration_entry(entry). @fidelity exact */
export function is_migration_entry(entry: number): boolean {
  const t = swp_type(entry);
  return (
    t === SWP_MIGRATION_READ || t === SWP_MIGRATION_READ_EXCLUSIVE || t === SWP_MIGRATION_WRITE
  );
}
/** include/linux/swapops.h: is_writable_migration_entry(entry). @fidelity exact */
export function is_writable_migration_entry(entry: number): boolean {
  return swp_type(entry) === SWP_MIGRATION_WRITE;
}
/** include/linux/swapops.h: is_readable_migration_entry(entry). @fidelity exact */
export function is_readable_migration_entry(entry: number): boolean {
  return swp_type(entry) === SWP_MIGRATION_READ;
}
/** include/linux/swapops.h: is_readable_exclusive_migration_entry(entry). @fidelity exact */
export function is_readable_exclusive_migration_entry(entry: number): boolean {
  return swp_type(entry) === SWP_MIGRATION_READ_EXCLUSIVE;
}
/** include/linux/swapops.h: make_migration_entry_young(entry). @fidelity exact */
export function make_migration_entry_young(entry: number): number {
  return is_migration_entry_young(entry) ? entry : entry + SWP_MIG_YOUNG;
}
/** include/linux/swapops.h: is_migration_entry_young(entry). @fidelity exact */
export function is_migration_entry_young(entry: number): boolean {
  return Math.floor(swp_offset(entry) / SWP_MIG_YOUNG) % 2 === 1;
}
/** include/linux/swapops.h: make_migration_entry_dirty(entry). @fidelity exact */
export function make_migration_entry_dirty(entry: number): number {
  return is_migration_entry_dirty(entry) ? entry : entry + SWP_MIG_DIRTY;
}
/** include/linux/swapops.h: is_migration_entry_dirty(entry). @fidelity exact */
export function is_migration_entry_dirty(entry: number): boolean {
  return Math.floor(swp_offset(entry) / SWP_MIG_DIRTY) % 2 === 1;
}

/** include/linux/swapops.h: make_readable/writable_device_private_entry(offset). @fidelity exact */
export function make_device_private_entry(offset: number, writable: boolean): number {
  return swp_entry(writable ? SWP_DEVICE_WRITE : SWP_DEVICE_READ, offset);
}
/** include/linux/swapops.h: is_device_private_entry(entry). @fidelity exact */
export function is_device_private_entry(entry: number): boolean {
  const t = swp_type(entry);
  return t === SWP_DEVICE_WRITE || t === SWP_DEVICE_READ;
}
/** include/linux/swapops.h: is_writable_device_private_entry(entry). @fidelity exact */
export function is_writable_device_private_entry(entry: number): boolean {
  return swp_type(entry) === SWP_DEVICE_WRITE;
}
/** include/linux/swapops.h: make_device_exclusive_entry(offset). @fidelity exact */
export function make_device_exclusive_entry(offset: number): number {
  return swp_entry(SWP_DEVICE_EXCLUSIVE, offset);
}
/** include/linux/swapops.h: is_device_exclusive_entry(entry). @fidelity exact */
export function is_device_exclusive_entry(entry: number): boolean {
  return swp_type(entry) === SWP_DEVICE_EXCLUSIVE;
}
/** include/linux/swapops.h: make_hwpoison_entry(page) (by pfn). @fidelity exact */
export function make_hwpoison_entry(pfn: number): number {
  return swp_entry(SWP_HWPOISON, pfn);
}
/** include/linux/swapops.h: is_hwpoison_entry(entry). @fidelity exact */
export function is_hwpoison_entry(entry: number): boolean {
  return swp_type(entry) === SWP_HWPOISON;
}
/** include/linux/swapops.h: is_pfn_swap_entry(entry): migration, device or hwpoison. @fidelity exact */
export function is_pfn_swap_entry(entry: number): boolean {
  return (
    is_migration_entry(entry) ||
    is_device_private_entry(entry) ||
    is_device_exclusive_entry(entry) ||
    is_hwpoison_entry(entry)
  );
}

/** include/linux/swapops.h: make_pte_marker_entry(marker). @fidelity exact */
export function make_pte_marker_entry(marker: number): number {
  return swp_entry(SWP_PTE_MARKER, marker);
}
/** include/linux/swapops.h: is_pte_marker_entry(entry). @fidelity exact */
export function is_pte_marker_entry(entry: number): boolean {
  return swp_type(entry) === SWP_PTE_MARKER;
}
/** include/linux/swapops.h: pte_marker_get(entry). @fidelity exact */
export function pte_marker_get(entry: number): number {
  return swp_offset(entry) & (PTE_MARKER_UFFD_WP | PTE_MARKER_POISONED | PTE_MARKER_GUARD);
}
/** include/linux/swapops.h: make_pte_marker(marker): a marker PTE. @fidelity exact */
export function make_pte_marker(marker: number): number {
  return swp_entry_to_pte(make_pte_marker_entry(marker));
}
/** include/linux/swapops.h: is_pte_marker(pte). @fidelity exact */
export function is_pte_marker(pte: number): boolean {
  return is_swap_pte(pte) && is_pte_marker_entry(pte_to_swp_entry(pte));
}

/** include/linux/swapops.h: is_swap_pmd(pmd). @fidelity exact */
export function is_swap_pmd(pmd: number): boolean {
  return !pmd_none(pmd) && !pmd_present(pmd);
}
/** include/linux/swapops.h: pmd_to_swp_entry(pmd). @fidelity exact */
export const pmd_to_swp_entry = pte_to_swp_entry;
/** include/linux/swapops.h: swp_entry_to_pmd(entry). @fidelity exact */
export const swp_entry_to_pmd = swp_entry_to_pte;
/** include/linux/swapops.h: is_pmd_migration_entry(pmd). @fidelity exact */
export function is_pmd_migration_entry(pmd: number): boolean {
  return is_swap_pmd(pmd) && is_migration_entry(pmd_to_swp_entry(pmd));
}
// PMD swap entries use the PTE swap bits.
/** arch/x86/include/asm/pgtable.h: pmd_swp_soft_dirty(pmd). @fidelity exact */
export const pmd_swp_soft_dirty = pte_swp_soft_dirty;
/** arch/x86/include/asm/pgtable.h: pmd_swp_mksoft_dirty(pmd). @fidelity exact */
export const pmd_swp_mksoft_dirty = pte_swp_mksoft_dirty;
/** arch/x86/include/asm/pgtable.h: pmd_swp_uffd_wp(pmd). @fidelity exact */
export const pmd_swp_uffd_wp = pte_swp_uffd_wp;
/** arch/x86/include/asm/pgtable.h: pmd_swp_mkuffd_wp(pmd). @fidelity exact */
export const pmd_swp_mkuffd_wp = pte_swp_mkuffd_wp;
/** arch/x86/include/asm/pgtable.h: pmd_swp_exclusive(pmd). @fidelity exact */
export const pmd_swp_exclusive = pte_swp_exclusive;
/** arch/x86/include/asm/pgtable.h: pmd_swp_mkexclusive(pmd). @fidelity exact */
export const pmd_swp_mkexclusive = pte_swp_mkexclusive;
