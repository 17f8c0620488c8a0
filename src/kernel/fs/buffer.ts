/**
 * Buffer heads: the per-folio private state of buffer-head file systems (ext4), fs/buffer.c and
 * include/linux/buffer_head.h (v6.18). With blocksize == PAGE_SIZE a folio has one buffer. The
 * buffer is attached as folio->private (PG_private, one folio reference) when the file system
 * first prepares the folio for writing (->write_begin, ->page_mkwrite) and is freed by
 * try_to_free_buffers once clean (reclaim's filemap_release_folio, truncate's invalidation).
 *
 * Its lifecycle is what makes a write through a pin dangerous: writeback cleans the folio,
 * reclaim may then free its buffers, and a later folio_mark_dirty from the pin holder
 * (unpin_user_pages_dirty_lock) dirties a folio ext4 has no buffers for.
 * @fidelity simplified: one buffer per folio, no b_count, no buffer lock, no journal.
 */
import { folio_get } from '../../mm/folio.js';
import { folio_put } from '../../mm/page_free.js';
import {
  PG_dirty,
  folio_clear_private,
  folio_mark_uptodate,
  folio_set_private,
  folio_test_private,
  folio_test_writeback,
  test_and_set_page_flag,
} from '../../mm/page_flags.js';
import type { Sched } from '../../sim/thread.js';
import { EFAULT } from '../include/errno.js';
import type { Kernel } from '../kernel.js';
import { folio_lock, folio_unlock } from '../mm/filemap.js';
import type { vm_fault } from '../mm/mm_types.js';
import { vmf_file, vmf_kernel } from '../mm/filemap_pagecache.js';
import {
  __folio_mark_dirty,
  folio_cancel_dirty,
  folio_mark_dirty,
  folio_wait_stable,
} from '../mm/page-writeback.js';
import { folio_file_mapping, folio_pos, type fs_address_space } from '../mm/pagecache.js';
import { fs_trace } from './fs_trace.js';
import { i_size_read, type inode } from './inode.js';
import type { PhysMem } from '../../mm/physmem.js';

/** include/linux/buffer_head.h: enum bh_state_bits (the ones the model uses). */
export const BH_Uptodate = 0;
export const BH_Dirty = 1;
export const BH_Mapped = 4;
export const BH_New = 5;
export const BH_Delay = 8;

/** The buffer's state and block are kept in folio->private: (b_blocknr + 1) * BH_STRIDE + b_state. */
const BH_STRIDE = 512;

/**
 * include/linux/buffer_head.h: struct buffer_head (one per folio), as a view of the folio's
 * page->private word, where the model keeps b_state and b_blocknr.
 * @fidelity simplified
 */
export class buffer_head {
  constructor(
    private readonly mem: PhysMem,
    readonly b_folio: number,
  ) {}

  get b_state(): number {
    return this.mem.priv[this.b_folio]! % BH_STRIDE;
  }

  set b_state(state: number) {
    this.mem.priv[this.b_folio] = (this.b_blocknr + 1) * BH_STRIDE + state;
  }

  /** The disk block, or -1 (unmapped, or a delayed allocation). */
  get b_blocknr(): number {
    return Math.floor(this.mem.priv[this.b_folio]! / BH_STRIDE) - 1;
  }

  set b_blocknr(block: number) {
    this.mem.priv[this.b_folio] = (block + 1) * BH_STRIDE + this.b_state;
  }
}

/** ->get_block(inode, iblock, bh, create): map (or reserve) the block of a page; 0 or -errno. */
export type get_block_t = (k: Kernel, inode: inode, index: number, bh: buffer_head) => number;

/** include/linux/buffer_head.h: buffer_* state tests. @fidelity exact */
export function buffer_test(bh: buffer_head, bit: number): boolean {
  return (bh.b_state & (1 << bit)) !== 0;
}

/** include/linux/buffer_head.h: set_buffer_* / clear_buffer_*. @fidelity exact */
export function buffer_set(bh: buffer_head, bit: number, on: boolean): void {
  bh.b_state = on ? bh.b_state | (1 << bit) : bh.b_state & ~(1 << bit);
}

/** include/linux/buffer_head.h: folio_buffers(folio): the buffer, or null. @fidelity exact */
export function folio_buffers(k: Kernel, folio: number): buffer_head | null {
  return folio_test_private(k.mem, folio) ? new buffer_head(k.mem, folio) : null;
}

/** include/linux/pagemap.h: folio_attach_private(folio, data): a reference and PG_private. @fidelity exact */
export function folio_attach_private(
  k: Kernel,
  folio: number,
  b_state: number,
  what = 'buffer_head',
): void {
  folio_get(k.mem, folio);
  folio_set_private(k.mem, folio);
  k.mem.priv[folio] = b_state;
  if (k.m.trace.enabled) fs_trace(k, 'fs.private', { folio, state: what, attached: true });
}

/** include/linux/pagemap.h: folio_detach_private(folio): clear PG_private and drop its reference. @fidelity exact */
export function folio_detach_private(k: Kernel, folio: number, what = 'buffer_head'): void {
  if (!folio_test_private(k.mem, folio)) return;
  folio_clear_private(k.mem, folio);
  k.mem.priv[folio] = 0;
  if (k.m.trace.enabled) fs_trace(k, 'fs.private', { folio, state: what, attached: false });
  folio_put(k.mem, folio);
}

/** fs/buffer.c: create_empty_buffers(folio, blocksize, b_state). @fidelity simplified */
export function create_empty_buffers(k: Kernel, folio: number, b_state: number): buffer_head {
  folio_attach_private(k, folio, b_state);
  return new buffer_head(k.mem, folio);
}

/** fs/buffer.c: mark_buffer_dirty(bh): the buffer, then its folio, become dirty. @fidelity simplified */
export function mark_buffer_dirty(k: Kernel, bh: buffer_head): void {
  if (buffer_test(bh, BH_Dirty)) return;
  buffer_set(bh, BH_Dirty, true);
  const folio = bh.b_folio;
  if (!test_and_set_page_flag(k.mem, folio, PG_dirty)) {
    const mapping = folio_file_mapping(k, folio);
    if (mapping !== null) __folio_mark_dirty(k, folio, mapping, false);
  }
}

/**
 * fs/buffer.c: block_dirty_folio(mapping, folio): ->dirty_folio of buffer-head file systems:
 * dirty every buffer, then the folio. True if the folio was newly dirtied.
 * @fidelity exact
 */
export function block_dirty_folio(k: Kernel, mapping: fs_address_space, folio: number): boolean {
  const bh = folio_buffers(k, folio);
  if (bh !== null) buffer_set(bh, BH_Dirty, true);
  const newly = !test_and_set_page_flag(k.mem, folio, PG_dirty);
  if (newly) __folio_mark_dirty(k, folio, mapping, true);
  return newly;
}

/**
 * fs/buffer.c: try_to_free_buffers(folio): free the buffers of a clean folio (not under
 * writeback, no dirty buffer); true when the folio no longer has them.
 * @fidelity simplified
 */
export function try_to_free_buffers(k: Kernel, folio: number): boolean {
  if (folio_test_writeback(k.mem, folio)) return false;
  const bh = folio_buffers(k, folio);
  if (bh === null) return true;
  if (buffer_test(bh, BH_Dirty)) return false;
  folio_detach_private(k, folio);
  folio_cancel_dirty(k, folio);
  return true;
}

/**
 * fs/buffer.c: block_invalidate_folio(folio, offset, length): discard the buffers inside the
 * range (truncate, hole punch); a whole-folio invalidation also frees them.
 * @fidelity simplified
 */
export function block_invalidate_folio(
  k: Kernel,
  folio: number,
  offset: number,
  length: number,
): void {
  const bh = folio_buffers(k, folio);
  if (bh === null) return;
  if (offset === 0) {
    bh.b_state = 0;
    bh.b_blocknr = -1;
  }
  if (offset === 0 && length >= 4096) try_to_free_buffers(k, folio);
}

/**
 * fs/buffer.c: __block_write_begin_int(folio, pos, len, get_block): give the folio buffers and
 * map (or reserve) its block. 0 or a negative errno.
 * @fidelity simplified
 */
export function __block_write_begin(k: Kernel, folio: number, get_block: get_block_t): number {
  const mapping = folio_file_mapping(k, folio);
  if (mapping === null) return -EFAULT;
  const bh = folio_buffers(k, folio) ?? create_empty_buffers(k, folio, 0);
  if (buffer_test(bh, BH_Mapped)) return 0;
  return get_block(k, mapping.host, k.mem.index[folio], bh);
}

/** fs/buffer.c: block_commit_write(folio, from, to): buffers uptodate and dirty, folio uptodate. @fidelity simplified */
export function block_commit_write(k: Kernel, folio: number): void {
  const bh = folio_buffers(k, folio);
  if (bh !== null) {
    buffer_set(bh, BH_Uptodate, true);
    buffer_set(bh, BH_New, false);
    mark_buffer_dirty(k, bh);
  }
  folio_mark_uptodate(k.mem, folio);
}

/**
 * fs/buffer.c: block_page_mkwrite(vma, vmf, get_block): lock the folio, check it still belongs
 * to the file within i_size (-EFAULT: truncated), prepare its buffers, commit them, mark the
 * folio dirty and wait for stable pages. 0 with the folio locked, or a negative errno.
 * @fidelity simplified
 */
export function* block_page_mkwrite(vmf: vm_fault, get_block: get_block_t): Sched<number> {
  const k = vmf_kernel(vmf);
  const mapping = vmf_file(vmf).f_mapping;
  const folio = vmf.page;
  yield* folio_lock(k, folio);
  if (k.mem.mapping[folio] !== mapping.id || folio_pos(k, folio) >= i_size_read(mapping.host)) {
    yield* folio_unlock(k, folio);
    return -EFAULT;
  }
  const ret = __block_write_begin(k, folio, get_block);
  if (ret !== 0) {
    yield* folio_unlock(k, folio);
    return ret;
  }
  block_commit_write(k, folio);
  folio_mark_dirty(k, folio);
  yield* folio_wait_stable(k, folio);
  return 0;
}
