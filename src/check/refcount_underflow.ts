/**
 * gup.refcount-underflow: a release would take a folio's refcount (or _pincount) below zero; at
 * the end of the run, no folio GUP handed out may have a negative count.
 */
import { F_PINCOUNT, folio_has_pincount, folio_large_field_get, page_folio } from '../mm/index.js';
import type { Checker } from './types.js';
import { atEnd, report } from './util.js';

export const refcountUnderflow: Checker = {
  id: 'gup.refcount-underflow',
  description: "A folio's refcount or pincount went (or would go) below zero.",
  kernelRef: 'include/linux/mm.h: folio_put_testzero (VM_BUG_ON_FOLIO on a zero refcount)',
  alwaysOn: true,
  invariant: 1,
  install(k) {
    atEnd(k, refcountUnderflow, () => {
      const mem = k.mem;
      for (let f = 0; f < mem.nr_pages; f++) {
        if (page_folio(mem, f) !== f) continue;
        const pin = folio_has_pincount(mem, f) ? folio_large_field_get(mem, f, F_PINCOUNT) : 0;
        if (mem._refcount[f]! < 0 || pin < 0) {
          report(
            k,
            refcountUnderflow,
            `folio ${f}: refcount ${mem._refcount[f]}, pincount ${pin}`,
            undefined,
            String(f),
          );
        }
      }
    });
  },
};
