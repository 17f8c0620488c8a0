/**
 * The page-cache half of page migration: the ->migrate_folio callbacks file systems give their
 * mappings (mm/migrate.c: __migrate_folio, migrate_folio, filemap_migrate_folio,
 * fallback_migrate_folio, buffer_migrate_folio) and folio_migrate_flags.
 *
 * The expected-reference rule: with the folio locked and unmapped (its mappings replaced by
 * migration entries), every reference must be explained: one per page for the page cache, one
 * for private data (buffer heads), one for the isolation (the migrating caller). A pin or a GUP
 * reference is one too many: -EAGAIN, and the caller remaps the old folio and retries.
 */
import { MIGRATE_SYNC } from './migrate_mode.js';
import {
  copy_highpage,
  folio_expected_ref_count,
  folio_mark_uptodate,
  folio_nr_pages,
  folio_ref_count,
  folio_set_dirty,
  folio_set_referenced,
  folio_test_dirty,
  folio_test_private,
  folio_test_referenced,
  folio_test_uptodate,
} from '../../mm/index.js';
import { EAGAIN, EBUSY } from '../include/errno.js';
import type { Kernel } from '../kernel.js';
import { folio_attach_private, folio_buffers, folio_detach_private } from '../fs/buffer.js';
import type { fs_address_space } from './pagecache.js';
import { folio_migrate_mapping_pagecache } from './pagecache_batch.js';
import { filemap_release_folio } from './truncate.js';

/** mm/migrate.c: folio_migrate_flags(newfolio, folio) (the flags the model keeps). @fidelity simplified */
export function folio_migrate_flags(k: Kernel, dst: number, src: number): void {
  const mem = k.mem;
  if (folio_test_referenced(mem, src)) folio_set_referenced(mem, dst);
  if (folio_test_uptodate(mem, src)) folio_mark_uptodate(mem, dst);
  if (folio_test_dirty(mem, src)) folio_set_dirty(mem, dst);
}

/** mm/util.c: folio_mc_copy(dst, src): the contents, page by page. @fidelity simplified (never fails) */
export function folio_mc_copy(k: Kernel, dst: number, src: number): void {
  const nr = folio_nr_pages(k.mem, src);
  for (let i = 0; i < nr; i++) copy_highpage(k.mem, dst + i, src + i);
}

/**
 * mm/migrate.c: __migrate_folio(mapping, dst, src, src_private, mode): the reference check
 * (folio_expected_ref_count + 1 for the isolation), the copy, __folio_migrate_mapping (the
 * cache's slots and references move to dst), the private data (when `move_private`), the flags.
 * @fidelity simplified
 */
export function __migrate_folio(
  k: Kernel,
  mapping: fs_address_space,
  dst: number,
  src: number,
  move_private: boolean,
): number {
  const mem = k.mem;
  const expected_count = folio_expected_ref_count(mem, src) + 1;
  if (folio_ref_count(mem, src) !== expected_count) return -EAGAIN;
  folio_mc_copy(k, dst, src);
  const rc = folio_migrate_mapping_pagecache(k, mapping, dst, src, expected_count);
  if (rc !== 0) return rc;
  if (move_private && folio_test_private(mem, src)) {
    const state = mem.priv[src]!;
    folio_detach_private(k, src);
    folio_attach_private(k, dst, state);
  }
  folio_migrate_flags(k, dst, src);
  return 0;
}

/** mm/migrate.c: migrate_folio(mapping, dst, src, mode) (shmem_aops). @fidelity simplified */
export function migrate_folio(
  k: Kernel,
  mapping: fs_address_space,
  dst: number,
  src: number,
  _mode: number,
): number {
  return __migrate_folio(k, mapping, dst, src, false);
}

/** mm/migrate.c: filemap_migrate_folio(mapping, dst, src, mode): folio->private moves too (iomap, btrfs). @fidelity simplified */
export function filemap_migrate_folio(
  k: Kernel,
  mapping: fs_address_space,
  dst: number,
  src: number,
  _mode: number,
): number {
  return __migrate_folio(k, mapping, dst, src, true);
}

/**
 * mm/migrate.c: buffer_migrate_folio(mapping, dst, src, mode) (ext4): without buffers, plain
 * migrate_folio; with them, the buffer heads move to dst with the private reference.
 * @fidelity simplified: buffer locks and b_count are not modelled (the buffer state is one word)
 */
export function buffer_migrate_folio(
  k: Kernel,
  mapping: fs_address_space,
  dst: number,
  src: number,
  mode: number,
): number {
  if (folio_buffers(k, src) === null) return migrate_folio(k, mapping, dst, src, mode);
  return __migrate_folio(k, mapping, dst, src, true);
}

/**
 * mm/migrate.c: fallback_migrate_folio(mapping, dst, src, mode): for a mapping without
 * ->migrate_folio: a dirty folio cannot move; private data must be released first
 * (filemap_release_folio), else -EAGAIN in MIGRATE_SYNC and -EBUSY otherwise.
 * @fidelity simplified: a dirty folio is -EBUSY in every mode (no writeout)
 */
export function fallback_migrate_folio(
  k: Kernel,
  mapping: fs_address_space,
  dst: number,
  src: number,
  mode: number,
): number {
  if (folio_test_dirty(k.mem, src)) return -EBUSY;
  if (!filemap_release_folio(k, src)) return mode === MIGRATE_SYNC ? -EAGAIN : -EBUSY;
  return migrate_folio(k, mapping, dst, src, mode);
}
