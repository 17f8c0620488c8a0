/**
 * Releasing what GUP returned (mm/gup.c, include/linux/mm.h): unpin_user_page(s),
 * gup_fast_unpin_user_pages, unpin_folio(s), unpin_user_folio, and put_page for FOLL_GET
 * references. Adjacent entries of one folio are released with one gup_put_folio, as the kernel
 * groups them (gup_folio_next). A NULL entry is -1.
 *
 * Every release goes through the ledger (gup_ledger.ts): a release of the wrong kind is reported
 * and performed as the kind it really is; a release of nothing held is reported and skipped, so
 * the model's counts stay consistent after the report.
 */
import {
  GUP_PIN_COUNTING_BIAS,
  NR_FOLL_PIN_RELEASED,
  folio_has_pincount,
  folio_nr_pages,
  is_zero_folio,
  mod_node_page_state,
  page_folio,
  type PhysMem,
} from '../../mm/index.js';
import { IS_ERR_VALUE } from '../include/errno.js';
import { FOLL_GET, FOLL_PIN } from '../include/gup_flags.js';
import type { Kernel } from '../kernel.js';
import { gup_warn } from './gup_call.js';
import {
  Held,
  ledger_drop,
  ledger_dropped,
  ledger_release,
  sanity_check_pinned_pages,
} from './gup_ledger.js';
import { gup_put_folio } from './gup_pin.js';
import { gupState } from './gup_state.js';

/** Release `nr` pins of `folio` held on pages[i..i+nr), through the ledger. */
function release_run(
  k: Kernel,
  folio: number,
  pages: ArrayLike<number>,
  i: number,
  nr: number,
  api: string,
): void {
  const s = gupState(k);
  const pinned = s.pinned;
  let fast = 0;
  let pins = 0;
  let gets = 0;
  for (let j = i; j < i + nr; j++) {
    const p = pages[j]!;
    const held = pinned[p]!;
    if (held > 0) {
      pinned[p] = held - 1; // ledger_drop, the counts settled once below
      fast++;
      continue;
    }
    const found = ledger_release(k, p, true, api);
    if (found === Held.Expected) pins++;
    else if (found === Held.Other) gets++;
  }
  if (fast > 0) ledger_dropped(s, k.m.self.id, fast);
  put_run(k, folio, pins + fast, gets);
}

/** gup_put_folio for the pins (and mismatched GET references) a run released. */
function put_run(k: Kernel, folio: number, pins: number, gets: number): void {
  if (pins > 0) gup_put_folio(k, folio, pins, FOLL_PIN);
  if (gets > 0) gup_put_folio(k, folio, gets, FOLL_GET);
}

/** Release the pins of pages[i..i+nr), all of `folio`, as the dirty-lock variants do. */
export function unpin_user_folio_pages(
  k: Kernel,
  folio: number,
  pages: ArrayLike<number>,
  i: number,
  nr: number,
  api: string,
): void {
  release_run(k, folio, pages, i, nr, api);
}

/** mm/gup.c: unpin_user_page: release one pin (with the DEBUG_VM exclusivity check). @fidelity exact */
export function unpin_user_page(k: Kernel, page: number): void {
  sanity_check_pinned_pages(k, [page], 0, 1);
  release_run(k, page_folio(k.mem, page), [page], 0, 1, 'unpin_user_page');
}

/**
 * mm/gup.c: unpin_user_pages: release the pins of pages[0..npages). A negative count (a GUP
 * error passed straight in) is WARNed about and ignored; NULL entries are skipped.
 * @fidelity exact
 */
export function unpin_user_pages(
  k: Kernel,
  pages: ArrayLike<number>,
  npages: number,
  off = 0,
): void {
  if (npages < 0 && IS_ERR_VALUE(npages)) {
    gup_warn(
      k,
      'unpin-errno',
      `unpin_user_pages called with npages = ${npages} (a GUP error passed in?)`,
      'mm/gup.c: unpin_user_pages',
    );
    return;
  }
  sanity_check_pinned_pages(k, pages, off, npages);
  unpin_entries(k, pages, off, off + npages, 'unpin_user_pages');
}

/**
 * The loop of unpin_user_pages over pages[i..end): skip NULL entries; group the entries that
 * follow one another in one folio (mm/gup.c: gup_folio_next: page_folio(entry) == folio, that
 * is, the entry lies in [folio, folio + folio_nr_pages)) and release each group with one
 * gup_put_folio. The ledger is emptied entry by entry in the same pass (release_run's fast case
 * inline: a held pin is dropped; anything else goes through ledger_release and its reports).
 */
function unpin_entries(
  k: Kernel,
  pages: ArrayLike<number>,
  i: number,
  end: number,
  api: string,
): void {
  const s = gupState(k);
  const pinned = s.pinned;
  const mem = k.mem;
  const order = mem.compound_order;
  let fast = 0;
  let released = 0;
  while (i < end) {
    const page = pages[i]!;
    if (page < 0) {
      i++;
      continue;
    }
    // The common entry: a small folio (page_folio(page) == page) that the next entry is not
    // (so its run is this one entry), whose pin the ledger holds, released by put_small_pins.
    if (
      order[page] === 0 &&
      pinned[page]! > 0 &&
      (i + 1 === end || pages[i + 1] !== page) &&
      put_small_pins(mem, page, 1)
    ) {
      pinned[page] = pinned[page]! - 1;
      fast++;
      released++;
      i++;
      continue;
    }
    const folio = page_folio(mem, page);
    const nr = folio_nr_pages(mem, folio);
    let pins = 0;
    let gets = 0;
    let j = i;
    let p = page;
    for (;;) {
      const held = pinned[p]!;
      if (held > 0) {
        pinned[p] = held - 1; // ledger_drop, the counts settled once at the end
        pins++;
        fast++;
      } else {
        const found = ledger_release(k, p, true, api);
        if (found === Held.Expected) pins++;
        else if (found === Held.Other) gets++;
      }
      if (++j === end) break;
      p = pages[j]!;
      if (p < folio || p - folio >= nr) break; // gup_folio_next: not this folio (or NULL)
    }
    if (gets === 0 && put_small_pins(mem, folio, pins)) released += pins;
    else put_run(k, folio, pins, gets);
    i = j;
  }
  if (released > 0) mod_node_page_state(mem.vmstat, NR_FOLL_PIN_RELEASED, released);
  if (fast > 0) ledger_dropped(s, k.m.self.id, fast);
}

/**
 * gup_put_folio(folio, pins, FOLL_PIN) for the common case, a small folio other than the zero
 * page whose count stays above zero: take off pins * GUP_PIN_COUNTING_BIAS. The caller adds
 * nr_foll_pin_released (once per loop: nothing runs in between). False, with nothing done, for
 * any other case (large folio, the zero page, an underflow to report, the last reference).
 */
function put_small_pins(mem: PhysMem, folio: number, pins: number): boolean {
  if (pins === 0 || folio_has_pincount(mem, folio) || is_zero_folio(mem, folio)) return false;
  const drop = pins * GUP_PIN_COUNTING_BIAS;
  const count = mem._refcount[folio]!;
  if (count <= drop) return false;
  mem._refcount[folio] = count - drop;
  return true;
}

/**
 * mm/gup.c: gup_fast_unpin_user_pages: drop the pins of a fast walk that raced with fork,
 * without the exclusivity check (the pages may be shared by now).
 * @fidelity exact
 */
export function gup_fast_unpin_user_pages(
  k: Kernel,
  pages: ArrayLike<number>,
  off: number,
  npages: number,
): void {
  unpin_entries(k, pages, off, off + npages, 'gup_fast_unpin_user_pages');
}

/** mm/gup.c: unpin_folio: release one pin of a folio (memfd_pin_folios). @fidelity exact */
export function unpin_folio(k: Kernel, folio: number): void {
  release_run(k, folio, [folio], 0, 1, 'unpin_folio');
}

/** mm/gup.c: unpin_user_folio: release `npages` pins of one folio. @fidelity exact */
export function unpin_user_folio(k: Kernel, folio: number, npages: number): void {
  const heads = new Array<number>(npages).fill(folio);
  release_run(k, folio, heads, 0, npages, 'unpin_user_folio');
}

/**
 * mm/gup.c: unpin_folios: release one pin per entry of folios[0..nfolios), grouping adjacent
 * equal entries; NULL (-1) entries are skipped; a negative count is WARNed about.
 * @fidelity exact
 */
export function unpin_folios(k: Kernel, folios: ArrayLike<number>, nfolios: number): void {
  if (nfolios < 0 && IS_ERR_VALUE(nfolios)) {
    gup_warn(k, 'unpin-errno', `unpin_folios called with ${nfolios}`, 'mm/gup.c: unpin_folios');
    return;
  }
  let i = 0;
  while (i < nfolios) {
    let j = i + 1;
    while (j < nfolios && folios[j] === folios[i]) j++;
    if (folios[i]! >= 0) release_run(k, folios[i]!, folios, i, j - i, 'unpin_folios');
    i = j;
  }
}

/**
 * include/linux/mm.h: put_page: drop one ordinary reference, the release for FOLL_GET. A pin
 * released here is reported (`gup.release-mismatch`; the kernel would leave the folio looking
 * pinned forever) and released as the pin it is.
 * @fidelity exact
 */
export function put_page(k: Kernel, page: number): void {
  const s = gupState(k);
  const folio = page_folio(k.mem, page);
  if (s.gotten[page]! > 0) {
    ledger_drop(s, k.m.self.id, s.gotten, page);
  } else if (folio_in_ledger(k, folio)) {
    if (ledger_release(k, page, false, 'put_page') === Held.Other) {
      gup_put_folio(k, folio, 1, FOLL_PIN);
      return;
    }
  }
  gup_put_folio(k, folio, 1, 0);
}

/** Does the ledger hold any reference on a page of `folio`? */
function folio_in_ledger(k: Kernel, folio: number): boolean {
  const s = gupState(k);
  const nr = 1 << k.mem.compound_order[folio]!;
  for (let p = folio; p < folio + nr; p++) if (s.pinned[p]! > 0 || s.gotten[p]! > 0) return true;
  return false;
}
