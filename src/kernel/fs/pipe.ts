/**
 * fs/pipe.c (v6.18), the parts vmsplice needs: struct pipe_inode_info with its mutex and ring
 * of pipe_buffers (PIPE_DEF_BUFFERS slots), pipe_full, and pipe_read, which copies each
 * buffer's page to the reader and releases the buffer (for vmsplice'd user pages,
 * page_cache_pipe_buf_release: put_page of the FOLL_GET reference).
 * @fidelity simplified: one reader and one writer, no wait queues (a read of an empty pipe
 * returns 0 as if the writer had closed it), no partial reads of a buffer (the reader takes
 * whole buffers), no O_NONBLOCK, no tee/splice out of the pipe.
 */
import { Mutex, mutex_lock, mutex_unlock } from '../../sim/locking/mutex.js';
import { Access } from '../../sim/footprint.js';
import type { Sched } from '../../sim/thread.js';
import { page_folio } from '../../mm/index.js';
import type { Kernel } from '../kernel.js';
import { put_page } from '../mm/gup_unpin.js';
import { folioObj } from '../objects.js';

/** include/linux/pipe_fs_i.h: PIPE_DEF_BUFFERS. */
export const PIPE_DEF_BUFFERS = 16;
/** include/linux/pipe_fs_i.h: PIPE_BUF_FLAG_GIFT. */
export const PIPE_BUF_FLAG_GIFT = 0x08;

/** include/linux/pipe_fs_i.h: struct pipe_buffer (ops: user_page_pipe_buf_ops). */
export interface pipe_buffer {
  readonly page: number;
  offset: number;
  len: number;
  readonly flags: number;
}

/** include/linux/pipe_fs_i.h: struct pipe_inode_info. @fidelity simplified */
export class pipe_inode_info {
  readonly mutex: Mutex;
  /** The occupied slots, oldest first (head - tail of the ring). */
  readonly bufs: pipe_buffer[] = [];
  readonly max_usage = PIPE_DEF_BUFFERS;
  readers = 1;

  constructor(k: Kernel, name: string) {
    this.mutex = new Mutex(k.m, `${name}.pipe->mutex`, 'pipe->mutex');
  }
}

/** fs/pipe.c: alloc_pipe_info(). @fidelity simplified */
export function alloc_pipe_info(k: Kernel, name: string): pipe_inode_info {
  return new pipe_inode_info(k, name);
}

/** include/linux/pipe_fs_i.h: pipe_full(head, tail, limit). @fidelity exact */
export function pipe_full(pipe: pipe_inode_info): boolean {
  return pipe.bufs.length >= pipe.max_usage;
}

/** fs/pipe.c: pipe_lock / pipe_unlock. @fidelity exact */
export function* pipe_lock(pipe: pipe_inode_info): Sched<void> {
  yield* mutex_lock(pipe.mutex);
}

export function* pipe_unlock(pipe: pipe_inode_info): Sched<void> {
  yield* mutex_unlock(pipe.mutex);
}

/** fs/splice.c: page_cache_pipe_buf_release(pipe, buf): put_page(buf->page). @fidelity exact */
export function pipe_buf_release(k: Kernel, buf: pipe_buffer): void {
  put_page(k, buf.page);
}

/**
 * fs/pipe.c: pipe_read(iocb, to) for a reader that takes everything: copy each buffer's page
 * (copy_page_to_iter) and release the buffer. The page values read (one per buffer) and the
 * bytes.
 * @fidelity simplified
 */
export function* pipe_read(
  k: Kernel,
  pipe: pipe_inode_info,
): Sched<{ values: number[]; bytes: number }> {
  const values: number[] = [];
  let bytes = 0;
  yield* pipe_lock(pipe);
  while (pipe.bufs.length > 0) {
    const buf = pipe.bufs[0]!;
    yield k.m.at('copy_page_to_iter', folioObj(page_folio(k.mem, buf.page)), Access.Read);
    values.push(k.mem.content[buf.page]!);
    bytes += buf.len;
    buf.len = 0;
    pipe.bufs.shift();
    pipe_buf_release(k, buf);
  }
  yield* pipe_unlock(pipe);
  return { values, bytes };
}
