/**
 * gup.call-lock (invariant 11): mmap_lock as the `locked` contract says. Without `locked` the
 * caller's lock state is unchanged; with *locked == 1 on entry, *locked on return says whether
 * the lock is still held.
 */
import type { GupCallInfo } from '../kernel/mm/gup_state.js';
import type { Checker } from './types.js';
import { observe, report } from './util.js';

function problem(info: GupCallInfo): string | null {
  if (info.lockedIn === null || info.flags === null) {
    return info.heldAfter === info.heldBefore
      ? null
      : `mmap_lock was ${info.heldBefore ? '' : 'not '}held on entry but is ${info.heldAfter ? '' : 'not '}on return`;
  }
  if (info.lockedOut === null) return null;
  if ((info.lockedOut === 1) !== info.heldAfter) {
    return `*locked is ${info.lockedOut} on return but mmap_lock is ${info.heldAfter ? '' : 'not '}held`;
  }
  return info.lockedOut === 0 || info.lockedOut === 1
    ? null
    : `*locked is ${info.lockedOut} on return`;
}

export const callLock: Checker = {
  id: 'gup.call-lock',
  description: 'mmap_lock and *locked on return match the locked contract.',
  kernelRef: 'mm/gup.c: __get_user_pages_locked (the *locked contract)',
  alwaysOn: true,
  invariant: 11,
  install(k) {
    observe(k, callLock, {
      callReturned(kk, info) {
        const why = problem(info);
        if (why !== null) report(kk, callLock, `${info.api}: ${why}`);
      },
    });
  },
};
