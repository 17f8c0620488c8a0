/**
 * gup.fast-fork-overlap: a FOLL_PIN GUP-fast walk that returns pins never overlaps fork's
 * write-protect window: no page may have been taken while write_protect_seq was odd or after it
 * moved (the walk observes the seqcount itself at each page it takes).
 */
import { FOLL_PIN } from '../kernel/include/gup_flags.js';
import type { Checker } from './types.js';
import { observe, report } from './util.js';

export const fastForkOverlap: Checker = {
  id: 'gup.fast-fork-overlap',
  description: "A GUP-fast pin was returned although fork's write-protect ran during the walk.",
  kernelRef:
    'mm/gup.c: gup_fast (raw_seqcount_try_begin / read_seqcount_retry on mm->write_protect_seq)',
  alwaysOn: true,
  invariant: 18,
  install(k) {
    observe(k, fastForkOverlap, {
      fastReturned(kk, info) {
        if ((info.flags & FOLL_PIN) === 0 || info.nr === 0 || !info.overlap) return;
        report(
          kk,
          fastForkOverlap,
          `GUP-fast returned ${info.nr} pins of mm${info.mm.mm_id} taken during fork's write-protect window`,
        );
      },
    });
  },
};
