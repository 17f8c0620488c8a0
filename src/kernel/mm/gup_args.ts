/**
 * mm/gup.c: is_valid_gup_args(), the argument rules every exported get/pin entry point applies
 * first, and the C-shaped argument types shared by the GUP files.
 *
 * A `pages` output array holds pfns (struct page * as its page frame number); C's `pages + i`
 * is the pair (array, offset). `locked` is C's `int *locked`: a cell, or null for NULL.
 */
import {
  FOLL_GET,
  FOLL_LONGTERM,
  FOLL_PCI_P2PDMA,
  FOLL_PIN,
  FOLL_UNLOCKABLE,
  INTERNAL_GUP_FLAGS,
} from '../include/gup_flags.js';
import type { Kernel } from '../kernel.js';
import { gup_warn } from './gup_call.js';
import { follNames } from './gup_trace.js';

/** struct page **pages: pfns, written from index 0 (or from an offset inside the kernel). */
export type PagesArray = Int32Array | number[];

/** int *locked: `{ value }`, or null for NULL. */
export interface LockedCell {
  value: number;
}

/** unsigned int *gup_flags_p. */
export interface FlagsCell {
  value: number;
}

const RULE = 'mm/gup.c: is_valid_gup_args';

/**
 * mm/gup.c: is_valid_gup_args. Checks the caller's flags, ORs in the wrapper's `to_set` (and
 * FOLL_UNLOCKABLE when `locked` is given) and writes them back; false (with a WARN naming the
 * rule) when the arguments are invalid. The wrapper decides what invalid returns.
 * @fidelity exact
 */
export function is_valid_gup_args(
  k: Kernel,
  pages: PagesArray | null,
  locked: LockedCell | null,
  gup_flags_p: FlagsCell,
  to_set: number,
): boolean {
  let gup_flags = gup_flags_p.value;
  if ((gup_flags & INTERNAL_GUP_FLAGS) !== 0) {
    const bad = follNames(gup_flags & INTERNAL_GUP_FLAGS);
    return !gup_warn(k, 'internal-flags', `caller passed internal flags ${bad}`, RULE);
  }
  gup_flags |= to_set;
  if (locked !== null) {
    if (locked.value !== 1) {
      const msg = `*locked is ${locked.value} on entry; it must be 1 (mmap_lock held for read)`;
      return !gup_warn(k, 'locked-not-1', msg, RULE);
    }
    gup_flags |= FOLL_UNLOCKABLE;
  }
  const why = invalidCombination(gup_flags, pages);
  if (why !== null) return !gup_warn(k, why[0], why[1], RULE);
  gup_flags_p.value = gup_flags >>> 0;
  return true;
}

/** Rules 4-7 of is_valid_gup_args: [rule id, message] of the first broken one, or null. */
function invalidCombination(flags: number, pages: PagesArray | null): [string, string] | null {
  if ((flags & (FOLL_PIN | FOLL_GET)) === (FOLL_PIN | FOLL_GET)) {
    return ['get-and-pin', 'FOLL_GET and FOLL_PIN are mutually exclusive'];
  }
  if ((flags & FOLL_PIN) === 0 && (flags & FOLL_LONGTERM) !== 0) {
    return ['longterm-without-pin', 'FOLL_LONGTERM can only be specified when pinning'];
  }
  if ((flags & (FOLL_GET | FOLL_PIN)) !== 0 && pages === null) {
    return ['no-pages', 'FOLL_GET/FOLL_PIN need a pages array'];
  }
  if ((flags & FOLL_LONGTERM) !== 0 && (flags & FOLL_PCI_P2PDMA) !== 0) {
    return ['longterm-p2pdma', 'FOLL_LONGTERM and FOLL_PCI_P2PDMA are mutually exclusive'];
  }
  return null;
}
