/**
 * gup.pin-lost-exclusive: while an anon page is pinned it stays PageAnonExclusive (fork copies,
 * KSM, swap and migration back off). Checked when the pin is released (sanity_check_pinned_pages,
 * in the kernel code) and at the end of the run for pins still held.
 */
import { folio_test_anon, folio_test_ksm, page_folio } from '../mm/index.js';
import { pinned_page_exclusive, reportLostExclusive } from '../kernel/mm/gup_ledger.js';
import { gupState } from '../kernel/mm/gup_state.js';
import type { Checker } from './types.js';
import { atEnd } from './util.js';

export const pinLostExclusive: Checker = {
  id: 'gup.pin-lost-exclusive',
  description: 'A pinned anonymous page is no longer PageAnonExclusive.',
  kernelRef:
    'mm/gup.c: sanity_check_pinned_pages; include/linux/rmap.h: __folio_try_share_anon_rmap',
  alwaysOn: true,
  invariant: 14,
  install(k) {
    gupState(k).debugVm = true;
    atEnd(k, pinLostExclusive, () => {
      const s = gupState(k);
      const mem = k.mem;
      for (let p = 0; p < s.pinned.length; p++) {
        if (s.pinned[p] === 0 || p === mem.zero_pfn) continue;
        const f = page_folio(mem, p);
        if (!folio_test_anon(mem, f) || folio_test_ksm(mem, f)) continue;
        if (!pinned_page_exclusive(k, f, p)) reportLostExclusive(k, p, f);
      }
    });
  },
};
