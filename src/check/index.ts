/**
 * The checker registry: every checker with its id, one-line description, the kernel rule it
 * enforces, and whether it is always on. `installAlwaysOnCheckers(k)` attaches the always-on ones
 * to a kernel (the scenario runner does this for every execution); `installCheckers(k, ids)`
 * attaches a chosen set. The ids are the `id` of the violations they report.
 */
import type { Kernel } from '../kernel/kernel.js';
import type { CheckerInfo } from '../sim/violation.js';
import { accessUnpinned } from './access_unpinned.js';
import { callLock } from './call_lock.js';
import { callReturn } from './call_return.js';
import { consumerLongtermMovable } from './consumer_longterm.js';
import { doubleRelease } from './double_release.js';
import { fastFallback } from './fast_fallback.js';
import { fastForkOverlap } from './fast_fork_overlap.js';
import { fastReturns } from './fast_returns.js';
import { forceWrite } from './force_write.js';
import { forkPinnedShared } from './fork_pinned.js';
import { fsWarnCheckers } from './fs_warn.js';
import { gupWarnCheckers } from './gup_warn.js';
import { hasPinned } from './has_pinned.js';
import { iovIterCheckers } from './iov_iter.js';
import { kvmStaleSpte } from './kvm_stale_spte.js';
import { longtermAllOrNothing } from './longterm_all_or_nothing.js';
import { longtermDirtyTracking } from './longterm_dirty_tracking.js';
import { longtermLivelock } from './longterm_livelock.js';
import { longtermPinnable } from './longterm_pinnable.js';
import { longtermRoCow } from './longterm_ro_cow.js';
import { maybePinned } from './maybe_pinned.js';
import { pinBias } from './pin_bias.js';
import { pinExclusive } from './pin_exclusive.js';
import { pinLeak } from './pin_leak.js';
import { pinLostExclusive } from './pin_lost_exclusive.js';
import { pinWriteAfterClean } from './pin_write_after_clean.js';
import { pincountExact } from './pincount_exact.js';
import { refLeak } from './ref_leak.js';
import { refcountUnderflow } from './refcount_underflow.js';
import { releaseMismatch } from './release_mismatch.js';
import type { Checker } from './types.js';
import { vmstatBalance } from './vmstat_balance.js';
import { writableNonExclusive } from './writable_non_exclusive.js';
import { xenDmOpUnpinned } from './xen_dm_op_unpinned.js';
import { zeroPagePin } from './zero_page.js';

export type { Checker } from './types.js';

/** Every checker, in a fixed order. */
export const CHECKERS: readonly Checker[] = [
  pinLeak,
  refLeak,
  releaseMismatch,
  doubleRelease,
  refcountUnderflow,
  pinLostExclusive,
  fastForkOverlap,
  pincountExact,
  pinBias,
  maybePinned,
  zeroPagePin,
  vmstatBalance,
  callReturn,
  callLock,
  hasPinned,
  pinExclusive,
  writableNonExclusive,
  forkPinnedShared,
  forceWrite,
  longtermPinnable,
  longtermDirtyTracking,
  longtermRoCow,
  longtermAllOrNothing,
  longtermLivelock,
  fastReturns,
  fastFallback,
  accessUnpinned,
  kvmStaleSpte,
  ...gupWarnCheckers,
  pinWriteAfterClean,
  ...fsWarnCheckers,
  ...iovIterCheckers,
  consumerLongtermMovable,
  xenDmOpUnpinned,
];

/** The checker with this id, if any. */
export function checker(id: string): Checker | undefined {
  return CHECKERS.find((c) => c.id === id);
}

/** id, description and kernel rule of every checker (for listings and docs). */
export function checkerInfos(): CheckerInfo[] {
  return CHECKERS.map(({ id, description, kernelRef }) => ({ id, description, kernelRef }));
}

/** Attach the always-on checkers to a kernel. */
export function installAlwaysOnCheckers(k: Kernel): void {
  for (const c of CHECKERS) if (c.alwaysOn) c.install(k);
}

/** Attach the checkers with these ids (default: all). Unknown ids are a model bug. */
export function installCheckers(k: Kernel, ids?: readonly string[]): void {
  for (const id of ids ?? CHECKERS.map((c) => c.id)) {
    const c = checker(id);
    if (c === undefined) throw new Error(`no checker '${id}'`);
    c.install(k);
  }
}
