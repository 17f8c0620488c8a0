/**
 * Model-only: long-lived holders of page pins announce what they hold. A vfio DMA mapping, an
 * RDMA umem, an io_uring fixed buffer keep their pins for as long as user space wants: they are
 * long-term by nature (Documentation/core-api/pin_user_pages.rst, CASE 2), whatever flags they
 * passed to GUP. Checkers (src/check/consumer_longterm.ts) watch these announcements; the kernel
 * model never decides anything from them.
 * @fidelity custom
 */
import type { Kernel } from '../kernel.js';

/** One long-lived holding, announced when the consumer has taken its pins. */
export interface LongtermHold {
  /** The consumer: `vfio`, `rdma`, `io_uring`. */
  readonly consumer: string;
  /** The kernel function that took the pins. */
  readonly fn: string;
  /** The pfns now held. */
  readonly pages: readonly number[];
  /** Where the scenario step is, when known. */
  readonly where: string | null;
}

export type LongtermHoldObserver = (k: Kernel, hold: LongtermHold) => void;

const observers = new WeakMap<Kernel, LongtermHoldObserver[]>();

/** Watch the holdings announced on this kernel. */
export function longterm_hold_observe(k: Kernel, o: LongtermHoldObserver): void {
  const list = observers.get(k) ?? [];
  list.push(o);
  observers.set(k, list);
}

/** Announce a holding (a no-op when nobody watches). */
export function longterm_hold(k: Kernel, hold: LongtermHold): void {
  for (const o of observers.get(k) ?? []) o(k, hold);
}
