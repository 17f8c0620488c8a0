/**
 * Shared by the pin-accounting checkers: the pins the ledger says a folio holds, and the folios a
 * check should look at (returned by a call, or every folio with ledger entries at the end).
 */
import { folio_nr_pages, page_folio } from '../mm/index.js';
import type { Kernel } from '../kernel/kernel.js';
import { gupState, type GupCallInfo } from '../kernel/mm/gup_state.js';
import { FOLL_PIN } from '../kernel/include/gup_flags.js';
import type { Checker } from './types.js';
import { atEnd, observe, quiescent, report, returned } from './util.js';

/** Pins on the pages of `folio` according to the ledger (ghostPins). */
export function ghostPins(k: Kernel, folio: number): number {
  const s = gupState(k);
  let n = 0;
  const end = folio + folio_nr_pages(k.mem, folio);
  for (let p = folio; p < end; p++) n += s.pinned[p]!;
  return n;
}

/** Distinct folios of the pages a call returned. */
export function returnedFolios(k: Kernel, info: GupCallInfo): number[] {
  const out = new Set<number>();
  for (const p of returned(info, info.ret)) if (p >= 0) out.add(page_folio(k.mem, p));
  return [...out].sort((a, b) => a - b);
}

/** Distinct folios with a pin in the ledger. */
export function pinnedFolios(k: Kernel): number[] {
  const s = gupState(k);
  const out = new Set<number>();
  if (s.outstanding === 0) return [];
  for (let p = 0; p < s.pinned.length; p++) if (s.pinned[p]! > 0) out.add(page_folio(k.mem, p));
  return [...out].sort((a, b) => a - b);
}

/** A rule over one folio and the pins the ledger says it holds: why it is broken, or null. */
export type FolioRule = (k: Kernel, folio: number, pins: number) => string | null;

/**
 * Check `rule` for the folios a FOLL_PIN call returns (when no other thread is mid-call) and for
 * every pinned folio at the end of the run.
 */
export function attachFolioRule(k: Kernel, c: Checker, rule: FolioRule): void {
  const check = (folio: number): void => {
    const why = rule(k, folio, ghostPins(k, folio));
    if (why !== null) report(k, c, `folio ${folio}: ${why}`, undefined, `${folio}:${why}`);
  };
  observe(k, c, {
    callReturned(kk, info) {
      const pin = ((info.flags ?? 0) & FOLL_PIN) !== 0;
      if (pin && info.ret > 0 && quiescent(kk)) returnedFolios(kk, info).forEach(check);
    },
  });
  atEnd(k, { ...c, id: `${c.id}@end` }, () => pinnedFolios(k).forEach(check));
}
