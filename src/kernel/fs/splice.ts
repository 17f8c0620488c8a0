/**
 * fs/splice.c (v6.18): vmsplice(2) of user memory into a pipe (vmsplice_to_pipe ->
 * iter_to_pipe): iov_iter_get_pages2 takes FOLL_GET references (get_user_pages_fast, no
 * FOLL_WRITE: the iterator is a source) on up to 16 pages at a time, and each page becomes a
 * pipe_buffer holding its reference until a reader releases it. The references are not pins:
 * fork, COW and writeback do not see them as DMA pins (pin_user_pages.rst; bugzoo B1/B3).
 * @fidelity simplified: one iovec; SPLICE_F_GIFT is recorded but nothing steals pages; a full
 * pipe is -EAGAIN when nothing was queued (no blocking wait for space).
 */
import type { Sched } from '../../sim/thread.js';
import { EAGAIN } from '../include/errno.js';
import type { Kernel } from '../kernel.js';
import {
  ITER_SOURCE,
  iov_iter_count,
  iov_iter_revert,
  iov_iter_ubuf,
  type iov_iter,
} from '../lib/iov_iter.js';
import { iov_iter_get_pages2 } from '../lib/iov_iter_pages.js';
import { put_page } from '../mm/gup_unpin.js';
import {
  PIPE_BUF_FLAG_GIFT,
  pipe_full,
  pipe_lock,
  pipe_unlock,
  type pipe_inode_info,
} from './pipe.js';

/** include/linux/splice.h: SPLICE_F_GIFT. */
export const SPLICE_F_GIFT = 0x08;

const PAGE_SIZE = 4096;

/**
 * fs/splice.c: iter_to_pipe(from, pipe, flags): queue the source's pages as pipe buffers until it is empty
 * or the pipe is full; the bytes queued, or the error if none.
 * @fidelity exact (add_to_pipe cannot fail: the ring is checked first)
 */
function* iter_to_pipe(
  k: Kernel,
  from: iov_iter,
  pipe: pipe_inode_info,
  flags: number,
): Sched<number> {
  let total = 0;
  let ret = 0;
  const pages = new Int32Array(16);
  const off = { value: 0 };
  while (iov_iter_count(from) > 0 && !pipe_full(pipe)) {
    pages.fill(-1);
    const room = pipe.max_usage - pipe.bufs.length;
    let left = yield* iov_iter_get_pages2(k, from, pages, Number.MAX_SAFE_INTEGER, 16, off);
    if (left <= 0) {
      ret = left;
      break;
    }
    let start = off.value;
    const n = Math.ceil((left + start) / PAGE_SIZE);
    for (let i = 0; i < n; i++) {
      const size = Math.min(left, PAGE_SIZE - start);
      if (i >= room) {
        // add_to_pipe found the ring full: give back what is not queued (iov_iter_revert)
        iov_iter_revert(from, left);
        for (; i < n; i++) put_page(k, pages[i]!);
        return total > 0 ? total : -EAGAIN;
      }
      pipe.bufs.push({ page: pages[i]!, offset: start, len: size, flags });
      total += size;
      left -= size;
      start = 0;
    }
  }
  return total > 0 ? total : ret;
}

/**
 * fs/splice.c: vmsplice_to_pipe(file, iter, flags): vmsplice(2) of [addr, addr + len) into `pipe`; the bytes
 * queued, or a negative errno (GUP's -EFAULT: nothing mapped there; -EAGAIN: the pipe is full).
 * @fidelity simplified
 */
export function* vmsplice_to_pipe(
  k: Kernel,
  pipe: pipe_inode_info,
  addr: number,
  len: number,
  flags: number,
): Sched<number> {
  const buf_flag = (flags & SPLICE_F_GIFT) !== 0 ? PIPE_BUF_FLAG_GIFT : 0;
  if (len === 0) return 0;
  yield* pipe_lock(pipe);
  const ret = pipe_full(pipe)
    ? -EAGAIN
    : yield* iter_to_pipe(k, iov_iter_ubuf(ITER_SOURCE, k.current, addr, len), pipe, buf_flag);
  yield* pipe_unlock(pipe);
  return ret;
}
