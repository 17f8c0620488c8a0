/**
 * madvise: mm/madvise.c (v6.18) do_madvise with madvise_walk_vmas: MADV_DONTNEED(_LOCKED)
 * (zap the range), MADV_DONTFORK / DOFORK (VM_DONTCOPY), MADV_WIPEONFORK / KEEPONFORK,
 * MADV_HUGEPAGE / NOHUGEPAGE (hugepage_madvise), MADV_COLLAPSE (khugepaged.ts),
 * MADV_POPULATE_READ / WRITE (GUP's madvise_populate), the flag-only hints, and MADV_PAGEOUT /
 * MADV_COLD (madvise_pageout.ts, which hands the folios to reclaim in vmscan.ts).
 * Gaps in the range give -ENOMEM after the mapped parts were handled, as in the kernel.
 * @fidelity simplified: MADV_FREE marks nothing lazyfree (no reclaim to discard it), KSM
 * (MERGEABLE) only sets the flag, guard regions, MADV_REMOVE, MADV_HWPOISON and
 * MADV_SOFT_OFFLINE are not modelled (-EINVAL)
 */
import { PAGE_SIZE } from '../../mm/layout.js';
import { find_vma, vma_lookup, type VmAreaStruct } from '../../mm/vma.js';
import type { Sched } from '../../sim/thread.js';
import { maskAnd, maskAndNot, maskOr } from '../include/bits.js';
import { EINTR, EINVAL, ENOMEM } from '../include/errno.js';
import {
  MADV_COLD,
  MADV_COLLAPSE,
  MADV_DODUMP,
  MADV_DOFORK,
  MADV_DONTDUMP,
  MADV_DONTFORK,
  MADV_DONTNEED,
  MADV_DONTNEED_LOCKED,
  MADV_FREE,
  MADV_HUGEPAGE,
  MADV_KEEPONFORK,
  MADV_MERGEABLE,
  MADV_NOHUGEPAGE,
  MADV_NORMAL,
  MADV_PAGEOUT,
  MADV_POPULATE_READ,
  MADV_POPULATE_WRITE,
  MADV_RANDOM,
  MADV_SEQUENTIAL,
  MADV_UNMERGEABLE,
  MADV_WILLNEED,
  MADV_WIPEONFORK,
} from '../include/mman.js';
import {
  VM_DONTCOPY,
  VM_DONTDUMP,
  VM_DROPPABLE,
  VM_HUGEPAGE,
  VM_HUGETLB,
  VM_IO,
  VM_LOCKED,
  VM_MERGEABLE,
  VM_NOHUGEPAGE,
  VM_PFNMAP,
  VM_RAND_READ,
  VM_SEQ_READ,
  VM_SHARED,
  VM_SPECIAL,
  VM_WIPEONFORK,
} from '../include/vm_flags.js';
import { userfaultfd_remove } from '../fs/userfaultfd_event.js';
import type { Kernel } from '../kernel.js';
import { madvise_populate } from './gup_populate.js';
import { madvise_cold_or_pageout } from './madvise_pageout.js';
import { hstate_vma } from './hugetlb.js';
import { madvise_collapse } from './khugepaged.js';
import { zap_vma_range } from './memory_zap.js';
import {
  mmap_read_lock,
  mmap_read_unlock,
  mmap_write_lock_killable,
  mmap_write_unlock,
} from './mmap_lock.js';
import type { mm_struct } from './mm_struct.js';
import { split_vma, vma_merge } from './vma.js';

const VALID = new Set([
  MADV_NORMAL,
  MADV_RANDOM,
  MADV_SEQUENTIAL,
  MADV_WILLNEED,
  MADV_DONTNEED,
  MADV_FREE,
  MADV_DONTFORK,
  MADV_DOFORK,
  MADV_MERGEABLE,
  MADV_UNMERGEABLE,
  MADV_HUGEPAGE,
  MADV_NOHUGEPAGE,
  MADV_DONTDUMP,
  MADV_DODUMP,
  MADV_WIPEONFORK,
  MADV_KEEPONFORK,
  MADV_COLD,
  MADV_PAGEOUT,
  MADV_POPULATE_READ,
  MADV_POPULATE_WRITE,
  MADV_DONTNEED_LOCKED,
  MADV_COLLAPSE,
]);

/** mm/madvise.c: madvise_behavior_valid(behavior) (restricted to the modelled advice). @fidelity simplified */
export function madvise_behavior_valid(behavior: number): boolean {
  return VALID.has(behavior);
}

/** mm/madvise.c: madvise_need_mmap_write(behavior): the VMA-flag advice takes the write lock. @fidelity exact */
function madvise_need_mmap_write(behavior: number): boolean {
  switch (behavior) {
    case MADV_WILLNEED:
    case MADV_DONTNEED:
    case MADV_DONTNEED_LOCKED:
    case MADV_COLD:
    case MADV_PAGEOUT:
    case MADV_FREE:
    case MADV_POPULATE_READ:
    case MADV_POPULATE_WRITE:
    case MADV_COLLAPSE:
      return false;
    default:
      return true;
  }
}

/** The vm_flags change of a flag-only advice, or null when the advice is not one. */
function newFlags(vma: VmAreaStruct, behavior: number): number | null | number[] {
  const f = vma.vm_flags;
  switch (behavior) {
    case MADV_NORMAL:
      return maskAndNot(f, VM_RAND_READ | VM_SEQ_READ);
    case MADV_SEQUENTIAL:
      return maskOr(maskAndNot(f, VM_RAND_READ), VM_SEQ_READ);
    case MADV_RANDOM:
      return maskOr(maskAndNot(f, VM_SEQ_READ), VM_RAND_READ);
    case MADV_DONTFORK:
      return (f & VM_IO) !== 0 ? [-EINVAL] : maskOr(f, VM_DONTCOPY);
    case MADV_DOFORK:
      return (f & VM_IO) !== 0 ? [-EINVAL] : maskAndNot(f, VM_DONTCOPY);
    case MADV_WIPEONFORK:
      return vma.vm_file !== null || (f & VM_SHARED) !== 0 ? [-EINVAL] : maskOr(f, VM_WIPEONFORK);
    case MADV_KEEPONFORK:
      return maskAnd(f, VM_DROPPABLE) !== 0 ? [-EINVAL] : maskAndNot(f, VM_WIPEONFORK);
    case MADV_DONTDUMP:
      return maskOr(f, VM_DONTDUMP);
    case MADV_DODUMP:
      return maskAnd(f, VM_SPECIAL) !== 0 && maskAnd(f, VM_DROPPABLE) === 0
        ? [-EINVAL]
        : maskAndNot(f, VM_DONTDUMP);
    case MADV_MERGEABLE:
      return maskOr(f, VM_MERGEABLE);
    case MADV_UNMERGEABLE:
      return maskAndNot(f, VM_MERGEABLE);
    case MADV_HUGEPAGE:
      return maskOr(maskAndNot(f, VM_NOHUGEPAGE), VM_HUGEPAGE);
    case MADV_NOHUGEPAGE:
      return maskOr(maskAndNot(f, VM_HUGEPAGE), VM_NOHUGEPAGE);
    default:
      return null;
  }
}

/** mm/madvise.c: madvise_update_vma(vma, prev, start, end, new_flags): split, set, merge. @fidelity simplified */
function* madvise_update_vma(
  k: Kernel,
  mm: mm_struct,
  vma: VmAreaStruct,
  start: number,
  end: number,
  flags: number,
): Sched<number> {
  if (flags === vma.vm_flags) return 0;
  if (start > vma.vm_start) {
    const r = yield* split_vma(k, mm, vma, start, true);
    if (r !== 0) return r;
  }
  if (end < vma.vm_end) {
    const r = yield* split_vma(k, mm, vma, end, false);
    if (r !== 0) return r;
  }
  vma.vm_flags = flags;
  vma_merge(k, mm, vma);
  return 0;
}

/** mm/madvise.c: madvise_dontneed_free_valid_vma: the end (rounded for hugetlb), or -EINVAL. @fidelity exact */
function madvise_dontneed_free_valid_vma(
  k: Kernel,
  vma: VmAreaStruct,
  start: number,
  end: number,
  behavior: number,
): number {
  if (maskAnd(vma.vm_flags, VM_HUGETLB) !== 0) {
    if (behavior !== MADV_DONTNEED && behavior !== MADV_DONTNEED_LOCKED) return -EINVAL;
    const h = hstate_vma(k, vma);
    if (start % h.size !== 0) return -EINVAL;
    return Math.min(vma.vm_end, Math.ceil(end / h.size) * h.size);
  }
  const forbidden = VM_PFNMAP | (behavior !== MADV_DONTNEED_LOCKED ? VM_LOCKED : 0);
  return (vma.vm_flags & forbidden) !== 0 ? -EINVAL : end;
}

/**
 * mm/madvise.c: madvise_dontneed_free(vma, start, end, behavior). A VMA whose userfaultfd has
 * UFFD_FEATURE_EVENT_REMOVE first sends UFFD_EVENT_REMOVE, which drops mmap_lock while the
 * handler reads it (userfaultfd_remove returns false): the lock is re-taken, the VMA looked up
 * again (-ENOMEM if gone, -EINVAL if no longer suitable) and the end clipped to it.
 * @fidelity simplified (MADV_FREE does nothing)
 */
function* madvise_dontneed(
  k: Kernel,
  mm: mm_struct,
  vma: VmAreaStruct,
  start: number,
  end: number,
  behavior: number,
): Sched<number> {
  end = madvise_dontneed_free_valid_vma(k, vma, start, end, behavior);
  if (end < 0) return end;
  if (start === end) return 0;
  if (!(yield* userfaultfd_remove(k, vma, start, end))) {
    yield* mmap_read_lock(mm);
    const again = vma_lookup(mm, start);
    if (again === null) return -ENOMEM;
    vma = again;
    end = madvise_dontneed_free_valid_vma(k, vma, start, end, behavior);
    if (end < 0) return end;
    end = Math.min(end, vma.vm_end);
    if (start === end) return 0;
  }
  if (behavior === MADV_FREE) return 0;
  yield* zap_vma_range(vma, start, end - start, null, 'MADV_DONTNEED');
  return 0;
}

function* madvise_vma_behavior(
  k: Kernel,
  mm: mm_struct,
  vma: VmAreaStruct,
  start: number,
  end: number,
  behavior: number,
): Sched<number> {
  switch (behavior) {
    case MADV_DONTNEED:
    case MADV_DONTNEED_LOCKED:
    case MADV_FREE:
      return yield* madvise_dontneed(k, mm, vma, start, end, behavior);
    case MADV_WILLNEED:
      return 0;
    case MADV_COLD:
    case MADV_PAGEOUT:
      return yield* madvise_cold_or_pageout(k, vma, start, end, behavior);
    default: {
      const nf = newFlags(vma, behavior);
      if (nf === null) return -EINVAL;
      if (Array.isArray(nf)) return nf[0]!;
      return yield* madvise_update_vma(k, mm, vma, start, end, nf);
    }
  }
}

/**
 * mm/madvise.c: do_madvise(mm, start, len_in, behavior): 0, or -EINVAL, -ENOMEM (unmapped
 * addresses in the range), -EINTR, or what the advice returns.
 * @fidelity simplified (see the file comment)
 */
export function* do_madvise(
  k: Kernel,
  mm: mm_struct,
  start: number,
  len_in: number,
  behavior: number,
): Sched<number> {
  if (!madvise_behavior_valid(behavior)) return -EINVAL;
  if (start % PAGE_SIZE !== 0) return -EINVAL;
  const len = Math.ceil(len_in / PAGE_SIZE) * PAGE_SIZE;
  const end = start + len;
  if (end < start) return -EINVAL;
  if (end === start) return 0;
  let ret: number;
  if (behavior === MADV_POPULATE_READ || behavior === MADV_POPULATE_WRITE) {
    yield* mmap_read_lock(mm);
    ret = yield* madvise_populate(k, mm, start, end, behavior);
    yield* mmap_read_unlock(mm);
  } else if (behavior === MADV_COLLAPSE) {
    ret = yield* madvise_collapse_range(k, mm, start, end);
  } else if (madvise_need_mmap_write(behavior)) {
    if ((yield* mmap_write_lock_killable(mm)) !== 0) return -EINTR;
    ret = yield* madvise_walk_vmas(k, mm, start, end, behavior);
    yield* mmap_write_unlock(mm);
  } else {
    yield* mmap_read_lock(mm);
    ret = yield* madvise_walk_vmas(k, mm, start, end, behavior);
    yield* mmap_read_unlock(mm);
  }
  if (k.m.trace.enabled) {
    k.m.emit(
      'mm.syscall',
      {
        mm: mm.mm_id,
        call: 'madvise',
        args: `start=0x${start.toString(16)} len=${len} advice=${behavior}`,
        ret,
      },
      'mm/madvise.c: do_madvise',
    );
  }
  return ret;
}

/** mm/madvise.c: madvise_walk_vmas(mm, start, end, behavior): apply per VMA; holes give -ENOMEM. @fidelity exact */
function* madvise_walk_vmas(
  k: Kernel,
  mm: mm_struct,
  start: number,
  end: number,
  behavior: number,
): Sched<number> {
  let unmapped_error = 0;
  let vma = find_vma(mm, start);
  while (vma !== null && vma.vm_start < end) {
    if (start < vma.vm_start) {
      unmapped_error = -ENOMEM;
      start = vma.vm_start;
    }
    const tmp = Math.min(vma.vm_end, end);
    const r = yield* madvise_vma_behavior(k, mm, vma, start, tmp, behavior);
    if (r !== 0) return r;
    start = tmp;
    if (start >= end) break;
    vma = find_vma(mm, start);
  }
  if (start < end) unmapped_error = -ENOMEM;
  return unmapped_error;
}

function* madvise_collapse_range(
  k: Kernel,
  mm: mm_struct,
  start: number,
  end: number,
): Sched<number> {
  yield* mmap_read_lock(mm);
  const vma = find_vma(mm, start);
  if (vma === null || vma.vm_start > start) {
    yield* mmap_read_unlock(mm);
    return -ENOMEM;
  }
  return yield* madvise_collapse(k, mm, vma, start, end);
}
