/**
 * struct mmu_gather: mm/mmu_gather.c (v6.18). Unmapping clears entries and removes rmaps at once,
 * but the page references the entries held are dropped only when the TLB is flushed
 * (tlb_finish_mmu / tlb_flush_mmu), as the kernel does so that no CPU can still reach a freed
 * page through a stale TLB entry. Until then a GUP-fast walker that raced with the zap may still
 * take a reference on the folio and see it alive.
 * @fidelity simplified: no TLB model (flushes only release the batch), no delayed rmap
 */
import { folio_put_refs } from '../../mm/page_free.js';
import type { Sched } from '../../sim/thread.js';
import type { mm_struct } from './mm_struct.js';
import { mm_solo } from './solo.js';

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
 * references). A scheduling point (it touches every batched folio), elided when alone.
 * @fidelity simplified
 */
export function* tlb_flush_mmu(tlb: mmu_gather): Sched<void> {
  if (tlb.folios.length === 0) return;
  const k = tlb.mm.k;
  if (!mm_solo(k.m)) yield k.m.point('tlb_flush_mmu');
  for (let i = 0; i < tlb.folios.length; i++) folio_put_refs(k.mem, tlb.folios[i]!, tlb.refs[i]!);
  tlb.folios.length = 0;
  tlb.refs.length = 0;
}

/** mm/mmu_gather.c: tlb_finish_mmu(tlb). @fidelity simplified */
export function* tlb_finish_mmu(tlb: mmu_gather): Sched<void> {
  yield* tlb_flush_mmu(tlb);
}
