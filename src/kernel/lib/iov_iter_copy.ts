/**
 * The copy primitives of lib/iov_iter.c (v6.18): _copy_to_iter, _copy_from_iter,
 * copy_page_to_iter and iov_iter_zero, with the direction checks of "iov_iter: saner checks for
 * attempt to copy to/from iterator" (a41dad905e5a, v6.2): copying into a source iterator, or out
 * of a destination, WARNs once and copies nothing (`iter.warn.copy-direction`). Quirk
 * `iov-iter-no-direction-check` removes the checks, as before v6.2: the copy goes ahead.
 *
 * Values move one per page: copying `value` writes it to every page the bytes touch; reading
 * records the value of each page touched. A user page that cannot be accessed ends the copy
 * (a short count, as copy_to_user does); kernel-backed flavours always complete, except an
 * XARRAY range that reaches a hole.
 * @fidelity simplified
 */
import { PAGE_SIZE } from '../../mm/layout.js';
import { page_folio } from '../../mm/folio.js';
import { Access } from '../../sim/footprint.js';
import type { Sched } from '../../sim/thread.js';
import { user_read, user_write } from '../arch/x86/mm/fault.js';
import type { Kernel } from '../kernel.js';
import { folio_file_page } from '../mm/pagecache.js';
import { mm_solo } from '../mm/solo.js';
import { folioObj } from '../objects.js';
import {
  ITER_DISCARD,
  ITER_XARRAY,
  iov_iter_advance,
  iov_iter_piece,
  user_backed_iter,
  type iov_iter,
} from './iov_iter.js';

/** The id of the direction WARN. */
export const COPY_DIRECTION_WARN = 'iter.warn.copy-direction';

const RULE = 'lib/iov_iter.c: _copy_to_iter / _copy_from_iter (WARN_ON_ONCE on the direction)';

/** WARN_ON_ONCE(cond) of the direction checks: true when the copy must be refused. */
function wrong_direction(k: Kernel, i: iov_iter, to: boolean): boolean {
  if (to !== i.data_source) return false;
  if (k.m.quirk('iov-iter-no-direction-check')) return false;
  const what = to ? 'copy into an ITER_SOURCE iterator' : 'copy out of an ITER_DEST iterator';
  const message = `${what}: the iterator's direction says the opposite of this copy`;
  k.m.report({ id: COPY_DIRECTION_WARN, message, rule: RULE }, message);
  return true;
}

/** The page behind `base` of a kernel-backed piece, or -1 (an XARRAY hole). */
function kernel_page(k: Kernel, i: iov_iter, base: number): number {
  const index = Math.floor(base / PAGE_SIZE);
  if (i.iter_type !== ITER_XARRAY) return index;
  const folio = i.xarray!.i_pages.get(index);
  return folio === undefined ? -1 : folio_file_page(k, folio, index);
}

/** The next piece, cut at a page boundary unless it is a model kernel buffer. */
function next_piece(i: iov_iter, left: number): { base: number; len: number } | null {
  const p = iov_iter_piece(i, left);
  if (p === null || i.kbuf !== null || i.iter_type === ITER_DISCARD) return p;
  return { base: p.base, len: Math.min(p.len, PAGE_SIZE - (p.base % PAGE_SIZE)) };
}

function* kernel_point(k: Kernel, page: number, write: boolean, label: string): Sched<void> {
  if (mm_solo(k.m)) return;
  yield k.m.at(label, folioObj(page_folio(k.mem, page)), write ? Access.Write : Access.Read);
}

/** Store `value` into one piece; false when it could not be done (fault, hole). */
function* store_piece(k: Kernel, i: iov_iter, base: number, value: number): Sched<boolean> {
  if (i.iter_type === ITER_DISCARD) return true;
  const b = i.kbuf;
  if (b !== null) {
    if (b.kind === 'collect') b.values.push(value);
    return true;
  }
  if (user_backed_iter(i)) return (yield* user_write(k, i.task!, base, 1, value)) === 0;
  const page = kernel_page(k, i, base);
  if (page < 0) return false;
  yield* kernel_point(k, page, true, 'copy_to_iter');
  k.mem.content[page] = value;
  return true;
}

/** Load one piece's value; -1 when it could not be done. */
function* load_piece(k: Kernel, i: iov_iter, base: number): Sched<number> {
  const b = i.kbuf;
  if (b !== null) return b.kind === 'value' ? b.value : -1;
  if (user_backed_iter(i)) {
    const r = yield* user_read(k, i.task!, base, 1);
    return typeof r === 'number' ? -1 : r[0]!;
  }
  const page = kernel_page(k, i, base);
  if (page < 0) return -1;
  yield* kernel_point(k, page, false, 'copy_from_iter');
  return k.mem.content[page]!;
}

/**
 * lib/iov_iter.c: _copy_to_iter(addr, bytes, i) with a kernel source holding `value`: the
 * bytes copied; the iterator advances by them. 0 (and a WARN) for a source iterator.
 * @fidelity simplified
 */
export function* copy_to_iter(k: Kernel, value: number, bytes: number, i: iov_iter): Sched<number> {
  if (wrong_direction(k, i, true)) return 0;
  let done = 0;
  for (;;) {
    const p = next_piece(i, bytes - done);
    if (p === null) break;
    if (!(yield* store_piece(k, i, p.base, value))) break;
    iov_iter_advance(i, p.len);
    done += p.len;
  }
  return done;
}

/**
 * lib/iov_iter.c: _copy_from_iter(addr, bytes, i) into a kernel buffer that records the value
 * of each piece in `out`: the bytes copied. 0 (and a WARN) for a destination iterator.
 * @fidelity simplified
 */
export function* copy_from_iter(
  k: Kernel,
  out: number[],
  bytes: number,
  i: iov_iter,
): Sched<number> {
  if (wrong_direction(k, i, false)) return 0;
  let done = 0;
  for (;;) {
    const p = next_piece(i, bytes - done);
    if (p === null) break;
    const v = yield* load_piece(k, i, p.base);
    if (v < 0) break;
    out.push(v);
    iov_iter_advance(i, p.len);
    done += p.len;
  }
  return done;
}

/**
 * lib/iov_iter.c: copy_page_to_iter(page, offset, bytes, i): copy from one (possibly compound)
 * page; a range past the folio's end is WARNed about (page_copy_sane) and copies nothing.
 * @fidelity simplified (the range check is against one page)
 */
export function* copy_page_to_iter(
  k: Kernel,
  page: number,
  offset: number,
  bytes: number,
  i: iov_iter,
): Sched<number> {
  if (offset < 0 || offset + bytes > PAGE_SIZE) return 0;
  return yield* copy_to_iter(k, k.mem.content[page]!, bytes, i);
}

/** lib/iov_iter.c: iov_iter_zero(bytes, i): no direction check. @fidelity simplified */
export function* iov_iter_zero(k: Kernel, bytes: number, i: iov_iter): Sched<number> {
  const src = i.data_source;
  if (!src) return yield* copy_to_iter(k, 0, bytes, i);
  let done = 0;
  for (;;) {
    const p = next_piece(i, bytes - done);
    if (p === null || !(yield* store_piece(k, i, p.base, 0))) break;
    iov_iter_advance(i, p.len);
    done += p.len;
  }
  return done;
}
