/**
 * Walk every present leaf entry of an mm's page tables (PTEs and huge PMD/PUD leaves), for the
 * end-of-run checkers that look at what is mapped. Only populated tables are visited.
 */
import {
  PTRS_PER_PGD,
  PTRS_PER_PMD,
  PTRS_PER_PTE,
  PTRS_PER_PUD,
  entry_table,
  pte_present,
  pmd_leaf,
  pmd_present,
  pud_leaf,
  pud_present,
  table_ptr,
} from '../mm/index.js';
import type { Kernel } from '../kernel/kernel.js';
import type { mm_struct } from '../kernel/mm/mm_struct.js';

/** `visit(vpn, entry, pages)`: a present leaf mapping `pages` pages from vpn. */
export type LeafVisit = (vpn: number, entry: number, pages: number) => void;

export function walkMapped(k: Kernel, mm: mm_struct, visit: LeafVisit): void {
  const e = k.pool.entries;
  if (mm.pgd < 0) return;
  for (let g = 0; g < PTRS_PER_PGD; g++) {
    const pgd = e[table_ptr(mm.pgd, g)]!;
    if (pgd === 0) continue;
    const pudTable = entry_table(pgd);
    for (let u = 0; u < PTRS_PER_PUD; u++) {
      const pud = e[table_ptr(pudTable, u)]!;
      const vpnU = (g * PTRS_PER_PUD + u) * PTRS_PER_PMD * PTRS_PER_PTE;
      if (!pud_present(pud)) continue;
      if (pud_leaf(pud)) visit(vpnU, pud, PTRS_PER_PMD * PTRS_PER_PTE);
      else walkPmd(e, entry_table(pud), vpnU, visit);
    }
  }
}

function walkPmd(e: Float64Array, table: number, vpnU: number, visit: LeafVisit): void {
  for (let d = 0; d < PTRS_PER_PMD; d++) {
    const pmd = e[table_ptr(table, d)]!;
    const vpnD = vpnU + d * PTRS_PER_PTE;
    if (!pmd_present(pmd)) continue;
    if (pmd_leaf(pmd)) {
      if (pte_present(pmd)) visit(vpnD, pmd, PTRS_PER_PTE);
      continue;
    }
    const pteTable = entry_table(pmd);
    for (let t = 0; t < PTRS_PER_PTE; t++) {
      const pte = e[table_ptr(pteTable, t)]!;
      if (pte_present(pte)) visit(vpnD + t, pte, 1);
    }
  }
}

/** The live mms of the kernel (one per process that has an address space), by mm id. */
export function liveMms(k: Kernel): mm_struct[] {
  const seen = new Map<number, mm_struct>();
  for (const p of k.processes) if (p.mm !== null && !p.exited) seen.set(p.mm.mm_id, p.mm);
  return [...seen.values()].sort((a, b) => a.mm_id - b.mm_id);
}
