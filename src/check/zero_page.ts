/**
 * gup.zero-page-pin (invariant 5): FOLL_PIN never changes the shared zero page's refcount (nor
 * vmstat). At the end of the run the zero page holds what it held at install time plus the
 * FOLL_GET references still in the ledger.
 */
import { gupState } from '../kernel/mm/gup_state.js';
import type { Checker } from './types.js';
import { atEnd, report } from './util.js';

export const zeroPagePin: Checker = {
  id: 'gup.zero-page-pin',
  description: 'Pinning never changes the shared zero page refcount.',
  kernelRef: 'mm/gup.c: try_grab_folio / gup_put_folio (is_zero_folio: no pin accounting)',
  alwaysOn: true,
  invariant: 5,
  install(k) {
    const zero = k.mem.zero_pfn;
    const base = k.mem._refcount[zero]! - gupState(k).gotten[zero]!;
    atEnd(k, zeroPagePin, () => {
      const want = base + gupState(k).gotten[zero]!;
      const have = k.mem._refcount[zero]!;
      if (have !== want) report(k, zeroPagePin, `zero page refcount is ${have}, expected ${want}`);
    });
  },
};
