/**
 * Filling a bio from an iov_iter and releasing its pages (block/bio.c, block/blk.h, v6.18):
 * bio_iov_iter_get_pages, __bio_iov_iter_get_pages, bio_release_page, bio_release_pages,
 * bio_set_pages_dirty, bio_check_pages_dirty.
 *
 * User memory is extracted with iov_iter_extract_pages, so the bio holds one pin per page
 * (BIO_PAGE_PINNED) and completion unpins. Quirk `dio-get-not-pin` is the block layer before
 * David Howells' "block: Switch to pinning pages." series: iov_iter_get_pages2 takes FOLL_GET
 * references (BIO_PAGE_REFFED) and completion puts them, so the pages do not look DMA-pinned
 * to fork, which then shares them.
 *
 * One vector per page (a page reached twice, e.g. two iovec fragments of it, is merged and its
 * extra pin or reference dropped at once); `uaddr` records where a user page came from.
 * @fidelity simplified: no BIO_MAX_VECS, no bio_full, BVEC iterators are copied vector by
 * vector instead of borrowed (bio_iov_bvec_set), the dirty recheck of bio_check_pages_dirty
 * runs on the completing thread rather than a workqueue.
 */
import { folio_test_dirty, page_folio } from '../../mm/index.js';
import { PAGE_SIZE } from '../../mm/layout.js';
import { Access } from '../../sim/footprint.js';
import type { Sched } from '../../sim/thread.js';
import { EFAULT } from '../include/errno.js';
import type { Kernel } from '../kernel.js';
import {
  ITER_BVEC,
  iov_iter_count,
  iov_iter_piece,
  iov_iter_revert,
  user_backed_iter,
  type iov_iter,
} from '../lib/iov_iter.js';
import {
  iov_iter_extract_pages,
  iov_iter_extract_will_pin,
  iov_iter_get_pages2,
} from '../lib/iov_iter_pages.js';
import { folio_lock, folio_unlock } from '../mm/filemap.js';
import { put_page, unpin_user_folio, unpin_user_page } from '../mm/gup_unpin.js';
import { folio_mark_dirty } from '../mm/page-writeback.js';
import { mm_solo } from '../mm/solo.js';
import { folioObj } from '../objects.js';
import { BIO_PAGE_PINNED, BIO_PAGE_REFFED, bio_flagged, bio_set_flag, type bio } from './bio.js';

/** How many pages one call may extract (the free vector slots of a fresh bio). */
const BIO_MAX_VECS = 256;

/** block/blk.h: bio_release_page(bio, page): drop what the bio holds on one page. @fidelity exact */
export function bio_release_page(k: Kernel, b: bio, page: number): void {
  if (bio_flagged(b, BIO_PAGE_PINNED)) unpin_user_page(k, page);
  else if (bio_flagged(b, BIO_PAGE_REFFED)) put_page(k, page);
}

/** Add one extracted page: merge a second fragment of the last page, else a new vector. */
function add_page(k: Kernel, b: bio, page: number, off: number, len: number, uaddr: number): void {
  const last = b.bi_io_vec[b.bi_io_vec.length - 1];
  b.bi_size += len;
  if (last !== undefined && last.folio === page && off !== 0) {
    b.bi_io_vec[b.bi_io_vec.length - 1] = { ...last, bv_len: (last.bv_len ?? 0) + len };
    // The page is in the bio already: keep one pin (or reference) per vector.
    if (bio_flagged(b, BIO_PAGE_PINNED)) unpin_user_folio(k, page_folio(k.mem, page), 1);
    else if (bio_flagged(b, BIO_PAGE_REFFED)) put_page(k, page);
    return;
  }
  // one literal per shape (no spread): this runs once per page of every direct I/O
  b.bi_io_vec.push(
    uaddr >= 0
      ? { folio: page, block: -1, csum: -1, bv_len: len, uaddr }
      : { folio: page, block: -1, csum: -1, bv_len: len },
  );
}

/**
 * block/bio.c: __bio_iov_iter_get_pages(bio, iter): extract pages of the iterator's next
 * segment into the bio; 0, or -errno when nothing was added.
 * @fidelity simplified
 */
export function* __bio_iov_iter_get_pages(k: Kernel, b: bio, iter: iov_iter): Sched<number> {
  const pages = new Int32Array(BIO_MAX_VECS).fill(-1);
  const offset = { value: 0 };
  const user = user_backed_iter(iter);
  const base = user ? (iov_iter_piece(iter, iov_iter_count(iter))?.base ?? 0) : 0;
  const size = bio_flagged(b, BIO_PAGE_REFFED)
    ? yield* iov_iter_get_pages2(k, iter, pages, 0x7ffff000, BIO_MAX_VECS, offset)
    : yield* iov_iter_extract_pages(k, iter, pages, 0x7ffff000, BIO_MAX_VECS, 0, offset);
  if (size <= 0) return size !== 0 ? size : -EFAULT;
  let left = size;
  let off = offset.value;
  const first = base - off;
  for (let j = 0; left > 0; j++) {
    const len = Math.min(left, PAGE_SIZE - off);
    add_page(k, b, pages[j]!, off, len, user ? first + j * PAGE_SIZE : -1);
    left -= len;
    off = 0;
  }
  return 0;
}

/**
 * block/bio.c: bio_iov_iter_get_pages(bio, iter, len_align_mask): fill the bio from the
 * iterator (pinning user pages: BIO_PAGE_PINNED), then trim its size to the alignment mask,
 * giving the tail back to the iterator; 0, or -errno when the bio got nothing.
 * @fidelity simplified
 */
export function* bio_iov_iter_get_pages(
  k: Kernel,
  b: bio,
  iter: iov_iter,
  len_align_mask: number,
): Sched<number> {
  if (k.m.quirk('dio-get-not-pin') && iter.iter_type !== ITER_BVEC)
    bio_set_flag(b, BIO_PAGE_REFFED);
  else if (iov_iter_extract_will_pin(iter)) bio_set_flag(b, BIO_PAGE_PINNED);
  let ret = 0;
  do {
    ret = yield* __bio_iov_iter_get_pages(k, b, iter);
  } while (ret === 0 && iov_iter_count(iter) > 0 && b.bi_io_vec.length < BIO_MAX_VECS);
  if (b.bi_io_vec.length === 0) return ret;
  return bio_iov_iter_align_down(k, b, iter, len_align_mask);
}

/** block/bio.c: bio_iov_iter_align_down(bio, iter, len_align_mask). @fidelity exact */
function bio_iov_iter_align_down(k: Kernel, b: bio, iter: iov_iter, mask: number): number {
  let nbytes = b.bi_size & mask;
  if (nbytes === 0) return 0;
  iov_iter_revert(iter, nbytes);
  b.bi_size -= nbytes;
  while (nbytes > 0) {
    const v = b.bi_io_vec[b.bi_io_vec.length - 1]!;
    const len = v.bv_len ?? PAGE_SIZE;
    if (nbytes < len) {
      b.bi_io_vec[b.bi_io_vec.length - 1] = { ...v, bv_len: len - nbytes };
      break;
    }
    bio_release_page(k, b, v.folio);
    b.bi_io_vec.pop();
    nbytes -= len;
  }
  return b.bi_io_vec.length === 0 ? -EFAULT : 0;
}

function* dirty_locked(k: Kernel, folio: number): Sched<void> {
  yield* folio_lock(k, folio);
  folio_mark_dirty(k, folio);
  yield* folio_unlock(k, folio);
}

/**
 * block/bio.c: bio_release_pages(bio, mark_dirty): unpin (or put) every page, first marking
 * it dirty under the folio lock when asked. Nothing for a bio whose pages it does not hold.
 * @fidelity simplified (one vector per page)
 */
export function* bio_release_pages(k: Kernel, b: bio, mark_dirty: boolean): Sched<void> {
  if (!bio_flagged(b, BIO_PAGE_PINNED) && !bio_flagged(b, BIO_PAGE_REFFED)) return;
  for (const v of b.bi_io_vec) {
    const folio = page_folio(k.mem, v.folio);
    if (mark_dirty) yield* dirty_locked(k, folio);
    if (!mm_solo(k.m)) yield k.m.at('bio_release_page', folioObj(folio), Access.Write);
    bio_release_page(k, b, v.folio);
  }
}

/**
 * block/bio.c: bio_set_pages_dirty(bio): before a read is submitted, mark every folio not
 * already dirty dirty, under its lock. @fidelity exact
 */
export function* bio_set_pages_dirty(k: Kernel, b: bio): Sched<void> {
  for (const v of b.bi_io_vec) {
    const folio = page_folio(k.mem, v.folio);
    if (!folio_test_dirty(k.mem, folio)) yield* dirty_locked(k, folio);
  }
}

/**
 * block/bio.c: bio_check_pages_dirty(bio): at read completion, if every folio is still dirty
 * release the pages; if writeback cleaned one while the DMA ran, re-dirty them all first (the
 * kernel defers that to a workqueue, since the folio lock cannot be taken in interrupt context).
 * @fidelity simplified (re-dirtied on the completing thread)
 */
export function* bio_check_pages_dirty(k: Kernel, b: bio): Sched<void> {
  if (!mm_solo(k.m) && b.bi_io_vec.length > 0) {
    const [first, ...rest] = b.bi_io_vec.map((v) => folioObj(page_folio(k.mem, v.folio)));
    let point = k.m.at('bio_check_pages_dirty', first!, Access.Read);
    for (const o of rest) point = point.also(o, Access.Read);
    yield point;
  }
  const clean = b.bi_io_vec.some((v) => !folio_test_dirty(k.mem, page_folio(k.mem, v.folio)));
  yield* bio_release_pages(k, b, clean);
}
