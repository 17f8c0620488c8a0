/**
 * mm/gup.c: faultin_page: turn GUP flags into FAULT_FLAG_* and call the fault handler, mapping
 * its result for the page loop: 0 (retry the lookup), -EBUSY / -EAGAIN (mmap_lock was dropped,
 * or FOLL_NOWAIT would have to wait), or an errno.
 */
import { folio_test_anon, page_folio, pte_lookup, pte_write } from '../../mm/index.js';
import type { Sched } from '../../sim/thread.js';
import { EAGAIN, EBUSY, EFAULT } from '../include/errno.js';
import {
  FAULT_FLAG_ALLOW_RETRY,
  FAULT_FLAG_INTERRUPTIBLE,
  FAULT_FLAG_KILLABLE,
  FAULT_FLAG_REMOTE,
  FAULT_FLAG_RETRY_NOWAIT,
  FAULT_FLAG_TRIED,
  FAULT_FLAG_UNSHARE,
  FAULT_FLAG_WRITE,
  VM_FAULT_COMPLETED,
  VM_FAULT_ERROR,
  VM_FAULT_RETRY,
  VM_FAULT_WRITE,
  faultFlagTable,
  vmFaultTable,
} from '../include/fault_flags.js';
import {
  FOLL_INTERRUPTIBLE,
  FOLL_NOFAULT,
  FOLL_NOWAIT,
  FOLL_REMOTE,
  FOLL_TRIED,
  FOLL_UNLOCKABLE,
  FOLL_WRITE,
} from '../include/gup_flags.js';
import { VM_WRITE } from '../include/vm_flags.js';
import type { Kernel } from '../kernel.js';
import type { VmAreaStruct } from '../../mm/index.js';
import type { LockedCell } from './gup_args.js';
import { gup_note, gup_stop, gup_warn } from './gup_call.js';
import { handle_mm_fault } from './gup_deps.js';
import { vm_fault_to_errno } from './gup_internal.js';
import { gupState } from './gup_state.js';
import { hexAddr } from './gup_trace.js';
import type { mm_struct } from './mm_struct.js';

declare module '../../sim/trace.js' {
  interface TraceKinds {
    /** Quirk dirty-cow: faultin_page cleared FOLL_WRITE after COW (the pre-v4.9 rule). */
    'gup.drop-write': { addr: number; rule: string };
    /** Quirk dirty-cow: the lookup without FOLL_WRITE accepted a read-only entry. */
    'gup.follow-without-write': { addr: number; page: number; rule: string };
  }
}

/** The FAULT_FLAG_* faultin_page passes for these GUP flags (and unshare). @fidelity exact */
export function gup_fault_flags(flags: number, unshare: boolean): number {
  let fault_flags = 0;
  if ((flags & FOLL_WRITE) !== 0) fault_flags |= FAULT_FLAG_WRITE;
  if ((flags & FOLL_REMOTE) !== 0) fault_flags |= FAULT_FLAG_REMOTE;
  if ((flags & FOLL_UNLOCKABLE) !== 0) {
    fault_flags |= FAULT_FLAG_ALLOW_RETRY | FAULT_FLAG_KILLABLE;
    if ((flags & FOLL_INTERRUPTIBLE) !== 0) fault_flags |= FAULT_FLAG_INTERRUPTIBLE;
  }
  if ((flags & FOLL_NOWAIT) !== 0) fault_flags |= FAULT_FLAG_ALLOW_RETRY | FAULT_FLAG_RETRY_NOWAIT;
  if ((flags & FOLL_TRIED) !== 0) fault_flags |= FAULT_FLAG_TRIED;
  if (unshare) fault_flags |= FAULT_FLAG_UNSHARE;
  return fault_flags;
}

/**
 * mm/gup.c: faultin_page(vma, address, flags, unshare, locked). mmap_lock is held on entry; with
 * FOLL_UNLOCKABLE (and not FOLL_NOWAIT) the handler may release it, and then *locked is 0.
 * @fidelity exact
 */
export function* faultin_page(
  k: Kernel,
  vma: VmAreaStruct,
  address: number,
  flags: number,
  unshare: boolean,
  locked: LockedCell,
  foll: FollFlags | null = null,
): Sched<number> {
  if ((flags & FOLL_NOFAULT) !== 0) {
    gup_stop(
      k,
      address,
      -EFAULT,
      'a fault is needed but FOLL_NOFAULT forbids faulting',
      'faultin_page',
    );
    return -EFAULT;
  }
  const fault_flags = gup_fault_flags(flags, unshare);
  if (unshare && (fault_flags & FAULT_FLAG_WRITE) !== 0) {
    gup_warn(
      k,
      'unshare-write',
      'FAULT_FLAG_WRITE and FAULT_FLAG_UNSHARE together',
      'mm/gup.c: faultin_page',
    );
  }
  const before = unshare ? entryWritable(k, vma, address) : null;
  const ret = yield* handle_mm_fault(k, vma, address, fault_flags);
  traceFault(k, address, fault_flags, ret, unshare);
  if (before !== null) notifyUnshare(k, vma, address, before);
  const r = faultResult(k, address, flags, fault_flags, ret, locked);
  if (r === 0 && foll !== null) foll_write_after_cow(k, vma, address, ret, foll);
  return r;
}

/**
 * C's `unsigned int *flags` of the pre-v4.9 faultin_page: the page loop's copy of the flags for
 * the page being faulted in, which faultin_page could change (quirk dirty-cow).
 */
export interface FollFlags {
  value: number;
}

/**
 * mm/gup.c: faultin_page's last rule before 19be0eaffa3a "mm: remove gup_flags FOLL_WRITE games
 * from __get_user_pages()" (v4.9), behind quirk dirty-cow: when the fault broke COW
 * (VM_FAULT_WRITE) in a VMA without VM_WRITE, where the new PTE stays read-only, clear
 * FOLL_WRITE from this page's flags so that the retry does not loop on pte_write. The retry then
 * looks the page up as a read and accepts whatever is mapped there: after a racing
 * MADV_DONTNEED, the page-cache page, which the caller then writes (CVE-2016-5195).
 * @fidelity exact
 */
function foll_write_after_cow(
  k: Kernel,
  vma: VmAreaStruct,
  address: number,
  ret: number,
  foll: FollFlags,
): void {
  if (!k.m.quirk('dirty-cow')) return;
  if ((ret & VM_FAULT_WRITE) === 0 || (vma.vm_flags & VM_WRITE) !== 0) return;
  if ((foll.value & FOLL_WRITE) === 0) return;
  foll.value &= ~FOLL_WRITE;
  const m = k.m;
  if (m.trace.enabled) {
    const rule =
      'the write fault broke COW (VM_FAULT_WRITE) in a VMA without VM_WRITE: retry the lookup without FOLL_WRITE (pre-v4.9 faultin_page)';
    m.emit('gup.drop-write', { addr: address, rule }, 'mm/gup.c: faultin_page');
  }
  gup_note(k, `dropped FOLL_WRITE at ${hexAddr(address)} after COW (pre-v4.9 faultin_page)`);
}

function faultResult(
  k: Kernel,
  address: number,
  flags: number,
  fault_flags: number,
  ret: number,
  locked: LockedCell,
): number {
  if ((ret & VM_FAULT_COMPLETED) !== 0) {
    if ((fault_flags & FAULT_FLAG_RETRY_NOWAIT) !== 0) {
      gup_warn(
        k,
        'completed-nowait',
        'VM_FAULT_COMPLETED with FAULT_FLAG_RETRY_NOWAIT',
        'mm/gup.c: faultin_page',
      );
    }
    locked.value = 0;
    return -EAGAIN;
  }
  if ((ret & VM_FAULT_ERROR) !== 0) {
    const err = vm_fault_to_errno(ret, flags);
    if (err === 0)
      throw new Error(`faultin_page: BUG: VM_FAULT_ERROR 0x${ret.toString(16)} maps to no errno`);
    gup_stop(
      k,
      address,
      err,
      `the fault handler failed (${vmFaultTable.decode(ret).join('|')})`,
      'faultin_page',
    );
    return err;
  }
  if ((ret & VM_FAULT_RETRY) !== 0) {
    if ((fault_flags & FAULT_FLAG_RETRY_NOWAIT) === 0) locked.value = 0;
    return -EBUSY;
  }
  return 0;
}

function traceFault(
  k: Kernel,
  addr: number,
  fault_flags: number,
  ret: number,
  unshare: boolean,
): void {
  const m = k.m;
  if (!m.trace.enabled) return;
  const names = faultFlagTable.decode(fault_flags).join('|') || '0';
  const result = vmFaultTable.decode(ret).join('|') || '0';
  m.emit('gup.fault', { addr, fault_flags: names, result, unshare }, 'mm/gup.c: faultin_page');
}

/** Is the PTE at `address` writable now (null when there is no PTE to look at)? */
function entryWritable(k: Kernel, vma: VmAreaStruct, address: number): boolean | null {
  if (gupState(k).observers.length === 0) return null;
  const ptep = pte_lookup(k.pool, vma.vm_mm, address / 4096);
  return ptep < 0 ? false : pte_write(k.pool.entries[ptep]!);
}

function notifyUnshare(k: Kernel, vma: VmAreaStruct, addr: number, writableBefore: boolean): void {
  const writableAfter = entryWritable(k, vma, addr) ?? false;
  const info = { mm: vma.vm_mm as mm_struct, addr, writableBefore, writableAfter };
  for (const o of gupState(k).observers) o.unshareDone?.(k, info);
}

/**
 * Quirk dirty-cow, for the story: the page loop's lookup ran without the FOLL_WRITE the caller
 * asked for (foll_write_after_cow cleared it) and returned `page`, whatever is mapped there now.
 */
export function note_follow_without_write(k: Kernel, addr: number, page: number): void {
  const m = k.m;
  if (!m.trace.enabled) return;
  const what =
    page === k.mem.zero_pfn
      ? 'the shared zero page'
      : folio_test_anon(k.mem, page_folio(k.mem, page))
        ? 'an anonymous page'
        : 'a page-cache page';
  const rule = `the retry looked the page up as a read (FOLL_WRITE cleared) and took the read-only entry it found: ${what}`;
  m.emit('gup.follow-without-write', { addr, page, rule }, 'mm/gup.c: __get_user_pages');
}
