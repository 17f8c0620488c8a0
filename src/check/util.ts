/** Helpers the checkers share: attaching once, reporting, and when counts may be compared. */
import {
  find_vma,
  pmd_leaf,
  pmd_lookup,
  pte_lookup,
  pte_pfn,
  pte_present,
  type VmAreaStruct,
} from '../mm/index.js';
import type { Kernel } from '../kernel/kernel.js';
import { gupState, type GupCallInfo, type GupObserver } from '../kernel/mm/gup_state.js';
import type { mm_struct } from '../kernel/mm/mm_struct.js';
import type { Checker } from './types.js';

/** Run `attach` once per kernel for checker `c`. */
export function once(k: Kernel, c: Pick<Checker, 'id'>, attach: () => void): void {
  const s = gupState(k);
  if (s.installed.has(c.id)) return;
  s.installed.add(c.id);
  attach();
}

/** Attach a GUP observer once. */
export function observe(k: Kernel, c: Pick<Checker, 'id'>, o: GupObserver): void {
  once(k, c, () => gupState(k).observers.push(o));
}

/** Attach an end-of-run check once. */
export function atEnd(k: Kernel, c: Checker, check: () => void): void {
  once(k, c, () =>
    k.m.addEndChecker({
      id: c.id,
      description: c.description,
      kernelRef: c.kernelRef,
      atEnd: check,
    }),
  );
}

/** Report a violation of checker `c` (deduplicated by `key` when given). */
export function report(k: Kernel, c: Checker, message: string, where?: string, key?: string): void {
  const v = { id: c.id, message, rule: c.kernelRef, ...(where !== undefined ? { where } : {}) };
  k.m.report(v, key);
}

/**
 * True when no other thread is inside a GUP call: counters and the ledger then agree (a call in
 * progress may hold a reference it has not recorded yet).
 */
export function quiescent(k: Kernel): boolean {
  const s = gupState(k);
  const self = k.m.current?.id ?? -1;
  for (let t = 0; t < s.active.length; t++)
    if (t !== self && s.active[t] !== undefined) return false;
  return true;
}

/** The VMA containing addr in mm, or null. */
export function vmaAt(mm: mm_struct, addr: number): VmAreaStruct | null {
  const vma = find_vma(mm, addr);
  return vma !== null && vma.vm_start <= addr ? vma : null;
}

/** The first `n` pfns a call wrote: pages[off..off+n). */
export function returned(info: Pick<GupCallInfo, 'pages' | 'off'>, n: number): number[] {
  const pages = info.pages;
  if (pages === null || n <= 0) return [];
  return Array.from({ length: n }, (_, i) => pages[info.off + i]!);
}

/** The pfn mapped at `addr` in mm (PTE or huge PMD), or -1. */
export function mappedAt(k: Kernel, mm: mm_struct, addr: number): number {
  const vpn = Math.floor(addr / 4096);
  const pool = k.pool;
  const pmdp = pmd_lookup(pool, mm, vpn);
  if (pmdp < 0) return -1;
  const pmd = pool.entries[pmdp]!;
  if (pmd_leaf(pmd)) return pte_present(pmd) ? pte_pfn(pmd) + (vpn % 512) : -1;
  const ptep = pte_lookup(pool, mm, vpn);
  if (ptep < 0) return -1;
  const pte = pool.entries[ptep]!;
  return pte_present(pte) ? pte_pfn(pte) : -1;
}

/**
 * For each page a call returned that is still mapped where it was taken: visit it with its VMA.
 * (A page no longer mapped there was unmapped by another thread since: nothing to check.)
 */
export function eachReturned(
  k: Kernel,
  info: GupCallInfo,
  visit: (page: number, vma: VmAreaStruct, addr: number) => void,
): void {
  const pages = returned(info, info.ret);
  const start = info.start - (info.start % 4096);
  for (let i = 0; i < pages.length; i++) {
    const addr = start + i * 4096;
    if (pages[i]! < 0 || mappedAt(k, info.mm, addr) !== pages[i]) continue;
    const vma = vmaAt(info.mm, addr);
    if (vma !== null) visit(pages[i]!, vma, addr);
  }
}
