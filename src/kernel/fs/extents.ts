/**
 * The block map of a block-backed file: which disk block holds each page of the file, and
 * which pages hold a delayed-allocation reservation. It stands for ext4's extent tree
 * (fs/ext4/extents.c), xfs's data fork (fs/xfs/libxfs/xfs_bmap.c) and btrfs's file extent
 * items (fs/btrfs/file-item.c), at one block per page (blocksize == PAGE_SIZE).
 * @fidelity simplified: no extents or unwritten extents, no quota, no journal; blocks are
 * allocated from the disk's allocator one at a time.
 */
import { bdev_alloc_block, bdev_free_block, type block_device } from '../block/bdev.js';
import { ENOSPC } from '../include/errno.js';
import { IndexTable } from '../mm/pagecache_index.js';

/** The block map of one inode. @fidelity simplified */
export class extent_map {
  /** Page index -> disk block + 1 (0: none). */
  private readonly blocks = new IndexTable();
  /** Page index -> 1 with a delayed-allocation reservation (no block yet). */
  private readonly delalloc = new IndexTable();

  /** The block of page `index`, or -1. */
  block(index: number): number {
    return this.blocks.get(index) - 1;
  }

  setBlock(index: number, block: number): void {
    this.blocks.set(index, block + 1);
    this.delalloc.set(index, 0);
  }

  clearBlock(index: number): void {
    this.blocks.set(index, 0);
  }

  reserved(index: number): boolean {
    return this.delalloc.get(index) !== 0;
  }

  reserve(index: number): void {
    this.delalloc.set(index, 1);
  }

  unreserve(index: number): void {
    this.delalloc.set(index, 0);
  }

  /** How many pages have a block. */
  get nr_blocks(): number {
    return this.blocks.size;
  }

  /** The pages in [start, end] with a block, ascending. */
  mapped(start: number, end: number): number[] {
    return this.blocks.indices(start, end, () => true);
  }

  /** The pages in [start, end] with a reservation, ascending. */
  reservations(start: number, end: number): number[] {
    return this.delalloc.indices(start, end, () => true);
  }
}

/** The disk block of page `index`, or -1 for a hole or a delalloc reservation. @fidelity custom */
export function ext_lookup(map: extent_map, index: number): number {
  return map.block(index);
}

/** Reserve delayed allocation for page `index` if it has no block (ext4_da_reserve_space, xfs delalloc). @fidelity simplified */
export function ext_reserve_delalloc(map: extent_map, index: number): void {
  if (map.block(index) < 0) map.reserve(index);
}

/**
 * Allocate a disk block for page `index` (ext4_map_blocks with EXT4_GET_BLOCKS_CREATE,
 * xfs_bmapi_convert_delalloc, btrfs cow_file_range): the block, or -ENOSPC. `cow` always
 * allocates a new block and frees the old one (btrfs).
 * @fidelity simplified
 */
export function ext_alloc(
  bdev: block_device,
  map: extent_map,
  index: number,
  cow: boolean,
): number {
  const old = map.block(index);
  if (old >= 0 && !cow) return old;
  const b = bdev_alloc_block(bdev);
  if (b < 0) return -ENOSPC;
  map.setBlock(index, b);
  if (old >= 0) bdev_free_block(bdev, old);
  return b;
}

/** Free the blocks and reservations of pages [start, end] (punch hole, truncate). @fidelity simplified */
export function ext_remove_range(
  bdev: block_device,
  map: extent_map,
  start: number,
  end: number,
): void {
  for (const index of map.mapped(start, end)) {
    bdev_free_block(bdev, map.block(index));
    map.clearBlock(index);
  }
  for (const index of map.reservations(start, end)) map.unreserve(index);
}
