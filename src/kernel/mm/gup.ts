/**
 * The get_user_pages() / pin_user_pages() entry points (mm/gup.c). Each is thin: check the
 * arguments (is_valid_gup_args), OR in its mandatory flags, call one worker.
 *
 *   entry point               forced flags                   mmap_lock            invalid args
 *   get_user_pages            TOUCH (+GET)                   caller holds         -EINVAL
 *   get_user_pages_remote     TOUCH|REMOTE (+UNLOCKABLE)     caller holds         -EINVAL
 *   get_user_pages_unlocked   TOUCH|UNLOCKABLE (+GET)        GUP takes            -EINVAL
 *   get_user_pages_fast       GET                            lockless, then GUP   -EINVAL
 *   get_user_pages_fast_only  GET|FAST_ONLY                  never                -EINVAL
 *   pin_user_pages            PIN (no TOUCH)                 caller holds         0
 *   pin_user_pages_remote     PIN|TOUCH|REMOTE (+UNLOCKABLE) caller holds         0
 *   pin_user_pages_unlocked   PIN|TOUCH|UNLOCKABLE           GUP takes            0
 *   pin_user_pages_fast       PIN                            lockless, then GUP   -EINVAL
 *
 * `pages` is an array of pfns (or null where the kernel allows NULL); `locked` a cell or null.
 * The optional last argument `off` is C's `pages + off`: the entries are written from there.
 * Release pins with unpin_user_page(s) (gup_unpin.ts), GET references with put_page.
 */
import type { Sched } from '../../sim/thread.js';
import { EINVAL } from '../include/errno.js';
import {
  FOLL_FAST_ONLY,
  FOLL_GET,
  FOLL_PIN,
  FOLL_REMOTE,
  FOLL_TOUCH,
  FOLL_UNLOCKABLE,
} from '../include/gup_flags.js';
import type { Kernel } from '../kernel.js';
import { is_valid_gup_args, type FlagsCell, type LockedCell, type PagesArray } from './gup_args.js';
import { gup_enter, gup_leave } from './gup_call.js';
import { gup_fast_fallback } from './gup_fast.js';
import { __get_user_pages_locked } from './gup_locked.js';
import { __gup_longterm_locked } from './gup_longterm.js';
import { gupState, gup_solo, type GupCall } from './gup_state.js';
import { mmap_lock_held_by_current } from './mmap_lock.js';
import type { mm_struct } from './mm_struct.js';

/** One entry-point call in progress: its frame and what the contract checkers compare. */
interface ApiCall {
  readonly frame: GupCall;
  readonly api: string;
  readonly mm: mm_struct;
  readonly start: number;
  readonly nr_pages: number;
  readonly gup_flags: number;
  readonly pages: PagesArray | null;
  readonly off: number;
  readonly lockedIn: number | null;
  readonly heldBefore: boolean;
  readonly netBefore: number;
  readonly aloneAtEntry: boolean;
}

function current_mm(k: Kernel, api: string): mm_struct {
  const mm = k.current.mm;
  if (mm === null)
    throw new Error(`${api}: current->mm is NULL (a kernel thread must use the _remote variants)`);
  return mm;
}

function begin(
  k: Kernel,
  api: string,
  mm: mm_struct,
  start: number,
  nr_pages: number,
  gup_flags: number,
  pages: PagesArray | null,
  locked: LockedCell | null,
  off: number,
): ApiCall {
  const lockedIn = locked === null ? null : locked.value;
  const frame = gup_enter(k, api, start, nr_pages, gup_flags, lockedIn);
  const heldBefore = mmap_lock_held_by_current(mm);
  const netBefore = gupState(k).net[k.m.self.id] ?? 0;
  const aloneAtEntry = gup_solo(k.m);
  return {
    aloneAtEntry,
    frame,
    api,
    mm,
    start,
    nr_pages,
    gup_flags,
    pages,
    off,
    lockedIn,
    heldBefore,
    netBefore,
  };
}

function end<T extends number>(
  k: Kernel,
  c: ApiCall,
  ret: T,
  f: FlagsCell | null,
  locked: LockedCell | null,
): T {
  const s = gupState(k);
  const lockedOut = locked === null ? null : locked.value;
  if (s.observers.length > 0) {
    const info = {
      api: c.api,
      mm: c.mm,
      start: c.start,
      nr_pages: c.nr_pages,
      gup_flags: c.gup_flags,
      flags: f === null ? null : f.value,
      pages: c.pages,
      off: c.off,
      ret,
      lockedIn: c.lockedIn,
      lockedOut,
      heldBefore: c.heldBefore,
      heldAfter: mmap_lock_held_by_current(c.mm),
      net: (s.net[k.m.self.id] ?? 0) - c.netBefore,
      aloneAtEntry: c.aloneAtEntry,
    };
    for (const o of s.observers) o.callReturned?.(k, info);
  }
  return gup_leave(k, c.frame, ret, c.nr_pages, lockedOut);
}

/** One call of a slow-path entry point: what differs between the wrappers. */
interface SlowCall {
  readonly api: string;
  readonly mm: mm_struct;
  readonly start: number;
  readonly nr_pages: number;
  readonly gup_flags: number;
  readonly pages: PagesArray | null;
  /** The caller's `int *locked`, or null for the wrappers without one. */
  readonly locked: LockedCell | null;
  readonly off: number;
  /** The flags the wrapper ORs in (is_valid_gup_args' to_set). */
  readonly mandatory: number;
  /** What invalid arguments return: -EINVAL for get_*, 0 for pin_*. */
  readonly invalid: number;
  /** The cell the worker uses: the caller's, or the wrapper's own (1: held, 0: GUP takes it). */
  readonly cell: LockedCell;
  readonly worker: typeof __get_user_pages_locked;
}

/**
 * The shared body of the slow-path wrappers of mm/gup.c: check the arguments (is_valid_gup_args
 * with the wrapper's mandatory flags), run the worker, and report the call.
 */
function* slowEntry(k: Kernel, s: SlowCall): Sched<number> {
  const c = begin(k, s.api, s.mm, s.start, s.nr_pages, s.gup_flags, s.pages, s.locked, s.off);
  const f = { value: s.gup_flags };
  if (!is_valid_gup_args(k, s.pages, s.locked, f, s.mandatory))
    return end(k, c, s.invalid, null, s.locked);
  const ret = yield* s.worker(k, s.mm, s.start, s.nr_pages, s.pages, s.off, s.cell, f.value);
  return end(k, c, ret, f, s.locked);
}

/**
 * mm/gup.c: get_user_pages_remote(mm, start, nr_pages, gup_flags, pages, locked): take page
 * references in `mm`, whose mmap_lock the caller holds (for read if `locked` is given: then GUP
 * may drop it, and *locked says whether it is still held).
 * @fidelity exact
 */
export function* get_user_pages_remote(
  k: Kernel,
  mm: mm_struct,
  start: number,
  nr_pages: number,
  gup_flags: number,
  pages: PagesArray | null,
  locked: LockedCell | null,
  off = 0,
): Sched<number> {
  return yield* slowEntry(k, {
    api: 'get_user_pages_remote',
    mm: mm,
    start,
    nr_pages,
    gup_flags,
    pages,
    locked: locked,
    off,
    mandatory: FOLL_TOUCH | FOLL_REMOTE,
    invalid: -EINVAL,
    cell: locked ?? { value: 1 },
    worker: __get_user_pages_locked,
  });
}

/**
 * mm/gup.c: get_user_pages(start, nr_pages, gup_flags, pages): take page references in
 * current->mm; the caller holds mmap_lock (read or write) and GUP never drops it.
 * @fidelity exact
 */
export function* get_user_pages(
  k: Kernel,
  start: number,
  nr_pages: number,
  gup_flags: number,
  pages: PagesArray | null,
  off = 0,
): Sched<number> {
  const mm = current_mm(k, 'get_user_pages');
  return yield* slowEntry(k, {
    api: 'get_user_pages',
    mm: mm,
    start,
    nr_pages,
    gup_flags,
    pages,
    locked: null,
    off,
    mandatory: FOLL_TOUCH,
    invalid: -EINVAL,
    cell: { value: 1 },
    worker: __get_user_pages_locked,
  });
}

/**
 * mm/gup.c: get_user_pages_unlocked(start, nr_pages, pages, gup_flags) (note the argument
 * order): GUP takes and releases mmap_lock itself; the caller must not hold it.
 * @fidelity exact
 */
export function* get_user_pages_unlocked(
  k: Kernel,
  start: number,
  nr_pages: number,
  pages: PagesArray | null,
  gup_flags: number,
  off = 0,
): Sched<number> {
  const mm = current_mm(k, 'get_user_pages_unlocked');
  return yield* slowEntry(k, {
    api: 'get_user_pages_unlocked',
    mm: mm,
    start,
    nr_pages,
    gup_flags,
    pages,
    locked: null,
    off,
    mandatory: FOLL_TOUCH | FOLL_UNLOCKABLE,
    invalid: -EINVAL,
    cell: { value: 0 },
    worker: __get_user_pages_locked,
  });
}

/**
 * mm/gup.c: get_user_pages_fast_only(start, nr_pages, gup_flags, pages): the lockless walk
 * only; never faults, never takes mmap_lock (IRQ-safe). Returns the pages it got (0..nr).
 * @fidelity exact
 */
export function* get_user_pages_fast_only(
  k: Kernel,
  start: number,
  nr_pages: number,
  gup_flags: number,
  pages: PagesArray,
  off = 0,
): Sched<number> {
  const mm = current_mm(k, 'get_user_pages_fast_only');
  const c = begin(k, 'get_user_pages_fast_only', mm, start, nr_pages, gup_flags, pages, null, off);
  const f = { value: gup_flags };
  if (!is_valid_gup_args(k, pages, null, f, FOLL_GET | FOLL_FAST_ONLY))
    return end(k, c, -EINVAL, null, null);
  const ret = yield* gup_fast_fallback(k, start, nr_pages, f.value, pages, off);
  return end(k, c, ret, f, null);
}

/** The shared body of get_user_pages_fast and pin_user_pages_fast (they differ in FOLL_GET/PIN). */
function* fastEntry(
  k: Kernel,
  name: 'get_user_pages_fast' | 'pin_user_pages_fast',
  to_set: number,
  start: number,
  nr_pages: number,
  gup_flags: number,
  pages: PagesArray | null,
  off: number,
): Sched<number> {
  const mm = current_mm(k, name);
  const c = begin(k, name, mm, start, nr_pages, gup_flags, pages, null, off);
  const f = { value: gup_flags };
  if (!is_valid_gup_args(k, pages, null, f, to_set)) return end(k, c, -EINVAL, null, null);
  const ret = yield* gup_fast_fallback(k, start, nr_pages, f.value, pages!, off);
  return end(k, c, ret, f, null);
}

/**
 * mm/gup.c: get_user_pages_fast(start, nr_pages, gup_flags, pages): lockless first, then the
 * slow path for the rest (GUP takes mmap_lock). `pages` is mandatory.
 * @fidelity exact
 */
export function get_user_pages_fast(
  k: Kernel,
  start: number,
  nr_pages: number,
  gup_flags: number,
  pages: PagesArray | null,
  off = 0,
): Sched<number> {
  // The entry's own generator is fastEntry's: one frame fewer per call (callers yield* it).
  return fastEntry(k, 'get_user_pages_fast', FOLL_GET, start, nr_pages, gup_flags, pages, off);
}

/**
 * mm/gup.c: pin_user_pages_fast(start, nr_pages, gup_flags, pages): like get_user_pages_fast
 * with FOLL_PIN. Invalid arguments: -EINVAL.
 * @fidelity exact
 */
export function pin_user_pages_fast(
  k: Kernel,
  start: number,
  nr_pages: number,
  gup_flags: number,
  pages: PagesArray | null,
  off = 0,
): Sched<number> {
  // The entry's own generator is fastEntry's: one frame fewer per call (callers yield* it).
  return fastEntry(k, 'pin_user_pages_fast', FOLL_PIN, start, nr_pages, gup_flags, pages, off);
}

/**
 * mm/gup.c: pin_user_pages_remote(mm, start, nr_pages, gup_flags, pages, locked): pin pages of
 * `mm` (caller holds mmap_lock). Invalid arguments return 0, not -EINVAL.
 * @fidelity exact
 */
export function* pin_user_pages_remote(
  k: Kernel,
  mm: mm_struct,
  start: number,
  nr_pages: number,
  gup_flags: number,
  pages: PagesArray | null,
  locked: LockedCell | null,
  off = 0,
): Sched<number> {
  return yield* slowEntry(k, {
    api: 'pin_user_pages_remote',
    mm: mm,
    start,
    nr_pages,
    gup_flags,
    pages,
    locked: locked,
    off,
    mandatory: FOLL_PIN | FOLL_TOUCH | FOLL_REMOTE,
    invalid: 0,
    cell: locked ?? { value: 1 },
    worker: __gup_longterm_locked,
  });
}

/**
 * mm/gup.c: pin_user_pages(start, nr_pages, gup_flags, pages): pin pages of current->mm, caller
 * holding mmap_lock. No FOLL_TOUCH. Invalid arguments return 0, not -EINVAL.
 * @fidelity exact
 */
export function pin_user_pages(
  k: Kernel,
  start: number,
  nr_pages: number,
  gup_flags: number,
  pages: PagesArray | null,
  off = 0,
): Sched<number> {
  // The entry's own generator is slowEntry's: one frame fewer per call (callers yield* it).
  const mm = current_mm(k, 'pin_user_pages');
  return slowEntry(k, {
    api: 'pin_user_pages',
    mm: mm,
    start,
    nr_pages,
    gup_flags,
    pages,
    locked: null,
    off,
    mandatory: FOLL_PIN,
    invalid: 0,
    cell: { value: 1 },
    worker: __gup_longterm_locked,
  });
}

/**
 * mm/gup.c: pin_user_pages_unlocked(start, nr_pages, pages, gup_flags): pin with GUP taking
 * mmap_lock itself. Invalid arguments return 0, not -EINVAL.
 * @fidelity exact
 */
export function* pin_user_pages_unlocked(
  k: Kernel,
  start: number,
  nr_pages: number,
  pages: PagesArray | null,
  gup_flags: number,
  off = 0,
): Sched<number> {
  const mm = current_mm(k, 'pin_user_pages_unlocked');
  return yield* slowEntry(k, {
    api: 'pin_user_pages_unlocked',
    mm: mm,
    start,
    nr_pages,
    gup_flags,
    pages,
    locked: null,
    off,
    mandatory: FOLL_PIN | FOLL_TOUCH | FOLL_UNLOCKABLE,
    invalid: 0,
    cell: { value: 0 },
    worker: __gup_longterm_locked,
  });
}

// The rest of the family, so callers import GUP from one place.
export { is_valid_gup_args } from './gup_args.js';
export type { FlagsCell, LockedCell, PagesArray } from './gup_args.js';
export {
  folio_add_pin,
  folio_add_pins,
  folio_maybe_dma_pinned,
  gup_put_folio,
  page_maybe_dma_pinned,
  try_grab_folio,
  try_grab_folio_fast,
} from './gup_pin.js';
export {
  put_page,
  unpin_folio,
  unpin_folios,
  unpin_user_folio,
  unpin_user_page,
  unpin_user_pages,
} from './gup_unpin.js';
export {
  unpin_user_page_range_dirty_lock,
  unpin_user_pages_dirty_lock,
} from './gup_unpin_dirty.js';
export {
  __mm_populate,
  fault_in_safe_writeable,
  faultin_page_range,
  fixup_user_fault,
  get_dump_page,
  madvise_populate,
  populate_vma_page_range,
} from './gup_populate.js';
export { memfd_pin_folios } from './gup_memfd.js';
export { gup_fast_fallback } from './gup_fast.js';
