/**
 * gup.fast-fallback (invariant 24): the fast prefix and the slow remainder are contiguous, and a
 * slow-path error after a fast prefix returns the prefix count (the caller must release it).
 */
import type { GupFallbackInfo } from '../kernel/mm/gup_state.js';
import type { Checker } from './types.js';
import { observe, report } from './util.js';

function expected(info: GupFallbackInfo): number {
  if (info.slow === null) return info.nr_pinned;
  if (info.slow < 0) return info.nr_pinned > 0 ? info.nr_pinned : info.slow;
  return info.slow + info.nr_pinned;
}

export const fastFallback: Checker = {
  id: 'gup.fast-fallback',
  description:
    'GUP-fast prefix plus slow-path remainder add up; a slow error keeps the prefix count.',
  kernelRef: 'mm/gup.c: gup_fast_fallback',
  alwaysOn: true,
  invariant: 24,
  install(k) {
    observe(k, fastFallback, {
      fallbackDone(kk, info) {
        const want = expected(info);
        if (info.ret !== want || info.ret > info.nr_pages) {
          report(
            kk,
            fastFallback,
            `fast ${info.nr_pinned} + slow ${info.slow} returned ${info.ret}, expected ${want}`,
          );
        }
      },
    });
  },
};
