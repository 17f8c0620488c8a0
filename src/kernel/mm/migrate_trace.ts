/**
 * Trace events of migration and of the range operations built on it (declaration merging on
 * TraceKinds), for `gupsim explain`:
 *
 *   mm.migrate          one folio moved (or not) and why
 *   mm.migrate-blocked  a folio kept a range from being emptied: what it is, its references
 *                       against what migration expects, and who holds them (migrate_why.ts)
 *   mm.range            the outcome of offline_pages / alloc_contig_range / compact_zone /
 *                       migrate_pages over a range, with the kernel's reason
 * @fidelity custom
 */

declare module '../../sim/trace.js' {
  interface TraceKinds {
    'mm.migrate': { folio: number; to: string; result: number; reason: string };
    'mm.migrate-blocked': {
      op: string;
      pfn: number;
      kind: string;
      refcount: number;
      expected: number;
      pins: number;
      reason: string;
    };
    'mm.range': { op: string; start: number; nr_pages: number; result: number; reason: string };
  }
}

export {};
