/**
 * Reading user memory through a process's page tables without changing them, for
 * `expect: { memory, length, contents }`: a present entry shows its page's contents; an
 * anonymous page never faulted in (no entry in an anonymous VMA) reads 0, as the zero page
 * would; anything else (no VMA, a file page not mapped yet, a swap entry) is not resident and
 * shows as null. @fidelity custom: a stand-in until the mm layer's user-access helper lands
 * (docs/mm-semantics.md, "API for other layers").
 */
import { folioObj, mmObj, pteObj } from '../../kernel/objects.js';
import { page_content, page_folio } from '../../mm/folio.js';
import { EVERYTHING, type ObjId } from '../../sim/footprint.js';
import { PAGE_SIZE, PMD_NR_PAGES, PUD_NR_PAGES, addr_to_vpn } from '../../mm/layout.js';
import type { MmStruct } from '../../mm/mm_types.js';
import type { PgtablePool } from '../../mm/pgtable.js';
import { pmd_leaf, pte_none, pte_pfn, pte_present, pud_leaf } from '../../mm/pgtable_types.js';
import { pmd_lookup, pte_lookup, pud_lookup } from '../../mm/pgtable_walk.js';
import { find_vma, vma_is_anonymous } from '../../mm/vma.js';
import type { ExecContext } from './types.js';

/** The pfn mapped at `vpn` (PTE, PMD or PUD leaf), -1 if none is present, -2 if no entry. */
function mappedPfn(pool: PgtablePool, mm: MmStruct, vpn: number): number {
  const pudp = pud_lookup(pool, mm, vpn);
  if (pudp < 0) return -2;
  const pud = pool.get(pudp);
  if (pud_leaf(pud)) return leaf(pud, vpn % PUD_NR_PAGES);
  const pmdp = pmd_lookup(pool, mm, vpn);
  if (pmdp < 0) return -2;
  const pmd = pool.get(pmdp);
  if (pmd_leaf(pmd)) return leaf(pmd, vpn % PMD_NR_PAGES);
  const ptep = pte_lookup(pool, mm, vpn);
  if (ptep < 0) return -2;
  const pte = pool.get(ptep);
  if (pte_none(pte)) return -2;
  return pte_present(pte) ? pte_pfn(pte) : -1;
}

function leaf(entry: number, index: number): number {
  return pte_present(entry) ? pte_pfn(entry) + index : -1;
}

/** The contents of each page of [addr, addr + length) in the acting process, or null. */
export function peekUserContents(
  ctx: ExecContext,
  addr: number,
  length: number,
): (number | null)[] {
  const mm = ctx.process.mm;
  if (mm === null) ctx.inputError(`process '${ctx.process.comm}' has no mm (it has exited)`);
  const first = addr_to_vpn(addr);
  const last = addr_to_vpn(addr + Math.max(length, 1) - 1);
  const out: (number | null)[] = [];
  for (let vpn = first; vpn <= last; vpn++) {
    const pfn = mappedPfn(ctx.k.pool, mm, vpn);
    if (pfn >= 0) out.push(page_content(ctx.k.mem, pfn));
    else if (pfn === -2 && anonymousAt(mm, vpn * PAGE_SIZE)) out.push(0);
    else out.push(null);
  }
  return out;
}

/**
 * What peekUserContents(ctx, addr, length) reads now: the acting mm's VMA tree, every page-table
 * entry its walk consults and the folios it finds. An expectation declares them (read) before
 * it peeks, and peeks again after its scheduling point only if the walk still consults the same
 * objects (see the `expect` executor).
 */
export function peekObjects(ctx: ExecContext, addr: number, length: number): ObjId[] {
  const mm = ctx.process.mm;
  if (mm === null) return [EVERYTHING];
  const pool = ctx.k.pool;
  const objs: ObjId[] = [mmObj(mm.mm_id)];
  const first = addr_to_vpn(addr);
  const last = addr_to_vpn(addr + Math.max(length, 1) - 1);
  for (let vpn = first; vpn <= last; vpn++) {
    const pudp = pud_lookup(pool, mm, vpn);
    if (pudp < 0) continue;
    objs.push(pteObj(pudp));
    const pud = pool.get(pudp);
    let entry = pud;
    let index = vpn % PUD_NR_PAGES;
    if (!pud_leaf(pud)) {
      const pmdp = pmd_lookup(pool, mm, vpn);
      if (pmdp < 0) continue;
      objs.push(pteObj(pmdp));
      entry = pool.get(pmdp);
      index = vpn % PMD_NR_PAGES;
      if (!pmd_leaf(entry)) {
        const ptep = pte_lookup(pool, mm, vpn);
        if (ptep < 0) continue;
        objs.push(pteObj(ptep));
        entry = pool.get(ptep);
        index = 0;
        if (pte_none(entry)) continue;
      }
    }
    const pfn = leaf(entry, index);
    if (pfn >= 0) objs.push(folioObj(page_folio(ctx.k.mem, pfn)));
  }
  return objs;
}

function anonymousAt(mm: MmStruct, addr: number): boolean {
  const vma = find_vma(mm, addr);
  return vma !== null && vma.vm_start <= addr && vma_is_anonymous(vma);
}

/** The pfn mapped at each page of [addr, addr + length) in the acting process, -1 if none. */
export function peekUserPfns(ctx: ExecContext, addr: number, length: number): number[] {
  const mm = ctx.process.mm;
  if (mm === null) ctx.inputError(`process '${ctx.process.comm}' has no mm (it has exited)`);
  const first = addr_to_vpn(addr);
  const last = addr_to_vpn(addr + Math.max(length, 1) - 1);
  const out: number[] = [];
  for (let vpn = first; vpn <= last; vpn++) out.push(Math.max(-1, mappedPfn(ctx.k.pool, mm, vpn)));
  return out;
}
