/**
 * Checker reports. A violation names the broken rule by a stable checker id and the kernel
 * function or rule it comes from; reports are sorted deterministically so results can be diffed.
 */

export interface Violation {
  /** Stable checker id, e.g. `lockdep.circular`, `gup.pin-leak`. */
  readonly id: string;
  /** One line saying what went wrong. */
  readonly message: string;
  /** Name of the thread that broke the rule, or null for end-of-run checks. */
  readonly thread: string | null;
  /** Steps executed when it was found. */
  readonly step: number;
  /** The kernel rule: the function (and file) that enforces it. */
  readonly rule: string;
  /** Where the offending object was taken (e.g. the pin behind a leak), if known. */
  readonly where?: string;
  /** Further lines: lock chains, stacks, holders. */
  readonly details?: readonly string[];
}

/** A checker's identity, for listings and docs. */
export interface CheckerInfo {
  readonly id: string;
  readonly description: string;
  /** The kernel function or document the rule comes from. */
  readonly kernelRef: string;
}

/** Checkers built into the engine. */
export const ENGINE_CHECKERS: readonly CheckerInfo[] = [
  {
    id: 'sched.deadlock',
    description: 'No thread can run while some are blocked; reports the wait-for cycle.',
    kernelRef: 'kernel/locking/lockdep.c (hung task: kernel/hung_task.c)',
  },
  {
    id: 'sched.livelock',
    description: 'The run exceeded its step budget without finishing.',
    kernelRef: 'kernel/watchdog.c: soft lockup detector',
  },
  {
    id: 'sched.sleep-in-atomic',
    description: 'A function that may sleep was called while a spinlock was held.',
    kernelRef: 'kernel/sched/core.c: __might_sleep',
  },
  {
    id: 'lockdep.circular',
    description: 'Two lock classes were taken in both orders: a possible ABBA deadlock.',
    kernelRef: 'kernel/locking/lockdep.c: check_noncircular',
  },
  {
    id: 'lockdep.recursive',
    description: 'A lock class was taken while already held, without a nesting annotation.',
    kernelRef: 'kernel/locking/lockdep.c: check_deadlock',
  },
  {
    id: 'lockdep.held-at-exit',
    description: 'A thread finished while holding locks.',
    kernelRef: 'kernel/locking/lockdep.c: lockdep_sys_exit',
  },
  {
    id: 'lockdep.bad-unlock',
    description: 'A lock was released by a thread that does not hold it.',
    kernelRef: 'kernel/locking/lockdep.c: print_unlock_imbalance_bug',
  },
  {
    id: 'model.bug',
    description: 'The model itself threw: a broken model invariant (VM_BUG_ON class).',
    kernelRef: 'include/linux/mmdebug.h: VM_BUG_ON',
  },
];

/** Total order on violations: step, then id, then thread, then message. */
export function compareViolations(a: Violation, b: Violation): number {
  return (
    a.step - b.step ||
    cmp(a.id, b.id) ||
    cmp(a.thread ?? '', b.thread ?? '') ||
    cmp(a.message, b.message)
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
