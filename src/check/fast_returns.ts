/**
 * gup.fast-returns (invariant 23): GUP-fast never returns the zero page, a non-exclusive anon
 * page for a read pin, a folio that is not long-term pinnable under FOLL_LONGTERM, or a non-shmem
 * file folio for FOLL_PIN|FOLL_LONGTERM|FOLL_WRITE (the slow path decides those with the VMA).
 */
import {
  folio_is_longterm_pinnable,
  folio_test_anon,
  folio_test_hugetlb,
  folio_test_ksm,
  page_folio,
} from '../mm/index.js';
import { FOLL_LONGTERM, FOLL_PIN, FOLL_WRITE } from '../kernel/include/gup_flags.js';
import type { Kernel } from '../kernel/kernel.js';
import { pinned_page_exclusive } from '../kernel/mm/gup_ledger.js';
import { mapping_facts } from '../kernel/mm/gup_fast_allowed.js';
import type { GupFastInfo } from '../kernel/mm/gup_state.js';
import type { Checker } from './types.js';
import { observe, report } from './util.js';

function problem(k: Kernel, info: GupFastInfo, page: number): string | null {
  const mem = k.mem;
  const f = info.flags;
  if (page === mem.zero_pfn) return 'the zero page';
  const folio = page_folio(mem, page);
  const anon = folio_test_anon(mem, folio);
  if (
    (f & (FOLL_PIN | FOLL_WRITE)) === FOLL_PIN &&
    anon &&
    !folio_test_ksm(mem, folio) &&
    !pinned_page_exclusive(k, folio, page)
  ) {
    return 'a non-exclusive anon page for a read pin';
  }
  if ((f & FOLL_LONGTERM) !== 0 && !folio_is_longterm_pinnable(mem, folio))
    return 'a folio that is not long-term pinnable';
  const ltw = FOLL_PIN | FOLL_LONGTERM | FOLL_WRITE;
  if ((f & ltw) === ltw && !anon && !folio_test_hugetlb(mem, folio)) {
    const facts = mapping_facts(k, folio, mem.mapping[folio]!);
    if (facts.shmem !== true) return 'a non-shmem file folio for a long-term write pin';
  }
  return null;
}

export const fastReturns: Checker = {
  id: 'gup.fast-returns',
  description: 'GUP-fast returns only pages the slow path would also accept without the VMA.',
  kernelRef: 'mm/gup.c: gup_fast_pte_range, try_grab_folio_fast, gup_fast_folio_allowed',
  alwaysOn: true,
  invariant: 23,
  install(k) {
    observe(k, fastReturns, {
      fastReturned(kk, info) {
        for (let i = 0; i < info.nr; i++) {
          const page = info.pages[info.off + i]!;
          const why = problem(kk, info, page);
          if (why !== null) report(kk, fastReturns, `GUP-fast returned page ${page}: ${why}`);
        }
      },
    });
  },
};
