/**
 * FOLL_* flags of get_user_pages() and pin_user_pages(): the caller-visible enum of
 * include/linux/mm_types.h (bits 0-12) and the internal enum of mm/internal.h (bits 16-22),
 * as of v6.18. Fidelity: exact values.
 */
import { constTable } from './const_table.js';

// include/linux/mm_types.h
/** check pte is writable */
export const FOLL_WRITE = 1 << 0;
/** do get_page on page */
export const FOLL_GET = 1 << 1;
/** give error on hole if it would be zero */
export const FOLL_DUMP = 1 << 2;
/** get_user_pages read/write w/o permission */
export const FOLL_FORCE = 1 << 3;
/** if a disk transfer is needed, start the IO and return without waiting upon it */
export const FOLL_NOWAIT = 1 << 4;
/** do not fault in pages */
export const FOLL_NOFAULT = 1 << 5;
/** check page is hwpoisoned */
export const FOLL_HWPOISON = 1 << 6;
/** don't do file mappings */
export const FOLL_ANON = 1 << 7;
/** the page will be held for an indefinite time period, often under userspace control */
export const FOLL_LONGTERM = 1 << 8;
/** split huge pmd before returning */
export const FOLL_SPLIT_PMD = 1 << 9;
/** allow returning PCI P2PDMA pages */
export const FOLL_PCI_P2PDMA = 1 << 10;
/** allow interrupts from generic signals */
export const FOLL_INTERRUPTIBLE = 1 << 11;
/** always honor (trigger) NUMA hinting faults */
export const FOLL_HONOR_NUMA_FAULT = 1 << 12;

// mm/internal.h: internal only, rejected by is_valid_gup_args() when a caller passes them
/** mark page accessed */
export const FOLL_TOUCH = 1 << 16;
/** a retry, previous pass started an IO */
export const FOLL_TRIED = 1 << 17;
/** we are working on non-current tsk/mm */
export const FOLL_REMOTE = 1 << 18;
/** pages must be released via unpin_user_page */
export const FOLL_PIN = 1 << 19;
/** gup_fast: prevent fall-back to slow gup */
export const FOLL_FAST_ONLY = 1 << 20;
/** allow unlocking the mmap lock */
export const FOLL_UNLOCKABLE = 1 << 21;
/** VMA lookup+checks compatible with MADV_POPULATE_(READ|WRITE) */
export const FOLL_MADV_POPULATE = 1 << 22;

/** mm/internal.h: INTERNAL_GUP_FLAGS */
export const INTERNAL_GUP_FLAGS =
  FOLL_TOUCH |
  FOLL_TRIED |
  FOLL_REMOTE |
  FOLL_PIN |
  FOLL_FAST_ONLY |
  FOLL_UNLOCKABLE |
  FOLL_MADV_POPULATE;

/** Every FOLL_* name, internal ones included (a scenario may pass them to provoke the WARN). */
export const follTable = constTable({
  family: 'FOLL_*',
  header: 'include/linux/mm_types.h, mm/internal.h',
  kind: 'bits',
  values: {
    FOLL_WRITE,
    FOLL_GET,
    FOLL_DUMP,
    FOLL_FORCE,
    FOLL_NOWAIT,
    FOLL_NOFAULT,
    FOLL_HWPOISON,
    FOLL_ANON,
    FOLL_LONGTERM,
    FOLL_SPLIT_PMD,
    FOLL_PCI_P2PDMA,
    FOLL_INTERRUPTIBLE,
    FOLL_HONOR_NUMA_FAULT,
    FOLL_TOUCH,
    FOLL_TRIED,
    FOLL_REMOTE,
    FOLL_PIN,
    FOLL_FAST_ONLY,
    FOLL_UNLOCKABLE,
    FOLL_MADV_POPULATE,
  },
});
