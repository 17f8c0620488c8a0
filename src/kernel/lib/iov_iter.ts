/**
 * struct iov_iter (include/linux/uio.h, lib/iov_iter.c, v6.18): every iterator type, the
 * direction, the constructors and the cursor operations (advance, revert, truncate). Copies are
 * in iov_iter_copy.ts, page extraction (refs and pins) in iov_iter_pages.ts.
 *
 * Memory is one value per page (docs/mm-data-model.md). A segment is a byte range: a user
 * address range (UBUF, IOVEC) of the iterator's task, or a range of the kernel's linear map
 * (KVEC, BVEC, FOLIOQ), where the model's linear address of byte `o` of page `pfn` is
 * `pfn * PAGE_SIZE + o` (virt_to_page is a division). XARRAY names page-cache indexes.
 * A KVEC may also stand for a kernel buffer outside simulated memory (`kbuf`: one value for a
 * source, a list that records each page's value for a destination), which is how the
 * page-cache paths move data to and from scenario steps.
 * @fidelity simplified: no ITER_PIPE (removed in v6.4), no save/restore, no nofault callers.
 */
import { PAGE_SIZE } from '../../mm/layout.js';
import type { address_space } from '../mm/mm_types.js';
import type { task_struct } from '../sched/task.js';

/** include/linux/uio.h: enum iter_type, in the kernel's order. */
export const ITER_UBUF = 0;
export const ITER_IOVEC = 1;
export const ITER_BVEC = 2;
export const ITER_KVEC = 3;
export const ITER_FOLIOQ = 4;
export const ITER_XARRAY = 5;
export const ITER_DISCARD = 6;

/** include/linux/uio.h: ITER_SOURCE (== WRITE: the iterator's memory is read, as by write(2)). */
export const ITER_SOURCE = 1;
/** include/linux/uio.h: ITER_DEST (== READ: the iterator's memory is written, as by read(2)). */
export const ITER_DEST = 0;

/** include/linux/fs.h: MAX_RW_COUNT (INT_MAX & PAGE_MASK). */
export const MAX_RW_COUNT = 0x7ffff000;

/** include/uapi/linux/uio.h: struct iovec (also struct kvec: a kernel linear-map address). */
export interface iovec {
  readonly iov_base: number;
  readonly iov_len: number;
}

/** include/linux/bvec.h: struct bio_vec as an iterator segment. */
export interface iter_bvec {
  readonly bv_page: number;
  readonly bv_len: number;
  readonly bv_offset: number;
}

/** A kernel buffer outside simulated memory (see the file comment). */
export type kbuf =
  | { readonly kind: 'value'; readonly value: number }
  | { readonly kind: 'collect'; readonly values: number[] };

/** Thrown for a kernel BUG() (a broken caller contract): the run stops as a model bug. @fidelity custom */
export function iov_iter_bug(what: string): never {
  throw new Error(`kernel BUG in lib/iov_iter.c: ${what}`);
}

/** include/linux/uio.h: struct iov_iter. @fidelity simplified */
export class iov_iter {
  /** Byte offset in the current segment (UBUF, XARRAY: from the start of the range). */
  iov_offset = 0;
  /** Index of the current segment in `segs` (the kernel advances its segment pointer). */
  seg = 0;
  /** GUP must not fault pages in (FOLL_NOFAULT). */
  nofault = false;
  /** Model only: bytes consumed since construction (advance minus revert). */
  done = 0;

  constructor(
    readonly iter_type: number,
    readonly data_source: boolean,
    /** The segments: user ranges (UBUF, IOVEC) or linear-map ranges (KVEC, BVEC, FOLIOQ). */
    readonly segs: readonly iovec[],
    /** Bytes left. */
    public count: number,
    /** Whose user memory UBUF and IOVEC segments are. */
    readonly task: task_struct | null = null,
    /** ITER_XARRAY: the mapping and the byte position of the range. */
    readonly xarray: address_space | null = null,
    readonly xarray_start = 0,
    /** A KVEC over a kernel buffer outside simulated memory. */
    readonly kbuf: kbuf | null = null,
  ) {}

  /** include/linux/uio.h: iter->nr_segs (segments not yet finished). */
  get nr_segs(): number {
    return this.segs.length - this.seg;
  }
}

function direction_ok(direction: number): boolean {
  return direction === ITER_SOURCE || direction === ITER_DEST;
}

function check_direction(direction: number): void {
  if (!direction_ok(direction)) iov_iter_bug(`direction ${direction} is neither READ nor WRITE`);
}

/** lib/iov_iter.c: iov_iter_ubuf(i, direction, buf, count). @fidelity exact */
export function iov_iter_ubuf(
  direction: number,
  task: task_struct,
  addr: number,
  count: number,
): iov_iter {
  check_direction(direction);
  const seg = [{ iov_base: addr, iov_len: count }];
  return new iov_iter(ITER_UBUF, direction === ITER_SOURCE, seg, count, task);
}

/** lib/iov_iter.c: iov_iter_init(i, direction, iov, nr_segs, count): an ITER_IOVEC. @fidelity exact */
export function iov_iter_init(
  direction: number,
  task: task_struct,
  iov: readonly iovec[],
  count: number,
): iov_iter {
  check_direction(direction);
  return new iov_iter(ITER_IOVEC, direction === ITER_SOURCE, iov, count, task);
}

/** lib/iov_iter.c: iov_iter_kvec(i, direction, kvec, nr_segs, count). @fidelity exact */
export function iov_iter_kvec(direction: number, kvec: readonly iovec[], count: number): iov_iter {
  check_direction(direction);
  return new iov_iter(ITER_KVEC, direction === ITER_SOURCE, kvec, count);
}

/** lib/iov_iter.c: iov_iter_bvec(i, direction, bvec, nr_segs, count). @fidelity exact */
export function iov_iter_bvec(
  direction: number,
  bvec: readonly iter_bvec[],
  count: number,
): iov_iter {
  check_direction(direction);
  const segs = bvec.map((b) => ({
    iov_base: b.bv_page * PAGE_SIZE + b.bv_offset,
    iov_len: b.bv_len,
  }));
  return new iov_iter(ITER_BVEC, direction === ITER_SOURCE, segs, count);
}

/**
 * lib/iov_iter.c: iov_iter_folio_queue(i, direction, folioq, first_slot, offset, count): the
 * queue is a list of (folio, size in bytes). @fidelity simplified: one flat queue of slots
 */
export function iov_iter_folio_queue(
  direction: number,
  folioq: readonly { folio: number; size: number }[],
  offset: number,
  count: number,
): iov_iter {
  if (!direction_ok(direction)) iov_iter_bug('folio_queue direction');
  const segs = folioq.map((f) => ({ iov_base: f.folio * PAGE_SIZE, iov_len: f.size }));
  const i = new iov_iter(ITER_FOLIOQ, direction === ITER_SOURCE, segs, count);
  i.iov_offset = offset;
  return i;
}

/** lib/iov_iter.c: iov_iter_xarray(i, direction, xa, start, count). @fidelity exact */
export function iov_iter_xarray(
  direction: number,
  mapping: address_space,
  start: number,
  count: number,
): iov_iter {
  if (!direction_ok(direction)) iov_iter_bug('xarray direction');
  return new iov_iter(ITER_XARRAY, direction === ITER_SOURCE, [], count, null, mapping, start);
}

/** lib/iov_iter.c: iov_iter_discard(i, direction, count): READ only. @fidelity exact */
export function iov_iter_discard(direction: number, count: number): iov_iter {
  if (direction !== ITER_DEST) iov_iter_bug('iov_iter_discard with direction WRITE');
  return new iov_iter(ITER_DISCARD, false, [], count);
}

/** An ITER_KVEC over a model kernel buffer (`kbuf`). @fidelity custom */
export function iov_iter_kbuf(direction: number, buf: kbuf, count: number): iov_iter {
  check_direction(direction);
  const seg = [{ iov_base: 0, iov_len: count }];
  return new iov_iter(ITER_KVEC, direction === ITER_SOURCE, seg, count, null, null, 0, buf);
}

/** include/linux/uio.h: iov_iter_rw(i): WRITE (ITER_SOURCE) iff data_source. @fidelity exact */
export function iov_iter_rw(i: iov_iter): number {
  return i.data_source ? ITER_SOURCE : ITER_DEST;
}

/** include/linux/uio.h: user_backed_iter(i): UBUF or IOVEC. @fidelity exact */
export function user_backed_iter(i: iov_iter): boolean {
  return i.iter_type === ITER_UBUF || i.iter_type === ITER_IOVEC;
}

/** include/linux/uio.h: iov_iter_count(i). @fidelity exact */
export function iov_iter_count(i: iov_iter): number {
  return i.count;
}

/** include/linux/uio.h: iov_iter_truncate(i, count). @fidelity exact */
export function iov_iter_truncate(i: iov_iter, count: number): void {
  if (i.count > count) i.count = count;
}

/** include/linux/uio.h: iov_iter_reexpand(i, count). @fidelity exact */
export function iov_iter_reexpand(i: iov_iter, count: number): void {
  i.count = count;
}

/** Single-range flavours: the cursor is only an offset. */
function single_range(i: iov_iter): boolean {
  return i.iter_type === ITER_UBUF || i.iter_type === ITER_XARRAY;
}

/**
 * lib/iov_iter.c: iov_iter_advance(i, size): consume `size` bytes (clamped to count); in a
 * segmented iterator, landing on a segment's end moves to the next one.
 * @fidelity exact
 */
export function iov_iter_advance(i: iov_iter, size: number): void {
  if (size > i.count) size = i.count;
  if (size === 0) return;
  i.done += size;
  i.count -= size;
  if (single_range(i)) {
    i.iov_offset += size;
    return;
  }
  if (i.iter_type === ITER_DISCARD) return;
  let skip = i.iov_offset + size;
  while (i.seg < i.segs.length && skip >= i.segs[i.seg]!.iov_len) {
    skip -= i.segs[i.seg]!.iov_len;
    i.seg++;
  }
  i.iov_offset = skip;
}

/**
 * lib/iov_iter.c: iov_iter_revert(i, unroll): give back `unroll` bytes. More than MAX_RW_COUNT
 * is WARNed about and ignored (returns false); stepping before the start of a UBUF or XARRAY
 * range is a BUG.
 * @fidelity exact
 */
export function iov_iter_revert(i: iov_iter, unroll: number): boolean {
  if (unroll === 0) return true;
  if (unroll > MAX_RW_COUNT) return false;
  i.count += unroll;
  i.done -= unroll;
  if (i.iter_type === ITER_DISCARD) return true;
  if (unroll <= i.iov_offset) {
    i.iov_offset -= unroll;
    return true;
  }
  if (single_range(i)) iov_iter_bug('iov_iter_revert before the start of a UBUF/XARRAY range');
  unroll -= i.iov_offset;
  for (;;) {
    if (i.seg === 0) iov_iter_bug('iov_iter_revert before the first segment');
    const n = i.segs[--i.seg]!.iov_len;
    if (unroll <= n) {
      i.iov_offset = n - unroll;
      return true;
    }
    unroll -= n;
  }
}

/**
 * The next contiguous piece of the iterator, at most `max` bytes: its start (a user address or
 * a linear-map address; for XARRAY the file position) and length, without consuming it. Empty
 * segments are skipped. @fidelity custom
 */
export function iov_iter_piece(i: iov_iter, max: number): { base: number; len: number } | null {
  const n = Math.min(max, i.count);
  if (n <= 0) return null;
  if (i.iter_type === ITER_XARRAY) return { base: i.xarray_start + i.iov_offset, len: n };
  if (i.iter_type === ITER_DISCARD) return { base: 0, len: n };
  let s = i.seg;
  let off = i.iov_offset;
  while (s < i.segs.length && off >= i.segs[s]!.iov_len) {
    off -= i.segs[s]!.iov_len;
    s++;
  }
  if (s >= i.segs.length) return null;
  const seg = i.segs[s]!;
  return { base: seg.iov_base + off, len: Math.min(n, seg.iov_len - off) };
}

/**
 * lib/iov_iter.c: iov_iter_alignment(i): the OR of every remaining segment's start and length
 * (for the direct I/O alignment rules). @fidelity simplified (UBUF, IOVEC, KVEC, BVEC)
 */
export function iov_iter_alignment(i: iov_iter): number {
  if (i.iter_type === ITER_XARRAY) return (i.xarray_start + i.iov_offset) | i.count;
  if (i.iter_type === ITER_DISCARD) return 0;
  let res = 0;
  let left = i.count;
  let off = i.iov_offset;
  for (let s = i.seg; s < i.segs.length && left > 0; s++) {
    const seg = i.segs[s]!;
    const len = Math.min(seg.iov_len - off, left);
    if (len > 0) res |= (seg.iov_base + off) | len;
    left -= len;
    off = 0;
  }
  return res;
}
