/**
 * The buffered copy side of include/linux/uio.h and lib/iov_iter.c: struct iov_iter over a
 * kernel buffer (ITER_KVEC) or one user buffer (ITER_UBUF), and the page-cache copies
 * copy_folio_to_iter, copy_folio_from_iter_atomic and fault_in_iov_iter_readable.
 *
 * Page contents are one value per page (docs/mm-data-model.md), so a copy moves values: a
 * kernel source is one value (the scenario's `pwrite value:`), a kernel destination records
 * the value of each file page it receives (`pread` without `addr`). A copy that covers part of
 * a page moves the whole page's value. User buffers go through uio_user.ts; direct I/O on them
 * (GUP) is another issue.
 * @fidelity simplified
 */
import { Access } from '../../sim/footprint.js';
import type { Sched } from '../../sim/thread.js';
import type { Kernel } from '../kernel.js';
import type { task_struct } from '../sched/task.js';
import { copy_from_user_inatomic, copy_to_user, fault_in_readable } from './uio_user.js';
import { mm_solo } from '../mm/solo.js';
import { folioObj } from '../objects.js';

/** include/linux/uio.h: ITER_SOURCE (data is copied out of the iterator: write). */
export const ITER_SOURCE = 1;
/** include/linux/uio.h: ITER_DEST (data is copied into the iterator: read). */
export const ITER_DEST = 0;

/** Where an iterator's bytes are. */
export type iter_buffer =
  | { readonly kind: 'value'; readonly value: number }
  | { readonly kind: 'collect'; readonly values: number[] }
  | { readonly kind: 'discard' }
  | { readonly kind: 'ubuf'; readonly task: task_struct; readonly addr: number };

/** include/linux/uio.h: struct iov_iter. @fidelity simplified */
export class iov_iter {
  /** Bytes copied so far (iov_offset). */
  done = 0;

  constructor(
    readonly data_source: number,
    readonly buf: iter_buffer,
    /** Bytes left. */
    public count: number,
  ) {}
}

/** include/linux/uio.h: iov_iter_kvec over one value (a kernel source of `count` bytes). @fidelity simplified */
export function iov_iter_value(value: number, count: number): iov_iter {
  return new iov_iter(ITER_SOURCE, { kind: 'value', value }, count);
}

/** include/linux/uio.h: iov_iter_kvec into a kernel buffer that records each page value. @fidelity simplified */
export function iov_iter_collect(count: number, keep = true): iov_iter {
  return new iov_iter(
    ITER_DEST,
    keep ? { kind: 'collect', values: [] } : { kind: 'discard' },
    count,
  );
}

/** include/linux/uio.h: iov_iter_ubuf(iter, direction, buf, count). @fidelity exact */
export function iov_iter_ubuf(
  direction: number,
  task: task_struct,
  addr: number,
  count: number,
): iov_iter {
  return new iov_iter(direction, { kind: 'ubuf', task, addr }, count);
}

/** include/linux/uio.h: iov_iter_count(iter). @fidelity exact */
export function iov_iter_count(iter: iov_iter): number {
  return iter.count;
}

function advance(iter: iov_iter, bytes: number): void {
  iter.done += bytes;
  iter.count -= bytes;
}

/**
 * lib/iov_iter.c: copy_folio_to_iter(folio, offset, bytes, iter): copy file data to the
 * iterator; the bytes copied (short when a user page is not writable now).
 * @fidelity simplified
 */
export function* copy_folio_to_iter(
  k: Kernel,
  page: number,
  bytes: number,
  iter: iov_iter,
): Sched<number> {
  const value = k.mem.content[page]!;
  const b = iter.buf;
  if (b.kind === 'ubuf') {
    if (!(yield* copy_to_user(k, b.task, b.addr + iter.done, value))) return 0;
  } else if (b.kind === 'collect') {
    b.values.push(value);
  }
  advance(iter, bytes);
  return bytes;
}

/**
 * lib/iov_iter.c: copy_folio_from_iter_atomic(folio, offset, bytes, iter): copy into a page
 * with page faults disabled (the folio is locked); 0 when the user page is not readable now.
 * @fidelity simplified
 */
export function copy_folio_from_iter_atomic(
  k: Kernel,
  page: number,
  bytes: number,
  iter: iov_iter,
): number {
  const b = iter.buf;
  let value: number;
  if (b.kind === 'value') value = b.value;
  else if (b.kind === 'ubuf') value = copy_from_user_inatomic(k, b.task, b.addr + iter.done);
  else throw new Error('copy_folio_from_iter_atomic from a destination iterator');
  if (value < 0) return 0;
  k.mem.content[page] = value;
  advance(iter, bytes);
  return bytes;
}

/**
 * lib/iov_iter.c: fault_in_iov_iter_readable(iter, size): fault in the source's next page;
 * the bytes that could not be faulted in (0: all of them can be read now).
 * @fidelity simplified
 */
export function* fault_in_iov_iter_readable(
  k: Kernel,
  iter: iov_iter,
  size: number,
): Sched<number> {
  const b = iter.buf;
  if (b.kind !== 'ubuf') return 0;
  return (yield* fault_in_readable(k, b.task, b.addr + iter.done)) ? 0 : size;
}

/**
 * The scheduling point before a copy between `folio` and the iterator: the folio's content is
 * shared with DMA and kernel mappings. A user buffer's page is not known in advance, so such a
 * copy declares that it may touch anything.
 * @fidelity custom
 */
export function* copy_point(k: Kernel, folio: number, write: boolean, iter: iov_iter): Sched<void> {
  if (mm_solo(k.m)) return;
  const label = write ? 'copy_to_page' : 'copy_from_page';
  yield iter.buf.kind === 'ubuf'
    ? k.m.point(label)
    : k.m.at(label, folioObj(folio), write ? Access.Write : Access.Read);
}
