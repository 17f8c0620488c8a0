/**
 * Page-table entry encoding: arch/x86/include/asm/pgtable_types.h and asm/pgtable.h (v6.18).
 *
 * A pte_t/pmd_t/pud_t/pgd_t value is a JavaScript number holding bits 0..52 of the x86 entry
 * exactly: flag bits 0-11 at their x86 positions, the page frame number at bits 12 and up.
 * Bits 57-63 (SOFTW4, SAVED_DIRTY, protection keys, NX) are not representable and not modelled:
 * execute permission is not modelled, and pte_wrprotect() behaves as on CPUs without user
 * shadow stacks (the dirty bit is kept, not moved to SAVED_DIRTY).
 * Low flag bits are tested with `&` (exact: ToInt32 keeps the low 32 bits of an integer below
 * 2^53) and set or cleared with addition and subtraction, never `|`, which would drop the pfn.
 * A non-leaf entry holds the id of the next-level table (see pgtable.ts) where x86 holds the
 * table's physical frame, with the _PAGE_TABLE flags.
 */
import { VM_EXEC, VM_READ, VM_SHARED, VM_WRITE } from '../kernel/include/vm_flags.js';

/** arch/x86/include/asm/pgtable_types.h: _PAGE_BIT_* and _PAGE_* (bits 0-12). @fidelity exact */
export const _PAGE_PRESENT = 1 << 0;
export const _PAGE_RW = 1 << 1;
export const _PAGE_USER = 1 << 2;
export const _PAGE_PWT = 1 << 3;
export const _PAGE_PCD = 1 << 4;
export const _PAGE_ACCESSED = 1 << 5;
export const _PAGE_DIRTY = 1 << 6;
/** Leaf at PMD/PUD level (PSE); the PAT bit in a 4 KiB PTE. */
export const _PAGE_PSE = 1 << 7;
export const _PAGE_GLOBAL = 1 << 8;
/** _PAGE_BIT_SOFTW1 */
export const _PAGE_SPECIAL = 1 << 9;
/** _PAGE_BIT_SOFTW2 */
export const _PAGE_UFFD_WP = 1 << 10;
/** _PAGE_BIT_SOFTW3 */
export const _PAGE_SOFT_DIRTY = 1 << 11;
/** _PAGE_BIT_PROTNONE aliases _PAGE_BIT_GLOBAL: only meaningful when !present. */
export const _PAGE_PROTNONE = _PAGE_GLOBAL;
/** Non-leaf entries: _PAGE_TABLE = P|RW|USER|A|D. @fidelity exact */
export const _PAGE_TABLE = _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY;
/** _PAGE_CHG_MASK (low bits): what pte_modify() keeps. @fidelity exact */
export const _PAGE_CHG_MASK =
  _PAGE_PCD |
  _PAGE_PWT |
  _PAGE_SPECIAL |
  _PAGE_ACCESSED |
  _PAGE_DIRTY |
  _PAGE_SOFT_DIRTY |
  _PAGE_UFFD_WP;
/** _HPAGE_CHG_MASK (low bits): what pmd_modify() keeps. @fidelity exact */
export const _HPAGE_CHG_MASK = _PAGE_CHG_MASK | _PAGE_PSE;

/** arch/x86/include/asm/pgtable_types.h: protections (NX not modelled). @fidelity simplified */
export const PAGE_NONE = _PAGE_ACCESSED | _PAGE_PROTNONE;
export const PAGE_SHARED = _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED;
export const PAGE_SHARED_EXEC = PAGE_SHARED;
export const PAGE_COPY = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED;
export const PAGE_COPY_EXEC = PAGE_COPY;
export const PAGE_READONLY = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED;
export const PAGE_READONLY_EXEC = PAGE_READONLY;

const FLAGS = 0xfff;
const FRAME = 4096;

/** arch/x86/mm/pgprot.c: protection_map[], indexed by VM_READ|VM_WRITE|VM_EXEC|VM_SHARED. @fidelity exact */
const protection_map: readonly number[] = [
  PAGE_NONE,
  PAGE_READONLY,
  PAGE_COPY,
  PAGE_COPY,
  PAGE_READONLY_EXEC,
  PAGE_READONLY_EXEC,
  PAGE_COPY_EXEC,
  PAGE_COPY_EXEC,
  PAGE_NONE,
  PAGE_READONLY,
  PAGE_SHARED,
  PAGE_SHARED,
  PAGE_READONLY_EXEC,
  PAGE_READONLY_EXEC,
  PAGE_SHARED_EXEC,
  PAGE_SHARED_EXEC,
];

/** mm/mmap.c: vm_get_page_prot(vm_flags) (no pkeys, no shadow stack). @fidelity simplified */
export function vm_get_page_prot(vm_flags: number): number {
  return protection_map[vm_flags & (VM_READ | VM_WRITE | VM_EXEC | VM_SHARED)];
}

function setBits(v: number, mask: number): number {
  return v + (mask & ~(v & FLAGS));
}

function clearBits(v: number, mask: number): number {
  return v - (v & mask);
}

/** Low 12 flag bits of an entry (pte_flags restricted to the modelled bits). @fidelity simplified */
export function pte_flags(pte: number): number {
  return pte & FLAGS;
}

/** arch/x86/include/asm/pgtable.h: pfn_pte(pfn, prot) / mk_pte. @fidelity simplified */
export function pfn_pte(pfn: number, prot: number): number {
  return pfn * FRAME + (prot & FLAGS);
}

/** arch/x86/include/asm/pgtable.h: pte_pfn(pte). @fidelity exact */
export function pte_pfn(pte: number): number {
  return (pte - (pte & FLAGS)) / FRAME;
}

/** include/linux/pgtable.h: pte_none(pte). @fidelity exact */
export function pte_none(pte: number): boolean {
  return pte === 0;
}

/** arch/x86/include/asm/pgtable.h: pte_present(a) (present or PROT_NONE). @fidelity exact */
export function pte_present(pte: number): boolean {
  return (pte & (_PAGE_PRESENT | _PAGE_PROTNONE)) !== 0;
}

/** arch/x86/include/asm/pgtable.h: pte_write(pte). @fidelity exact */
export function pte_write(pte: number): boolean {
  return (pte & _PAGE_RW) !== 0;
}

/** arch/x86/include/asm/pgtable.h: pte_dirty(pte). @fidelity exact */
export function pte_dirty(pte: number): boolean {
  return (pte & _PAGE_DIRTY) !== 0;
}

/** arch/x86/include/asm/pgtable.h: pte_young(pte). @fidelity exact */
export function pte_young(pte: number): boolean {
  return (pte & _PAGE_ACCESSED) !== 0;
}

/** arch/x86/include/asm/pgtable.h: pte_soft_dirty(pte). @fidelity exact */
export function pte_soft_dirty(pte: number): boolean {
  return (pte & _PAGE_SOFT_DIRTY) !== 0;
}

/** arch/x86/include/asm/pgtable.h: pte_uffd_wp(pte). @fidelity exact */
export function pte_uffd_wp(pte: number): boolean {
  return (pte & _PAGE_UFFD_WP) !== 0;
}

/** arch/x86/include/asm/pgtable.h: pte_special(pte). @fidelity exact */
export function pte_special(pte: number): boolean {
  return (pte & _PAGE_SPECIAL) !== 0;
}

/** arch/x86/include/asm/pgtable.h: pte_protnone(pte). @fidelity exact */
export function pte_protnone(pte: number): boolean {
  return (pte & (_PAGE_PROTNONE | _PAGE_PRESENT)) === _PAGE_PROTNONE;
}

/** arch/x86/include/asm/pgtable.h: pte_mkwrite_novma / pte_mkwrite(pte, vma). @fidelity simplified */
export function pte_mkwrite(pte: number): number {
  return setBits(pte, _PAGE_RW);
}

/** arch/x86/include/asm/pgtable.h: pte_wrprotect(pte). @fidelity simplified */
export function pte_wrprotect(pte: number): number {
  return clearBits(pte, _PAGE_RW);
}

/** arch/x86/include/asm/pgtable.h: pte_mkdirty(pte) (sets _PAGE_SOFT_DIRTY too). @fidelity exact */
export function pte_mkdirty(pte: number): number {
  return setBits(pte, _PAGE_DIRTY | _PAGE_SOFT_DIRTY);
}

/** arch/x86/include/asm/pgtable.h: pte_mkclean(pte). @fidelity exact */
export function pte_mkclean(pte: number): number {
  return clearBits(pte, _PAGE_DIRTY);
}

/** arch/x86/include/asm/pgtable.h: pte_mkyoung(pte). @fidelity exact */
export function pte_mkyoung(pte: number): number {
  return setBits(pte, _PAGE_ACCESSED);
}

/** arch/x86/include/asm/pgtable.h: pte_mkold(pte). @fidelity exact */
export function pte_mkold(pte: number): number {
  return clearBits(pte, _PAGE_ACCESSED);
}

/** arch/x86/include/asm/pgtable.h: pte_mksoft_dirty(pte). @fidelity exact */
export function pte_mksoft_dirty(pte: number): number {
  return setBits(pte, _PAGE_SOFT_DIRTY);
}

/** arch/x86/include/asm/pgtable.h: pte_clear_soft_dirty(pte). @fidelity exact */
export function pte_clear_soft_dirty(pte: number): number {
  return clearBits(pte, _PAGE_SOFT_DIRTY);
}

/** arch/x86/include/asm/pgtable.h: pte_mkuffd_wp(pte) (also write-protects). @fidelity exact */
export function pte_mkuffd_wp(pte: number): number {
  return pte_wrprotect(setBits(pte, _PAGE_UFFD_WP));
}

/** arch/x86/include/asm/pgtable.h: pte_clear_uffd_wp(pte). @fidelity exact */
export function pte_clear_uffd_wp(pte: number): number {
  return clearBits(pte, _PAGE_UFFD_WP);
}

/** arch/x86/include/asm/pgtable.h: pte_mkspecial(pte). @fidelity exact */
export function pte_mkspecial(pte: number): number {
  return setBits(pte, _PAGE_SPECIAL);
}

/** arch/x86/include/asm/pgtable.h: pte_modify(pte, newprot). @fidelity simplified */
export function pte_modify(pte: number, newprot: number): number {
  return pte - (pte & FLAGS) + (pte & _PAGE_CHG_MASK) + (newprot & FLAGS & ~_PAGE_CHG_MASK);
}

/** include/linux/pgtable.h: pmd_none(pmd). @fidelity exact */
export function pmd_none(pmd: number): boolean {
  return pmd === 0;
}

/** arch/x86/include/asm/pgtable.h: pmd_present(pmd) (PSE counts as present, for THP splitting). @fidelity exact */
export function pmd_present(pmd: number): boolean {
  return (pmd & (_PAGE_PRESENT | _PAGE_PROTNONE | _PAGE_PSE)) !== 0;
}

/** arch/x86/include/asm/pgtable.h: pmd_leaf(pmd). @fidelity exact */
export function pmd_leaf(pmd: number): boolean {
  return (pmd & _PAGE_PSE) !== 0;
}

/** arch/x86/include/asm/pgtable.h: pmd_trans_huge(pmd). @fidelity exact */
export function pmd_trans_huge(pmd: number): boolean {
  return (pmd & _PAGE_PSE) === _PAGE_PSE;
}

/** arch/x86/include/asm/pgtable.h: pmd_bad(pmd): not a well-formed table pointer. @fidelity exact */
export function pmd_bad(pmd: number): boolean {
  const kern = _PAGE_PRESENT | _PAGE_RW | _PAGE_DIRTY;
  return (pmd & FLAGS & ~(_PAGE_USER | _PAGE_ACCESSED)) !== kern;
}

/** arch/x86/include/asm/pgtable.h: pud_present(pud). @fidelity exact */
export function pud_present(pud: number): boolean {
  return (pud & _PAGE_PRESENT) !== 0;
}

/** include/linux/pgtable.h: pud_none(pud). @fidelity exact */
export function pud_none(pud: number): boolean {
  return pud === 0;
}

/** arch/x86/include/asm/pgtable.h: pud_leaf(pud). @fidelity exact */
export function pud_leaf(pud: number): boolean {
  return (pud & _PAGE_PSE) !== 0;
}

/** arch/x86/include/asm/pgtable.h: pgd_present / p4d_present (P4D folded). @fidelity exact */
export function pgd_present(pgd: number): boolean {
  return (pgd & _PAGE_PRESENT) !== 0;
}

/** include/linux/pgtable.h: pgd_none. @fidelity exact */
export function pgd_none(pgd: number): boolean {
  return pgd === 0;
}

/** A non-leaf entry pointing at table `id` (pmd_populate / pud_populate / pgd_populate value). @fidelity simplified */
export function mk_table_entry(id: number): number {
  return id * FRAME + _PAGE_TABLE;
}

/** The table id a non-leaf entry points at (pmd_pgtable / pud_pgtable / p4d_pgtable). @fidelity simplified */
export function entry_table(entry: number): number {
  return (entry - (entry & FLAGS)) / FRAME;
}

// PMD- and PUD-level leaves share the PTE bit layout; only PSE differs.
/** arch/x86/include/asm/pgtable.h: pfn_pmd(pfn, prot) (sets PSE: a leaf). @fidelity simplified */
export function pfn_pmd(pfn: number, prot: number): number {
  return setBits(pfn_pte(pfn, prot), _PAGE_PSE);
}

/** arch/x86/include/asm/pgtable.h: pfn_pud(pfn, prot) (sets PSE: a leaf). @fidelity simplified */
export function pfn_pud(pfn: number, prot: number): number {
  return setBits(pfn_pte(pfn, prot), _PAGE_PSE);
}

// PMD and PUD leaves use the PTE bits (plus PSE).
/** arch/x86/include/asm/pgtable.h: pmd_pfn(pmd) of a leaf. @fidelity exact */
export const pmd_pfn = pte_pfn;
/** arch/x86/include/asm/pgtable.h: pud_pfn(pud). @fidelity exact */
export const pud_pfn = pte_pfn;
/** arch/x86/include/asm/pgtable.h: pmd_write(pmd). @fidelity exact */
export const pmd_write = pte_write;
/** arch/x86/include/asm/pgtable.h: pmd_dirty(pmd). @fidelity exact */
export const pmd_dirty = pte_dirty;
/** arch/x86/include/asm/pgtable.h: pmd_young(pmd). @fidelity exact */
export const pmd_young = pte_young;
/** arch/x86/include/asm/pgtable.h: pmd_soft_dirty(pmd). @fidelity exact */
export const pmd_soft_dirty = pte_soft_dirty;
/** arch/x86/include/asm/pgtable.h: pmd_uffd_wp(pmd). @fidelity exact */
export const pmd_uffd_wp = pte_uffd_wp;
/** arch/x86/include/asm/pgtable.h: pmd_special(pmd). @fidelity exact */
export const pmd_special = pte_special;
/** arch/x86/include/asm/pgtable.h: pmd_protnone(pmd). @fidelity exact */
export const pmd_protnone = pte_protnone;
/** arch/x86/include/asm/pgtable.h: pmd_mkwrite(pmd). @fidelity exact */
export const pmd_mkwrite = pte_mkwrite;
/** arch/x86/include/asm/pgtable.h: pmd_wrprotect(pmd). @fidelity exact */
export const pmd_wrprotect = pte_wrprotect;
/** arch/x86/include/asm/pgtable.h: pmd_mkdirty(pmd). @fidelity exact */
export const pmd_mkdirty = pte_mkdirty;
/** arch/x86/include/asm/pgtable.h: pmd_mkclean(pmd). @fidelity exact */
export const pmd_mkclean = pte_mkclean;
/** arch/x86/include/asm/pgtable.h: pmd_mkyoung(pmd). @fidelity exact */
export const pmd_mkyoung = pte_mkyoung;
/** arch/x86/include/asm/pgtable.h: pmd_mkold(pmd). @fidelity exact */
export const pmd_mkold = pte_mkold;
/** arch/x86/include/asm/pgtable.h: pmd_mksoft_dirty(pmd). @fidelity exact */
export const pmd_mksoft_dirty = pte_mksoft_dirty;
/** arch/x86/include/asm/pgtable.h: pmd_clear_soft_dirty(pmd). @fidelity exact */
export const pmd_clear_soft_dirty = pte_clear_soft_dirty;
/** arch/x86/include/asm/pgtable.h: pmd_mkuffd_wp(pmd). @fidelity exact */
export const pmd_mkuffd_wp = pte_mkuffd_wp;
/** arch/x86/include/asm/pgtable.h: pmd_clear_uffd_wp(pmd). @fidelity exact */
export const pmd_clear_uffd_wp = pte_clear_uffd_wp;
/** arch/x86/include/asm/pgtable.h: pmd_mkspecial(pmd). @fidelity exact */
export const pmd_mkspecial = pte_mkspecial;
/** arch/x86/include/asm/pgtable.h: pud_write(pud). @fidelity exact */
export const pud_write = pte_write;
/** arch/x86/include/asm/pgtable.h: pud_dirty(pud). @fidelity exact */
export const pud_dirty = pte_dirty;
/** arch/x86/include/asm/pgtable.h: pud_young(pud). @fidelity exact */
export const pud_young = pte_young;
/** arch/x86/include/asm/pgtable.h: pud_mkwrite(pud). @fidelity exact */
export const pud_mkwrite = pte_mkwrite;
/** arch/x86/include/asm/pgtable.h: pud_wrprotect(pud). @fidelity exact */
export const pud_wrprotect = pte_wrprotect;
/** arch/x86/include/asm/pgtable.h: pud_mkdirty(pud). @fidelity exact */
export const pud_mkdirty = pte_mkdirty;
/** arch/x86/include/asm/pgtable.h: pud_mkyoung(pud). @fidelity exact */
export const pud_mkyoung = pte_mkyoung;

/** arch/x86/include/asm/pgtable.h: pmd_mkhuge(pmd). @fidelity exact */
export function pmd_mkhuge(pmd: number): number {
  return setBits(pmd, _PAGE_PSE);
}

/** arch/x86/include/asm/pgtable.h: pmd_modify(pmd, newprot). @fidelity simplified */
export function pmd_modify(pmd: number, newprot: number): number {
  return pmd - (pmd & FLAGS) + (pmd & _HPAGE_CHG_MASK) + (newprot & FLAGS & ~_HPAGE_CHG_MASK);
}
