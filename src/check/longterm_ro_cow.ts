/**
 * gup.longterm-ro-cow (invariant 21): a FOLL_LONGTERM read-only pin in a COW (private) mapping
 * never returns a page-cache page or the zero page: it unshares first, and pins the exclusive
 * anon copy.
 */
import { folio_test_anon, is_cow_mapping, page_folio } from '../mm/index.js';
import { FOLL_LONGTERM, FOLL_PIN, FOLL_WRITE } from '../kernel/include/gup_flags.js';
import type { Checker } from './types.js';
import { eachReturned, observe, report } from './util.js';

export const longtermRoCow: Checker = {
  id: 'gup.longterm-ro-cow',
  description:
    'A long-term read-only pin in a private mapping returns an anon page, not page cache or the zero page.',
  kernelRef: 'mm/internal.h: gup_must_unshare (FOLL_LONGTERM, non-anon page, is_cow_mapping)',
  alwaysOn: true,
  invariant: 21,
  install(k) {
    observe(k, longtermRoCow, {
      callReturned(kk, info) {
        const f = info.flags;
        if (
          f === null ||
          (f & (FOLL_LONGTERM | FOLL_PIN)) !== (FOLL_LONGTERM | FOLL_PIN) ||
          (f & FOLL_WRITE) !== 0
        )
          return;
        eachReturned(kk, info, (page, vma, addr) => {
          if (!is_cow_mapping(vma.vm_flags)) return;
          if (page === kk.mem.zero_pfn || !folio_test_anon(kk.mem, page_folio(kk.mem, page))) {
            report(
              kk,
              longtermRoCow,
              `${info.api} long-term R/O pin at 0x${addr.toString(16)} returned ${page === kk.mem.zero_pfn ? 'the zero page' : `page-cache page ${page}`}`,
            );
          }
        });
      },
    });
  },
};
