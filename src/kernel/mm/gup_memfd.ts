/**
 * mm/gup.c: memfd_pin_folios: pin the folios of a memfd (shmem or hugetlbfs) covering the byte
 * range [start, end] (inclusive) through its page cache, not through any mm: missing folios are
 * allocated (memfd_alloc_folio), each folio is pinned once (FOLL_PIN accounting), and then, as
 * for FOLL_LONGTERM, folios in ZONE_MOVABLE or CMA are migrated and the range pinned again.
 * Release with unpin_folio(s).
 */
import {
  folio_nr_pages,
  folio_put,
  memalloc_pin_restore,
  memalloc_pin_save,
} from '../../mm/index.js';
import type { Sched } from '../../sim/thread.js';
import { EAGAIN, EEXIST, EINVAL } from '../include/errno.js';
import { FOLL_PIN } from '../include/gup_flags.js';
import { file_inode, type file } from '../fs/file_table.js';
import { i_size_read } from '../fs/inode.js';
import type { Kernel } from '../kernel.js';
import type { PagesArray } from './gup_args.js';
import { gup_enter, gup_leave } from './gup_call.js';
import { ledger_take } from './gup_ledger.js';
import { check_and_migrate_movable_folios } from './gup_longterm.js';
import { try_grab_folio } from './gup_pin.js';
import { gupState } from './gup_state.js';
import { unpin_folios } from './gup_unpin.js';
import { memfd_alloc_folio } from './memfd.js';
import { filemap_get_folios_contig } from './pagecache.js';

/** The arguments memfd_pin_folios refuses with -EINVAL before doing anything. */
function invalid(memfd: file | null, start: number, end: number, max_folios: number): boolean {
  if (start < 0 || start > end || max_folios === 0 || memfd === null) return true;
  if (!memfd.shmem && !memfd.hugetlbfs) return true;
  return end >= i_size_read(file_inode(memfd));
}

/** One pass: pin up to max_folios folios of [start_idx, end_idx]; the count or -errno. */
function* pin_pass(
  k: Kernel,
  memfd: file,
  start_idx: number,
  end_idx: number,
  start: number,
  folios: PagesArray,
  max_folios: number,
  offset: { value: number },
): Sched<number> {
  const s = gupState(k);
  const taker = s.active[k.m.self.id]?.taker ?? -1;
  let nr = 0;
  let pending = -1;
  while (start_idx <= end_idx && nr < max_folios) {
    const batch = yield* filemap_get_folios_contig(k, memfd.f_mapping, start_idx, end_idx);
    if (pending >= 0) folio_put(k.mem, pending);
    pending = -1;
    for (const folio of batch) {
      if (nr === max_folios) break;
      if (try_grab_folio(k, folio, 1, FOLL_PIN) !== 0) {
        for (const f of batch) folio_put(k.mem, f);
        return fail(k, folios, nr, -EINVAL);
      }
      ledger_take(s, k.m.self.id, folio, 1, true, taker);
      if (nr === 0) offset.value = start % (folio_nr_pages(k.mem, folio) * 4096);
      folios[nr++] = folio;
    }
    for (const f of batch) folio_put(k.mem, f);
    if (batch.length > 0) {
      const last = batch[batch.length - 1]!;
      start_idx = k.mem.index[last]! + folio_nr_pages(k.mem, last);
      continue;
    }
    const folio = yield* memfd_alloc_folio(k, memfd, start_idx);
    if (folio < 0 && folio !== -EEXIST) return fail(k, folios, nr, folio);
    pending = folio;
  }
  return nr;
}

function fail(k: Kernel, folios: PagesArray, nr: number, ret: number): number {
  unpin_folios(k, folios, nr);
  return ret;
}

/**
 * mm/gup.c: memfd_pin_folios(memfd, start, end, folios, max_folios, offset): the number of
 * folios pinned (one pin per folio, whatever its size), or -errno. `*offset` gets the offset of
 * `start` in the first folio.
 * @fidelity exact
 */
export function* memfd_pin_folios(
  k: Kernel,
  memfd: file | null,
  start: number,
  end: number,
  folios: PagesArray,
  max_folios: number,
  offset: { value: number },
): Sched<number> {
  const call = gup_enter(k, 'memfd_pin_folios', start, max_folios, FOLL_PIN, null);
  if (invalid(memfd, start, end, max_folios)) return gup_leave(k, call, -EINVAL, max_folios, null);
  const f = memfd!;
  const order = f.hugetlbfs ? (f.hstate?.order ?? 0) : 0;
  const unit = 4096 * 2 ** order;
  const task = k.current;
  const saved = memalloc_pin_save(task);
  let ret = 0;
  let nr = 0;
  do {
    const start_idx = Math.floor(start / unit) * 2 ** order;
    const end_idx = Math.floor(end / unit) * 2 ** order;
    nr = yield* pin_pass(k, f, start_idx, end_idx, start, folios, max_folios, offset);
    if (nr < 0) break;
    ret = yield* check_and_migrate_movable_folios(k, nr, folios);
  } while (ret === -EAGAIN);
  memalloc_pin_restore(task, saved);
  const result = nr < 0 ? nr : ret !== 0 ? ret : nr;
  return gup_leave(k, call, result, max_folios, null);
}
