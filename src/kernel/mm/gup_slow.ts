/**
 * mm/gup.c: __get_user_pages, the slow path's page loop: find and check the VMA, look the page
 * up (follow_page_mask), fault it in or unshare it when needed (faultin_page), take the rest of
 * a huge leaf in one grab, and fill pages[]. Runs with mmap_lock held; returns the pages done
 * (a partial count wins over the error that stopped it), 0 when the lock was dropped or
 * FOLL_NOWAIT stopped it, or a negative errno.
 */
import {
  GUP_PIN_COUNTING_BIAS,
  NR_FOLL_PIN_ACQUIRED,
  PAGE_SIZE,
  PG_anon,
  PG_anon_exclusive,
  PG_dirty,
  PG_ksm,
  PTRS_PER_PTE,
  _PAGE_DIRTY,
  _PAGE_PRESENT,
  _PAGE_RW,
  _PAGE_SPECIAL,
  mod_node_page_state,
  page_folio,
  pte_pfn,
  vma_lookup,
  type VmAreaStruct,
} from '../../mm/index.js';
import { Access } from '../../sim/footprint.js';
import { fatal_signal_pending } from '../../sim/sched.js';
import type { Sched } from '../../sim/thread.js';
import {
  EAGAIN,
  EBUSY,
  EEXIST,
  EFAULT,
  EHWPOISON,
  EINTR,
  EINVAL,
  EMLINK,
  ENOMEM,
} from '../include/errno.js';
import {
  FOLL_GET,
  FOLL_MADV_POPULATE,
  FOLL_PCI_P2PDMA,
  FOLL_PIN,
  FOLL_TOUCH,
  FOLL_WRITE,
} from '../include/gup_flags.js';
import { VM_MIXEDMAP, VM_PFNMAP } from '../include/vm_flags.js';
import type { Kernel } from '../kernel.js';
import type { LockedCell, PagesArray } from './gup_args.js';
import { gup_note, gup_stop, gup_warn } from './gup_call.js';
import { faultin_page, note_follow_without_write, type FollFlags } from './gup_fault.js';
import {
  FOLLOW_NULL,
  SOLO_DEFER,
  follow_page_mask,
  follow_page_mask_solo,
  follow_page_mask_top,
  solo_pte_table,
  type FollowPageContext,
} from './gup_follow.js';
import { gup_must_unshare } from './gup_internal.js';
import { ledger_take, ledger_took } from './gup_ledger.js';
import { folio_is_pci_p2pdma, gup_put_folio, try_grab_folio } from './gup_pin.js';
import { gupState } from './gup_state.js';
import { hexAddr } from './gup_trace.js';
import { gup_vma_lookup, vma_flags_verdict } from './gup_vma.js';
import type { mm_struct } from './mm_struct.js';
import { mm_solo } from './solo.js';

const FN = '__get_user_pages';

/** The loop's position: VMA, address, progress, and the error that stopped it. */
interface PageLoop {
  vma: VmAreaStruct | null;
  start: number;
  nr_pages: number;
  i: number;
  ret: number;
}

/**
 * mm/gup.c: __get_user_pages(mm, start, nr_pages, gup_flags, pages, locked), with C's
 * `pages + off` as (pages, off).
 * @fidelity exact (no gate area: x86-64's vsyscall page is above every user VMA and reads as no VMA)
 */
export function* __get_user_pages(
  k: Kernel,
  mm: mm_struct,
  start: number,
  nr_pages: number,
  gup_flags: number,
  pages: PagesArray | null,
  off: number,
  locked: LockedCell,
): Sched<number> {
  if (nr_pages === 0) return 0;
  sanity(k, gup_flags, pages);
  const loop: PageLoop = { vma: null, start, nr_pages, i: 0, ret: 0 };
  const ctx: FollowPageContext = { page_mask: 0, pmd_region: -1, pmdp: -1 };
  do {
    if (loop.vma === null || loop.start >= loop.vma.vm_end) {
      if (!enterVma(k, mm, loop, gup_flags)) break;
    }
    if (mm_solo(k.m)) {
      const lane = solo_lane(k, loop, gup_flags, ctx, pages, off);
      if (lane === LANE_STOP || loop.nr_pages === 0) break;
      if (lane === LANE_VMA) continue;
    }
    const page = yield* lookupOrFault(k, loop, gup_flags, ctx, locked, pages !== null);
    if (page === STOP) break;
    if (!takeStep(k, loop, gup_flags, pages, off, page, ctx.page_mask)) break;
  } while (loop.nr_pages > 0);
  return loop.i > 0 ? loop.i : loop.ret;
}

const STOP = -1e9;

/** How the solo lane ended: stop the loop, cross into the next VMA, or take the general path. */
const LANE_STOP = 0;
const LANE_VMA = 1;
const LANE_SLOW = 2;

/**
 * The page loop for a thread running alone, without generators: as long as pages are there to
 * take (no fault, no unshare, no THP split), look them up and take them with the same decisions
 * as the general path. Hands the page that needs more back to it.
 */
function solo_lane(
  k: Kernel,
  loop: PageLoop,
  flags: number,
  ctx: FollowPageContext,
  pages: PagesArray | null,
  off: number,
): number {
  const t = k.m.self;
  const vma = loop.vma!;
  ctx.pmd_region = -1;
  // The run lane takes pages when they are to be returned, in a VMA vm_normal_page follows.
  const runs =
    pages !== null && (flags & (FOLL_GET | FOLL_PIN)) !== 0 && (vma.vm_flags & NOT_NORMAL) === 0;
  while (loop.nr_pages > 0) {
    if (loop.start >= vma.vm_end) return LANE_VMA;
    if (fatal_signal_pending(t)) return LANE_SLOW;
    if (runs && pte_run_solo(k, loop, flags, ctx, pages!, off) > 0) continue;
    const page = follow_page_mask_solo(k, vma, loop.start, flags, ctx);
    if (page === FOLLOW_NULL || page === -EMLINK || page === SOLO_DEFER) return LANE_SLOW;
    if (page === -EEXIST && pages !== null) {
      stop(k, loop, -EEXIST, 'a PFN mapping has no struct page to return');
      return LANE_STOP;
    }
    if (page < 0 && page !== -EEXIST) {
      stop(k, loop, page, 'the page-table lookup failed (follow_page_mask)');
      return LANE_STOP;
    }
    if (!takeStep(k, loop, flags, pages, off, page, ctx.page_mask)) return LANE_STOP;
  }
  return LANE_STOP;
}

const NOT_NORMAL = VM_PFNMAP | VM_MIXEDMAP;
const RUN_NEED = _PAGE_PRESENT;
const FLAG_ANON = 1 << PG_anon;
const FLAG_KSM = 1 << PG_ksm;
const FLAG_EXCL = 1 << PG_anon_exclusive;
const FLAG_DIRTY = 1 << PG_dirty;

/**
 * The run lane of solo_lane: from loop.start, within its PTE table and VMA, take each page whose
 * PTE follow_page_pte would follow to an ordinary small folio and grab at once: present (not
 * protnone), not special, not the zero page, writable for FOLL_WRITE, no unshare needed, not
 * dirtied by FOLL_TOUCH, refcount above zero. Per page it has the effects of follow_pte_locked
 * (try_grab_folio: one reference for FOLL_GET, GUP_PIN_COUNTING_BIAS for FOLL_PIN), then
 * takeStep and fill (pages[], the ledger); NR_FOLL_PIN_ACQUIRED once for the run. Stops at the
 * first other PTE, which the general lookup decides. Returns the pages taken.
 * @fidelity custom
 */
function pte_run_solo(
  k: Kernel,
  loop: PageLoop,
  flags: number,
  ctx: FollowPageContext,
  pages: PagesArray,
  off: number,
): number {
  const vma = loop.vma!;
  const vpn = loop.start / PAGE_SIZE;
  const ptep = solo_pte_table(k, vma, vpn, flags, ctx);
  if (ptep < 0) return 0;
  let lim = PTRS_PER_PTE - (vpn % PTRS_PER_PTE);
  if (lim > loop.nr_pages) lim = loop.nr_pages;
  const inVma = (vma.vm_end - loop.start) / PAGE_SIZE;
  if (lim > inVma) lim = inVma;
  // Everything the loop reads is a local.
  const mem = k.mem;
  const e = k.pool.entries;
  const pf = mem.flags;
  const rc = mem._refcount;
  const order = mem.compound_order;
  const zero = mem.zero_pfn;
  const get = (flags & FOLL_GET) !== 0;
  const pin = !get;
  const refs = get ? 1 : GUP_PIN_COUNTING_BIAS;
  const write = (flags & FOLL_WRITE) !== 0;
  const need = write ? RUN_NEED | _PAGE_RW : RUN_NEED;
  const touchWrite = write && (flags & FOLL_TOUCH) !== 0;
  const mayUnshare = (flags & (FOLL_WRITE | FOLL_PIN)) === FOLL_PIN;
  const p2p = (flags & FOLL_PCI_P2PDMA) === 0;
  const s = gupState(k);
  const checkExcl = pin && s.debugVm; // warn_pin_not_exclusive: left to the general lookup
  const held = pin ? s.pinned : s.gotten;
  const takers = s.taker;
  const taker = s.active[k.m.self.id]?.taker ?? -1;
  const base = off + loop.i;
  let n = 0;
  for (; n < lim; n++) {
    const pte = e[ptep + n]!;
    if ((pte & need) !== need || (pte & _PAGE_SPECIAL) !== 0) break;
    const page = pte_pfn(pte);
    if (order[page] !== 0 || page === zero) break;
    const pflags = pf[page]!;
    if (mayUnshare && (pte & _PAGE_RW) === 0 && gup_must_unshare(mem, vma, flags, page)) break;
    if (checkExcl && (pflags & (FLAG_ANON | FLAG_KSM | FLAG_EXCL)) === FLAG_ANON) break;
    const count = rc[page]!;
    if (count <= 0) break; // try_grab_folio WARNs: the general lookup does
    if (p2p && folio_is_pci_p2pdma(mem, page)) break;
    if (touchWrite && (pte & _PAGE_DIRTY) === 0 && (pflags & FLAG_DIRTY) === 0) break;
    rc[page] = count + refs;
    pages[base + n] = page;
    held[page] = held[page]! + 1;
    takers[page] = taker;
  }
  if (n > 0) {
    if (pin) mod_node_page_state(mem.vmstat, NR_FOLL_PIN_ACQUIRED, n);
    ledger_took(s, k.m.self.id, n);
    loop.i += n;
    loop.start += n * PAGE_SIZE;
    loop.nr_pages -= n;
  }
  return n;
}

/** VM_WARN_ON_ONCE: pages given exactly when GET or PIN is; never both. */
function sanity(k: Kernel, flags: number, pages: PagesArray | null): void {
  const grabs = (flags & (FOLL_GET | FOLL_PIN)) !== 0;
  if ((pages !== null) !== grabs || (flags & (FOLL_GET | FOLL_PIN)) === (FOLL_GET | FOLL_PIN)) {
    gup_warn(
      k,
      'pages-vs-flags',
      'pages given without FOLL_GET/FOLL_PIN, or the reverse',
      `mm/gup.c: ${FN}`,
    );
  }
}

/** First iteration or a VMA boundary: find the VMA and check it; false (loop.ret set) to stop. */
function enterVma(k: Kernel, mm: mm_struct, loop: PageLoop, flags: number): boolean {
  const addr = loop.start;
  if ((flags & FOLL_MADV_POPULATE) !== 0) {
    loop.vma = vma_lookup(mm, addr);
    if (loop.vma === null)
      return stop(k, loop, -ENOMEM, 'no VMA at this address (MADV_POPULATE reports -ENOMEM)');
    const v = vma_flags_verdict(loop.vma, flags);
    return v === null || stop(k, loop, -EINVAL, `${v.rule} (MADV_POPULATE reports -EINVAL)`);
  }
  loop.vma = gup_vma_lookup(mm, addr);
  if (loop.vma === null) return stop(k, loop, -EFAULT, 'no VMA contains this address');
  const v = vma_flags_verdict(loop.vma, flags);
  return v === null || stop(k, loop, v.errno, `${v.rule} (check_vma_flags)`);
}

function stop(k: Kernel, loop: PageLoop, errno: number, rule: string): false {
  loop.ret = errno;
  gup_stop(k, loop.start, errno, rule, FN);
  return false;
}

/** The `retry:` part: signals, cond_resched, follow_page_mask, faults; the page or STOP. */
function* lookupOrFault(
  k: Kernel,
  loop: PageLoop,
  flags: number,
  ctx: FollowPageContext,
  locked: LockedCell,
  wantPages: boolean,
): Sched<number> {
  const m = k.m;
  const vma = loop.vma!;
  // This page's flags (the old kernel's foll_flags): pre-v4.9 faultin_page could clear
  // FOLL_WRITE in them (quirk dirty-cow, gup_fault.ts); the current kernel never changes them.
  const foll: FollFlags = { value: flags };
  for (;;) {
    if (fatal_signal_pending(m.self)) return stopped(k, loop, -EINTR, 'a fatal signal is pending');
    // cond_resched(): a preemption point; the step after it starts follow_page_mask, whose
    // first unlocked read is the top of the walk (each deeper level declares its own point).
    if (!mm_solo(m))
      yield m.at(
        'cond_resched',
        follow_page_mask_top(k, vma.vm_mm as mm_struct, loop.start),
        Access.Read,
      );
    const page = yield* follow_page_mask(k, vma, loop.start, foll.value, ctx);
    if (page === FOLLOW_NULL || page === -EMLINK) {
      const unshare = page === -EMLINK;
      if (unshare) noteUnshare(k, loop.start);
      const ret = yield* faultin_page(k, vma, loop.start, foll.value, unshare, locked, foll);
      if (ret === 0) continue;
      return faultStop(k, loop, ret);
    }
    if (page === -EEXIST) {
      if (wantPages) return stopped(k, loop, -EEXIST, 'a PFN mapping has no struct page to return');
      return page;
    }
    if (page < 0) return stopped(k, loop, page, 'the page-table lookup failed (follow_page_mask)');
    if (foll.value !== flags) note_follow_without_write(k, loop.start, page); // quirk dirty-cow
    return page;
  }
}

function stopped(k: Kernel, loop: PageLoop, errno: number, rule: string): number {
  stop(k, loop, errno, rule);
  return STOP;
}

function noteUnshare(k: Kernel, addr: number): void {
  const m = k.m;
  if (m.trace.enabled) {
    const rule = 'a R/O pin needs an exclusive anon page: FAULT_FLAG_UNSHARE (gup_must_unshare)';
    m.emit('gup.unshare', { addr, page: -1, rule }, `mm/gup.c: ${FN}`);
  }
  gup_note(k, `unshared ${hexAddr(addr)} before pinning it read-only`);
}

/** After faultin_page failed or dropped the lock: set loop.ret; always STOP. */
function faultStop(k: Kernel, loop: PageLoop, ret: number): number {
  if (ret === -EBUSY || ret === -EAGAIN) {
    loop.ret = 0;
    return STOP;
  }
  if (ret === -EFAULT || ret === -ENOMEM || ret === -EHWPOISON) {
    loop.ret = ret;
    return STOP;
  }
  throw new Error(`__get_user_pages: BUG: faultin_page returned ${ret}`);
}

/** `next_page:`: take the rest of a huge leaf, fill pages[], advance. False to stop. */
function takeStep(
  k: Kernel,
  loop: PageLoop,
  flags: number,
  pages: PagesArray | null,
  off: number,
  page: number,
  page_mask: number,
): boolean {
  const vpn = loop.start / PAGE_SIZE;
  let step = 1 + page_mask - (vpn & page_mask);
  if (step > loop.nr_pages) step = loop.nr_pages;
  if (pages !== null && page >= 0) {
    const folio = page_folio(k.mem, page);
    if (step > 1 && try_grab_folio(k, folio, step - 1, flags) !== 0) {
      gup_put_folio(k, folio, 1, flags);
      return stop(k, loop, -EFAULT, 'could not take the rest of the huge page');
    }
    fill(k, pages, off + loop.i, page, step, flags);
  }
  loop.i += step;
  loop.start += step * PAGE_SIZE;
  loop.nr_pages -= step;
  return true;
}

function fill(
  k: Kernel,
  pages: PagesArray,
  at: number,
  page: number,
  n: number,
  flags: number,
): void {
  for (let j = 0; j < n; j++) pages[at + j] = page + j;
  const s = gupState(k);
  const taker = s.active[k.m.self.id]?.taker ?? -1;
  ledger_take(s, k.m.self.id, page, n, (flags & FOLL_PIN) !== 0, taker);
}
