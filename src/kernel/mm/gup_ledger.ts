/**
 * The ledger of references GUP hands out: per page, how many FOLL_PIN and FOLL_GET references
 * a caller holds and which call took them. Taking fills it where the kernel fills `pages[]`;
 * releasing empties it, and the release checks live here: a pin released with put_page or a
 * GET reference with unpin_* (`gup.release-mismatch`), a release of something not held
 * (`gup.double-release`), a pinned anon page that lost PageAnonExclusive (`gup.pin-lost-exclusive`,
 * sanity_check_pinned_pages, with CONFIG_DEBUG_VM).
 * @fidelity custom
 */
import {
  PageAnonExclusive,
  folio_nr_pages,
  folio_test_anon,
  folio_test_hugetlb,
  folio_test_ksm,
  folio_test_large,
  page_folio,
} from '../../mm/index.js';
import type { Kernel } from '../kernel.js';
import { gupState, type GupState } from './gup_state.js';

/**
 * Record one reference (a pin, or a GET reference) on each of `n` consecutive pages from `page`,
 * taken by call `taker` on thread `tid`.
 */
export function ledger_take(
  s: GupState,
  tid: number,
  page: number,
  n: number,
  pin: boolean,
  taker: number,
): void {
  const held = pin ? s.pinned : s.gotten;
  for (let p = page; p < page + n; p++) held[p] = held[p]! + 1;
  if (n > 64) s.taker.fill(taker, page, page + n);
  else for (let p = page; p < page + n; p++) s.taker[p] = taker;
  ledger_took(s, tid, n);
}

/** Settle the counts of `n` references thread `tid` just wrote into the per-page arrays. */
export function ledger_took(s: GupState, tid: number, n: number): void {
  s.net[tid] = (s.net[tid] ?? 0) + n;
  s.outstanding += n;
}

/** Forget one reference on page `p` (released by thread `tid`). */
export function ledger_drop(s: GupState, tid: number, arr: Int32Array, p: number): void {
  s.net[tid] = (s.net[tid] ?? 0) - 1;
  arr[p] = arr[p]! - 1;
  s.outstanding--;
}

/** Settle the counts of `n` references thread `tid` just dropped from the per-page arrays. */
export function ledger_dropped(s: GupState, tid: number, n: number): void {
  s.net[tid] = (s.net[tid] ?? 0) - n;
  s.outstanding -= n;
}

/**
 * What a release found in the ledger: the reference of the expected kind (released); one of the
 * other kind (reported as a mismatch, released as what it is); nothing (reported as a double
 * release, nothing released).
 */
export const Held = { Expected: 0, Other: 1, Nothing: 2 } as const;
export type Held = (typeof Held)[keyof typeof Held];

/**
 * Release one reference of kind `pin` on `page` (or, failing that, on another page of its
 * folio, since the kernel releases per folio). Reports mismatches and double releases.
 */
export function ledger_release(k: Kernel, page: number, pin: boolean, api: string): Held {
  const s = gupState(k);
  const want = pin ? s.pinned : s.gotten;
  const other = pin ? s.gotten : s.pinned;
  const mem = k.mem;
  const folio = page_folio(mem, page);
  const hit = want[page]! > 0 ? page : findHeld(want, folio, folio_nr_pages(mem, folio));
  if (hit >= 0) {
    ledger_drop(s, k.m.self.id, want, hit);
    return Held.Expected;
  }
  const alt = other[page]! > 0 ? page : findHeld(other, folio, folio_nr_pages(mem, folio));
  if (alt >= 0) {
    ledger_drop(s, k.m.self.id, other, alt);
    reportMismatch(k, page, pin, api, alt);
    return Held.Other;
  }
  reportDouble(k, page, pin, api);
  return Held.Nothing;
}

function findHeld(arr: Int32Array, folio: number, nr: number): number {
  for (let p = folio; p < folio + nr; p++) if (arr[p]! > 0) return p;
  return -1;
}

function takerText(k: Kernel, page: number): string {
  const t = gupState(k).takers.get(gupState(k).taker[page]!);
  if (t === undefined) return 'an unknown call';
  return `${t.api} in ${t.thread} at step ${t.step}${t.where !== null ? ` (${t.where})` : ''}`;
}

function reportMismatch(k: Kernel, page: number, pin: boolean, api: string, held: number): void {
  const what = pin
    ? `a FOLL_GET reference (taken by ${takerText(k, held)}) released with ${api}`
    : `a FOLL_PIN pin (taken by ${takerText(k, held)}) released with ${api}`;
  k.m.report({
    id: 'gup.release-mismatch',
    message: `page ${page}: ${what}`,
    rule: pin
      ? 'mm/gup.c: unpin_user_page (FOLL_GET references go back with put_page)'
      : 'include/linux/mm.h: put_page (FOLL_PIN pins go back with unpin_user_page*)',
    where: takerText(k, held),
  });
}

function reportDouble(k: Kernel, page: number, pin: boolean, api: string): void {
  k.m.report({
    id: 'gup.double-release',
    message: `page ${page}: ${api} releases a ${pin ? 'pin' : 'reference'} that is not held (double release?)`,
    rule: pin ? 'mm/gup.c: gup_put_folio' : 'include/linux/mm.h: put_page',
  });
}

/**
 * mm/gup.c: sanity_check_pinned_pages (CONFIG_DEBUG_VM): a pinned anon page must still be
 * PageAnonExclusive (small and hugetlb folios: the head; THP: the page or the head). Reported as
 * `gup.pin-lost-exclusive`.
 * @fidelity exact
 */
export function sanity_check_pinned_pages(
  k: Kernel,
  pages: ArrayLike<number>,
  off: number,
  npages: number,
): void {
  if (!gupState(k).debugVm) return;
  const mem = k.mem;
  for (let i = off; i < off + npages; i++) {
    const page = pages[i]!;
    if (page < 0 || page === mem.zero_pfn) continue;
    const folio = page_folio(mem, page);
    if (!folio_test_anon(mem, folio) || folio_test_ksm(mem, folio)) continue;
    if (!pinned_page_exclusive(k, folio, page)) reportLostExclusive(k, page, folio);
  }
}

/** Is a pinned page of an anon folio (still) exclusive, as sanity_check_pinned_pages asks. */
export function pinned_page_exclusive(k: Kernel, folio: number, page: number): boolean {
  const mem = k.mem;
  if (!folio_test_large(mem, folio) || folio_test_hugetlb(mem, folio)) {
    return PageAnonExclusive(mem, folio);
  }
  return PageAnonExclusive(mem, folio) || PageAnonExclusive(mem, page);
}

/** Report a pinned anon page that is not PageAnonExclusive. */
export function reportLostExclusive(k: Kernel, page: number, folio: number): void {
  k.m.report(
    {
      id: 'gup.pin-lost-exclusive',
      message: `pinned anon page ${page} (folio ${folio}) is not PageAnonExclusive`,
      rule: 'mm/gup.c: sanity_check_pinned_pages (a pinned anon page stays exclusive)',
      where: takerText(k, page),
    },
    String(page),
  );
}

export { takerText };
