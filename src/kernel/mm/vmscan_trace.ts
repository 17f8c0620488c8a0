/**
 * Trace events of reclaim and swap (declaration merging on TraceKinds), for `gupsim explain`:
 *
 *   mm.reclaim   shrink_folio_list's decision for one folio: reclaimed, kept on the inactive
 *                list, activated, or left in the swap cache, and the rule that decided it
 *   mm.swap      a folio went to or came back from a swap slot
 * @fidelity custom
 */

declare module '../../sim/trace.js' {
  interface TraceKinds {
    'mm.reclaim': { folio: number; action: string; reason: string };
    'mm.swap': { action: string; entry: number; folio: number };
  }
}

export {};
