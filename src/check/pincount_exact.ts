/** gup.pincount-exact (invariant 2): a large folio counts its pins exactly in _pincount, each with a reference. */
import {
  F_PINCOUNT,
  folio_has_pincount,
  folio_large_field_get,
  folio_ref_count,
} from '../mm/index.js';
import { attachFolioRule } from './folio_pins.js';
import type { Checker } from './types.js';

export const pincountExact: Checker = {
  id: 'gup.pincount-exact',
  description: 'A large folio counts exactly its pins in _pincount, each with one reference.',
  kernelRef: 'mm/gup.c: try_grab_folio / gup_put_folio (folio_has_pincount: exact accounting)',
  alwaysOn: true,
  invariant: 2,
  install(k) {
    attachFolioRule(k, pincountExact, (kk, f, pins) => {
      if (!folio_has_pincount(kk.mem, f)) return null;
      const pc = folio_large_field_get(kk.mem, f, F_PINCOUNT);
      if (pc !== pins) return `_pincount is ${pc} but ${pins} pins are held`;
      const ref = folio_ref_count(kk.mem, f);
      return ref < pc ? `refcount ${ref} is below _pincount ${pc}` : null;
    });
  },
};
