/**
 * What every checker is: an id (the `id` of the violations it reports), a one-line description,
 * the kernel rule it enforces, whether it is always on, and how it attaches to a kernel.
 */
import type { Kernel } from '../kernel/kernel.js';
import type { CheckerInfo } from '../sim/violation.js';

export interface Checker extends CheckerInfo {
  /** Installed on every run (scenarios, explorer), not only when asked for. */
  readonly alwaysOn: boolean;
  /** The gup-core.md §10 invariant it checks, if any (1-24). */
  readonly invariant?: number;
  /** Attach to a kernel (observers, end-of-run checks). Idempotent. */
  install(k: Kernel): void;
}

/** A checker whose reports come from the kernel code itself (nothing to attach). */
export function reportedByKernel(info: Omit<Checker, 'install'>): Checker {
  return { ...info, install: () => undefined };
}
