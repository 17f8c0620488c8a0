/**
 * mmap, munmap and address-space teardown: mm/mmap.c and mm/util.c (v6.18) ksys_mmap_pgoff,
 * vm_mmap_pgoff, do_mmap, get_unmapped_area (top-down, THP-aligned for PMD-multiple anonymous
 * lengths), mmap_region, vm_munmap and exit_mmap.
 * @fidelity simplified: no overcommit accounting or RLIMIT_AS, no mlock (MAP_LOCKED only sets
 * VM_LOCKED and populates), no stack VMAs or growth, no mseal; the file's ->mmap is the file
 * layer's (vm_ops are taken from the file)
 */
import { hugetlbEncodedSize } from '../include/hugetlb_encode.js';
import { size_to_hstate } from '../../mm/hugetlb.js';
import { PAGE_SIZE, PMD_SIZE } from '../../mm/layout.js';
import {
  find_vma_intersection,
  vm_area_alloc,
  vma_link,
  type VmAreaStruct,
  type VmFile,
} from '../../mm/vma.js';
import type { Sched } from '../../sim/thread.js';
import { maskAndNot, maskOr } from '../include/bits.js';
import { EACCES, EEXIST, EINTR, EINVAL, ENODEV, ENOMEM, EOVERFLOW } from '../include/errno.js';
import {
  MAP_DROPPABLE,
  MAP_FIXED,
  MAP_FIXED_NOREPLACE,
  MAP_GROWSDOWN,
  MAP_HUGETLB,
  MAP_LOCKED,
  MAP_NONBLOCK,
  MAP_NORESERVE,
  MAP_POPULATE,
  MAP_PRIVATE,
  MAP_SHARED,
  MAP_SHARED_VALIDATE,
  MAP_STACK,
  MAP_TYPE,
  PROT_EXEC,
  PROT_READ,
  PROT_WRITE,
} from '../include/mman.js';
import {
  VM_DONTCOPY,
  VM_DONTDUMP,
  VM_DONTEXPAND,
  VM_DROPPABLE,
  VM_EXEC,
  VM_GROWSDOWN,
  VM_HUGETLB,
  VM_LOCKED,
  VM_LOCKED_MASK,
  VM_MAYEXEC,
  VM_MAYREAD,
  VM_MAYSHARE,
  VM_MAYWRITE,
  VM_NOHUGEPAGE,
  VM_NORESERVE,
  VM_READ,
  VM_SHARED,
  VM_SOFTDIRTY,
  VM_WIPEONFORK,
  VM_WRITE,
} from '../include/vm_flags.js';
import type { Kernel } from '../kernel.js';
import { __mm_populate } from './gup_populate.js';
import { hugetlb_file_setup } from './hugetlb.js';
import { free_pgtables, unmap_vmas } from './memory_zap.js';
import { mmap_write_lock, mmap_write_lock_killable, mmap_write_unlock } from './mmap_lock.js';
import { mmState } from './mm_state.js';
import type { mm_struct } from './mm_struct.js';
import { vma_file } from './mm_types.js';
import { tlb_finish_mmu, tlb_gather_mmu } from './mmu_gather.js';
import { copy_page_range } from './memory_copy.js';
import { anon_vma_fork } from './rmap.js';
import { rw_down_write_nested, rw_up_write } from './solo.js';
import { shmem_zero_setup } from './shmem_zero.js';
import {
  dup_userfaultfd,
  dup_userfaultfd_complete,
  dup_userfaultfd_fail,
  userfaultfd_unmap_complete,
  type userfaultfd_fork_ctx,
  type userfaultfd_unmap_ctx,
} from '../fs/userfaultfd_event.js';
import {
  TASK_SIZE,
  do_munmap,
  do_vmi_munmap,
  remove_vma,
  vma_get_file,
  vma_link_file,
  vma_merge,
  vma_set_page_prot,
} from './vma.js';

/** The base of top-down mmap allocation (mm->mmap_base; no randomization). @fidelity simplified */
export const MMAP_BASE = 0x7f0000000000;

function trace(k: Kernel, mm: mm_struct, call: string, args: string, ret: number): void {
  if (k.m.trace.enabled)
    k.m.emit('mm.syscall', { mm: mm.mm_id, call, args, ret }, `mm/mmap.c: ${call}`);
}

/** include/linux/mman.h: calc_vm_prot_bits(prot, pkey). @fidelity exact */
export function calc_vm_prot_bits(prot: number): number {
  return (
    ((prot & PROT_READ) !== 0 ? VM_READ : 0) |
    ((prot & PROT_WRITE) !== 0 ? VM_WRITE : 0) |
    ((prot & PROT_EXEC) !== 0 ? VM_EXEC : 0)
  );
}

/** include/linux/mman.h: calc_vm_flag_bits(file, flags). @fidelity simplified (no MAP_SYNC) */
export function calc_vm_flag_bits(flags: number): number {
  let v = 0;
  if ((flags & MAP_GROWSDOWN) !== 0) v |= VM_GROWSDOWN;
  if ((flags & MAP_LOCKED) !== 0) v |= VM_LOCKED;
  if ((flags & MAP_STACK) !== 0) v = maskOr(v, VM_NOHUGEPAGE);
  return v;
}

function gapFree(mm: mm_struct, start: number, len: number): boolean {
  return find_vma_intersection(mm, start, start + len) === null;
}

/**
 * mm/mmap.c: __get_unmapped_area(file, addr, len, pgoff, flags, vm_flags) with the x86
 * top-down allocator: the hint if it is free, else the highest gap below mmap_base (aligned to
 * `align`). -ENOMEM when nothing fits.
 * @fidelity simplified (no guard gaps, no randomization)
 */
export function get_unmapped_area(
  k: Kernel,
  mm: mm_struct,
  addr: number,
  len: number,
  flags: number,
  align: number,
): number {
  if (len > TASK_SIZE) return -ENOMEM;
  if ((flags & MAP_FIXED) !== 0) {
    if (addr > TASK_SIZE - len || addr % align !== 0) return -EINVAL;
    return addr;
  }
  const min = mmState(k).mmapMinAddr;
  if (addr !== 0) {
    addr = Math.ceil(addr / align) * align;
    if (addr >= min && addr <= TASK_SIZE - len && gapFree(mm, addr, len)) return addr;
  }
  let top = MMAP_BASE;
  for (let i = mm.mm_mt.length - 1; i >= -1; i--) {
    const v = i >= 0 ? mm.mm_mt[i]! : null;
    if (v !== null && v.vm_start >= top) continue;
    const low = v === null ? min : v.vm_end;
    const start = Math.floor((top - len) / align) * align;
    if (start >= low && start >= min) return start;
    if (v === null) break;
    top = Math.min(top, v.vm_start);
  }
  return -ENOMEM;
}

/**
 * mm/vma.c: mmap_region(file, addr, len, vm_flags, pgoff, uf): replace whatever is mapped at
 * [addr, addr+len), create the VMA (merged with its neighbours when possible) and set it up
 * (file reference, shmem for shared anonymous memory, VM_SOFTDIRTY, vm_page_prot).
 * @fidelity simplified
 */
export function* mmap_region(
  k: Kernel,
  mm: mm_struct,
  file: VmFile | null,
  addr: number,
  len: number,
  vm_flags: number,
  pgoff: number,
): Sched<number> {
  const end = addr + len;
  if (find_vma_intersection(mm, addr, end) !== null) {
    const r = yield* do_vmi_munmap(k, mm, addr, end, 'mmap MAP_FIXED');
    if (r !== 0) return r;
  }
  if (mm.map_count >= mmState(k).maxMapCount) return -ENOMEM;
  const vma = vm_area_alloc(mm, addr, end, vm_flags, 0, pgoff, file);
  if (file !== null) {
    vma_get_file(vma);
    if ((file as { hugetlbfs?: boolean }).hugetlbfs === true)
      vma.vm_flags = maskOr(vma.vm_flags, VM_HUGETLB | VM_DONTEXPAND);
  } else if ((vm_flags & VM_SHARED) !== 0) {
    shmem_zero_setup(k, vma);
    vma_get_file(vma);
  }
  vma.vm_flags = maskOr(vma.vm_flags, VM_SOFTDIRTY);
  vma_set_page_prot(vma);
  if (vma_link(mm, vma) !== 0) return -ENOMEM;
  vma_link_file(vma);
  mm.total_vm += len / PAGE_SIZE;
  vma_merge(k, mm, vma);
  return addr;
}

/**
 * mm/mmap.c: do_mmap(file, addr, len, prot, flags, vm_flags, pgoff, &populate, uf), with
 * mmap_lock held for writing. Returns the address or a negative errno; `populate` receives the
 * length MAP_POPULATE / MAP_LOCKED asks to fault in.
 * @fidelity simplified (see the file comment)
 */
export function* do_mmap(
  k: Kernel,
  mm: mm_struct,
  file: VmFile | null,
  addr: number,
  len: number,
  prot: number,
  flags: number,
  pgoff: number,
  populate: { v: number },
): Sched<number> {
  populate.v = 0;
  if (len === 0) return -EINVAL;
  if ((flags & MAP_FIXED) === 0) {
    addr -= addr % PAGE_SIZE;
    const min = mmState(k).mmapMinAddr;
    if (addr !== 0 && addr < min) addr = min;
  }
  len = Math.ceil(len / PAGE_SIZE) * PAGE_SIZE;
  if (len === 0 || len > TASK_SIZE) return -ENOMEM;
  if (pgoff + len / PAGE_SIZE > Number.MAX_SAFE_INTEGER / PAGE_SIZE) return -EOVERFLOW;
  if (mm.map_count > mmState(k).maxMapCount) return -ENOMEM;
  let vm_flags =
    calc_vm_prot_bits(prot) | calc_vm_flag_bits(flags) | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;
  const type = flags & MAP_TYPE;
  const f = file === null ? null : vma_file({ vm_file: file } as VmAreaStruct);
  if (f !== null) {
    const fmode = (f as { f_mode?: number }).f_mode ?? 3;
    if (type === MAP_SHARED || type === MAP_SHARED_VALIDATE) {
      if ((prot & PROT_WRITE) !== 0 && (fmode & 2) === 0) return -EACCES;
      vm_flags |= VM_SHARED | VM_MAYSHARE;
      if ((fmode & 2) === 0) vm_flags &= ~(VM_MAYWRITE | VM_SHARED);
    } else if (type !== MAP_PRIVATE) {
      return -EINVAL;
    }
    if ((fmode & 1) === 0) return -EACCES;
    if ((vm_flags & VM_GROWSDOWN) !== 0) return -EINVAL;
    if (f.vm_ops === undefined) return -ENODEV;
  } else if (type === MAP_SHARED) {
    if ((vm_flags & VM_GROWSDOWN) !== 0) return -EINVAL;
    pgoff = 0;
    vm_flags |= VM_SHARED | VM_MAYSHARE;
  } else if (type === MAP_DROPPABLE) {
    if ((flags & (MAP_LOCKED | MAP_GROWSDOWN)) !== 0) return -EINVAL;
    vm_flags = maskOr(vm_flags, maskOr(VM_DROPPABLE, VM_NORESERVE | VM_WIPEONFORK | VM_DONTDUMP));
  } else if (type !== MAP_PRIVATE) {
    return -EINVAL;
  }
  const hugetlb = file === null ? undefined : fileHstate(file);
  const align =
    hugetlb !== undefined
      ? hugetlb.size
      : file === null && addr === 0 && len % PMD_SIZE === 0 && type !== MAP_SHARED
        ? PMD_SIZE
        : PAGE_SIZE;
  addr = get_unmapped_area(
    k,
    mm,
    addr,
    len,
    flags,
    (flags & MAP_FIXED) !== 0 && hugetlb === undefined ? PAGE_SIZE : align,
  );
  if (addr < 0) return addr;
  if (file === null && type !== MAP_SHARED) pgoff = addr / PAGE_SIZE;
  if ((flags & MAP_FIXED_NOREPLACE) !== 0 && find_vma_intersection(mm, addr, addr + len) !== null)
    return -EEXIST;
  if ((flags & MAP_NORESERVE) !== 0) vm_flags = maskOr(vm_flags, VM_NORESERVE);
  const ret = yield* mmap_region(k, mm, file, addr, len, vm_flags, pgoff);
  if (
    ret >= 0 &&
    ((vm_flags & VM_LOCKED) !== 0 || (flags & (MAP_POPULATE | MAP_NONBLOCK)) === MAP_POPULATE)
  )
    populate.v = len;
  return ret;
}

/**
 * mm/util.c: vm_mmap_pgoff(file, addr, len, prot, flag, pgoff): do_mmap under the write
 * mmap_lock, then fault in MAP_POPULATE ranges (__mm_populate, GUP's populate helper).
 * @fidelity simplified
 */
export function* vm_mmap_pgoff(
  k: Kernel,
  mm: mm_struct,
  file: VmFile | null,
  addr: number,
  len: number,
  prot: number,
  flags: number,
  pgoff: number,
): Sched<number> {
  if ((yield* mmap_write_lock_killable(mm)) !== 0) return -EINTR;
  const populate = { v: 0 };
  const ret = yield* do_mmap(k, mm, file, addr, len, prot, flags, pgoff, populate);
  yield* mmap_write_unlock(mm);
  if (ret >= 0 && populate.v !== 0) yield* __mm_populate(k, mm, ret, populate.v, true);
  trace(k, mm, 'mmap', `len=${len} prot=${prot} flags=0x${flags.toString(16)}`, ret);
  return ret;
}

/**
 * mm/mmap.c: ksys_mmap_pgoff(addr, len, prot, flags, fd, pgoff) for anonymous memory and a file
 * already looked up: MAP_HUGETLB creates the hugetlbfs file (hugetlb_file_setup) and aligns len
 * to its page size.
 * @fidelity simplified (the fd lookup is the caller's)
 */
export function* ksys_mmap_pgoff(
  k: Kernel,
  mm: mm_struct,
  addr: number,
  len: number,
  prot: number,
  flags: number,
  file: VmFile | null,
  pgoff: number,
): Sched<number> {
  if (file === null && (flags & MAP_HUGETLB) !== 0) {
    const encoded = hugetlbEncodedSize(flags);
    const size = encoded === 0 ? (k.mem.hstates[0]?.size ?? 0) : encoded;
    const h = size_to_hstate(k.mem, size);
    if (h === undefined) return -EINVAL;
    len = Math.ceil(len / h.size) * h.size;
    file = hugetlb_file_setup(k, len, h);
  } else if (file !== null && fileHstate(file) !== undefined) {
    const size = fileHstate(file)!.size;
    len = Math.ceil(len / size) * size;
  } else if (file !== null && (flags & MAP_HUGETLB) !== 0) {
    return -EINVAL;
  }
  return yield* vm_mmap_pgoff(k, mm, file, addr, len, prot, flags, pgoff);
}

/** arch/x86/kernel/sys_x86_64.c: sys_mmap(addr, len, prot, flags, fd, off): off must be page-aligned. @fidelity exact */
export function* sys_mmap(
  k: Kernel,
  mm: mm_struct,
  addr: number,
  len: number,
  prot: number,
  flags: number,
  file: VmFile | null,
  off: number,
): Sched<number> {
  if (off % PAGE_SIZE !== 0) return -EINVAL;
  return yield* ksys_mmap_pgoff(k, mm, addr, len, prot, flags, file, off / PAGE_SIZE);
}

/**
 * mm/mmap.c: vm_munmap(start, len) / __vm_munmap: do_munmap under the write mmap_lock, then the
 * UFFD_EVENT_UNMAPs it prepared (userfaultfd_unmap_complete, lock dropped).
 * @fidelity simplified
 */
export function* vm_munmap(k: Kernel, mm: mm_struct, start: number, len: number): Sched<number> {
  if ((yield* mmap_write_lock_killable(mm)) !== 0) return -EINTR;
  const uf: userfaultfd_unmap_ctx[] = [];
  const ret = yield* do_munmap(k, mm, start, len, uf);
  yield* mmap_write_unlock(mm);
  yield* userfaultfd_unmap_complete(k, uf);
  trace(k, mm, 'munmap', `start=0x${start.toString(16)} len=${len}`, ret);
  return ret;
}

/**
 * mm/mmap.c: exit_mmap(mm): the last user of the address space is gone: unmap every VMA, free
 * all page tables and remove the VMAs.
 * @fidelity simplified (no OOM-reaper handshake)
 */
export function* exit_mmap(k: Kernel, mm: mm_struct): Sched<void> {
  yield* mmap_write_lock(mm);
  const vmas = [...mm.mm_mt];
  if (vmas.length > 0) {
    const tlb = tlb_gather_mmu(mm, true);
    yield* unmap_vmas(tlb, vmas, 0, TASK_SIZE, 'exit_mmap');
    free_pgtables(k, vmas, 0, 0);
    yield* tlb_finish_mmu(tlb);
    for (const v of vmas) remove_vma(mm, v);
  }
  mm.dead = true;
  yield* mmap_write_unlock(mm);
}

/** The huge page size of a hugetlbfs file (hstate_file), if it is one. @fidelity custom */
function fileHstate(file: VmFile): { readonly size: number } | undefined {
  return (file as VmFile & { hstate?: { size: number } }).hstate;
}

/**
 * mm/mmap.c: dup_mmap(mm, oldmm) (kernel/fork.c before v6.14): copy the parent's VMAs into the
 * child's empty mm under both mmap_locks (the child's nested). VM_DONTCOPY VMAs are skipped;
 * VM_WIPEONFORK VMAs are copied empty (no anon_vma, no page tables); the others join the
 * parent's anon_vmas (anon_vma_fork) and get their page tables copied (copy_page_range).
 * VM_LOCKED is not inherited. Registered VMAs go through dup_userfaultfd; once both locks are
 * dropped, dup_userfaultfd_complete sends UFFD_EVENT_FORK and waits for the handler to read it
 * (dup_userfaultfd_fail when the copy failed). 0, -EINTR or -ENOMEM.
 * @fidelity simplified (no uprobes or khugepaged registration)
 */
export function* dup_mmap(k: Kernel, mm: mm_struct, oldmm: mm_struct): Sched<number> {
  if ((yield* mmap_write_lock_killable(oldmm)) !== 0) return -EINTR;
  yield* rw_down_write_nested(mm.mmap_lock, 1);
  let ret = 0;
  const uf: userfaultfd_fork_ctx[] = [];
  mm.total_vm = 0;
  for (const mpnt of [...oldmm.mm_mt]) {
    if ((mpnt.vm_flags & VM_DONTCOPY) !== 0) continue;
    const tmp = vm_area_alloc(
      mm,
      mpnt.vm_start,
      mpnt.vm_end,
      mpnt.vm_flags,
      mpnt.vm_page_prot,
      mpnt.vm_pgoff,
      mpnt.vm_file,
    );
    tmp.vm_userfaultfd_ctx = mpnt.vm_userfaultfd_ctx;
    ret = yield* dup_userfaultfd(k, tmp, uf);
    if (ret !== 0) break;
    if ((mpnt.vm_flags & VM_WIPEONFORK) !== 0) tmp.anon_vma = null;
    else anon_vma_fork(k, tmp, mpnt);
    tmp.vm_flags = maskAndNot(tmp.vm_flags, VM_LOCKED_MASK);
    if (tmp.vm_file !== null) {
      vma_get_file(tmp);
      vma_link_file(tmp);
    }
    vma_link(mm, tmp);
    mm.total_vm += (tmp.vm_end - tmp.vm_start) / PAGE_SIZE;
    if ((tmp.vm_flags & VM_WIPEONFORK) === 0) ret = yield* copy_page_range(tmp, mpnt);
    if (ret !== 0) break;
  }
  yield* rw_up_write(mm.mmap_lock);
  yield* mmap_write_unlock(oldmm);
  if (ret === 0) yield* dup_userfaultfd_complete(k, uf);
  else yield* dup_userfaultfd_fail(k, uf);
  return ret;
}
