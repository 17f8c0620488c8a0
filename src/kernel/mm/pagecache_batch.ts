/**
 * Taking folios out of a file's page cache and gang lookups: mm/filemap.c (v6.18)
 * __filemap_remove_folio / filemap_remove_folio (page_cache_delete, filemap_unaccount_folio),
 * find_get_entries / find_lock_entries, and the page-cache half of mm/migrate.c:
 * __folio_migrate_mapping. The tree and its lookups are pagecache.ts.
 * @fidelity simplified: no value (shadow, swap) entries; one batch holds the whole range.
 */
import { folio_set_index, folio_set_mapping } from '../../mm/anon.js';
import { MmBug } from '../../mm/bug.js';
import {
  folio_nr_pages,
  folio_ref_add,
  folio_ref_freeze,
  folio_ref_unfreeze,
  folio_try_get,
} from '../../mm/folio.js';
import { folio_mapped } from '../../mm/mapcount.js';
import { folio_put, folio_put_refs } from '../../mm/page_free.js';
import {
  folio_clear_dirty,
  folio_set_dirty,
  folio_set_swapbacked,
  folio_test_dirty,
  folio_test_hugetlb,
  folio_test_swapbacked,
  folio_test_writeback,
} from '../../mm/page_flags.js';
import { NR_FILE_PAGES, NR_SHMEM, mod_node_page_state } from '../../mm/vmstat.js';
import { Access } from '../../sim/footprint.js';
import type { Sched } from '../../sim/thread.js';
import { EAGAIN } from '../include/errno.js';
import type { Kernel } from '../kernel.js';
import { folioObj, mappingObj } from '../objects.js';
import { fs_trace, fs_warn } from '../fs/fs_trace.js';
import { folio_test_locked, folio_trylock, folio_unlock } from './filemap.js';

import {
  PAGECACHE_TAG_DIRTY,
  PAGECACHE_TAG_TOWRITE,
  PAGECACHE_TAG_WRITEBACK,
  folio_file_mapping,
  mapping_can_writeback,
  xa_clear_mark,
  type fs_address_space,
} from './pagecache.js';
import { mm_solo } from './solo.js';
/**
 * mm/filemap.c: filemap_unaccount_folio + page_cache_delete (__filemap_remove_folio): take the
 * locked folio out of the tree. A dirty folio of a writeback-capable mapping is a WARN (its data
 * is lost), as in the kernel; the folio keeps its index.
 * @fidelity simplified
 */
export function __filemap_remove_folio(k: Kernel, folio: number): void {
  const mem = k.mem;
  const mapping = folio_file_mapping(k, folio);
  if (mapping === null) throw new MmBug(`__filemap_remove_folio: folio ${folio} has no mapping`);
  if (folio_mapped(mem, folio))
    throw new MmBug(`VM_BUG_ON_FOLIO: folio ${folio} still mapped when deleted`);
  if (!folio_test_locked(k, folio)) throw new MmBug(`VM_BUG_ON_FOLIO: folio ${folio} not locked`);
  const nr = folio_nr_pages(mem, folio);
  const index = mem.index[folio];
  if (!folio_test_hugetlb(mem, folio)) {
    mod_node_page_state(mem.vmstat, NR_FILE_PAGES, -nr);
    if (folio_test_swapbacked(mem, folio)) mod_node_page_state(mem.vmstat, NR_SHMEM, -nr);
  }
  if (folio_test_dirty(mem, folio) && mapping_can_writeback(mapping)) {
    fs_warn(
      k,
      'dirty-folio-removed',
      `dirty folio ${folio} (index ${index}) removed from the page cache`,
      'mm/filemap.c: filemap_unaccount_folio',
    );
  }
  for (let i = 0; i < nr; i++) mapping.i_pages.delete(index + i);
  const bits = mapping.marks.get(index);
  for (const tag of [PAGECACHE_TAG_DIRTY, PAGECACHE_TAG_WRITEBACK, PAGECACHE_TAG_TOWRITE]) {
    if ((bits & tag) !== 0) xa_clear_mark(mapping, index, tag);
  }
  mapping.nrpages -= nr;
  folio_set_mapping(mem, folio, 0, false);
  if (k.m.trace.enabled) {
    fs_trace(k, 'fs.pagecache-remove', {
      mapping: mapping.name,
      index,
      folio,
      refcount: mem._refcount[folio],
    });
  }
}

/** mm/filemap.c: filemap_free_folio(mapping, folio): drop the cache's references. @fidelity simplified */
export function filemap_free_folio(k: Kernel, folio: number, nr: number): void {
  folio_put_refs(k.mem, folio, nr);
}

/** mm/filemap.c: filemap_remove_folio(folio): remove a locked folio and drop the cache's references. @fidelity simplified */
export function* filemap_remove_folio(k: Kernel, folio: number): Sched<void> {
  const mapping = folio_file_mapping(k, folio);
  if (mapping === null) throw new MmBug(`filemap_remove_folio: folio ${folio} has no mapping`);
  if (!mm_solo(k.m)) {
    yield k.m
      .at('filemap_remove_folio', mappingObj(mapping.id), Access.Write)
      .also(folioObj(folio), Access.Write);
  }
  const nr = folio_nr_pages(k.mem, folio);
  __filemap_remove_folio(k, folio);
  filemap_free_folio(k, folio, nr);
}

/**
 * mm/filemap.c: find_get_entries / find_lock_entries(mapping, start, end): the folios whose
 * first index lies in [start, end], each with a reference; with `lock`, only those that could
 * be locked without waiting, are not under writeback, and lie wholly in the range.
 * @fidelity simplified (no value entries; one batch holds the whole range)
 */
export function* find_entries(
  k: Kernel,
  mapping: fs_address_space,
  start: number,
  end: number,
  lock: boolean,
): Sched<number[]> {
  if (!mm_solo(k.m))
    yield k.m.at(
      lock ? 'find_lock_entries' : 'find_get_entries',
      mappingObj(mapping.id),
      Access.Read,
    );
  const seen: number[] = [];
  for (const [index, folio] of mapping.i_pages) {
    if (index < start || index > end || k.mem.index[folio] !== index) continue;
    seen.push(folio);
  }
  seen.sort((a, b) => k.mem.index[a] - k.mem.index[b]);
  const out: number[] = [];
  for (const folio of seen) {
    if (!folio_try_get(k.mem, folio)) continue;
    if (lock) {
      const last = k.mem.index[folio] + folio_nr_pages(k.mem, folio) - 1;
      const ok = last <= end && (yield* folio_trylock(k, folio));
      if (!ok) {
        folio_put(k.mem, folio);
        continue;
      }
      if (k.mem.mapping[folio] !== mapping.id || folio_test_writeback(k.mem, folio)) {
        yield* folio_unlock(k, folio);
        folio_put(k.mem, folio);
        continue;
      }
    }
    out.push(folio);
  }
  return out;
}

/**
 * mm/migrate.c: __folio_migrate_mapping(mapping, newfolio, folio, expected_count) for a
 * page-cache folio (the hook the migration of file folios will call): freeze the old folio at
 * the references the cache and the caller explain, give the new folio the cache's references,
 * mapping, index, swap-backed and dirty state, put it in every slot, and drop the old folio's
 * cache references. Both folios are locked; -EAGAIN if someone else holds a reference (a pin).
 * @fidelity simplified (no NR_FILE_* moves between zones: one node)
 */
export function folio_migrate_mapping_pagecache(
  k: Kernel,
  mapping: fs_address_space,
  newfolio: number,
  folio: number,
  expected_count: number,
): number {
  const mem = k.mem;
  const nr = folio_nr_pages(mem, folio);
  if (!folio_ref_freeze(mem, folio, expected_count)) return -EAGAIN;
  folio_ref_add(mem, newfolio, nr);
  folio_set_mapping(mem, newfolio, mapping.id, false);
  folio_set_index(mem, newfolio, mem.index[folio]);
  if (folio_test_swapbacked(mem, folio)) folio_set_swapbacked(mem, newfolio);
  const index = mem.index[folio];
  for (let i = 0; i < nr; i++) mapping.i_pages.set(index + i, newfolio);
  if (folio_test_dirty(mem, folio)) {
    folio_clear_dirty(mem, folio);
    folio_set_dirty(mem, newfolio);
  }
  folio_ref_unfreeze(mem, folio, expected_count - nr);
  return 0;
}
