/**
 * Releasing pins after a device wrote the pages (mm/gup.c: unpin_user_pages_dirty_lock,
 * unpin_user_page_range_dirty_lock): mark each folio dirty under its lock, unless it already
 * is (racy by design: a folio cleaned meanwhile is dirtied again, which is harmless), then
 * release the pins. Dirtying is per folio. These sleep (folio_lock).
 */
import { folio_nr_pages, folio_test_dirty, page_folio } from '../../mm/index.js';
import { Access } from '../../sim/footprint.js';
import type { Sched } from '../../sim/thread.js';
import type { Kernel } from '../kernel.js';
import { folioObj } from '../objects.js';
import { gup_warn } from './gup_call.js';
import { sanity_check_pinned_pages } from './gup_ledger.js';
import { folio_lock, folio_mark_dirty, folio_unlock } from './filemap.js';
import { unpin_user_pages, unpin_user_folio_pages } from './gup_unpin.js';
import { mm_solo } from './solo.js';

/** set_page_dirty_lock on a folio: lock, folio_mark_dirty, unlock (when not already dirty). */
function* dirty_folio_locked(k: Kernel, folio: number): Sched<void> {
  const m = k.m;
  if (!mm_solo(m)) yield m.at('folio_test_dirty', folioObj(folio), Access.Read);
  if (folio_test_dirty(k.mem, folio)) return;
  yield* folio_lock(k, folio);
  folio_mark_dirty(k, folio);
  yield* folio_unlock(k, folio);
}

/**
 * mm/gup.c: unpin_user_pages_dirty_lock(pages, npages, make_dirty). Without make_dirty it is
 * unpin_user_pages. With it, NULL entries are not allowed (WARNed about and skipped here).
 * @fidelity exact
 */
export function* unpin_user_pages_dirty_lock(
  k: Kernel,
  pages: ArrayLike<number>,
  npages: number,
  make_dirty: boolean,
): Sched<void> {
  if (!make_dirty) {
    unpin_user_pages(k, pages, npages);
    return;
  }
  sanity_check_pinned_pages(k, pages, 0, npages);
  for (let i = 0; i < npages;) {
    if (pages[i]! < 0) {
      gup_warn(
        k,
        'dirty-lock-null',
        `unpin_user_pages_dirty_lock: NULL entry at ${i}`,
        'mm/gup.c: unpin_user_pages_dirty_lock',
      );
      i++;
      continue;
    }
    const folio = page_folio(k.mem, pages[i]!);
    let nr = 1;
    while (i + nr < npages && pages[i + nr]! >= 0 && page_folio(k.mem, pages[i + nr]!) === folio)
      nr++;
    yield* dirty_folio_locked(k, folio);
    unpin_user_folio_pages(k, folio, pages, i, nr, 'unpin_user_pages_dirty_lock');
    i += nr;
  }
}

/**
 * mm/gup.c: unpin_user_page_range_dirty_lock(page, npages, make_dirty): the pins of the
 * physically contiguous pages page..page+npages-1, folio by folio.
 * @fidelity exact
 */
export function* unpin_user_page_range_dirty_lock(
  k: Kernel,
  page: number,
  npages: number,
  make_dirty: boolean,
): Sched<void> {
  for (let i = 0; i < npages;) {
    const p = page + i;
    const folio = page_folio(k.mem, p);
    const nr = Math.min(npages - i, folio_nr_pages(k.mem, folio) - (p - folio));
    if (make_dirty) yield* dirty_folio_locked(k, folio);
    const run = Array.from({ length: nr }, (_, j) => p + j);
    unpin_user_folio_pages(k, folio, run, 0, nr, 'unpin_user_page_range_dirty_lock');
    i += nr;
  }
}
