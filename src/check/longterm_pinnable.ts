/**
 * gup.longterm-pinnable (invariant 19): a FOLL_LONGTERM success returns only long-term pinnable
 * folios (not ZONE_MOVABLE, not CMA or isolated; the zero page is fine) and nothing of an fsdax
 * mapping.
 */
import { folio_is_longterm_pinnable, page_folio } from '../mm/index.js';
import { FOLL_LONGTERM } from '../kernel/include/gup_flags.js';
import { vma_is_fsdax } from '../kernel/mm/gup_vma.js';
import type { Checker } from './types.js';
import { eachReturned, observe, report, returned } from './util.js';

export const longtermPinnable: Checker = {
  id: 'gup.longterm-pinnable',
  description:
    'A FOLL_LONGTERM pin returns only long-term pinnable folios, never from an fsdax mapping.',
  kernelRef:
    'mm/gup.c: check_and_migrate_movable_pages, check_vma_flags; include/linux/mm.h: folio_is_longterm_pinnable',
  alwaysOn: true,
  invariant: 19,
  install(k) {
    observe(k, longtermPinnable, {
      callReturned(kk, info) {
        if (info.flags === null || (info.flags & FOLL_LONGTERM) === 0 || info.ret <= 0) return;
        for (const p of returned(info, info.ret)) {
          if (p >= 0 && !folio_is_longterm_pinnable(kk.mem, page_folio(kk.mem, p))) {
            report(
              kk,
              longtermPinnable,
              `${info.api} long-term pinned page ${p} in movable memory (ZONE_MOVABLE/CMA)`,
              undefined,
              String(p),
            );
          }
        }
        eachReturned(kk, info, (page, vma) => {
          if (vma_is_fsdax(vma))
            report(
              kk,
              longtermPinnable,
              `${info.api} long-term pinned page ${page} of an fsdax mapping`,
            );
        });
      },
    });
  },
};
