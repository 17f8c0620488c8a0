/**
 * Faulting user memory in without keeping references (mm/gup.c: fixup_user_fault,
 * populate_vma_page_range, faultin_page_range, __mm_populate, get_dump_page,
 * fault_in_safe_writeable; mm/madvise.c: madvise_populate for MADV_POPULATE_READ/WRITE).
 */
import { PAGE_SIZE, find_vma_intersection, type VmAreaStruct } from '../../mm/index.js';
import { fatal_signal_pending } from '../../sim/sched.js';
import type { Sched } from '../../sim/thread.js';
import { EFAULT, EHWPOISON, EINTR, EINVAL, ENOMEM } from '../include/errno.js';
import {
  FAULT_FLAG_ALLOW_RETRY,
  FAULT_FLAG_KILLABLE,
  FAULT_FLAG_TRIED,
  FAULT_FLAG_WRITE,
  VM_FAULT_COMPLETED,
  VM_FAULT_ERROR,
  VM_FAULT_RETRY,
} from '../include/fault_flags.js';
import {
  FOLL_DUMP,
  FOLL_FORCE,
  FOLL_GET,
  FOLL_HWPOISON,
  FOLL_MADV_POPULATE,
  FOLL_TOUCH,
  FOLL_UNLOCKABLE,
  FOLL_WRITE,
} from '../include/gup_flags.js';
import { MADV_POPULATE_WRITE } from '../include/mman.js';
import {
  VM_IO,
  VM_LOCKONFAULT,
  VM_PFNMAP,
  VM_READ,
  VM_SHARED,
  VM_WRITE,
} from '../include/vm_flags.js';
import type { Kernel } from '../kernel.js';
import type { LockedCell } from './gup_args.js';
import { handle_mm_fault } from './gup_deps.js';
import { vm_fault_to_errno } from './gup_internal.js';
import { __get_user_pages_locked } from './gup_locked.js';
import { __get_user_pages } from './gup_slow.js';
import { gup_vma_lookup } from './gup_vma.js';
import { vma_is_accessible } from './internal.js';
import { mmap_read_lock, mmap_read_unlock } from './mmap_lock.js';
import type { mm_struct } from './mm_struct.js';

/** mm/gup.c: vma_permits_fault: write needs VM_WRITE, read needs VM_READ (no FOLL_FORCE here). @fidelity exact */
export function vma_permits_fault(vma: VmAreaStruct, fault_flags: number): boolean {
  const need = (fault_flags & FAULT_FLAG_WRITE) !== 0 ? VM_WRITE : VM_READ;
  return (vma.vm_flags & need) !== 0;
}

/**
 * mm/gup.c: fixup_user_fault(mm, address, fault_flags, unlocked): resolve one fault with
 * mmap_lock held for read. With `unlocked` the fault may drop the lock: it is re-taken (never
 * returns with it dropped) and *unlocked set. Takes no page reference. Errors map with no GUP
 * flags (hwpoison is -EFAULT).
 * @fidelity exact
 */
export function* fixup_user_fault(
  k: Kernel,
  mm: mm_struct,
  address: number,
  fault_flags: number,
  unlocked: { value: boolean } | null,
): Sched<number> {
  if (unlocked !== null) fault_flags |= FAULT_FLAG_ALLOW_RETRY | FAULT_FLAG_KILLABLE;
  for (;;) {
    const vma = gup_vma_lookup(mm, address);
    if (vma === null || !vma_permits_fault(vma, fault_flags)) return -EFAULT;
    if ((fault_flags & FAULT_FLAG_KILLABLE) !== 0 && fatal_signal_pending(k.m.self)) return -EINTR;
    const ret = yield* handle_mm_fault(k, vma, address, fault_flags);
    if ((ret & VM_FAULT_COMPLETED) !== 0) {
      yield* mmap_read_lock(mm);
      unlocked!.value = true;
      return 0;
    }
    if ((ret & VM_FAULT_ERROR) !== 0) {
      const err = vm_fault_to_errno(ret, 0);
      if (err === 0) throw new Error(`fixup_user_fault: BUG: fault result 0x${ret.toString(16)}`);
      return err;
    }
    if ((ret & VM_FAULT_RETRY) === 0) return 0;
    yield* mmap_read_lock(mm);
    unlocked!.value = true;
    fault_flags |= FAULT_FLAG_TRIED;
  }
}

/**
 * mm/gup.c: populate_vma_page_range(vma, start, end, locked): fault in [start, end) of one VMA
 * (mlock, MAP_POPULATE): a write fault for private writable mappings (breaks COW), else a read
 * with FOLL_FORCE. VM_LOCKONFAULT: nothing to do; PROT_NONE: -EFAULT.
 * @fidelity exact
 */
export function* populate_vma_page_range(
  k: Kernel,
  vma: VmAreaStruct,
  start: number,
  end: number,
  locked: LockedCell | null,
): Sched<number> {
  const mm = vma.vm_mm as mm_struct;
  const nr_pages = (end - start) / PAGE_SIZE;
  if ((vma.vm_flags & VM_LOCKONFAULT) !== 0) return nr_pages;
  if (!vma_is_accessible(vma)) return -EFAULT;
  let gup_flags = FOLL_TOUCH;
  if ((vma.vm_flags & (VM_WRITE | VM_SHARED)) === VM_WRITE) gup_flags |= FOLL_WRITE;
  else gup_flags |= FOLL_FORCE;
  if (locked !== null) gup_flags |= FOLL_UNLOCKABLE;
  return yield* __get_user_pages(
    k,
    mm,
    start,
    nr_pages,
    gup_flags,
    null,
    0,
    locked ?? { value: 1 },
  );
}

/**
 * mm/gup.c: faultin_page_range(mm, start, end, write, locked): prefault [start, end) for
 * MADV_POPULATE_*: no FOLL_FORCE, VMA problems reported as -ENOMEM (hole) or -EINVAL.
 * @fidelity exact
 */
export function* faultin_page_range(
  k: Kernel,
  mm: mm_struct,
  start: number,
  end: number,
  write: boolean,
  locked: LockedCell,
): Sched<number> {
  const nr_pages = (end - start) / PAGE_SIZE;
  let gup_flags = FOLL_TOUCH | FOLL_HWPOISON | FOLL_UNLOCKABLE | FOLL_MADV_POPULATE;
  if (write) gup_flags |= FOLL_WRITE;
  return yield* __get_user_pages_locked(k, mm, start, nr_pages, null, 0, locked, gup_flags);
}

/**
 * mm/madvise.c: madvise_populate(mm, start, end, behavior): MADV_POPULATE_READ/WRITE, with
 * mmap_lock held for read (re-taken whenever the fault dropped it). 0 or -errno.
 * @fidelity exact
 */
export function* madvise_populate(
  k: Kernel,
  mm: mm_struct,
  start: number,
  end: number,
  behavior: number,
): Sched<number> {
  const write = behavior === MADV_POPULATE_WRITE;
  const locked = { value: 1 };
  while (start < end) {
    const pages = yield* faultin_page_range(k, mm, start, end, write, locked);
    if (locked.value === 0) {
      yield* mmap_read_lock(mm);
      locked.value = 1;
    }
    if (pages < 0) {
      if (pages === -EINTR || pages === -EINVAL || pages === -EHWPOISON || pages === -EFAULT)
        return pages;
      return -ENOMEM;
    }
    start += pages * PAGE_SIZE;
  }
  return 0;
}

/**
 * mm/gup.c: __mm_populate(start, len, ignore_errors) (mlock, MAP_POPULATE): takes mmap_lock
 * itself, populates each VMA of the range (skipping VM_IO/VM_PFNMAP), re-finding the VMA when
 * the lock was dropped. 0 or -errno.
 * @fidelity exact
 */
export function* __mm_populate(
  k: Kernel,
  mm: mm_struct,
  start: number,
  len: number,
  ignore_errors: boolean,
): Sched<number> {
  const end = start + len;
  const locked = { value: 0 };
  let vma: VmAreaStruct | null = null;
  let ret = 0;
  for (let nstart = start, nend = start; nstart < end; nstart = nend) {
    if (locked.value === 0) {
      locked.value = 1;
      yield* mmap_read_lock(mm);
      vma = find_vma_intersection(mm, nstart, end);
    } else if (nstart >= vma!.vm_end) {
      vma = find_vma_intersection(mm, vma!.vm_end, end);
    }
    if (vma === null) break;
    nend = Math.min(end, vma.vm_end);
    if ((vma.vm_flags & (VM_IO | VM_PFNMAP)) !== 0) continue;
    if (nstart < vma.vm_start) nstart = vma.vm_start;
    ret = yield* populate_vma_page_range(k, vma, nstart, nend, locked);
    if (ret < 0) {
      if (ignore_errors) {
        ret = 0;
        continue;
      }
      break;
    }
    nend = nstart + ret * PAGE_SIZE;
    ret = 0;
  }
  if (locked.value !== 0) yield* mmap_read_unlock(mm);
  return ret;
}

/**
 * mm/gup.c: get_dump_page(addr, locked): the page at addr for a core dump (FOLL_FORCE |
 * FOLL_DUMP | FOLL_GET), or -1 (NULL) for holes, the zero page and special mappings.
 * @fidelity exact
 */
export function* get_dump_page(k: Kernel, addr: number, locked: LockedCell): Sched<number> {
  const mm = k.current.mm!;
  const page = [-1];
  const ret = yield* __get_user_pages_locked(
    k,
    mm,
    addr,
    1,
    page,
    0,
    locked,
    FOLL_FORCE | FOLL_DUMP | FOLL_GET,
  );
  return ret === 1 ? page[0]! : -1;
}

/**
 * mm/gup.c: fault_in_safe_writeable(uaddr, size): write-fault [uaddr, uaddr+size) through
 * fixup_user_fault; returns the bytes NOT faulted in.
 * @fidelity exact
 */
export function* fault_in_safe_writeable(k: Kernel, uaddr: number, size: number): Sched<number> {
  if (size === 0) return 0;
  const mm = k.current.mm!;
  const end = uaddr + size;
  const unlocked = { value: false };
  let cur = uaddr;
  yield* mmap_read_lock(mm);
  while (cur < end) {
    if ((yield* fixup_user_fault(k, mm, cur, FAULT_FLAG_WRITE, unlocked)) !== 0) break;
    cur = cur - (cur % PAGE_SIZE) + PAGE_SIZE;
  }
  yield* mmap_read_unlock(mm);
  return size > cur - uaddr ? size - (cur - uaddr) : 0;
}
