/**
 * Getting the pages behind an iov_iter (lib/iov_iter.c, v6.18):
 *  - iov_iter_get_pages2: references (FOLL_GET). User memory through get_user_pages_fast; BVEC,
 *    FOLIOQ and XARRAY pages with get_page / folio_get; KVEC and DISCARD are -EFAULT.
 *  - iov_iter_extract_pages: pins for user memory (pin_user_pages_fast), bare page numbers for
 *    every other flavour (no reference, no pin: the iterator's creator keeps them alive);
 *    iov_iter_extract_will_pin says which cleanup applies.
 * For user memory FOLL_WRITE is set iff the iterator is a destination (the kernel will write the
 * pages). A user-backed call covers one segment at most; both return the bytes covered and
 * advance the iterator by them, or return 0 / -errno without advancing.
 * @fidelity simplified: `pages` is always supplied by the caller (no _alloc2 variant).
 */
import { folio_get, page_folio } from '../../mm/folio.js';
import { PAGE_SIZE } from '../../mm/layout.js';
import type { Sched } from '../../sim/thread.js';
import { EFAULT, ENOMEM } from '../include/errno.js';
import { FOLL_NOFAULT, FOLL_PCI_P2PDMA, FOLL_WRITE } from '../include/gup_flags.js';
import type { Kernel } from '../kernel.js';
import { get_user_pages_fast, pin_user_pages_fast } from '../mm/gup.js';
import type { PagesArray } from '../mm/gup_args.js';
import { folio_file_page } from '../mm/pagecache.js';
import {
  ITER_BVEC,
  ITER_FOLIOQ,
  ITER_KVEC,
  ITER_XARRAY,
  MAX_RW_COUNT,
  iov_iter_advance,
  iov_iter_piece,
  iov_iter_rw,
  user_backed_iter,
  type iov_iter,
  ITER_DEST,
} from './iov_iter.js';

/** include/linux/uio.h: ITER_ALLOW_P2PDMA (extraction flag). */
export const ITER_ALLOW_P2PDMA = 0x01;

/** size_t *offset0 / size_t *start: the offset of the data in the first page. */
export interface OffsetCell {
  value: number;
}

/** lib/iov_iter.c: want_pages_array: how many page slots `size` bytes from `start` need. @fidelity simplified */
function want_pages_array(size: number, start: number, maxpages: number): number {
  return Math.min(Math.ceil((size + start) / PAGE_SIZE), maxpages);
}

/** The first non-empty piece of a user-backed iterator, clamped to `maxsize` (first_iovec_segment). */
function first_iovec_segment(i: iov_iter, maxsize: number): { addr: number; len: number } | null {
  const p = iov_iter_piece(i, maxsize);
  return p === null ? null : { addr: p.base, len: p.len };
}

type Gup = (k: Kernel, start: number, n: number, flags: number, pages: PagesArray) => Sched<number>;

function* user_pages(
  k: Kernel,
  i: iov_iter,
  pages: PagesArray,
  maxsize: number,
  maxpages: number,
  flags: number,
  start: OffsetCell,
  gup: Gup,
): Sched<number> {
  if (i.nofault) flags |= FOLL_NOFAULT;
  const seg = first_iovec_segment(i, maxsize);
  if (seg === null) return 0;
  const offset = seg.addr % PAGE_SIZE;
  start.value = offset;
  const n = want_pages_array(seg.len, offset, maxpages);
  if (n === 0) return -ENOMEM;
  const res = yield* gup(k, seg.addr - offset, n, flags, pages);
  if (res <= 0) return res;
  const bytes = Math.min(seg.len, res * PAGE_SIZE - offset);
  iov_iter_advance(i, bytes);
  return bytes;
}

/**
 * List the pages of a kernel-backed piece (KVEC, BVEC, FOLIOQ: one linear run; XARRAY: the
 * cached pages, stopping at a hole), taking a reference on each when `ref`. Advances the
 * iterator by the bytes covered. @fidelity simplified
 */
function kernel_pages(
  k: Kernel,
  i: iov_iter,
  pages: PagesArray,
  maxsize: number,
  maxpages: number,
  start: OffsetCell,
  ref: boolean,
): number {
  const p = iov_iter_piece(i, maxsize);
  if (p === null) return 0;
  const offset = p.base % PAGE_SIZE;
  start.value = offset;
  const n = want_pages_array(p.len, offset, maxpages);
  const first = Math.floor(p.base / PAGE_SIZE);
  let got = 0;
  for (; got < n; got++) {
    let page = first + got;
    if (i.iter_type === ITER_XARRAY) {
      const folio = i.xarray!.i_pages.get(page);
      if (folio === undefined) break;
      page = folio_file_page(k, folio, page);
    }
    if (ref) folio_get(k.mem, page_folio(k.mem, page));
    pages[got] = page;
  }
  if (got === 0) return 0;
  const bytes = Math.min(p.len, got * PAGE_SIZE - offset);
  iov_iter_advance(i, bytes);
  return bytes;
}

function clamp(i: iov_iter, maxsize: number): number {
  return Math.min(maxsize, i.count, MAX_RW_COUNT);
}

/**
 * lib/iov_iter.c: iov_iter_get_pages2(i, pages, maxsize, maxpages, start): bytes covered, each
 * page listed carrying one reference (release with put_page); 0 or -errno without advancing.
 * @fidelity simplified (slab folios of a BVEC are not special)
 */
export function* iov_iter_get_pages2(
  k: Kernel,
  i: iov_iter,
  pages: PagesArray,
  maxsize: number,
  maxpages: number,
  start: OffsetCell,
): Sched<number> {
  maxsize = clamp(i, maxsize);
  if (maxsize === 0 || maxpages === 0) return 0;
  if (user_backed_iter(i)) {
    const flags = iov_iter_rw(i) === ITER_DEST ? FOLL_WRITE : 0;
    return yield* user_pages(k, i, pages, maxsize, maxpages, flags, start, get_user_pages_fast);
  }
  if (i.iter_type === ITER_BVEC || i.iter_type === ITER_FOLIOQ || i.iter_type === ITER_XARRAY)
    return kernel_pages(k, i, pages, maxsize, maxpages, start, true);
  return -EFAULT;
}

/**
 * lib/iov_iter.c: iov_iter_extract_pages(i, pages, maxsize, maxpages, extraction_flags,
 * offset0): bytes covered; user pages come pinned (FOLL_PIN, plus FOLL_WRITE for ITER_DEST),
 * kernel pages bare. 0 or -errno without advancing. DISCARD is -EFAULT.
 * @fidelity simplified (a KVEC over a model kernel buffer has no pages: -EFAULT)
 */
export function* iov_iter_extract_pages(
  k: Kernel,
  i: iov_iter,
  pages: PagesArray,
  maxsize: number,
  maxpages: number,
  extraction_flags: number,
  offset0: OffsetCell,
): Sched<number> {
  maxsize = clamp(i, maxsize);
  if (maxsize === 0) return 0;
  if (user_backed_iter(i)) {
    let flags = i.data_source === false ? FOLL_WRITE : 0;
    if ((extraction_flags & ITER_ALLOW_P2PDMA) !== 0) flags |= FOLL_PCI_P2PDMA;
    return yield* user_pages(k, i, pages, maxsize, maxpages, flags, offset0, pin_user_pages_fast);
  }
  if (i.iter_type === ITER_KVEC && i.kbuf !== null) return -EFAULT;
  if (
    i.iter_type === ITER_KVEC ||
    i.iter_type === ITER_BVEC ||
    i.iter_type === ITER_FOLIOQ ||
    i.iter_type === ITER_XARRAY
  )
    return kernel_pages(k, i, pages, maxsize, maxpages, offset0, false);
  return -EFAULT;
}

/** include/linux/uio.h: iov_iter_extract_will_pin(i): user_backed_iter(i). @fidelity exact */
export function iov_iter_extract_will_pin(i: iov_iter): boolean {
  return user_backed_iter(i);
}
