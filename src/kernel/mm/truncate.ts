/**
 * Taking folios out of the page cache: mm/truncate.c (v6.18) — truncate_inode_pages_range with
 * truncate_cleanup_folio / truncate_inode_folio / truncate_inode_partial_folio,
 * truncate_pagecache, truncate_setsize, truncate_pagecache_range, mapping_evict_folio — and
 * mm/filemap.c: filemap_release_folio.
 *
 * A truncated folio is unmapped, loses its private state and leaves the tree, and the cache's
 * references are dropped; whoever still holds a reference (a pin) keeps the folio alive, now
 * with folio->mapping == NULL: writes through the pin no longer reach the file.
 * @fidelity simplified: order-0 folios are never split; partial folios keep their content (the
 * page-content model has one value per page).
 */
import { folio_nr_pages, folio_ref_count } from '../../mm/folio.js';
import { folio_mapped } from '../../mm/mapcount.js';
import { folio_put } from '../../mm/page_free.js';
import {
  folio_test_dirty,
  folio_test_private,
  folio_test_private_2,
  folio_test_writeback,
} from '../../mm/page_flags.js';
import type { Sched } from '../../sim/thread.js';
import { EBUSY, EIO } from '../include/errno.js';
import type { Kernel } from '../kernel.js';
import { try_to_free_buffers } from '../fs/buffer.js';
import { i_size_write, type inode } from '../fs/inode.js';
import { folio_lock, folio_unlock } from './filemap.js';
import { folio_cancel_dirty, folio_wait_writeback } from './page-writeback.js';
import {
  FGP_LOCK,
  __filemap_get_folio,
  folio_file_mapping,
  folio_pos,
  folio_size,
  mapping_empty,
  type fs_address_space,
} from './pagecache.js';
import {
  __filemap_remove_folio,
  filemap_free_folio,
  filemap_remove_folio,
  find_entries,
} from './pagecache_batch.js';
import { unmap_mapping_folio, unmap_mapping_range } from './truncate_unmap.js';

/** mm/internal.h: folio_needs_release(folio): the folio has private state to release. @fidelity simplified */
export function folio_needs_release(k: Kernel, folio: number): boolean {
  return folio_test_private(k.mem, folio) || folio_test_private_2(k.mem, folio);
}

/**
 * mm/filemap.c: filemap_release_folio(folio, gfp): free the file system's private state of a
 * locked folio (->release_folio, or try_to_free_buffers); false if it cannot (under writeback,
 * dirty buffers). The hook reclaim calls before dropping a clean folio.
 * @fidelity exact
 */
export function filemap_release_folio(k: Kernel, folio: number, gfp = 0): boolean {
  if (!folio_needs_release(k, folio)) return true;
  if (folio_test_writeback(k.mem, folio)) return false;
  const mapping = folio_file_mapping(k, folio);
  const release = mapping?.a_ops.release_folio;
  if (mapping !== null && release !== undefined) return release.call(mapping.a_ops, k, folio, gfp);
  return try_to_free_buffers(k, folio);
}

/** mm/truncate.c: folio_invalidate(folio, offset, length): ->invalidate_folio. @fidelity exact */
export function folio_invalidate(k: Kernel, folio: number, offset: number, length: number): void {
  const mapping = folio_file_mapping(k, folio);
  mapping?.a_ops.invalidate_folio?.call(mapping.a_ops, k, folio, offset, length);
}

/** mm/truncate.c: truncate_cleanup_folio(folio): unmap it, drop its private state and its dirtiness. @fidelity exact */
function* truncate_cleanup_folio(k: Kernel, folio: number): Sched<void> {
  if (folio_mapped(k.mem, folio)) yield* unmap_mapping_folio(k, folio);
  if (folio_needs_release(k, folio)) folio_invalidate(k, folio, 0, folio_size(k, folio));
  folio_cancel_dirty(k, folio);
}

/** mm/truncate.c: truncate_inode_folio(mapping, folio): clean up a locked folio and remove it. @fidelity exact */
export function* truncate_inode_folio(
  k: Kernel,
  mapping: fs_address_space,
  folio: number,
): Sched<number> {
  if (k.mem.mapping[folio] !== mapping.id) return -EIO;
  yield* truncate_cleanup_folio(k, folio);
  yield* filemap_remove_folio(k, folio);
  return 0;
}

/**
 * mm/truncate.c: truncate_inode_partial_folio(folio, start, end): a folio straddling the
 * range: removed when wholly inside, else its private state for the range is invalidated.
 * @fidelity simplified (no folio split, no zeroing: content is per page)
 */
function* truncate_inode_partial_folio(
  k: Kernel,
  folio: number,
  lstart: number,
  lend: number,
): Sched<boolean> {
  const pos = folio_pos(k, folio);
  const size = folio_size(k, folio);
  const offset = pos < lstart ? lstart - pos : 0;
  const length = pos + size <= lend ? size - offset : lend + 1 - pos - offset;
  yield* folio_wait_writeback(k, folio);
  const mapping = folio_file_mapping(k, folio);
  if (length === size && mapping !== null) {
    yield* truncate_inode_folio(k, mapping, folio);
    return true;
  }
  if (folio_needs_release(k, folio)) folio_invalidate(k, folio, offset, length);
  return true;
}

/** The partial folio at byte `pos`, handled under its lock. */
function* partial_at(
  k: Kernel,
  mapping: fs_address_space,
  pos: number,
  lstart: number,
  lend: number,
): Sched<void> {
  const folio = yield* __filemap_get_folio(k, mapping, Math.floor(pos / 4096), FGP_LOCK);
  if (folio < 0) return;
  yield* truncate_inode_partial_folio(k, folio, lstart, lend);
  yield* folio_unlock(k, folio);
  folio_put(k.mem, folio);
}

/**
 * mm/truncate.c: truncate_inode_pages_range(mapping, lstart, lend): remove every folio of
 * bytes [lstart, lend] (lend inclusive; -1: to the end). A first pass takes the folios it can
 * lock at once and that are not under writeback; the partial folios at both ends follow; a
 * second pass waits for the rest.
 * @fidelity simplified
 */
export function* truncate_inode_pages_range(
  k: Kernel,
  mapping: fs_address_space,
  lstart: number,
  lend: number,
): Sched<void> {
  if (mapping_empty(mapping)) return;
  const end = lend === -1 ? Number.MAX_SAFE_INTEGER : Math.floor((lend + 1) / 4096);
  const start = Math.ceil(lstart / 4096);
  const last = lend === -1 ? Number.MAX_SAFE_INTEGER : lend;
  if (start < end) {
    for (const folio of yield* find_entries(k, mapping, start, end - 1, true)) {
      yield* truncate_cleanup_folio(k, folio);
      const nr = folio_nr_pages(k.mem, folio);
      __filemap_remove_folio(k, folio);
      filemap_free_folio(k, folio, nr);
      yield* folio_unlock(k, folio);
      folio_put(k.mem, folio);
    }
  }
  if (lstart % 4096 !== 0) yield* partial_at(k, mapping, lstart, lstart, last);
  if (
    lend !== -1 &&
    (lend + 1) % 4096 !== 0 &&
    Math.floor(lend / 4096) !== Math.floor(lstart / 4096)
  ) {
    yield* partial_at(k, mapping, lend, lstart, last);
  }
  if (start >= end) return;
  for (;;) {
    const folios = yield* find_entries(k, mapping, start, end - 1, false);
    if (folios.length === 0) return;
    for (const folio of folios) {
      yield* folio_lock(k, folio);
      yield* folio_wait_writeback(k, folio);
      yield* truncate_inode_folio(k, mapping, folio);
      yield* folio_unlock(k, folio);
      folio_put(k.mem, folio);
    }
  }
}

/** mm/truncate.c: truncate_inode_pages(mapping, lstart). @fidelity exact */
export function truncate_inode_pages(
  k: Kernel,
  mapping: fs_address_space,
  lstart: number,
): Sched<void> {
  return truncate_inode_pages_range(k, mapping, lstart, -1);
}

/**
 * mm/truncate.c: truncate_pagecache(inode, newsize): unmap the pages beyond the new size (COWed
 * private copies included), remove them from the cache, and unmap again for pages COWed
 * meanwhile. i_size must already be the new size.
 * @fidelity exact
 */
export function* truncate_pagecache(k: Kernel, inode: inode, newsize: number): Sched<void> {
  const mapping = inode.i_mapping;
  const holebegin = Math.ceil(newsize / 4096) * 4096;
  yield* unmap_mapping_range(k, mapping, holebegin, 0, true);
  yield* truncate_inode_pages(k, mapping, newsize);
  yield* unmap_mapping_range(k, mapping, holebegin, 0, true);
}

/** mm/truncate.c: truncate_setsize(inode, newsize): set i_size and truncate the page cache. @fidelity simplified */
export function* truncate_setsize(k: Kernel, inode: inode, newsize: number): Sched<void> {
  i_size_write(inode, newsize);
  yield* truncate_pagecache(k, inode, newsize);
}

/**
 * mm/truncate.c: truncate_pagecache_range(inode, lstart, lend): for a hole punch: unmap the
 * whole pages of the hole (not private COWed copies), then remove them from the cache.
 * @fidelity exact
 */
export function* truncate_pagecache_range(
  k: Kernel,
  inode: inode,
  lstart: number,
  lend: number,
): Sched<void> {
  const mapping = inode.i_mapping;
  const unmap_start = Math.ceil(lstart / 4096) * 4096;
  const unmap_end = Math.floor((1 + lend) / 4096) * 4096 - 1;
  if (unmap_end > unmap_start)
    yield* unmap_mapping_range(k, mapping, unmap_start, 1 + unmap_end - unmap_start, false);
  yield* truncate_inode_pages_range(k, mapping, lstart, lend);
}

/**
 * mm/truncate.c: mapping_evict_folio(mapping, folio): remove a clean, unused, locked folio
 * (reclaim and invalidate_mapping_pages); 1 if removed. Not if dirty, under writeback, or
 * referenced beyond the cache and its private state (a pin keeps it).
 * @fidelity exact
 */
export function* mapping_evict_folio(
  k: Kernel,
  mapping: fs_address_space | null,
  folio: number,
): Sched<number> {
  if (mapping === null) return 0;
  if (folio_test_dirty(k.mem, folio) || folio_test_writeback(k.mem, folio)) return 0;
  const priv = folio_test_private(k.mem, folio) ? 1 : 0;
  if (folio_ref_count(k.mem, folio) > folio_nr_pages(k.mem, folio) + priv + 1) return 0;
  if (!filemap_release_folio(k, folio)) return 0;
  yield* filemap_remove_folio(k, folio);
  return 1;
}

/**
 * mm/truncate.c: folio_unmap_invalidate(mapping, folio, gfp): unmap a locked folio and take it
 * out of the cache whatever its refcount (a pinned folio goes too); -EBUSY if its private
 * state cannot be released or it is dirty.
 * @fidelity simplified (no ->launder_folio)
 */
export function* folio_unmap_invalidate(
  k: Kernel,
  mapping: fs_address_space,
  folio: number,
): Sched<number> {
  if (folio_mapped(k.mem, folio)) yield* unmap_mapping_folio(k, folio);
  if (k.mem.mapping[folio] !== mapping.id) return -EBUSY;
  if (!filemap_release_folio(k, folio)) return -EBUSY;
  if (folio_test_dirty(k.mem, folio)) return -EBUSY;
  yield* filemap_remove_folio(k, folio);
  return 1;
}

/**
 * mm/truncate.c: invalidate_inode_pages2_range(mapping, start, end): remove the folios of pages
 * [start, end] (direct I/O keeps the cache coherent this way); -EBUSY if one could not go.
 * @fidelity simplified
 */
export function* invalidate_inode_pages2_range(
  k: Kernel,
  mapping: fs_address_space,
  start: number,
  end: number,
): Sched<number> {
  if (mapping_empty(mapping)) return 0;
  let ret = 0;
  for (const folio of yield* find_entries(k, mapping, start, end, false)) {
    yield* folio_lock(k, folio);
    if (k.mem.mapping[folio] === mapping.id) {
      yield* folio_wait_writeback(k, folio);
      const r = yield* folio_unmap_invalidate(k, mapping, folio);
      if (r < 0) ret = r;
    }
    yield* folio_unlock(k, folio);
    folio_put(k.mem, folio);
  }
  return ret;
}

/** mm/truncate.c: truncate_inode_pages_final(mapping): the inode is going away. @fidelity simplified */
export function truncate_inode_pages_final(k: Kernel, inode: inode): Sched<void> {
  return truncate_inode_pages(k, inode.i_mapping, 0);
}
