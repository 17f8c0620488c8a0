/**
 * Walking, allocating and freeing page tables: include/linux/pgtable.h (pXd_offset),
 * include/linux/mm.h (pte_alloc, pmd_alloc, pud_alloc, pte_lockptr, pmd_lockptr, mm_inc_nr_*),
 * mm/memory.c (__pte_alloc, __pmd_alloc, __pud_alloc, free_pgd_range),
 * mm/pgtable-generic.c (pgtable_trans_huge_deposit/withdraw) (v6.18, 4-level, P4D folded).
 *
 * All addresses are vpns. "Pointers" are pool indices (pgtable.ts). The caller holds whatever
 * locks the kernel would hold; this layer only changes data.
 */
import { MmBug } from './bug.js';
import {
  PMD_NR_PAGES,
  PGDIR_NR_PAGES,
  PTRS_PER_PTE,
  PUD_NR_PAGES,
  USER_VPN_LIMIT,
  pgd_addr_end,
  pgd_index,
  pmd_addr_end,
  pmd_index,
  pte_index,
  pud_addr_end,
  pud_index,
  round_down,
} from './layout.js';
import {
  PGTABLE_LEVEL_PGD,
  PGTABLE_LEVEL_PMD,
  PGTABLE_LEVEL_PTE,
  PGTABLE_LEVEL_PUD,
  ptr_table,
  table_ptr,
  type PgtablePool,
} from './pgtable.js';
import {
  _PAGE_PRESENT,
  entry_table,
  mk_table_entry,
  pmd_leaf,
  pmd_none,
  pud_leaf,
  pud_none,
} from './pgtable_types.js';

/** The page-table facts of an mm_struct this file needs (MmStruct satisfies it). */
export interface PgtableOwner {
  readonly mm_id: number;
  pgd: number;
  pgtables_bytes: number;
}

const TABLE_BYTES = PTRS_PER_PTE * 8;

/** include/linux/mm.h: mm_inc_nr_ptes(mm) (also mm_inc_nr_pmds/puds: all tables are 4 KiB). @fidelity exact */
export function mm_inc_nr_ptes(mm: PgtableOwner): void {
  mm.pgtables_bytes += TABLE_BYTES;
}

/** include/linux/mm.h: mm_dec_nr_ptes(mm) (also mm_dec_nr_pmds/puds). @fidelity exact */
export function mm_dec_nr_ptes(mm: PgtableOwner): void {
  mm.pgtables_bytes -= TABLE_BYTES;
}

/** include/asm-generic/pgalloc.h: pgd_alloc(mm). @fidelity simplified */
export function pgd_alloc(pool: PgtablePool, mm: PgtableOwner): number {
  mm.pgd = pool.alloc_table(PGTABLE_LEVEL_PGD, mm.mm_id);
  return mm.pgd;
}

/** include/asm-generic/pgalloc.h: pgd_free(mm, pgd) (free_pgtables must have emptied it). @fidelity simplified */
export function pgd_free(pool: PgtablePool, mm: PgtableOwner): void {
  pool.free_table(mm.pgd);
  mm.pgd = -1;
}

/** include/linux/pgtable.h: pgd_offset(mm, address). @fidelity exact */
export function pgd_offset(mm: PgtableOwner, vpn: number): number {
  return table_ptr(mm.pgd, pgd_index(vpn));
}

/** include/linux/pgtable.h: pud_offset(p4d, address) (reads the PGD entry at pgdp). @fidelity exact */
export function pud_offset(pool: PgtablePool, pgdp: number, vpn: number): number {
  return table_ptr(entry_table(pool.get(pgdp)), pud_index(vpn));
}

/** include/linux/pgtable.h: pmd_offset(pud, address). @fidelity exact */
export function pmd_offset(pool: PgtablePool, pudp: number, vpn: number): number {
  return table_ptr(entry_table(pool.get(pudp)), pmd_index(vpn));
}

/** include/linux/pgtable.h: pte_offset_kernel(pmd, address) (PMD must point at a PTE table). @fidelity exact */
export function pte_offset_kernel(pool: PgtablePool, pmdp: number, vpn: number): number {
  return table_ptr(entry_table(pool.get(pmdp)), pte_index(vpn));
}

/** include/linux/pgtable.h: pte_offset_map(pmd, addr): -1 (NULL) if the PMD is none or a leaf. @fidelity simplified */
export function pte_offset_map(pool: PgtablePool, pmdp: number, vpn: number): number {
  const pmd = pool.get(pmdp);
  if (pmd_none(pmd) || pmd_leaf(pmd) || (pmd & _PAGE_PRESENT) === 0) return -1;
  return pte_offset_kernel(pool, pmdp, vpn);
}

/** include/linux/mm.h: pte_lockptr(mm, pmd): the PTE table id, identity of its split PTL. @fidelity simplified */
export function pte_lockptr(pool: PgtablePool, pmdp: number): number {
  return entry_table(pool.get(pmdp));
}

/** include/linux/mm.h: pmd_lockptr(mm, pmd): the PMD table id, identity of its split PMD lock. @fidelity simplified */
export function pmd_lockptr(pmdp: number): number {
  return ptr_table(pmdp);
}

/** mm/memory.c: __pte_alloc(mm, pmd) + pmd_install(): returns 0 (the pool never fails). @fidelity simplified */
export function __pte_alloc(pool: PgtablePool, mm: PgtableOwner, pmdp: number): number {
  if (!pmd_none(pool.get(pmdp))) return 0; // someone populated it first: pte_free the new one
  const table = pool.alloc_table(PGTABLE_LEVEL_PTE, mm.mm_id);
  mm_inc_nr_ptes(mm);
  pool.set(pmdp, mk_table_entry(table));
  return 0;
}

/** include/linux/mm.h: pte_alloc(mm, pmd): 0 on success. @fidelity exact */
export function pte_alloc(pool: PgtablePool, mm: PgtableOwner, pmdp: number): number {
  return pmd_none(pool.get(pmdp)) ? __pte_alloc(pool, mm, pmdp) : 0;
}

/** include/linux/mm.h: pmd_alloc(mm, pud, address) / __pmd_alloc: the PMD pointer for vpn. @fidelity simplified */
export function pmd_alloc(pool: PgtablePool, mm: PgtableOwner, pudp: number, vpn: number): number {
  if (pud_none(pool.get(pudp))) {
    const table = pool.alloc_table(PGTABLE_LEVEL_PMD, mm.mm_id);
    mm_inc_nr_ptes(mm);
    pool.set(pudp, mk_table_entry(table));
  }
  return pmd_offset(pool, pudp, vpn);
}

/** include/linux/mm.h: pud_alloc(mm, p4d, address) / __pud_alloc: the PUD pointer for vpn. @fidelity simplified */
export function pud_alloc(pool: PgtablePool, mm: PgtableOwner, pgdp: number, vpn: number): number {
  if (pool.get(pgdp) === 0) {
    const table = pool.alloc_table(PGTABLE_LEVEL_PUD, mm.mm_id);
    mm_inc_nr_ptes(mm);
    pool.set(pgdp, mk_table_entry(table));
  }
  return pud_offset(pool, pgdp, vpn);
}

/** The PMD pointer for vpn, allocating PUD and PMD tables: -1 if a PUD leaf is in the way. @fidelity custom */
export function pmd_alloc_walk(pool: PgtablePool, mm: PgtableOwner, vpn: number): number {
  const pudp = pud_alloc(pool, mm, pgd_offset(mm, vpn), vpn);
  if (pud_leaf(pool.get(pudp))) return -1;
  return pmd_alloc(pool, mm, pudp, vpn);
}

/** The PTE pointer for vpn, allocating every level (__handle_mm_fault's walk): -1 behind a leaf. @fidelity custom */
export function pte_alloc_walk(pool: PgtablePool, mm: PgtableOwner, vpn: number): number {
  const pmdp = pmd_alloc_walk(pool, mm, vpn);
  if (pmdp < 0) return -1;
  pte_alloc(pool, mm, pmdp);
  return pte_offset_map(pool, pmdp, vpn);
}

/** The PMD pointer for vpn without allocating: -1 if the PGD/PUD entry is none or a PUD leaf. @fidelity custom */
export function pmd_lookup(pool: PgtablePool, mm: PgtableOwner, vpn: number): number {
  const pgdp = pgd_offset(mm, vpn);
  if (pool.get(pgdp) === 0) return -1;
  const pudp = pud_offset(pool, pgdp, vpn);
  const pud = pool.get(pudp);
  if (pud_none(pud) || pud_leaf(pud)) return -1;
  return pmd_offset(pool, pudp, vpn);
}

/** The PUD pointer for vpn without allocating: -1 if the PGD entry is none. @fidelity custom */
export function pud_lookup(pool: PgtablePool, mm: PgtableOwner, vpn: number): number {
  const pgdp = pgd_offset(mm, vpn);
  return pool.get(pgdp) === 0 ? -1 : pud_offset(pool, pgdp, vpn);
}

/** The PTE pointer for vpn without allocating: -1 if any level is none or a leaf. @fidelity custom */
export function pte_lookup(pool: PgtablePool, mm: PgtableOwner, vpn: number): number {
  const pmdp = pmd_lookup(pool, mm, vpn);
  return pmdp < 0 ? -1 : pte_offset_map(pool, pmdp, vpn);
}

/** mm/pgtable-generic.c: pgtable_trans_huge_deposit(mm, pmdp, pgtable) (caller accounts it). @fidelity exact */
export function pgtable_trans_huge_deposit(pool: PgtablePool, pmdp: number, pgtable: number): void {
  const pmd_table = ptr_table(pmdp);
  pool.link[pgtable] = pool.deposit_head[pmd_table];
  pool.deposit_head[pmd_table] = pgtable;
}

/** mm/pgtable-generic.c: pgtable_trans_huge_withdraw(mm, pmdp): the table, or -1 if none. @fidelity exact */
export function pgtable_trans_huge_withdraw(pool: PgtablePool, pmdp: number): number {
  const pmd_table = ptr_table(pmdp);
  const pgtable = pool.deposit_head[pmd_table];
  if (pgtable < 0) return -1;
  pool.deposit_head[pmd_table] = pool.link[pgtable];
  pool.link[pgtable] = -1;
  return pgtable;
}

/** mm/memory.c: free_pte_range(tlb, pmd, addr): clear the PMD and free its (empty) PTE table. @fidelity exact */
export function free_pte_range(pool: PgtablePool, mm: PgtableOwner, pmdp: number): void {
  const table = entry_table(pool.get(pmdp));
  pool.set(pmdp, 0);
  pool.free_table(table);
  mm_dec_nr_ptes(mm);
}

function free_pmd_range(
  pool: PgtablePool,
  mm: PgtableOwner,
  pudp: number,
  addr: number,
  end: number,
  floor: number,
  ceiling: number,
): void {
  const start = addr;
  do {
    const next = pmd_addr_end(addr, end);
    const pmdp = pmd_offset(pool, pudp, addr);
    const pmd = pool.get(pmdp);
    if (pmd_leaf(pmd)) throw new MmBug(`free_pgtables: huge pmd still mapped at vpn ${addr}`);
    if (!pmd_none(pmd)) free_pte_range(pool, mm, pmdp);
    addr = next;
  } while (addr !== end);
  freeUpper(pool, mm, pudp, start, end, floor, ceiling, PUD_NR_PAGES);
}

function free_pud_range(
  pool: PgtablePool,
  mm: PgtableOwner,
  pgdp: number,
  addr: number,
  end: number,
  floor: number,
  ceiling: number,
): void {
  const start = addr;
  do {
    const next = pud_addr_end(addr, end);
    const pudp = pud_offset(pool, pgdp, addr);
    const pud = pool.get(pudp);
    if (pud_leaf(pud)) throw new MmBug(`free_pgtables: huge pud still mapped at vpn ${addr}`);
    if (!pud_none(pud)) free_pmd_range(pool, mm, pudp, addr, next, floor, ceiling);
    addr = next;
  } while (addr !== end);
  freeUpper(pool, mm, pgdp, start, end, floor, ceiling, PGDIR_NR_PAGES);
}

/** The tail of free_pmd_range/free_pud_range: free the table below `parentp` if [floor, ceiling) allows. */
function freeUpper(
  pool: PgtablePool,
  mm: PgtableOwner,
  parentp: number,
  start: number,
  end: number,
  floor: number,
  ceiling: number,
  span: number,
): void {
  start = round_down(start, span);
  if (start < floor) return;
  if (ceiling !== 0) {
    ceiling = round_down(ceiling, span);
    if (ceiling === 0) return;
  }
  if (end - 1 > (ceiling === 0 ? USER_VPN_LIMIT : ceiling) - 1) return;
  const table = entry_table(pool.get(parentp));
  pool.set(parentp, 0);
  pool.free_table(table);
  mm_dec_nr_ptes(mm);
}

/**
 * mm/memory.c: free_pgd_range(tlb, addr, end, floor, ceiling), in vpns (ceiling 0 = top).
 * Frees the PTE tables covering [addr, end) and any PMD/PUD table that [floor, ceiling) shows
 * no other VMA can share. Freeing a table that still maps something is a model bug.
 * @fidelity exact
 */
export function free_pgd_range(
  pool: PgtablePool,
  mm: PgtableOwner,
  addr: number,
  end: number,
  floor: number,
  ceiling: number,
): void {
  addr = round_down(addr, PMD_NR_PAGES);
  if (addr < floor) addr += PMD_NR_PAGES;
  if (ceiling !== 0) {
    ceiling = round_down(ceiling, PMD_NR_PAGES);
    if (ceiling === 0) return;
  }
  if (end - 1 > (ceiling === 0 ? USER_VPN_LIMIT : ceiling) - 1) end -= PMD_NR_PAGES;
  if (addr > end - 1) return;
  do {
    const next = pgd_addr_end(addr, end);
    const pgdp = pgd_offset(mm, addr);
    if (pool.get(pgdp) !== 0) free_pud_range(pool, mm, pgdp, addr, next, floor, ceiling);
    addr = next;
  } while (addr !== end);
}
