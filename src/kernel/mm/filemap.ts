/**
 * The folio lock and the page cache: mm/filemap.c and include/linux/pagemap.h (v6.18).
 *
 * PG_locked is a sleeping bit lock: folio_lock() waits (m.block) until the bit is clear and sets
 * it; folio_unlock() clears it, which lets waiters proceed. The bit is a folio flag, so its
 * footprint is the folio (folioObj). Which thread holds each folio lock is remembered for
 * deadlock reports.
 * @fidelity simplified: PG_waiters and the hashed wait queues are not modelled (a waiter simply
 * cannot proceed while the bit is set); lock handoff fairness is not modelled.
 */
import { folio_nr_pages, folio_ref_add } from '../../mm/folio.js';
import { folio_set_mapping, folio_set_index } from '../../mm/anon.js';
import { PG_locked } from '../../mm/page_flags.js';
import { Access } from '../../sim/footprint.js';
import type { Sched, Thread, Waitable } from '../../sim/thread.js';
import {
  FAULT_FLAG_ALLOW_RETRY,
  FAULT_FLAG_KILLABLE,
  FAULT_FLAG_RETRY_NOWAIT,
  FAULT_FLAG_TRIED,
  VM_FAULT_RETRY,
} from '../include/fault_flags.js';
import { EINTR } from '../include/errno.js';
import type { Kernel } from '../kernel.js';
import { folioObj } from '../objects.js';
import { mmap_read_unlock } from './mmap_lock.js';
import type { mm_struct } from './mm_struct.js';
import { mmState } from './mm_state.js';
import type { address_space, vm_fault, vm_fault_t } from './mm_types.js';
import { mm_solo } from './solo.js';
import { folio_mark_dirty as folio_mark_dirty_fs } from './page-writeback.js';

const LOCKED = 1 << PG_locked;

/** include/linux/page-flags.h: folio_test_locked(folio). @fidelity exact */
export function folio_test_locked(k: Kernel, folio: number): boolean {
  return (k.mem.flags[folio] & LOCKED) !== 0;
}

function setLocked(k: Kernel, folio: number, t: Thread): void {
  k.mem.flags[folio] = k.mem.flags[folio] | LOCKED;
  mmState(k).folioLockOwner.set(folio, t);
}

function lockWaitable(k: Kernel, folio: number, killable: boolean): Waitable {
  return {
    canProceed: (t) => (killable && t.fatalSignal) || !folio_test_locked(k, folio),
    holders: () => {
      const o = mmState(k).folioLockOwner.get(folio);
      return o === undefined ? [] : [o];
    },
    describe: () => `folio lock of pfn ${folio}`,
  };
}

/**
 * include/linux/pagemap.h: folio_trylock(folio): test_and_set PG_locked; true when taken.
 * A scheduling point (the bit is shared), elided when the caller runs alone.
 * @fidelity exact
 */
export function* folio_trylock(k: Kernel, folio: number): Sched<boolean> {
  const m = k.m;
  if (!mm_solo(m)) yield m.at('folio_trylock', folioObj(folio), Access.Write);
  if (folio_test_locked(k, folio)) return false;
  setLocked(k, folio, m.self);
  return true;
}

/**
 * folio_trylock as a plain call when the caller runs alone (mm/solo.ts: its scheduling point is
 * elided then): 1 when taken, 0 when the folio is already locked, -1 when the caller does not
 * run alone and must use folio_trylock. Saves a generator per folio on the hot paths.
 * @fidelity custom
 */
export function solo_folio_trylock(k: Kernel, folio: number): number {
  const m = k.m;
  if (!mm_solo(m)) return -1;
  if (folio_test_locked(k, folio)) return 0;
  setLocked(k, folio, m.self);
  return 1;
}

function* lockCommon(k: Kernel, folio: number, killable: boolean, fn: string): Sched<number> {
  const m = k.m;
  m.mightSleep(fn);
  if (yield* folio_trylock(k, folio)) return 0;
  const w = lockWaitable(k, folio, killable);
  for (;;) {
    yield m.block(fn, w, folioObj(folio));
    if (!folio_test_locked(k, folio)) {
      setLocked(k, folio, m.self);
      return 0;
    }
    if (killable && m.self.fatalSignal) return -EINTR;
  }
}

/** include/linux/pagemap.h: folio_lock(folio): sleep until PG_locked can be taken. @fidelity exact */
export function* folio_lock(k: Kernel, folio: number): Sched<void> {
  yield* lockCommon(k, folio, false, 'folio_lock');
}

/** include/linux/pagemap.h: folio_lock_killable(folio): 0, or -EINTR on a fatal signal. @fidelity exact */
export function folio_lock_killable(k: Kernel, folio: number): Sched<number> {
  return lockCommon(k, folio, true, 'folio_lock_killable');
}

/** mm/filemap.c: folio_unlock(folio): clear PG_locked (waiters may then proceed). @fidelity exact */
export function* folio_unlock(k: Kernel, folio: number): Sched<void> {
  const m = k.m;
  if (!folio_test_locked(k, folio))
    throw new Error(`VM_BUG_ON_FOLIO: folio_unlock of unlocked folio ${folio}`);
  if (!mm_solo(m)) yield m.at('folio_unlock', folioObj(folio), Access.Write);
  k.mem.flags[folio] = k.mem.flags[folio] & ~LOCKED;
  mmState(k).folioLockOwner.delete(folio);
}

/**
 * folio_unlock as a plain call when the caller runs alone: true when unlocked (without the
 * elided scheduling point), false when the caller must use folio_unlock.
 * @fidelity custom
 */
export function solo_folio_unlock(k: Kernel, folio: number): boolean {
  const m = k.m;
  if (!folio_test_locked(k, folio))
    throw new Error(`VM_BUG_ON_FOLIO: folio_unlock of unlocked folio ${folio}`);
  if (!mm_solo(m)) return false;
  k.mem.flags[folio] = k.mem.flags[folio] & ~LOCKED;
  mmState(k).folioLockOwner.delete(folio);
  return true;
}

/** mm/filemap.c: folio_wait_locked(folio) / folio_wait_locked_killable: wait for PG_locked to clear. @fidelity simplified */
export function* folio_wait_locked(k: Kernel, folio: number, killable = false): Sched<number> {
  const m = k.m;
  m.mightSleep('folio_wait_locked');
  if (!folio_test_locked(k, folio)) return 0;
  yield m.block('folio_wait_locked', lockWaitable(k, folio, killable), folioObj(folio));
  return folio_test_locked(k, folio) ? -EINTR : 0;
}

/** include/linux/mm.h: fault_flag_allow_retry_first(flags). @fidelity exact */
export function fault_flag_allow_retry_first(flags: number): boolean {
  return (flags & FAULT_FLAG_ALLOW_RETRY) !== 0 && (flags & FAULT_FLAG_TRIED) === 0;
}

/** include/linux/mm.h: release_fault_lock(vmf) (no per-VMA locks: mmap_read_unlock). @fidelity simplified */
export function* release_fault_lock(vmf: vm_fault): Sched<void> {
  yield* mmap_read_unlock(vmf.vma.vm_mm as mm_struct);
}

/**
 * mm/filemap.c: __folio_lock_or_retry(folio, vmf): lock the folio, or drop mmap_lock, wait for
 * the lock holder and return VM_FAULT_RETRY (with FAULT_FLAG_RETRY_NOWAIT: return
 * VM_FAULT_RETRY at once, mmap_lock still held).
 * @fidelity exact
 */
export function* __folio_lock_or_retry(k: Kernel, folio: number, vmf: vm_fault): Sched<vm_fault_t> {
  const flags = vmf.flags;
  if (fault_flag_allow_retry_first(flags)) {
    if ((flags & FAULT_FLAG_RETRY_NOWAIT) !== 0) return VM_FAULT_RETRY;
    yield* release_fault_lock(vmf);
    yield* folio_wait_locked(k, folio, (flags & FAULT_FLAG_KILLABLE) !== 0);
    return VM_FAULT_RETRY;
  }
  if ((flags & FAULT_FLAG_KILLABLE) !== 0) {
    if ((yield* folio_lock_killable(k, folio)) !== 0) {
      yield* release_fault_lock(vmf);
      return VM_FAULT_RETRY;
    }
  } else {
    yield* folio_lock(k, folio);
  }
  return 0;
}

/** include/linux/pagemap.h: folio_lock_or_retry(folio, vmf). @fidelity exact */
export function* folio_lock_or_retry(k: Kernel, folio: number, vmf: vm_fault): Sched<vm_fault_t> {
  k.m.mightSleep('folio_lock_or_retry');
  if (yield* folio_trylock(k, folio)) return 0;
  return yield* __folio_lock_or_retry(k, folio, vmf);
}

/** mm/filemap.c: filemap_get_entry / filemap_get_folio(mapping, index): the folio or -1 (no reference taken). @fidelity simplified */
export function filemap_lookup(mapping: address_space, index: number): number {
  return mapping.i_pages.get(index) ?? -1;
}

/**
 * mm/filemap.c: __filemap_add_folio(mapping, folio, index): insert a locked folio into the page
 * cache, taking one reference per page, and set folio->mapping/index.
 * @fidelity simplified (no shadow entries, no memcg charge)
 */
export function filemap_add_folio(
  k: Kernel,
  mapping: address_space,
  folio: number,
  index: number,
): void {
  const nr = folio_nr_pages(k.mem, folio);
  folio_ref_add(k.mem, folio, nr);
  folio_set_mapping(k.mem, folio, mapping.id, false);
  folio_set_index(k.mem, folio, index);
  for (let i = 0; i < nr; i++) mapping.i_pages.set(index + i, folio);
  mapping.nrpages += nr;
}

/**
 * mm/page-writeback.c: folio_mark_dirty(folio): the file system's ->dirty_folio for page-cache
 * folios, PG_dirty alone for the others (the file layer's mm/page-writeback.ts).
 * @fidelity exact
 */
export function folio_mark_dirty(k: Kernel, folio: number): boolean {
  return folio_mark_dirty_fs(k, folio);
}

/** The thread holding a folio's lock, for reports. @fidelity custom */
export function folio_lock_holder(k: Kernel, folio: number): string | null {
  return mmState(k).folioLockOwner.get(folio)?.name ?? null;
}
