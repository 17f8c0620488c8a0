/**
 * gup.warn.* (invariants 8 and 9): caller misuse the kernel WARNs about, reported by the kernel
 * code under `gup.warn.<rule>`. One registry entry per rule.
 */
import { reportedByKernel, type Checker } from './types.js';

const ARGS = 'mm/gup.c: is_valid_gup_args';

/** [rule, description, kernel rule, invariant]. */
const RULES: readonly (readonly [string, string, string, number])[] = [
  [
    'internal-flags',
    'The caller passed an internal FOLL_* flag (FOLL_PIN, FOLL_TOUCH, FOLL_REMOTE...).',
    ARGS,
    9,
  ],
  ['locked-not-1', '*locked was not 1 on entry.', ARGS, 9],
  [
    'get-and-pin',
    'FOLL_GET and FOLL_PIN together (e.g. FOLL_GET passed to pin_user_pages*).',
    ARGS,
    9,
  ],
  [
    'longterm-without-pin',
    'FOLL_LONGTERM without FOLL_PIN (long-term needs pin_user_pages*).',
    ARGS,
    9,
  ],
  ['no-pages', 'FOLL_GET or FOLL_PIN without a pages array.', ARGS, 9],
  ['longterm-p2pdma', 'FOLL_LONGTERM with FOLL_PCI_P2PDMA.', ARGS, 9],
  [
    'fast-flags',
    'A flag GUP-fast does not accept (FOLL_NOWAIT, FOLL_HWPOISON, FOLL_SPLIT_PMD...).',
    'mm/gup.c: gup_fast_fallback',
    9,
  ],
  [
    'mmap-lock-not-held',
    'A GUP entry point that needs mmap_lock was called without it.',
    'mm/gup.c: __get_user_pages_locked (mmap_assert_locked)',
    11,
  ],
  [
    'unpin-errno',
    'unpin_user_pages / unpin_folios got a negative count (a GUP error passed in).',
    'mm/gup.c: unpin_user_pages',
    8,
  ],
  [
    'dirty-lock-null',
    'unpin_user_pages_dirty_lock got a NULL entry.',
    'mm/gup.c: unpin_user_pages_dirty_lock',
    8,
  ],
  [
    'nothing-pinned',
    '__get_user_pages_locked got no page without FOLL_NOWAIT (returns -EFAULT).',
    'mm/gup.c: __get_user_pages_locked',
    10,
  ],
  [
    'pages-vs-flags',
    'pages given without FOLL_GET/FOLL_PIN, or the reverse.',
    'mm/gup.c: __get_user_pages',
    9,
  ],
  [
    'grab-unreferenced',
    'try_grab_folio on a folio with no reference.',
    'mm/gup.c: try_grab_folio',
    1,
  ],
  [
    'refcount-overflow',
    'A folio refcount is negative (overflowed) in GUP-fast.',
    'mm/gup.c: try_get_folio',
    1,
  ],
  [
    'pin-not-exclusive',
    'FOLL_PIN of a non-exclusive anon page in the slow path.',
    'mm/gup.c: follow_page_pte',
    13,
  ],
  [
    'add-pin-unpinned',
    'folio_add_pin(s) on a folio that is not pinned.',
    'mm/gup.c: folio_add_pin',
    8,
  ],
  [
    'unshare-write',
    'FAULT_FLAG_WRITE and FAULT_FLAG_UNSHARE together.',
    'mm/gup.c: faultin_page',
    15,
  ],
  [
    'completed-nowait',
    'VM_FAULT_COMPLETED with FAULT_FLAG_RETRY_NOWAIT.',
    'mm/gup.c: faultin_page',
    11,
  ],
  [
    'retry-result',
    '__get_user_pages returned an impossible value after dropping mmap_lock.',
    'mm/gup.c: __get_user_pages_locked',
    11,
  ],
  [
    'fast-no-get-pin',
    'try_grab_folio_fast without FOLL_GET or FOLL_PIN.',
    'mm/gup.c: try_grab_folio_fast',
    9,
  ],
];

export const gupWarnCheckers: readonly Checker[] = RULES.map(
  ([rule, description, kernelRef, invariant]) =>
    reportedByKernel({ id: `gup.warn.${rule}`, description, kernelRef, alwaysOn: true, invariant }),
);
