/**
 * Reading and writing the page cache of a block-backed file: fs/mpage.c (mpage_read_folio,
 * mpage_writepages) and fs/iomap/buffered-io.c (iomap_writepages), the shape ext4, xfs and btrfs
 * share. Each file system supplies how one dirty folio is checked, mapped to a disk block and
 * completed (struct blockfs_wb); the bio goes to the file system's disk, whose device agent does
 * the transfer and calls the completion (folio_end_writeback).
 *
 * Writeback does not look at pins: a folio cleaned here can still be written through a FOLL_PIN
 * reference, before or after the device reads it.
 * The bios of one ->writepages call are plugged (blk_start_plug) and reach the disk together
 * when it returns.
 * @fidelity simplified: order-0 folios, one block per page, bios of up to BIO_MAX_VECS folios;
 * a write completion ends writeback of its folios in one step; read completion is folio_end_read.
 */
import { folio_put } from '../../mm/page_free.js';
import { EIO } from '../include/errno.js';
import { mm_solo } from '../mm/solo.js';
import { folio_test_dirty, folio_test_writeback } from '../../mm/page_flags.js';
import type { Sched } from '../../sim/thread.js';
import { bio, bio_add_folio, REQ_OP_READ, REQ_OP_WRITE, submit_bio } from '../block/bio.js';
import type { block_device } from '../block/bdev.js';
import type { Kernel } from '../kernel.js';
import { folio_lock, folio_unlock } from '../mm/filemap.js';
import { folio_end_read } from '../mm/filemap_pagecache.js';
import { mapping_set_error } from '../mm/filemap_pagecache_wb.js';
import {
  WB_SYNC_ALL,
  WB_SYNC_NONE,
  folio_clear_dirty_for_io,
  folio_end_writeback,
  folio_end_writeback_locked,
  folio_redirty_for_writepage,
  folio_start_writeback,
  folio_wait_writeback,
  type writeback_control,
} from '../mm/page-writeback.js';
import { writeback_candidates } from '../mm/page-writeback_iter.js';
import { filemap_get_entry, folio_file_mapping, type fs_address_space } from '../mm/pagecache.js';
import { ext_lookup } from './extents.js';
import { fs_trace } from './fs_trace.js';
import type { inode } from './inode.js';

/** include/linux/bio.h: BIO_MAX_VECS. */
export const BIO_MAX_VECS = 256;

/** map_folio: do not write the folio (the block is a hole: the data is dropped). */
export const WB_HOLE = -1;
/** map_folio: do not write the folio now; it stays dirty (folio_redirty_for_writepage). */
export const WB_REDIRTY = -2;

/** What a block file system's ->writepages does per folio. @fidelity custom */
export interface blockfs_wb {
  /**
   * Before the folio is cleaned, with it locked: false if the file system refuses it (the
   * folio is then unlocked and skipped). ext4 checks for buffer heads here.
   */
  check?(k: Kernel, mapping: fs_address_space, folio: number): boolean;
  /** The disk block to write the cleaned folio to (allocating a delayed block), WB_HOLE or WB_REDIRTY, or -errno. */
  map(k: Kernel, inode: inode, folio: number): number;
  /** The folio is submitted (buffers become clean, mapped). */
  submitted?(k: Kernel, folio: number, block: number): void;
  /** Checksum the content at submission (btrfs data checksums). */
  readonly csum: boolean;
}

function disk(inode: inode): block_device {
  const bdev = inode.i_sb.s_bdev;
  if (bdev === null) throw new Error(`${inode.name} is not on a block device`);
  return bdev;
}

/**
 * The completion of a write bio (mpage_end_io / ext4_end_bio / iomap_finish_ioend): end
 * writeback of each folio, in one step as the completion handler runs.
 */
function* end_bio_write(k: Kernel, b: bio): Sched<void> {
  if (!mm_solo(k.m)) yield k.m.point('end_bio_write');
  for (const v of b.bi_io_vec) {
    if (b.bi_status !== 0) {
      const mapping = folio_file_mapping(k, v.folio);
      if (mapping !== null) mapping_set_error(mapping, -EIO);
    }
    folio_end_writeback_locked(k, v.folio);
  }
}

/** The completion of a read bio: each folio becomes uptodate and unlocked. */
function* end_bio_read(k: Kernel, b: bio): Sched<void> {
  for (const v of b.bi_io_vec) yield* folio_end_read(k, v.folio, b.bi_status === 0);
}

/**
 * fs/mpage.c: mpage_read_folio(folio, get_block) (ext4_read_folio, iomap_read_folio): a hole or
 * a delayed block reads as zeros at once; a mapped block is read by the disk, which unlocks the
 * folio when done.
 * @fidelity simplified
 */
export function* mpage_read_folio(k: Kernel, folio: number): Sched<number> {
  const mapping = folio_file_mapping(k, folio);
  if (mapping === null) throw new Error(`mpage_read_folio: folio ${folio} has no mapping`);
  const inode = mapping.host;
  const block = inode.i_extents === null ? -1 : ext_lookup(inode.i_extents, k.mem.index[folio]);
  if (block < 0) {
    k.mem.content[folio] = 0;
    yield* folio_end_read(k, folio, true);
    return 0;
  }
  const b = new bio(disk(inode), REQ_OP_READ, end_bio_read, mapping.name);
  bio_add_folio(b, folio, block);
  yield* submit_bio(k, b);
  return 0;
}

/** Lock a candidate folio and decide whether it is for this writeback; null: skip it. */
function* lock_candidate(
  k: Kernel,
  mapping: fs_address_space,
  wbc: writeback_control,
  index: number,
): Sched<number> {
  const folio = yield* filemap_get_entry(k, mapping, index);
  if (folio < 0) return -1;
  yield* folio_lock(k, folio);
  const skip =
    k.mem.index[folio] !== index ||
    k.mem.mapping[folio] !== mapping.id ||
    !folio_test_dirty(k.mem, folio) ||
    (folio_test_writeback(k.mem, folio) && wbc.sync_mode === WB_SYNC_NONE);
  if (skip) {
    yield* folio_unlock(k, folio);
    folio_put(k.mem, folio);
    return -1;
  }
  yield* folio_wait_writeback(k, folio);
  return folio;
}

/**
 * fs/mpage.c: mpage_writepages / fs/ext4/inode.c: ext4_do_writepages / fs/iomap/buffered-io.c:
 * iomap_writepages: write the mapping's dirty folios of the wbc range: check, clean for I/O
 * (folio_clear_dirty_for_io), map to a block, start writeback, unlock, and submit in bios.
 * Returns 0 or the first error.
 * @fidelity simplified
 */
export function* blockfs_writepages(
  k: Kernel,
  mapping: fs_address_space,
  wbc: writeback_control,
  ops: blockfs_wb,
): Sched<number> {
  const inode = mapping.host;
  const bdev = disk(inode);
  let b = new bio(bdev, REQ_OP_WRITE, end_bio_write, mapping.name);
  const plug: bio[] = []; // blk_start_plug: the bios go to the disk at blk_finish_plug
  let ret = 0;
  for (const index of yield* writeback_candidates(k, mapping, wbc)) {
    const folio = yield* lock_candidate(k, mapping, wbc, index);
    if (folio < 0) continue;
    if (ops.check !== undefined && !ops.check(k, mapping, folio)) {
      yield* folio_unlock(k, folio);
      folio_put(k.mem, folio);
      continue;
    }
    if (!(yield* folio_clear_dirty_for_io(k, folio))) {
      yield* folio_unlock(k, folio);
      folio_put(k.mem, folio);
      continue;
    }
    const block = ops.map(k, inode, folio);
    if (block === WB_REDIRTY || (block < 0 && block !== WB_HOLE)) {
      folio_redirty_for_writepage(k, wbc, folio);
      if (block !== WB_REDIRTY && ret === 0) ret = block;
    } else {
      folio_start_writeback(k, folio);
      if (block === WB_HOLE) {
        if (k.m.trace.enabled) {
          const message = `folio ${folio} maps no block: not written`;
          fs_trace(k, 'fs.warn', { id: 'hole-writeback', message });
        }
        yield* folio_end_writeback(k, folio);
      } else {
        ops.submitted?.(k, folio, block);
        bio_add_folio(b, folio, block, ops.csum ? k.mem.content[folio]! : -1);
      }
    }
    yield* folio_unlock(k, folio);
    folio_put(k.mem, folio);
    if (b.bi_io_vec.length >= BIO_MAX_VECS) {
      plug.push(b);
      b = new bio(bdev, REQ_OP_WRITE, end_bio_write, mapping.name);
    }
    if (--wbc.nr_to_write <= 0 && wbc.sync_mode !== WB_SYNC_ALL) break;
  }
  if (b.bi_io_vec.length > 0) plug.push(b);
  for (const queued of plug) yield* submit_bio(k, queued);
  return ret;
}
