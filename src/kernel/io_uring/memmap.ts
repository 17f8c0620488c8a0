/**
 * io_uring/memmap.c (v6.18): io_pin_pages, how io_uring pins user memory it keeps (registered
 * buffers, rings in user memory): pin_user_pages_fast(FOLL_WRITE | FOLL_LONGTERM), all or
 * nothing. The range checks are the fix of CVE-2024-53187 (0c0a4eae26ac "io_uring: check for
 * overflows in io_pin_pages").
 * @fidelity exact
 */
import type { Sched } from '../../sim/thread.js';
import { EFAULT, EINVAL, EOVERFLOW } from '../include/errno.js';
import { FOLL_LONGTERM, FOLL_WRITE } from '../include/gup_flags.js';
import type { Kernel } from '../kernel.js';
import { pin_user_pages_fast } from '../mm/gup.js';
import { unpin_user_pages } from '../mm/gup_unpin.js';

const PAGE_SIZE = 4096;
const ULONG_MAX = 2 ** 64 - 1;
const INT_MAX = 2 ** 31 - 1;

/**
 * io_uring/memmap.c: io_pin_pages(uaddr, len, npages): pin every page of [uaddr, uaddr + len); the pages, or a
 * negative errno with nothing pinned (a short pin is -EFAULT).
 * @fidelity exact
 */
export function* io_pin_pages(k: Kernel, uaddr: number, len: number): Sched<Int32Array | number> {
  if (uaddr + len > ULONG_MAX || uaddr + len + PAGE_SIZE - 1 > ULONG_MAX) return -EOVERFLOW;
  const end = Math.floor((uaddr + len + PAGE_SIZE - 1) / PAGE_SIZE);
  const start = Math.floor(uaddr / PAGE_SIZE);
  const nr_pages = end - start;
  if (nr_pages === 0) return -EINVAL; // WARN_ON_ONCE
  if (nr_pages > INT_MAX) return -EOVERFLOW; // WARN_ON_ONCE
  const pages = new Int32Array(nr_pages).fill(-1);
  const ret = yield* pin_user_pages_fast(k, uaddr, nr_pages, FOLL_WRITE | FOLL_LONGTERM, pages);
  if (ret === nr_pages) return pages;
  if (ret >= 0) {
    if (ret > 0) unpin_user_pages(k, pages, ret);
    return -EFAULT;
  }
  return ret;
}
