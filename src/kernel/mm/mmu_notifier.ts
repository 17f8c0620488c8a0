/**
 * MMU notifiers: include/linux/mmu_notifier.h and mm/mmu_notifier.c (v6.18). A secondary MMU
 * (KVM's EPT/NPT, an IOMMU with shared page tables, a GPU driver) subscribes to an mm; every mm
 * path that takes a page away from a range of the primary page tables, or write-protects it,
 * brackets the change with mmu_notifier_invalidate_range_start() / _end(), and the subscriber
 * drops its own mappings of the range at start and may map again after end. This is why such a
 * subscriber needs no pin (Documentation/core-api/pin_user_pages.rst, CASE 5).
 *
 * Paths hooked in this model (each call is marked "mmu notifier hook" at its site):
 *   zap_vma_range (zap_page_range_single: MADV_DONTNEED...)   MMU_NOTIFY_CLEAR
 *   unmap_vmas (munmap, exit_mmap)                            MMU_NOTIFY_UNMAP
 *   wp_page_copy (a COW or unshare replaces the page)         MMU_NOTIFY_CLEAR
 *   copy_page_range (fork write-protects a COW mapping)       MMU_NOTIFY_PROTECTION_PAGE
 * Not hooked yet: try_to_unmap/try_to_migrate, mprotect, mremap, THP split/collapse,
 * page_mkclean, KSM. With no subscriber on the mm the hooks do nothing and add no scheduling
 * point, so programs without a secondary MMU explore exactly as before.
 *
 * @fidelity simplified: no SRCU (subscriptions are never freed during a run), no
 * mmu_interval_notifier, no clear_young/test_young/release callbacks, a failed non-blockable
 * start (-EAGAIN) is not modelled (every range here is blockable).
 */
import type { Sched } from '../../sim/thread.js';
import { mmap_write_lock, mmap_write_unlock } from './mmap_lock.js';
import type { mm_struct } from './mm_struct.js';

/** include/linux/mmu_notifier.h: enum mmu_notifier_event. */
export const MMU_NOTIFY_UNMAP = 0;
export const MMU_NOTIFY_CLEAR = 1;
export const MMU_NOTIFY_PROTECTION_VMA = 2;
export const MMU_NOTIFY_PROTECTION_PAGE = 3;
export const MMU_NOTIFY_SOFT_DIRTY = 4;
export const MMU_NOTIFY_RELEASE = 5;
export const MMU_NOTIFY_MIGRATE = 6;
export const MMU_NOTIFY_EXCLUSIVE = 7;

/** include/linux/mmu_notifier.h: MMU_NOTIFIER_RANGE_BLOCKABLE. */
export const MMU_NOTIFIER_RANGE_BLOCKABLE = 1 << 0;

/** include/linux/mmu_notifier.h: struct mmu_notifier_range. */
export interface mmu_notifier_range {
  readonly mm: mm_struct;
  readonly start: number;
  readonly end: number;
  readonly event: number;
  readonly flags: number;
}

/** include/linux/mmu_notifier.h: struct mmu_notifier_ops (the callbacks this model calls). */
export interface mmu_notifier_ops {
  invalidate_range_start?(sub: mmu_notifier, range: mmu_notifier_range): Sched<number>;
  invalidate_range_end?(sub: mmu_notifier, range: mmu_notifier_range): Sched<void>;
}

/** include/linux/mmu_notifier.h: struct mmu_notifier (embedded in its owner, e.g. struct kvm). */
export interface mmu_notifier {
  readonly ops: mmu_notifier_ops;
  mm: mm_struct | null;
}

/** mm->notifier_subscriptions: the subscribers of each mm. */
const subscriptions = new WeakMap<mm_struct, mmu_notifier[]>();

/** include/linux/mmu_notifier.h: mm_has_notifiers(mm). @fidelity exact */
export function mm_has_notifiers(mm: mm_struct): boolean {
  const subs = subscriptions.get(mm);
  return subs !== undefined && subs.length > 0;
}

/**
 * mm/mmu_notifier.c: mmu_notifier_register(subscription, mm): subscribe under the mmap write
 * lock (so no invalidation is half-way through when the subscriber appears). Returns 0.
 * @fidelity simplified (no allocation failure)
 */
export function* mmu_notifier_register(sub: mmu_notifier, mm: mm_struct): Sched<number> {
  yield* mmap_write_lock(mm);
  __mmu_notifier_register(sub, mm);
  yield* mmap_write_unlock(mm);
  return 0;
}

/** mm/mmu_notifier.c: __mmu_notifier_register(subscription, mm), caller holds mmap_lock. @fidelity simplified */
export function __mmu_notifier_register(sub: mmu_notifier, mm: mm_struct): void {
  let subs = subscriptions.get(mm);
  if (subs === undefined) {
    subs = [];
    subscriptions.set(mm, subs);
  }
  sub.mm = mm;
  subs.push(sub);
}

/** mm/mmu_notifier.c: mmu_notifier_unregister(subscription, mm). @fidelity simplified (no ->release call) */
export function mmu_notifier_unregister(sub: mmu_notifier, mm: mm_struct): void {
  const subs = subscriptions.get(mm);
  const i = subs === undefined ? -1 : subs.indexOf(sub);
  if (i >= 0) subs!.splice(i, 1);
  sub.mm = null;
}

/** include/linux/mmu_notifier.h: mmu_notifier_range_init(range, event, flags, mm, start, end). @fidelity exact */
export function mmu_notifier_range_init(
  event: number,
  flags: number,
  mm: mm_struct,
  start: number,
  end: number,
): mmu_notifier_range {
  return { mm, start, end, event, flags: flags | MMU_NOTIFIER_RANGE_BLOCKABLE };
}

/** include/linux/mmu_notifier.h: mmu_notifier_range_blockable(range). @fidelity exact */
export function mmu_notifier_range_blockable(range: mmu_notifier_range): boolean {
  return (range.flags & MMU_NOTIFIER_RANGE_BLOCKABLE) !== 0;
}

/**
 * include/linux/mmu_notifier.h: mmu_notifier_invalidate_range_start(range) ->
 * mm/mmu_notifier.c: __mmu_notifier_invalidate_range_start: call every subscriber's
 * invalidate_range_start. Before it returns, no secondary MMU maps the range.
 * @fidelity simplified (see the file comment)
 */
export function* mmu_notifier_invalidate_range_start(range: mmu_notifier_range): Sched<void> {
  const subs = subscriptions.get(range.mm);
  if (subs === undefined || subs.length === 0) return;
  const m = range.mm.k.m;
  m.enter('mm/mmu_notifier.c: __mmu_notifier_invalidate_range_start');
  for (const sub of [...subs]) {
    const start = sub.ops.invalidate_range_start;
    if (start !== undefined) yield* start.call(sub.ops, sub, range);
  }
  m.leave();
}

/**
 * include/linux/mmu_notifier.h: mmu_notifier_invalidate_range_end(range) ->
 * mm/mmu_notifier.c: __mmu_notifier_invalidate_range_end: the primary change is complete.
 * @fidelity simplified
 */
export function* mmu_notifier_invalidate_range_end(range: mmu_notifier_range): Sched<void> {
  const subs = subscriptions.get(range.mm);
  if (subs === undefined || subs.length === 0) return;
  const m = range.mm.k.m;
  m.enter('mm/mmu_notifier.c: __mmu_notifier_invalidate_range_end');
  for (const sub of [...subs]) {
    const end = sub.ops.invalidate_range_end;
    if (end !== undefined) yield* end.call(sub.ops, sub, range);
  }
  m.leave();
}
