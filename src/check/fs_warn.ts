/**
 * fs.*: what the file systems and the block layer report themselves (fs/fs_trace.ts: fs_warn,
 * block/blk-mq.ts): folios dirtied or written back without the file system's private state
 * (the fs-state half of the 2018 "pages without buffers" report), dirty data dropped from the
 * page cache, and pages changed under a checksummed write. One registry entry per report id.
 */
import { reportedByKernel, type Checker } from './types.js';

/** [id, description, kernel rule]. */
const RULES: readonly (readonly [string, string, string])[] = [
  [
    'fs.warn.ext4-dirty-without-buffers',
    'ext4 was asked to dirty a folio that has no buffer heads (someone dirtied it without ->page_mkwrite or ->write_begin, e.g. unpin_user_pages_dirty_lock after reclaim freed the buffers).',
    'fs/ext4/inode.c: ext4_dirty_folio (WARN_ON_ONCE(!folio_buffers(folio)))',
  ],
  [
    'fs.warn.ext4-no-buffers',
    'ext4 writeback found a dirty folio without buffers: it warns, clears the dirty bit and drops the data.',
    'fs/ext4/inode.c: mpage_prepare_extent_to_map (cc5095747edf)',
  ],
  [
    'fs.ext4-writepage-bug',
    'With quirk ext4-writepage-bug: the old ext4_writepage BUG on a dirty page without buffers.',
    'fs/ext4/inode.c: ext4_writepage (before cc5095747edf)',
  ],
  [
    'fs.warn.dirty-folio-removed',
    'A dirty folio of a writeback-capable file left the page cache: its data is lost.',
    'mm/filemap.c: filemap_unaccount_folio',
  ],
  [
    'fs.warn.dirty-not-uptodate',
    'A folio was dirtied while not uptodate.',
    'mm/page-writeback.c: __folio_mark_dirty',
  ],
  [
    'fs.unstable-page-write',
    'A page changed while the disk wrote it under a checksum computed at submission (btrfs): the stored checksum no longer matches.',
    'mm/page-writeback.c: folio_wait_stable',
  ],
];

export const fsWarnCheckers: readonly Checker[] = RULES.map(([id, description, kernelRef]) =>
  reportedByKernel({ id, description, kernelRef, alwaysOn: true }),
);
