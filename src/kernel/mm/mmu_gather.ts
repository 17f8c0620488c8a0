/**
 * struct mmu_gather: mm/mmu_gather.c (v6.18). Unmapping clears entries and removes rmaps at once,
 * but the page references the entries held are dropped only when the TLB is flushed
 * (tlb_finish_mmu / tlb_flush_mmu), as the kernel does so that no CPU can still reach a freed
 * page through a stale TLB entry. Until then a GUP-fast walker that raced with the zap may still
 * take a reference on the folio and see it alive.
 * @fidelity simplified: no TLB model (flushes only release the batch), no delayed rmap
 */
import { folio_put_refs } from '../../mm/page_free.js';
import { folio_test_swapcache } from '../../mm/page_flags.js';
import { Access } from '../../sim/footprint.js';
import type { Point, Sched } from '../../sim/thread.js';
import type { Kernel } from '../kernel.js';
import { folioObj } from '../objects.js';
import type { mm_struct } from './mm_struct.js';
import { mm_solo } from './solo.js';
import { free_swap_cache } from './swap_state.js';

/** include/asm-generic/tlb.h: struct mmu_gather. @fidelity simplified */
export class mmu_gather {
  /** Folios and how many references each entry of the batch holds. */
  readonly folios: number[] = [];
  readonly refs: number[] = [];
  /** tlb->fullmm: the whole address space is going away (exit_mmap). */
  fullmm = false;

  constructor(readonly mm: mm_struct) {}
}

/** mm/mmu_gather.c: tlb_gather_mmu(tlb, mm) / tlb_gather_mmu_fullmm. @fidelity simplified */
export function tlb_gather_mmu(mm: mm_struct, fullmm = false): mmu_gather {
  const tlb = new mmu_gather(mm);
  tlb.fullmm = fullmm;
  return tlb;
}

/** mm/mmu_gather.c: __tlb_remove_folio_pages(tlb, page, nr, delay_rmap): queue `refs` references. @fidelity simplified */
export function tlb_remove_folio(tlb: mmu_gather, folio: number, refs: number): void {
  const n = tlb.folios.length;
  if (n > 0 && tlb.folios[n - 1] === folio) {
    tlb.refs[n - 1] += refs;
    return;
  }
  tlb.folios.push(folio);
  tlb.refs.push(refs);
}

/**
 * mm/mmu_gather.c: tlb_flush_mmu(tlb): flush, then free_pages_and_swap_cache (drop the batched
 * references). A scheduling point declaring a write of every batched folio (a folio freed here
 * goes back to the allocator: allocation order is not a footprint, see docs/explorer.md), or of
 * everything when one is in the swap cache (free_swap_cache); elided when alone.
 * @fidelity simplified
 */
export function* tlb_flush_mmu(tlb: mmu_gather): Sched<void> {
  if (tlb.folios.length === 0) return;
  const k = tlb.mm.k;
  if (!mm_solo(k.m)) yield flushPoint(k, tlb);
  for (let i = 0; i < tlb.folios.length; i++) {
    free_swap_cache(k, tlb.folios[i]!);
    folio_put_refs(k.mem, tlb.folios[i]!, tlb.refs[i]!);
  }
  tlb.folios.length = 0;
  tlb.refs.length = 0;
}

function flushPoint(k: Kernel, tlb: mmu_gather): Point {
  const m = k.m;
  if (tlb.folios.some((f) => folio_test_swapcache(k.mem, f))) return m.point('tlb_flush_mmu');
  const p = m.at('tlb_flush_mmu', folioObj(tlb.folios[0]!), Access.Write);
  for (let i = 1; i < tlb.folios.length; i++) p.also(folioObj(tlb.folios[i]!), Access.Write);
  return p;
}

/** mm/mmu_gather.c: tlb_finish_mmu(tlb). @fidelity simplified */
export function* tlb_finish_mmu(tlb: mmu_gather): Sched<void> {
  yield* tlb_flush_mmu(tlb);
}
