/**
 * mm/process_vm_access.c (v6.18): process_vm_readv(2) / process_vm_writev(2). The remote
 * range is pinned chunk by chunk with pin_user_pages_remote (FOLL_WRITE when writing into the
 * target) under the target's mmap_lock (`locked`, so GUP may drop it), copied to or from the
 * caller's memory with ordinary user copies (which may fault), and unpinned with
 * unpin_user_pages_dirty_lock (dirty when written).
 * @fidelity simplified: one local and one remote iovec; no ptrace access check (mm_access always
 * grants: every simulated process has the same credentials); one value per page.
 */
import { Access } from '../../sim/footprint.js';
import type { Sched } from '../../sim/thread.js';
import { page_folio } from '../../mm/index.js';
import { EFAULT, ESRCH } from '../include/errno.js';
import { FOLL_WRITE } from '../include/gup_flags.js';
import { copy_to_user } from '../fs/uio_user.js';
import { user_read } from '../arch/x86/mm/fault.js';
import type { Kernel } from '../kernel.js';
import type { Process } from '../sched/task.js';
import { folioObj } from '../objects.js';
import { pin_user_pages_remote } from './gup.js';
import { unpin_user_pages_dirty_lock } from './gup_unpin_dirty.js';
import { mmap_read_lock, mmap_read_unlock } from './mmap_lock.js';
import type { mm_struct } from './mm_struct.js';

const PAGE_SIZE = 4096;
/** PVM_MAX_KMALLOC_PAGES: PAGE_SIZE * 2 / sizeof(struct page *). */
const PVM_MAX_KMALLOC_PAGES = (PAGE_SIZE * 2) / 8;

/** The caller's side of the copy (an ITER_UBUF over current's memory). */
interface LocalIter {
  addr: number;
  count: number;
}

/**
 * process_vm_rw_pages(pages, offset, len, iter, vm_write): copy between the pinned pages and
 * the caller's buffer; 0, or -EFAULT when the caller's buffer faults with bytes left.
 * @fidelity simplified (page-value copies)
 */
function* process_vm_rw_pages(
  k: Kernel,
  pages: Int32Array,
  offset: number,
  len: number,
  iter: LocalIter,
  vm_write: boolean,
): Sched<number> {
  const task = k.current;
  for (let i = 0; len > 0 && iter.count > 0; i++) {
    const copy = Math.min(PAGE_SIZE - offset, len, iter.count);
    const page = pages[i]!;
    let ok: boolean;
    if (vm_write) {
      const got = yield* user_read(k, task, iter.addr, 1);
      ok = typeof got !== 'number';
      if (ok) {
        yield k.m.at('copy_page_from_iter', folioObj(page_folio(k.mem, page)), Access.Write);
        k.mem.content[page] = (got as number[])[0]!;
      }
    } else {
      yield k.m.at('copy_page_to_iter', folioObj(page_folio(k.mem, page)), Access.Read);
      ok = yield* copy_to_user(k, task, iter.addr, k.mem.content[page]!);
    }
    if (!ok) return -EFAULT;
    iter.addr += copy;
    iter.count -= copy;
    len -= copy;
    offset = 0;
  }
  return 0;
}

/**
 * process_vm_rw_single_vec(addr, len, iter, process_pages, mm, task, vm_write): one remote
 * iovec, PVM_MAX_KMALLOC_PAGES pages at a time. 0, or a negative errno (-EFAULT when GUP pins
 * nothing).
 * @fidelity exact
 */
function* process_vm_rw_single_vec(
  k: Kernel,
  addr: number,
  len: number,
  iter: LocalIter,
  mm: mm_struct,
  vm_write: boolean,
): Sched<number> {
  let pa = addr - (addr % PAGE_SIZE);
  let start_offset = addr - pa;
  if (len === 0) return 0;
  let nr_pages = Math.floor((addr + len - 1) / PAGE_SIZE) - Math.floor(addr / PAGE_SIZE) + 1;
  const flags = vm_write ? FOLL_WRITE : 0;
  const process_pages = new Int32Array(Math.min(nr_pages, PVM_MAX_KMALLOC_PAGES));
  let rc = 0;
  while (rc === 0 && nr_pages > 0 && iter.count > 0) {
    const locked = { value: 1 };
    process_pages.fill(-1);
    yield* mmap_read_lock(mm);
    const pinned_pages = yield* pin_user_pages_remote(
      k,
      mm,
      pa,
      Math.min(nr_pages, process_pages.length),
      flags,
      process_pages,
      locked,
    );
    if (locked.value !== 0) yield* mmap_read_unlock(mm);
    if (pinned_pages <= 0) return -EFAULT;
    const bytes = Math.min(pinned_pages * PAGE_SIZE - start_offset, len);
    rc = yield* process_vm_rw_pages(k, process_pages, start_offset, bytes, iter, vm_write);
    len -= bytes;
    start_offset = 0;
    nr_pages -= pinned_pages;
    pa += pinned_pages * PAGE_SIZE;
    yield* unpin_user_pages_dirty_lock(k, process_pages, pinned_pages, vm_write);
  }
  return rc;
}

/**
 * mm/process_vm_access.c: process_vm_rw_core(pid, iter, rvec, riovcnt, flags, vm_write): copy `len` bytes between the
 * caller's `local` and the target's `remote`. The bytes copied (a partial count wins over a
 * later error), or a negative errno (-ESRCH: no such process, or it has no mm).
 * @fidelity simplified
 */
export function* process_vm_rw_core(
  k: Kernel,
  target: Process | undefined,
  local: number,
  remote: number,
  len: number,
  vm_write: boolean,
): Sched<number> {
  const iter: LocalIter = { addr: local, count: len };
  if (len === 0) return 0;
  if (target === undefined || target.exited) return -ESRCH;
  const mm = target.mm; // mm_access(task, PTRACE_MODE_ATTACH_REALCREDS)
  if (mm === null) return -ESRCH;
  k.m.enter(
    vm_write
      ? 'mm/process_vm_access.c: process_vm_writev'
      : 'mm/process_vm_access.c: process_vm_readv',
  );
  const rc = yield* process_vm_rw_single_vec(k, remote, len, iter, mm, vm_write);
  k.m.leave();
  const total_len = len - iter.count;
  return total_len > 0 ? total_len : rc;
}
