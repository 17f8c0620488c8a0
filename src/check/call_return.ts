/**
 * gup.call-return (invariant 10): what an entry point returns obeys the call contract. A value
 * in {-errno} or [0, nr_pages]; 0 only with FOLL_NOWAIT, FOLL_FAST_ONLY (get_user_pages_fast_only),
 * nr_pages == 0, or a pin_* invalid-argument rejection; on k > 0 exactly pages[0..k) gained one
 * reference each, mapping start .. start + (k-1) pages; on k <= 0 no reference is left behind.
 */
import { MAX_ERRNO } from '../kernel/include/errno.js';
import { FOLL_FAST_ONLY, FOLL_NOWAIT, FOLL_PIN } from '../kernel/include/gup_flags.js';
import type { Kernel } from '../kernel/kernel.js';
import { gupState, type GupCallInfo } from '../kernel/mm/gup_state.js';
import type { Checker } from './types.js';
import { mappedAt, observe, report, returned } from './util.js';

function zeroAllowed(info: GupCallInfo): boolean {
  if (info.nr_pages <= 0) return true;
  if (info.flags === null) return info.api.startsWith('pin_') && !info.api.endsWith('_fast');
  return (info.flags & (FOLL_NOWAIT | FOLL_FAST_ONLY)) !== 0;
}

function valueProblem(info: GupCallInfo): string | null {
  const { ret, nr_pages } = info;
  if (ret < 0) return ret < -MAX_ERRNO ? `returned ${ret}, which is not an errno` : null;
  if (nr_pages >= 0 && ret > nr_pages) return `returned ${ret} for ${nr_pages} pages`;
  if (ret === 0 && !zeroAllowed(info))
    return 'returned 0 without FOLL_NOWAIT (must be a count or an errno)';
  return null;
}

function refProblem(k: Kernel, info: GupCallInfo): string | null {
  if (info.pages === null || info.flags === null) {
    return info.net !== 0 ? `references changed by ${info.net} without a pages array` : null;
  }
  const want = info.ret > 0 ? info.ret : 0;
  if (info.net !== want) return `references changed by ${info.net}, expected ${want}`;
  const s = gupState(k);
  const held = (info.flags & FOLL_PIN) !== 0 ? s.pinned : s.gotten;
  for (const p of returned(info, want))
    if (p < 0 || held[p] === 0) return `pages[] holds ${p}, which carries no reference`;
  return null;
}

function addressProblem(k: Kernel, info: GupCallInfo): string | null {
  // Only when nothing else ran during the call: once GUP drops mmap_lock (always, before an
  // _unlocked call returns) another thread may remap the range and finish.
  if (!info.aloneAtEntry) return null;
  const pages = returned(info, info.ret);
  const start = info.start - (info.start % 4096);
  for (let i = 0; i < pages.length; i++) {
    const at = mappedAt(k, info.mm, start + i * 4096);
    if (at !== pages[i]) return `pages[${i}] is ${pages[i]} but ${at} is mapped at that address`;
  }
  return null;
}

export const callReturn: Checker = {
  id: 'gup.call-return',
  description:
    'An entry point returns a count in [0, nr_pages] or an errno, with exactly that many references.',
  kernelRef: 'mm/gup.c: __get_user_pages_locked, __get_user_pages (the return contract)',
  alwaysOn: true,
  invariant: 10,
  install(k) {
    observe(k, callReturn, {
      callReturned(kk, info) {
        const why = valueProblem(info) ?? refProblem(kk, info) ?? addressProblem(kk, info);
        if (why !== null) report(kk, callReturn, `${info.api}: ${why}`);
      },
    });
  },
};
