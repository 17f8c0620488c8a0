/**
 * GUP-fast (mm/gup.c: gup_fast, gup_fast_fallback): the lockless walk, bracketed for FOLL_PIN by
 * mm->write_protect_seq so it never returns pins that overlap fork's write-protect window, then
 * the slow path for whatever the walk could not take.
 */
import { PAGE_SIZE, TASK_SIZE_MAX_PAGES } from '../../mm/index.js';
import { raw_seqcount_try_begin, read_seqcount_retry } from '../../sim/locking/seqcount.js';
import type { Sched } from '../../sim/thread.js';
import { EFAULT, EINVAL, EOVERFLOW } from '../include/errno.js';
import {
  FOLL_FAST_ONLY,
  FOLL_FORCE,
  FOLL_GET,
  FOLL_HONOR_NUMA_FAULT,
  FOLL_LONGTERM,
  FOLL_NOFAULT,
  FOLL_PCI_P2PDMA,
  FOLL_PIN,
  FOLL_TOUCH,
  FOLL_UNLOCKABLE,
  FOLL_WRITE,
} from '../include/gup_flags.js';
import type { Kernel } from '../kernel.js';
import type { mm_struct } from './mm_struct.js';
import type { LockedCell, PagesArray } from './gup_args.js';
import { gup_note, gup_warn } from './gup_call.js';
import { gup_fast_pgd_range, gup_fast_walk_solo, type FastWalk } from './gup_fast_walk.js';
import { sanity_check_pinned_pages } from './gup_ledger.js';
import { __gup_longterm_locked } from './gup_longterm.js';
import { mm_set_has_pinned_flag } from './gup_pin.js';
import { gupState, gup_solo } from './gup_state.js';
import { mmFlagsObj } from '../objects.js';
import { Access } from '../../sim/footprint.js';
import { MMF_HAS_PINNED, mm_flags_test } from '../../mm/mm_types.js';
import { hexAddr } from './gup_trace.js';
import { gup_fast_unpin_user_pages } from './gup_unpin.js';

const FAST_FLAGS =
  FOLL_WRITE |
  FOLL_LONGTERM |
  FOLL_FORCE |
  FOLL_PIN |
  FOLL_GET |
  FOLL_FAST_ONLY |
  FOLL_NOFAULT |
  FOLL_PCI_P2PDMA |
  FOLL_HONOR_NUMA_FAULT;

/** A walk over pages[off..] of `mm`, starting nothing yet. */
function newWalk(
  k: Kernel,
  mm: mm_struct,
  flags: number,
  pages: PagesArray,
  off: number,
  seqStart: number,
  solo: boolean,
): FastWalk {
  const s = gupState(k);
  const tid = k.m.self.id;
  return {
    k,
    m: k.m,
    mem: k.mem,
    pool: k.pool,
    mm,
    flags,
    write: (flags & FOLL_WRITE) !== 0,
    pin: (flags & FOLL_PIN) !== 0,
    pages,
    off,
    nr: 0,
    solo,
    s,
    taker: s.active[tid]?.taker ?? -1,
    tid,
    seqStart,
    overlap: (seqStart & 1) !== 0,
    pte: 0,
    pmd: 0,
    bail: '',
    bailVpn: -1,
  };
}

/**
 * mm/gup.c: gup_fast: the lockless walk of [start, end) (byte addresses, page-aligned). For
 * FOLL_PIN it samples write_protect_seq first (a fork write-protecting now: 0) and re-checks it
 * after: if fork ran meanwhile, every pin is dropped and 0 returned.
 * @fidelity exact (gup_fast_permitted is always true on x86-64)
 */
export function* gup_fast(
  k: Kernel,
  mm: mm_struct,
  start: number,
  end: number,
  flags: number,
  pages: PagesArray,
  off: number,
): Sched<number> {
  if (gup_solo(k.m)) return gup_fast_solo(k, mm, start, end, flags, pages, off);
  const seqc = mm.write_protect_seq;
  const pin = (flags & FOLL_PIN) !== 0;
  const box = { seq: seqc.sequence };
  if (pin && !(yield* raw_seqcount_try_begin(seqc, box))) {
    fastBail(k, start, 'fork is write-protecting this mm (write_protect_seq is odd)');
    return 0;
  }
  const w = newWalk(k, mm, flags, pages, off, box.seq, false);
  yield* gup_fast_pgd_range(w, start / PAGE_SIZE, end / PAGE_SIZE);
  const raced = pin && (yield* read_seqcount_retry(seqc, box.seq));
  return gup_fast_done(k, w, start, raced);
}

/**
 * gup_fast for a thread that runs alone: no other thread can take a step, so the sequence
 * count is read directly (raw_seqcount_try_begin / read_seqcount_retry without their scheduling
 * points) and the walk runs without generators (gup_fast_walk_solo). It never blocks.
 * @fidelity exact
 */
export function gup_fast_solo(
  k: Kernel,
  mm: mm_struct,
  start: number,
  end: number,
  flags: number,
  pages: PagesArray,
  off: number,
): number {
  const seqc = mm.write_protect_seq;
  const pin = (flags & FOLL_PIN) !== 0;
  const seq = seqc.sequence;
  if (pin && (seq & 1) !== 0) {
    fastBail(k, start, 'fork is write-protecting this mm (write_protect_seq is odd)');
    return 0;
  }
  const w = newWalk(k, mm, flags, pages, off, seq, true);
  gup_fast_walk_solo(w, start / PAGE_SIZE, end / PAGE_SIZE);
  return gup_fast_done(k, w, start, pin && seqc.sequence !== seq);
}

/** The end of gup_fast: trace a bail-out; drop every pin if fork raced; the DEBUG_VM check. */
function gup_fast_done(k: Kernel, w: FastWalk, start: number, raced: boolean): number {
  if (w.bailVpn >= 0) fastBail(k, w.bailVpn * PAGE_SIZE, w.bail);
  let nr = w.nr;
  if (raced) {
    gup_fast_unpin_user_pages(k, w.pages, w.off, nr);
    fastBail(k, start, 'fork write-protected this mm during the walk: pins dropped');
    nr = 0;
  } else if (w.pin) {
    sanity_check_pinned_pages(k, w.pages, w.off, nr);
  }
  notifyFast(k, w, nr);
  return nr;
}

function fastBail(k: Kernel, addr: number, reason: string): void {
  const m = k.m;
  if (m.trace.enabled) m.emit('gup.fast-bail', { addr, reason }, 'mm/gup.c: gup_fast');
}

function notifyFast(k: Kernel, w: FastWalk, nr: number): void {
  const obs = w.s.observers;
  if (obs.length === 0) return;
  const info = {
    mm: w.mm,
    flags: w.flags,
    pages: w.pages,
    off: w.off,
    nr,
    walked: w.nr,
    overlap: w.overlap,
  };
  for (const o of obs) o.fastReturned?.(k, info);
}

/**
 * mm/gup.c: gup_fast_fallback: the lockless walk, then (unless FOLL_FAST_ONLY) the slow path
 * for the rest, with GUP taking mmap_lock itself. The fast prefix is never lost: a slow-path
 * error after it returns the prefix count.
 * @fidelity exact
 */
export function* gup_fast_fallback(
  k: Kernel,
  start: number,
  nr_pages: number,
  gup_flags: number,
  pages: PagesArray,
  off = 0,
): Sched<number> {
  if ((gup_flags & ~FAST_FLAGS) !== 0) {
    gup_warn(
      k,
      'fast-flags',
      `flags not accepted by GUP-fast: 0x${(gup_flags & ~FAST_FLAGS).toString(16)}`,
      'mm/gup.c: gup_fast_fallback',
    );
    return -EINVAL;
  }
  const mm = k.current.mm!;
  let solo = gup_solo(k.m);
  if ((gup_flags & FOLL_PIN) !== 0) {
    // Lockless: a racing fork reads the flag in copy_present_ptes (folio_needs_cow_for_dma).
    if (!mm_flags_test(MMF_HAS_PINNED, mm) && !solo) {
      yield k.m.at('mm_set_has_pinned_flag', mmFlagsObj(mm.mm_id), Access.Write);
      solo = gup_solo(k.m);
    }
    mm_set_has_pinned_flag(mm);
  }
  start = start - (start % PAGE_SIZE);
  if (nr_pages <= 0) return nr_pages === 0 ? 0 : wrapped(start, nr_pages);
  const end = start + nr_pages * PAGE_SIZE;
  if (end > TASK_SIZE_MAX_PAGES * PAGE_SIZE) return -EFAULT;
  const nr_pinned = solo
    ? gup_fast_solo(k, mm, start, end, gup_flags, pages, off)
    : yield* gup_fast(k, mm, start, end, gup_flags, pages, off);
  if (nr_pinned === nr_pages || (gup_flags & FOLL_FAST_ONLY) !== 0) {
    notifyFallback(k, nr_pages, nr_pinned, null, nr_pinned);
    return nr_pinned;
  }
  const ret = yield* fallback(k, mm, start, nr_pages, nr_pinned, gup_flags, pages, off);
  return ret;
}

/**
 * A negative `int nr_pages` becomes a huge unsigned long: start + len wraps past 2^64
 * (-EOVERFLOW) unless start is small enough, and then end is beyond TASK_SIZE_MAX (-EFAULT).
 */
function wrapped(start: number, nr_pages: number): number {
  return start >= -nr_pages * PAGE_SIZE ? -EOVERFLOW : -EFAULT;
}

function* fallback(
  k: Kernel,
  mm: mm_struct,
  start: number,
  nr_pages: number,
  nr_pinned: number,
  gup_flags: number,
  pages: PagesArray,
  off: number,
): Sched<number> {
  const rest = start + nr_pinned * PAGE_SIZE;
  const m = k.m;
  if (m.trace.enabled) {
    m.emit(
      'gup.fast-fallback',
      { start: rest, nr_pinned, remaining: nr_pages - nr_pinned },
      'mm/gup.c: gup_fast_fallback',
    );
  }
  gup_note(
    k,
    `GUP-fast took ${nr_pinned} pages, the slow path was asked for the rest from ${hexAddr(rest)}`,
  );
  const locked: LockedCell = { value: 0 };
  const flags = gup_flags | FOLL_TOUCH | FOLL_UNLOCKABLE;
  const slow = yield* __gup_longterm_locked(
    k,
    mm,
    rest,
    nr_pages - nr_pinned,
    pages,
    off + nr_pinned,
    locked,
    flags,
  );
  const ret = slow < 0 ? (nr_pinned > 0 ? nr_pinned : slow) : slow + nr_pinned;
  notifyFallback(k, nr_pages, nr_pinned, slow, ret);
  return ret;
}

function notifyFallback(
  k: Kernel,
  nr_pages: number,
  nr_pinned: number,
  slow: number | null,
  ret: number,
): void {
  const obs = gupState(k).observers;
  for (const o of obs) o.fallbackDone?.(k, { nr_pages, nr_pinned, slow, ret });
}
