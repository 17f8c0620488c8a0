/** gup.pin-bias (invariant 3): a small folio holds GUP_PIN_COUNTING_BIAS references per pin. */
import { GUP_PIN_COUNTING_BIAS, folio_has_pincount, folio_ref_count } from '../mm/index.js';
import { attachFolioRule } from './folio_pins.js';
import type { Checker } from './types.js';

export const pinBias: Checker = {
  id: 'gup.pin-bias',
  description: 'A small folio holds GUP_PIN_COUNTING_BIAS references per pin.',
  kernelRef: 'mm/gup.c: try_grab_folio (refs * GUP_PIN_COUNTING_BIAS on small folios)',
  alwaysOn: true,
  invariant: 3,
  install(k) {
    attachFolioRule(k, pinBias, (kk, f, pins) => {
      if (folio_has_pincount(kk.mem, f) || f === kk.mem.zero_pfn) return null;
      const ref = folio_ref_count(kk.mem, f);
      return ref < pins * GUP_PIN_COUNTING_BIAS
        ? `refcount ${ref} is below ${pins} x ${GUP_PIN_COUNTING_BIAS}`
        : null;
    });
  },
};
