/**
 * Pageblock isolation and taking specific free pages out of the buddy allocator: the data
 * half of mm/page_isolation.c (set/unset_migratetype_isolate), mm/page_alloc.c
 * (move_freepages_block_isolate, __isolate_free_page) and mm/compaction.c
 * (isolate_freepages_range), v6.18. These are what alloc_contig_range() (cma_alloc) and
 * offline_pages() are built from; migration and the has_unmovable_pages() scan are the kernel
 * layer's.
 */
import { EBUSY } from '../kernel/include/errno.js';
import {
  FPI_NONE,
  __add_to_free_list,
  __del_page_from_free_list,
  __free_one_page,
  buddy_order,
  find_free_block,
  lazy_materialize,
} from './buddy.js';
import { pageblock_nr_pages, pageblock_order } from './layout.js';
import { PG_buddy } from './page_flags.js';
import {
  get_pageblock_isolate,
  get_pageblock_migratetype,
  page_zone,
  set_pageblock_isolate_bit,
  type PhysMem,
} from './physmem.js';
import { account_freepages, MIGRATE_ISOLATE } from './zone.js';

/**
 * mm/page_alloc.c: move_freepages_block_isolate, large-buddy case: a free block bigger than a
 * pageblock spans this one; take it off its list, set the isolate bit, and free it again per
 * pageblock (split_large_buddy), so the isolated part lands on the isolate list unmerged.
 */
function isolateLargeBuddy(m: PhysMem, pfn: number): boolean {
  const start = find_free_block(m, pfn - (pfn % pageblock_nr_pages));
  if (start < 0 || buddy_order(m, start) <= pageblock_order) return false;
  const order = buddy_order(m, start);
  const zone = page_zone(m, start);
  const mt = get_pageblock_migratetype(m, start);
  __del_page_from_free_list(m, zone, start, order, mt);
  account_freepages(zone, -(1 << order), mt);
  set_pageblock_isolate_bit(m, pfn, true);
  for (let p = start; p < start + (1 << order); p += pageblock_nr_pages) {
    __free_one_page(m, p, zone, pageblock_order, get_pageblock_migratetype(m, p), FPI_NONE);
  }
  return true;
}

/** Link lazy boot blocks below `end` in every zone, so pfn walks see them. */
function materialize(m: PhysMem, end: number): void {
  for (const zone of m.zones) lazy_materialize(m, zone, end);
}

function pageblock_end(pfn: number): number {
  return pfn - (pfn % pageblock_nr_pages) + pageblock_nr_pages;
}

/** Free blocks that start inside the pageblock of pfn, as [pfn, order] pairs. */
function freeBlocksIn(m: PhysMem, pfn: number): number[][] {
  const start = pfn - (pfn % pageblock_nr_pages);
  const blocks: number[][] = [];
  for (let p = start; p < start + pageblock_nr_pages;) {
    if ((m.flags[p] & (1 << PG_buddy)) !== 0) {
      blocks.push([p, buddy_order(m, p)]);
      p += 1 << buddy_order(m, p);
    } else {
      p++;
    }
  }
  return blocks;
}

/** mm/page_isolation.c: set_migratetype_isolate(page, ...): 0, or -EBUSY if already isolated. @fidelity simplified */
export function set_migratetype_isolate(m: PhysMem, pfn: number): number {
  if (get_pageblock_isolate(m, pfn)) return -EBUSY;
  materialize(m, pageblock_end(pfn));
  if (isolateLargeBuddy(m, pfn)) return 0;
  const zone = page_zone(m, pfn);
  const mt = get_pageblock_migratetype(m, pfn);
  set_pageblock_isolate_bit(m, pfn, true);
  for (const [p, order] of freeBlocksIn(m, pfn)) {
    __del_page_from_free_list(m, zone, p, order, mt);
    account_freepages(zone, -(1 << order), mt);
    __add_to_free_list(m, zone, p, order, MIGRATE_ISOLATE, true);
  }
  return 0;
}

/** mm/page_isolation.c: unset_migratetype_isolate(page): back to the pageblock's type, merging. @fidelity simplified */
export function unset_migratetype_isolate(m: PhysMem, pfn: number): void {
  if (!get_pageblock_isolate(m, pfn)) return;
  materialize(m, pageblock_end(pfn));
  const zone = page_zone(m, pfn);
  const blocks = freeBlocksIn(m, pfn);
  for (const [p, order] of blocks) __del_page_from_free_list(m, zone, p, order, MIGRATE_ISOLATE);
  set_pageblock_isolate_bit(m, pfn, false);
  const mt = get_pageblock_migratetype(m, pfn);
  for (const [p, order] of blocks) __free_one_page(m, p, zone, order, mt, FPI_NONE);
}

function takeFrom(m: PhysMem, block: number, order: number, start: number, end: number): void {
  const size = 1 << order;
  if (block >= start && block + size <= end) {
    for (let p = block; p < block + size; p++) m._refcount[p] = 1;
    return;
  }
  if (block + size <= start || block >= end) {
    const zone = page_zone(m, block);
    const mt = get_pageblock_migratetype(m, block);
    __add_to_free_list(m, zone, block, order, mt, false);
    account_freepages(zone, size, mt);
    return;
  }
  takeFrom(m, block, order - 1, start, end);
  takeFrom(m, block + size / 2, order - 1, start, end);
}

/**
 * mm/compaction.c: isolate_freepages_range(cc, start_pfn, end_pfn), as alloc_contig_range uses
 * it: if every page of [start, start + nr) is free, take them all (each an order-0 page with
 * refcount 1, as split_free_page + post_alloc_hook leave them) and return nr; otherwise change
 * nothing and return -1.
 * @fidelity simplified
 */
export function isolate_freepages_range(m: PhysMem, start: number, nr: number): number {
  const end = start + nr;
  materialize(m, end);
  const blocks: number[] = [];
  for (let p = start; p < end;) {
    const b = find_free_block(m, p);
    if (b < 0) return -1;
    blocks.push(b);
    p = b + (1 << buddy_order(m, b));
  }
  for (const b of blocks) {
    const order = buddy_order(m, b);
    const zone = page_zone(m, b);
    const mt = get_pageblock_migratetype(m, b);
    __del_page_from_free_list(m, zone, b, order, mt);
    account_freepages(zone, -(1 << order), mt);
    takeFrom(m, b, order, start, end);
  }
  return nr;
}
