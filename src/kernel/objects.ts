/**
 * Footprint object ids of kernel state, for the explorer's partial-order reduction
 * (src/sim/footprint.ts). A step that reads or writes one of these declares it at the
 * scheduling point before it: `yield m.at('set_pte_at', pteObj(ptep), Access.Write)`.
 *
 * - a page-table entry: its pointer in the page-table pool (`ptep`, `pmdp`, `pudp`);
 * - a folio's counters and flags (refcount, pincount, mapcount, flags, contents): its head pfn;
 * - an mm's VMA tree and flags (MMF_*): the mm id.
 */
import { objectSpace, objId, type ObjId } from '../sim/footprint.js';

const PTE_SPACE = objectSpace('pte');
const FOLIO_SPACE = objectSpace('folio');
const MM_SPACE = objectSpace('mm');

/** The entry at `ptep` (any level). */
export function pteObj(ptep: number): ObjId {
  return objId(PTE_SPACE, ptep);
}

/** The folio headed by `pfn`: its reference and pin counts, mapcounts, flags and contents. */
export function folioObj(pfn: number): ObjId {
  return objId(FOLIO_SPACE, pfn);
}

/** An mm's VMA tree, flags and counters. */
export function mmObj(mmId: number): ObjId {
  return objId(MM_SPACE, mmId);
}
