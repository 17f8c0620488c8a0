/**
 * FOLL_LONGTERM (mm/gup.c: __gup_longterm_locked, check_and_migrate_movable_pages_or_folios,
 * collect_longterm_unpinnable_folios, migrate_longterm_unpinnable_folios). A long-term pin may
 * not sit in ZONE_MOVABLE or CMA: after pinning the range, every folio that is not long-term
 * pinnable is isolated, ALL pins are dropped, those folios are migrated (allocation under
 * memalloc_pin_save, so never into movable memory) and the whole range is pinned again. The
 * result is all-or-nothing: 0 keeps every pin, anything else has released every pin.
 * Anonymous, page-cache (file and shmem) and hugetlb folios migrate (migrate.ts); a folio that
 * cannot (someone else's pin, a dirty folio of a file system without ->migrate_folio, an empty
 * hugetlb pool) fails the whole call with -ENOMEM.
 */
import {
  NR_ISOLATED_ANON,
  NR_ISOLATED_FILE,
  ZONE_DEVICE_COHERENT,
  folio_is_longterm_pinnable,
  folio_nr_pages,
  folio_test_anon,
  folio_test_hugetlb,
  memalloc_pin_restore,
  memalloc_pin_save,
  mod_node_page_state,
  page_folio,
  type PhysMem,
} from '../../mm/index.js';
import type { Sched } from '../../sim/thread.js';
import { EAGAIN, EBUSY, ENOMEM } from '../include/errno.js';
import { FOLL_LONGTERM } from '../include/gup_flags.js';
import type { Kernel } from '../kernel.js';
import type { LockedCell, PagesArray } from './gup_args.js';
import { gup_note } from './gup_call.js';
import { __get_user_pages_locked } from './gup_locked.js';
import { gupState } from './gup_state.js';
import { unpin_folio, unpin_folios, unpin_user_pages } from './gup_unpin.js';
import {
  MIGRATE_SYNC,
  MR_LONGTERM_PIN,
  alloc_migration_target,
  folio_isolate_hugetlb,
  folio_isolate_lru,
  migrate_pages,
  putback_movable_pages,
} from './migrate.js';
import type { mm_struct } from './mm_struct.js';

/** Rounds of pin, migrate, re-pin before the model calls it a livelock (the kernel loops on). */
const MAX_LONGTERM_ROUNDS = 64;

/** struct pages_or_folios: pages[off..off+nr) or folios[0..nr); NULL entries are -1. */
export interface PagesOrFolios {
  readonly entries: PagesArray;
  readonly off: number;
  readonly has_folios: boolean;
  readonly nr_entries: number;
}

function pofs_get_folio(k: Kernel, pofs: PagesOrFolios, i: number): number {
  const e = pofs.entries[pofs.off + i]!;
  return pofs.has_folios || e < 0 ? e : page_folio(k.mem, e);
}

/** mm/gup.c: pofs_next_folio: the next distinct folio after entry *i (pages of one folio skipped). */
function pofs_next_folio(k: Kernel, folio: number, pofs: PagesOrFolios, at: { i: number }): number {
  let i = at.i + 1;
  if (!pofs.has_folios) {
    const end = folio + folio_nr_pages(k.mem, folio);
    while (i < pofs.nr_entries) {
      const pfn = pofs.entries[pofs.off + i]!;
      if (pfn < folio || pfn >= end) break;
      i++;
    }
  }
  if (i === pofs.nr_entries) return -1;
  at.i = i;
  return pofs_get_folio(k, pofs, i);
}

/** mm/gup.c: collect_longterm_unpinnable_folios: how many folios are not pinnable; isolates them onto `list`. @fidelity simplified (LRU batches need no draining) */
export function collect_longterm_unpinnable_folios(
  k: Kernel,
  list: number[],
  pofs: PagesOrFolios,
): number {
  const mem = k.mem;
  let collected = 0;
  const at = { i: 0 };
  for (
    let folio = pofs_get_folio(k, pofs, 0);
    folio >= 0;
    folio = pofs_next_folio(k, folio, pofs, at)
  ) {
    if (folio_is_longterm_pinnable(mem, folio)) continue;
    collected++;
    if (mem.hooks.zone_device_type(folio) === ZONE_DEVICE_COHERENT) continue;
    if (folio_test_hugetlb(mem, folio)) {
      folio_isolate_hugetlb(k, folio, list);
      continue;
    }
    if (!folio_isolate_lru(k, folio)) continue;
    list.push(folio);
    const item = folio_test_anon(mem, folio) ? NR_ISOLATED_ANON : NR_ISOLATED_FILE;
    mod_node_page_state(mem.vmstat, item, folio_nr_pages(mem, folio));
  }
  return collected;
}

/**
 * Would collect_longterm_unpinnable_folios find nothing? The same walk over the distinct folios
 * (pofs_next_folio's: entries inside the current folio are skipped; a NULL entry ends it) and the
 * same folio_is_longterm_pinnable test, without isolating anything: when every folio may stay
 * pinned, collecting would change nothing and return 0, so the common case costs one lean pass.
 */
function all_longterm_pinnable(k: Kernel, pofs: PagesOrFolios): boolean {
  const mem = k.mem;
  const entries = pofs.entries;
  const off = pofs.off;
  const n = pofs.nr_entries;
  if (!pofs.has_folios && entries instanceof Int32Array)
    return all_pages_pinnable(mem, entries, off, n);
  let i = 0;
  while (i < n) {
    const e = entries[off + i]!;
    if (e < 0) return true;
    const folio = pofs.has_folios ? e : page_folio(mem, e);
    if (!folio_is_longterm_pinnable(mem, folio)) return false;
    i++;
    if (pofs.has_folios) continue;
    const end = folio + folio_nr_pages(mem, folio);
    while (i < n && entries[off + i]! >= folio && entries[off + i]! < end) i++;
  }
  return true;
}

/**
 * all_longterm_pinnable over a pages array of the usual kind (an Int32Array): the same walk, with
 * page_folio and folio_nr_pages read from the memmap's order array in the loop.
 */
function all_pages_pinnable(mem: PhysMem, entries: Int32Array, off: number, n: number): boolean {
  const order = mem.compound_order;
  let i = 0;
  while (i < n) {
    const e = entries[off + i]!;
    if (e < 0) return true;
    const o = order[e]!;
    const folio = e & -(1 << o); // page_folio
    if (!folio_is_longterm_pinnable(mem, folio)) return false;
    i++;
    if (o === 0) continue; // a small folio: the next entry is another folio
    const end = folio + (1 << o); // folio_nr_pages
    while (i < n) {
      const x = entries[off + i]!;
      if (x < folio || x >= end) break;
      i++;
    }
  }
  return true;
}

/**
 * mm/gup.c: migrate_longterm_unpinnable_folios: unpin every entry, migrate the isolated folios;
 * -EAGAIN (re-pin everything) on success, else -ENOMEM / -EBUSY with every pin released.
 * @fidelity simplified: device-coherent folios cannot be migrated (-EBUSY)
 */
export function* migrate_longterm_unpinnable_folios(
  k: Kernel,
  list: number[],
  pofs: PagesOrFolios,
): Sched<number> {
  const mem = k.mem;
  let ret = -EAGAIN;
  for (let i = 0; i < pofs.nr_entries; i++) {
    const folio = pofs_get_folio(k, pofs, i);
    if (mem.hooks.zone_device_type(folio) === ZONE_DEVICE_COHERENT) {
      ret = -EBUSY;
      break;
    }
    unpin_folio(k, folio);
    pofs.entries[pofs.off + i] = -1;
  }
  if (ret === -EAGAIN && list.length > 0) {
    const failed = yield* migrate_pages(
      k,
      list,
      alloc_migration_target,
      MIGRATE_SYNC,
      MR_LONGTERM_PIN,
    );
    if (failed !== 0) ret = -ENOMEM;
  }
  if (ret !== -EAGAIN) pofs_unpin(k, pofs);
  putback_movable_pages(k, list);
  return ret;
}

function pofs_unpin(k: Kernel, pofs: PagesOrFolios): void {
  if (pofs.has_folios) unpin_folios(k, pofs.entries, pofs.nr_entries);
  else unpin_user_pages(k, pofs.entries, pofs.nr_entries, pofs.off);
}

/**
 * mm/gup.c: check_and_migrate_movable_pages_or_folios: 0 when every folio may stay pinned;
 * otherwise migrate (see the file comment).
 * @fidelity exact
 */
export function* check_and_migrate_movable_pages_or_folios(
  k: Kernel,
  pofs: PagesOrFolios,
): Sched<number> {
  const list: number[] = [];
  const s = gupState(k);
  const tid = k.m.self.id;
  const before = s.net[tid] ?? 0;
  const collected = all_longterm_pinnable(k, pofs)
    ? 0
    : collect_longterm_unpinnable_folios(k, list, pofs);
  let ret = 0;
  if (collected !== 0) {
    const isolated = [...list];
    ret = yield* migrate_longterm_unpinnable_folios(k, list, pofs);
    traceMigrate(k, isolated, collected, ret);
  }
  const released = before - (s.net[tid] ?? 0);
  for (const o of s.observers)
    o.migrateDone?.(k, { entries: pofs.nr_entries, ret, stillPinned: pofs.nr_entries - released });
  return ret;
}

function traceMigrate(k: Kernel, list: readonly number[], collected: number, ret: number): void {
  const m = k.m;
  const rule =
    ret === -EAGAIN
      ? `${collected} folio(s) not long-term pinnable (ZONE_MOVABLE/CMA): unpinned all, migrated, re-pin`
      : `${collected} folio(s) not long-term pinnable could not be migrated: every pin released`;
  if (m.trace.enabled) {
    m.emit(
      'gup.longterm-migrate',
      { folios: [...list], result: ret, rule },
      'mm/gup.c: check_and_migrate_movable_pages_or_folios',
    );
  }
  gup_note(k, rule);
}

/** mm/gup.c: check_and_migrate_movable_pages(nr_pages, pages). @fidelity exact */
export function check_and_migrate_movable_pages(
  k: Kernel,
  nr_pages: number,
  pages: PagesArray,
  off: number,
): Sched<number> {
  return check_and_migrate_movable_pages_or_folios(k, {
    entries: pages,
    off,
    has_folios: false,
    nr_entries: nr_pages,
  });
}

/** mm/gup.c: check_and_migrate_movable_folios(nr_folios, folios). @fidelity exact */
export function check_and_migrate_movable_folios(
  k: Kernel,
  nr_folios: number,
  folios: PagesArray,
): Sched<number> {
  return check_and_migrate_movable_pages_or_folios(k, {
    entries: folios,
    off: 0,
    has_folios: true,
    nr_entries: nr_folios,
  });
}

/**
 * mm/gup.c: __gup_longterm_locked: __get_user_pages_locked, and for FOLL_LONGTERM (under
 * memalloc_pin_save) the check-migrate-re-pin loop.
 * @fidelity exact (the loop is bounded: after 64 rounds the model reports gup.longterm-livelock)
 */
export function* __gup_longterm_locked(
  k: Kernel,
  mm: mm_struct,
  start: number,
  nr_pages: number,
  pages: PagesArray | null,
  off: number,
  locked: LockedCell,
  gup_flags: number,
): Sched<number> {
  if ((gup_flags & FOLL_LONGTERM) === 0 || pages === null) {
    return yield* __get_user_pages_locked(k, mm, start, nr_pages, pages, off, locked, gup_flags);
  }
  const task = k.current;
  const saved = memalloc_pin_save(task);
  let rc = 0;
  let nr_pinned = 0;
  for (let round = 1; ; round++) {
    nr_pinned = yield* __get_user_pages_locked(
      k,
      mm,
      start,
      nr_pages,
      pages,
      off,
      locked,
      gup_flags,
    );
    if (nr_pinned <= 0) {
      rc = nr_pinned;
      break;
    }
    rc = yield* check_and_migrate_movable_pages(k, nr_pinned, pages, off);
    if (rc !== -EAGAIN) break;
    if (round === MAX_LONGTERM_ROUNDS) {
      reportLivelock(k);
      rc = -ENOMEM;
      break;
    }
  }
  memalloc_pin_restore(task, saved);
  return rc !== 0 ? rc : nr_pinned;
}

function reportLivelock(k: Kernel): void {
  k.m.report({
    id: 'gup.longterm-livelock',
    message: `FOLL_LONGTERM pinned, migrated and re-pinned ${MAX_LONGTERM_ROUNDS} times without success`,
    rule: 'mm/gup.c: __gup_longterm_locked (the kernel relies on transient isolation failures)',
  });
}
