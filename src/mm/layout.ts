/**
 * x86-64 4-level paging geometry and page-number arithmetic.
 * Sources: arch/x86/include/asm/page_types.h, arch/x86/include/asm/pgtable_64_types.h,
 * include/linux/huge_mm.h, include/linux/mmzone.h, include/linux/pageblock-flags.h (v6.18).
 *
 * Convention of this layer: physical pages are named by page frame number (pfn) and virtual
 * pages by virtual page number (vpn = address / PAGE_SIZE). A user vpn is below 2^35, a byte
 * address below 2^47: both are exact JavaScript numbers, but 32-bit operators (`&`, `>>`) are
 * only used where the result provably depends on the low 32 bits (see the *_index helpers).
 */

/** arch/x86/include/asm/page_types.h: PAGE_SHIFT. @fidelity exact */
export const PAGE_SHIFT = 12;
/** arch/x86/include/asm/page_types.h: PAGE_SIZE. @fidelity exact */
export const PAGE_SIZE = 4096;

/** arch/x86/include/asm/pgtable_64_types.h: PTRS_PER_PTE. @fidelity exact */
export const PTRS_PER_PTE = 512;
/** arch/x86/include/asm/pgtable_64_types.h: PTRS_PER_PMD. @fidelity exact */
export const PTRS_PER_PMD = 512;
/** arch/x86/include/asm/pgtable_64_types.h: PTRS_PER_PUD. @fidelity exact */
export const PTRS_PER_PUD = 512;
/** arch/x86/include/asm/pgtable_64_types.h: PTRS_PER_PGD (4-level: P4D folded into PGD). @fidelity exact */
export const PTRS_PER_PGD = 512;

/** arch/x86/include/asm/pgtable_64_types.h: PMD_SHIFT. @fidelity exact */
export const PMD_SHIFT = 21;
/** arch/x86/include/asm/pgtable_64_types.h: PUD_SHIFT. @fidelity exact */
export const PUD_SHIFT = 30;
/** arch/x86/include/asm/pgtable_64_types.h: PGDIR_SHIFT (4-level). @fidelity exact */
export const PGDIR_SHIFT = 39;
/** arch/x86/include/asm/pgtable_64_types.h: PMD_SIZE in bytes. @fidelity exact */
export const PMD_SIZE = 2 ** PMD_SHIFT;
/** arch/x86/include/asm/pgtable_64_types.h: PUD_SIZE in bytes. @fidelity exact */
export const PUD_SIZE = 2 ** PUD_SHIFT;
/** arch/x86/include/asm/pgtable_64_types.h: PGDIR_SIZE in bytes. @fidelity exact */
export const PGDIR_SIZE = 2 ** PGDIR_SHIFT;

/** include/linux/pgtable.h: PMD_ORDER = PMD_SHIFT - PAGE_SHIFT. @fidelity exact */
export const PMD_ORDER = PMD_SHIFT - PAGE_SHIFT;
/** include/linux/pgtable.h: PUD_ORDER = PUD_SHIFT - PAGE_SHIFT. @fidelity exact */
export const PUD_ORDER = PUD_SHIFT - PAGE_SHIFT;
/** include/linux/huge_mm.h: HPAGE_PMD_ORDER. @fidelity exact */
export const HPAGE_PMD_ORDER = PMD_ORDER;
/** include/linux/huge_mm.h: HPAGE_PMD_NR. @fidelity exact */
export const HPAGE_PMD_NR = 1 << HPAGE_PMD_ORDER;
/** include/linux/huge_mm.h: HPAGE_PUD_ORDER. @fidelity exact */
export const HPAGE_PUD_ORDER = PUD_ORDER;
/** include/linux/huge_mm.h: HPAGE_PUD_NR. @fidelity exact */
export const HPAGE_PUD_NR = 1 << HPAGE_PUD_ORDER;

/** Pages covered by one PMD entry (vpn units). @fidelity exact */
export const PMD_NR_PAGES = PTRS_PER_PTE;
/** Pages covered by one PUD entry (vpn units). @fidelity exact */
export const PUD_NR_PAGES = PTRS_PER_PTE * PTRS_PER_PMD;
/** Pages covered by one PGD entry (vpn units). @fidelity exact */
export const PGDIR_NR_PAGES = PUD_NR_PAGES * PTRS_PER_PUD;

/** include/linux/mmzone.h: MAX_PAGE_ORDER (CONFIG_ARCH_FORCE_MAX_ORDER default 10). @fidelity exact */
export const MAX_PAGE_ORDER = 10;
/** include/linux/mmzone.h: NR_PAGE_ORDERS. @fidelity exact */
export const NR_PAGE_ORDERS = MAX_PAGE_ORDER + 1;
/** include/linux/mmzone.h: MAX_ORDER_NR_PAGES. @fidelity exact */
export const MAX_ORDER_NR_PAGES = 1 << MAX_PAGE_ORDER;
/** include/linux/pageblock-flags.h: pageblock_order = min(HPAGE_PMD_ORDER, MAX_PAGE_ORDER). @fidelity exact */
export const pageblock_order = Math.min(HPAGE_PMD_ORDER, MAX_PAGE_ORDER);
/** include/linux/pageblock-flags.h: pageblock_nr_pages. @fidelity exact */
export const pageblock_nr_pages = 1 << pageblock_order;

/** arch/x86/include/asm/page_64_types.h: TASK_SIZE_MAX for 4-level paging, in pages. @fidelity exact */
export const TASK_SIZE_MAX_PAGES = 2 ** (47 - PAGE_SHIFT) - 1;
/** Number of virtual pages addressable by the 4-level tree (2^36); `ceiling = 0` means this. */
export const USER_VPN_LIMIT = PGDIR_NR_PAGES * PTRS_PER_PGD;

/** Bytes to page count, rounding down. @fidelity custom */
export function bytes_to_pages(bytes: number): number {
  return Math.floor(bytes / PAGE_SIZE);
}

/** Virtual address to vpn (address >> PAGE_SHIFT without 32-bit truncation). @fidelity custom */
export function addr_to_vpn(addr: number): number {
  return Math.floor(addr / PAGE_SIZE);
}

/** vpn to virtual address (vpn << PAGE_SHIFT without 32-bit truncation). @fidelity custom */
export function vpn_to_addr(vpn: number): number {
  return vpn * PAGE_SIZE;
}

/** include/linux/mm.h: PAGE_ALIGNED(addr). @fidelity exact */
export function PAGE_ALIGNED(addr: number): boolean {
  return addr % PAGE_SIZE === 0;
}

/** include/linux/pgtable.h: pte_index(address), taking a vpn (bits 0-8). @fidelity exact */
export function pte_index(vpn: number): number {
  return vpn & (PTRS_PER_PTE - 1); // ToInt32 keeps the low 32 bits exactly
}

/** include/linux/pgtable.h: pmd_index(address), taking a vpn (bits 9-17). @fidelity exact */
export function pmd_index(vpn: number): number {
  return (vpn >>> 9) & (PTRS_PER_PMD - 1); // bits below 32 only
}

/** include/linux/pgtable.h: pud_index(address), taking a vpn (bits 18-26). @fidelity exact */
export function pud_index(vpn: number): number {
  return (vpn >>> 18) & (PTRS_PER_PUD - 1); // bits below 32 only
}

/** include/linux/pgtable.h: pgd_index(address), taking a vpn (bits 27-35: needs division). @fidelity exact */
export function pgd_index(vpn: number): number {
  return Math.floor(vpn / PUD_NR_PAGES / PTRS_PER_PUD) % PTRS_PER_PGD;
}

/** Round a page count down to a power-of-two multiple (`n & ~(align - 1)` on numbers). @fidelity custom */
export function round_down(n: number, align: number): number {
  return n - (n % align);
}

/** Round a page count up to a power-of-two multiple. @fidelity custom */
export function round_up(n: number, align: number): number {
  const r = n % align;
  return r === 0 ? n : n + align - r;
}

/** include/linux/pgtable.h: pmd_addr_end(addr, end) on vpns. @fidelity exact */
export function pmd_addr_end(vpn: number, end: number): number {
  const boundary = round_down(vpn, PMD_NR_PAGES) + PMD_NR_PAGES;
  return boundary - 1 < end - 1 ? boundary : end;
}

/** include/linux/pgtable.h: pud_addr_end(addr, end) on vpns. @fidelity exact */
export function pud_addr_end(vpn: number, end: number): number {
  const boundary = round_down(vpn, PUD_NR_PAGES) + PUD_NR_PAGES;
  return boundary - 1 < end - 1 ? boundary : end;
}

/** include/linux/pgtable.h: pgd_addr_end(addr, end) on vpns. @fidelity exact */
export function pgd_addr_end(vpn: number, end: number): number {
  const boundary = round_down(vpn, PGDIR_NR_PAGES) + PGDIR_NR_PAGES;
  return boundary - 1 < end - 1 ? boundary : end;
}
