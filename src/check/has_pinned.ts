/** gup.has-pinned (invariant 12): a FOLL_PIN call that pinned something left MMF_HAS_PINNED set on the mm (sticky). */
import { MMF_HAS_PINNED, mm_flags_test } from '../mm/index.js';
import { FOLL_PIN } from '../kernel/include/gup_flags.js';
import type { Checker } from './types.js';
import { observe, report } from './util.js';

export const hasPinned: Checker = {
  id: 'gup.has-pinned',
  description: 'Any FOLL_PIN call sets MMF_HAS_PINNED on the mm before its pins are visible.',
  kernelRef:
    'mm/gup.c: mm_set_has_pinned_flag (from __get_user_pages_locked and gup_fast_fallback)',
  alwaysOn: true,
  invariant: 12,
  install(k) {
    observe(k, hasPinned, {
      callReturned(kk, info) {
        if (info.flags === null || (info.flags & FOLL_PIN) === 0 || info.ret <= 0) return;
        if (!mm_flags_test(MMF_HAS_PINNED, info.mm)) {
          report(
            kk,
            hasPinned,
            `${info.api} pinned ${info.ret} pages of mm${info.mm.mm_id} without MMF_HAS_PINNED`,
          );
        }
      },
    });
  },
};
