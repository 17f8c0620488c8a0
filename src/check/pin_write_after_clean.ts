/**
 * fs.pin-write-after-clean: at the end of a run, every clean page-cache folio of a
 * writeback-capable file holds what its disk block holds. A folio whose content differs while
 * neither it nor any PTE mapping it is dirty was written behind the page tables — through a pin
 * (DMA, kmap) after writeback cleaned it (folio_clear_dirty_for_io write-protects the PTEs but
 * cannot stop a device) — and was never marked dirty again, or the file system dropped its
 * dirtiness (ext4 without buffers, an xfs hole): the data never reaches the disk and is lost
 * when the folio is evicted. This is the data-loss half of Jan Kara's 2018 report ("Filesystem
 * crashes due to pages without buffers"); the fs-state half is reported by the file systems
 * themselves (fs_warn.ts).
 */
import { folio_maybe_dma_pinned } from '../mm/mapcount.js';
import { folio_test_dirty, folio_test_writeback } from '../mm/page_flags.js';
import { pte_dirty, pte_pfn, pte_present } from '../mm/pgtable_types.js';
import { pte_lookup } from '../mm/pgtable_walk.js';
import { vma_pages } from '../mm/vma.js';
import { bdev_read_block } from '../kernel/block/bdev.js';
import { ext_lookup } from '../kernel/fs/extents.js';
import type { inode } from '../kernel/fs/inode.js';
import { vfs } from '../kernel/fs/vfs_state.js';
import type { Kernel } from '../kernel/kernel.js';
import { mapping_can_writeback } from '../kernel/mm/pagecache.js';
import type { Checker } from './types.js';
import { atEnd, report } from './util.js';

/** A PTE maps `page` of the file writable-dirty (its data will reach the folio's dirty bit). */
function pte_dirty_somewhere(k: Kernel, ino: inode, index: number, page: number): boolean {
  for (const vma of ino.i_mapping.i_mmap) {
    if (index < vma.vm_pgoff || index >= vma.vm_pgoff + vma_pages(vma)) continue;
    const vpn = vma.vm_start / 4096 + (index - vma.vm_pgoff);
    const ptep = pte_lookup(k.pool, vma.vm_mm, vpn);
    if (ptep < 0) continue;
    const pte = k.pool.get(ptep);
    if (pte_present(pte) && pte_pfn(pte) === page && pte_dirty(pte)) return true;
  }
  return false;
}

/** The disk content of page `index` of a block-backed inode (0 for a hole). */
function disk_value(ino: inode, index: number): number {
  const bdev = ino.i_sb.s_bdev;
  const map = ino.i_extents;
  if (bdev === null || map === null) return 0;
  const block = ext_lookup(map, index);
  return block < 0 ? 0 : bdev_read_block(bdev, block);
}

function check_inode(k: Kernel, ino: inode): void {
  const mapping = ino.i_mapping;
  if (!mapping_can_writeback(mapping) || mapping.nrpages === 0) return;
  const mem = k.mem;
  for (const [index, folio] of mapping.i_pages) {
    if (index * 4096 >= ino.i_size) continue;
    if (folio_test_dirty(mem, folio) || folio_test_writeback(mem, folio)) continue;
    const page = folio + (index - mem.index[folio]);
    const value = mem.content[page]!;
    const disk = disk_value(ino, index);
    if (value === disk || pte_dirty_somewhere(k, ino, index, page)) continue;
    const pinned = folio_maybe_dma_pinned(mem, folio) ? ' (still maybe DMA-pinned)' : '';
    report(
      k,
      pinWriteAfterClean,
      `${ino.name}: page ${index} (pfn ${page}) holds 0x${value.toString(16)} but is clean and its disk block holds 0x${disk.toString(16)}${pinned}: it was written after writeback cleaned it and never dirtied again, so the write is lost`,
      undefined,
      `${ino.i_ino}:${index}`,
    );
  }
}

export const pinWriteAfterClean: Checker = {
  id: 'fs.pin-write-after-clean',
  description:
    'A clean page-cache folio of a writeback-capable file holds what its disk block holds: data written through a pin after writeback cleaned the folio, and never marked dirty again, is lost.',
  kernelRef:
    'mm/page-writeback.c: folio_clear_dirty_for_io (no pin awareness); Documentation/core-api/pin_user_pages.rst',
  alwaysOn: true,
  install(k) {
    atEnd(k, pinWriteAfterClean, () => {
      for (const ino of vfs(k).inodes) check_inode(k, ino);
    });
  },
};
