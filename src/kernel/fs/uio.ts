/**
 * The page-cache side of include/linux/uio.h and lib/iov_iter.c: the iterators the read and
 * write paths get from a system call (a user buffer, ITER_UBUF; or a model kernel buffer, see
 * src/kernel/lib/iov_iter.ts) and the copies between a page-cache page and the iterator:
 * copy_folio_to_iter, copy_folio_from_iter_atomic, fault_in_iov_iter_readable. The iterator
 * itself (every type, direction, advance and revert, pages and pins) is src/kernel/lib/.
 *
 * Page contents are one value per page (docs/mm-data-model.md): a copy moves the page's value
 * to every page of the iterator it touches; a kernel destination records the value of each file
 * page it receives (`pread` without `addr`).
 * @fidelity simplified
 */
import { Access } from '../../sim/footprint.js';
import type { Sched } from '../../sim/thread.js';
import type { Kernel } from '../kernel.js';
import {
  ITER_DEST,
  ITER_SOURCE,
  iov_iter_advance,
  iov_iter_discard,
  iov_iter_kbuf,
  iov_iter_piece,
  user_backed_iter,
  type iov_iter,
} from '../lib/iov_iter.js';
import { copy_page_to_iter } from '../lib/iov_iter_copy.js';
import { copy_from_user_inatomic, fault_in_readable } from './uio_user.js';
import { mm_solo } from '../mm/solo.js';
import { folioObj } from '../objects.js';

export {
  ITER_DEST,
  ITER_SOURCE,
  iov_iter,
  iov_iter_count,
  iov_iter_revert,
  iov_iter_ubuf,
} from '../lib/iov_iter.js';

/** A kernel source of `count` bytes that all hold `value` (the scenario's `pwrite value:`). @fidelity custom */
export function iov_iter_value(value: number, count: number): iov_iter {
  return iov_iter_kbuf(ITER_SOURCE, { kind: 'value', value }, count);
}

/** A kernel destination that records each page value it receives (or ITER_DISCARD). @fidelity custom */
export function iov_iter_collect(count: number, keep = true): iov_iter {
  return keep
    ? iov_iter_kbuf(ITER_DEST, { kind: 'collect', values: [] }, count)
    : iov_iter_discard(ITER_DEST, count);
}

/** The values a collecting destination received. @fidelity custom */
export function iov_iter_collected(iter: iov_iter): readonly number[] {
  const b = iter.kbuf;
  return b !== null && b.kind === 'collect' ? b.values : [];
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
  return yield* copy_page_to_iter(k, page, 0, bytes, iter);
}

/**
 * lib/iov_iter.c: copy_folio_from_iter_atomic(folio, offset, bytes, iter): copy into a page
 * with page faults disabled (the folio is locked); 0 when the user page is not readable now,
 * and 0 for a destination iterator (the direction WARN is copy_from_iter's).
 * @fidelity simplified
 */
export function copy_folio_from_iter_atomic(
  k: Kernel,
  page: number,
  bytes: number,
  iter: iov_iter,
): number {
  if (!iter.data_source && !k.m.quirk('iov-iter-no-direction-check')) return 0;
  const b = iter.kbuf;
  const p = iov_iter_piece(iter, bytes);
  if (p === null) return 0;
  let value: number;
  if (b !== null) value = b.kind === 'value' ? b.value : -1;
  else if (user_backed_iter(iter)) value = copy_from_user_inatomic(k, iter.task!, p.base);
  else value = k.mem.content[Math.floor(p.base / 4096)]!;
  if (value < 0) return 0;
  k.mem.content[page] = value;
  iov_iter_advance(iter, bytes);
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
  if (!user_backed_iter(iter)) return 0;
  const p = iov_iter_piece(iter, size);
  if (p === null) return 0;
  return (yield* fault_in_readable(k, iter.task!, p.base)) ? 0 : size;
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
  yield user_backed_iter(iter) || iter.kbuf === null
    ? k.m.point(label)
    : k.m.at(label, folioObj(folio), write ? Access.Write : Access.Read);
}
