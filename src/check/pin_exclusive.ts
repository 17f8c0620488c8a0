/**
 * gup.pin-exclusive (invariant 13): every anon page a FOLL_PIN call returns is PageAnonExclusive
 * (small and hugetlb folios: the page; THP: the page or the head), so the pin and the page table
 * keep seeing the same page.
 */
import { folio_test_anon, folio_test_ksm, page_folio } from '../mm/index.js';
import { FOLL_PIN } from '../kernel/include/gup_flags.js';
import { pinned_page_exclusive } from '../kernel/mm/gup_ledger.js';
import type { Checker } from './types.js';
import { observe, report, returned } from './util.js';

export const pinExclusive: Checker = {
  id: 'gup.pin-exclusive',
  description: 'An anonymous page returned by a FOLL_PIN call is PageAnonExclusive.',
  kernelRef:
    'mm/gup.c: follow_page_pte, gup_fast_pte_range (gup_must_unshare: R/O pins unshare first)',
  alwaysOn: true,
  invariant: 13,
  install(k) {
    observe(k, pinExclusive, {
      callReturned(kk, info) {
        if (info.flags === null || (info.flags & FOLL_PIN) === 0) return;
        const mem = kk.mem;
        for (const p of returned(info, info.ret)) {
          if (p < 0 || p === mem.zero_pfn) continue;
          const f = page_folio(mem, p);
          if (!folio_test_anon(mem, f) || folio_test_ksm(mem, f) || pinned_page_exclusive(kk, f, p))
            continue;
          report(kk, pinExclusive, `${info.api} returned non-exclusive anon page ${p}`);
        }
      },
    });
  },
};
