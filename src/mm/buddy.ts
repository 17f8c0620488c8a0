/**
 * The buddy allocator's free lists: mm/page_alloc.c (v6.18) free-list primitives, buddy merging
 * (__free_one_page) and splitting (expand, __rmqueue_smallest).
 *
 * A free block is named by its first pfn. It carries PG_buddy (the PGTY_buddy page type) and
 * its order in page->private, as in the kernel, and is linked through lru_next/lru_prev (the
 * kernel's buddy_list, which overlays lru). Lists are per zone, per order and per free-list class
 * (zone.ts). Per-CPU page lists (PCP) are not modelled: every allocation and free goes straight
 * to the zone's buddy lists.
 */
import { MAX_ORDER_NR_PAGES, MAX_PAGE_ORDER, pageblock_order } from './layout.js';
import { PG_buddy } from './page_flags.js';
import { get_pageblock_migratetype, set_pageblock_migratetype, type PhysMem } from './physmem.js';
import {
  account_freepages,
  free_area_slot,
  free_list_of,
  migratetype_is_mergeable,
  type Zone,
} from './zone.js';

/** mm/page_alloc.c: FPI_TO_TAIL (fpi_t): put the freed block at the tail of its list. @fidelity exact */
export const FPI_NONE = 0;
export const FPI_TO_TAIL = 1 << 1;

/** mm/internal.h: buddy_order(page) (page->private of a PageBuddy page). @fidelity exact */
export function buddy_order(m: PhysMem, pfn: number): number {
  return m.priv[pfn];
}

/** mm/internal.h: __find_buddy_pfn(page_pfn, order). @fidelity exact */
export function __find_buddy_pfn(pfn: number, order: number): number {
  return pfn ^ (1 << order);
}

/** mm/internal.h: page_is_buddy(page, buddy, order) (same zone implied by layout). @fidelity simplified */
export function page_is_buddy(m: PhysMem, buddy: number, order: number): boolean {
  if (buddy < 0 || buddy >= m.nr_pages) return false;
  return (m.flags[buddy] & (1 << PG_buddy)) !== 0 && m.priv[buddy] === order;
}

/** mm/internal.h: find_buddy_page_pfn(page, pfn, order): the free buddy's pfn or -1. @fidelity exact */
export function find_buddy_page_pfn(m: PhysMem, pfn: number, order: number): number {
  const buddy = __find_buddy_pfn(pfn, order);
  return page_is_buddy(m, buddy, order) ? buddy : -1;
}

function linkHead(m: PhysMem, zone: Zone, slot: number, pfn: number): void {
  const head = zone.free_head[slot];
  m.lru_prev[pfn] = -1;
  m.lru_next[pfn] = head;
  if (head >= 0) m.lru_prev[head] = pfn;
  else zone.free_tail[slot] = pfn;
  zone.free_head[slot] = pfn;
}

function linkTail(m: PhysMem, zone: Zone, slot: number, pfn: number): void {
  const tail = zone.free_tail[slot];
  m.lru_next[pfn] = -1;
  m.lru_prev[pfn] = tail;
  if (tail >= 0) m.lru_next[tail] = pfn;
  else zone.free_head[slot] = pfn;
  zone.free_tail[slot] = pfn;
}

function unlink(m: PhysMem, zone: Zone, slot: number, pfn: number): void {
  const prev = m.lru_prev[pfn];
  const next = m.lru_next[pfn];
  if (prev >= 0) m.lru_next[prev] = next;
  else zone.free_head[slot] = next;
  if (next >= 0) m.lru_prev[next] = prev;
  else zone.free_tail[slot] = prev;
}

/** Link the next lazy boot block of a list onto its tail; false if there is none. @fidelity custom */
function lazy_pop(m: PhysMem, zone: Zone, list: number): boolean {
  const q = zone.lazy[list];
  if (q.length === 0) return false;
  const pfn = q[0];
  q[0] = pfn + MAX_ORDER_NR_PAGES;
  if (q[0] >= q[1]) q.splice(0, 2);
  linkTail(m, zone, free_area_slot(MAX_PAGE_ORDER, list), pfn);
  m.flags[pfn] = m.flags[pfn] | (1 << PG_buddy);
  m.priv[pfn] = MAX_PAGE_ORDER;
  return true;
}

function lazy_drain(m: PhysMem, zone: Zone, list: number): void {
  while (lazy_pop(m, zone, list)) {
    // link every pending boot block
  }
}

/** Record a MAX_PAGE_ORDER-aligned free range as lazy boot blocks (counted, not yet linked). @fidelity custom */
export function lazy_add_range(zone: Zone, start: number, end: number, mt: number): void {
  const list = free_list_of(mt);
  const q = zone.lazy[list];
  if (q.length > 0 && q[q.length - 1] === start) q[q.length - 1] = end;
  else q.push(start, end);
  const slot = free_area_slot(MAX_PAGE_ORDER, list);
  zone.nr_free[slot] = zone.nr_free[slot] + (end - start) / MAX_ORDER_NR_PAGES;
  account_freepages(zone, end - start, mt);
}

/** Link every lazy boot block of the zone that starts below `end` (before walking pfns). @fidelity custom */
export function lazy_materialize(m: PhysMem, zone: Zone, end: number): void {
  for (let list = 0; list < zone.lazy.length; list++) {
    const q = zone.lazy[list];
    while (q.length > 0 && q[0] < end) lazy_pop(m, zone, list);
  }
}

/** mm/page_alloc.c: __add_to_free_list(page, zone, order, migratetype, tail). @fidelity exact */
export function __add_to_free_list(
  m: PhysMem,
  zone: Zone,
  pfn: number,
  order: number,
  mt: number,
  tail: boolean,
): void {
  const list = free_list_of(mt);
  const slot = free_area_slot(order, list);
  if (tail && order === MAX_PAGE_ORDER) lazy_drain(m, zone, list); // boot blocks stay first
  if (tail) linkTail(m, zone, slot, pfn);
  else linkHead(m, zone, slot, pfn);
  m.flags[pfn] = m.flags[pfn] | (1 << PG_buddy);
  m.priv[pfn] = order;
  zone.nr_free[slot] = zone.nr_free[slot] + 1;
}

/** mm/page_alloc.c: __del_page_from_free_list(page, zone, order, migratetype). @fidelity exact */
export function __del_page_from_free_list(
  m: PhysMem,
  zone: Zone,
  pfn: number,
  order: number,
  mt: number,
): void {
  const slot = free_area_slot(order, free_list_of(mt));
  unlink(m, zone, slot, pfn);
  m.flags[pfn] = m.flags[pfn] & ~(1 << PG_buddy);
  m.priv[pfn] = 0;
  zone.nr_free[slot] = zone.nr_free[slot] - 1;
}

/** mm/page_alloc.c: add_to_free_list(page, zone, order, migratetype, tail). @fidelity exact */
export function add_to_free_list(
  m: PhysMem,
  zone: Zone,
  pfn: number,
  order: number,
  mt: number,
  tail: boolean,
): void {
  __add_to_free_list(m, zone, pfn, order, mt, tail);
  account_freepages(zone, 1 << order, mt);
}

/** mm/page_alloc.c: del_page_from_free_list(page, zone, order, migratetype). @fidelity exact */
export function del_page_from_free_list(
  m: PhysMem,
  zone: Zone,
  pfn: number,
  order: number,
  mt: number,
): void {
  __del_page_from_free_list(m, zone, pfn, order, mt);
  account_freepages(zone, -(1 << order), mt);
}

/** mm/page_alloc.c: move_to_free_list(page, zone, order, old_mt, new_mt) (to the tail). @fidelity exact */
export function move_to_free_list(
  m: PhysMem,
  zone: Zone,
  pfn: number,
  order: number,
  old_mt: number,
  new_mt: number,
): void {
  __del_page_from_free_list(m, zone, pfn, order, old_mt);
  __add_to_free_list(m, zone, pfn, order, new_mt, true);
  account_freepages(zone, -(1 << order), old_mt);
  account_freepages(zone, 1 << order, new_mt);
}

/** mm/page_alloc.c: buddy_merge_likely(pfn, buddy_pfn, page, order). @fidelity exact */
function buddy_merge_likely(m: PhysMem, pfn: number, buddy_pfn: number, order: number): boolean {
  if (order >= MAX_PAGE_ORDER - 1) return false;
  const higher = buddy_pfn & pfn;
  return find_buddy_page_pfn(m, higher, order + 1) >= 0;
}

/**
 * mm/page_alloc.c: __free_one_page(page, pfn, zone, order, migratetype, fpi_flags).
 * Merges with free buddies up to MAX_PAGE_ORDER; at pageblock order and above only when both
 * migratetypes are mergeable or equal (CMA and isolated blocks never merge with others).
 * @fidelity exact
 */
export function __free_one_page(
  m: PhysMem,
  pfn: number,
  zone: Zone,
  order: number,
  mt: number,
  fpi: number,
): void {
  account_freepages(zone, 1 << order, mt);
  while (order < MAX_PAGE_ORDER) {
    const buddy_pfn = find_buddy_page_pfn(m, pfn, order);
    if (buddy_pfn < 0) break;
    let buddy_mt = mt;
    if (order >= pageblock_order) {
      buddy_mt = get_pageblock_migratetype(m, buddy_pfn);
      if (mt !== buddy_mt && (!migratetype_is_mergeable(mt) || !migratetype_is_mergeable(buddy_mt)))
        break;
    }
    __del_page_from_free_list(m, zone, buddy_pfn, order, buddy_mt);
    if (buddy_mt !== mt) set_pageblock_migratetype(m, buddy_pfn, mt);
    pfn = buddy_pfn & pfn;
    order++;
  }
  const to_tail =
    (fpi & FPI_TO_TAIL) !== 0 || buddy_merge_likely(m, pfn, __find_buddy_pfn(pfn, order), order);
  __add_to_free_list(m, zone, pfn, order, mt, to_tail);
}

/** mm/page_alloc.c: expand(zone, page, low, high, migratetype): put back the upper halves. @fidelity exact */
export function expand(
  m: PhysMem,
  zone: Zone,
  pfn: number,
  low: number,
  high: number,
  mt: number,
): void {
  let size = 1 << high;
  let nr_added = 0;
  while (high > low) {
    high--;
    size >>= 1;
    __add_to_free_list(m, zone, pfn + size, high, mt, false);
    nr_added += size;
  }
  account_freepages(zone, nr_added, mt);
}

/** mm/page_alloc.c: __rmqueue_smallest(zone, order, migratetype): lowest adequate order first. @fidelity exact */
export function __rmqueue_smallest(m: PhysMem, zone: Zone, order: number, mt: number): number {
  const list = free_list_of(mt);
  for (let current = order; current <= MAX_PAGE_ORDER; current++) {
    const slot = free_area_slot(current, list);
    if (current === MAX_PAGE_ORDER && zone.free_head[slot] < 0) lazy_pop(m, zone, list);
    const pfn = zone.free_head[slot];
    if (pfn < 0) continue;
    del_page_from_free_list(m, zone, pfn, current, mt);
    expand(m, zone, pfn, order, current, mt);
    return pfn;
  }
  return -1;
}

/** The free buddy block containing pfn: its first pfn, or -1 (lazy blocks must be materialized first). @fidelity custom */
export function find_free_block(m: PhysMem, pfn: number): number {
  for (let order = 0; order <= MAX_PAGE_ORDER; order++) {
    const start = pfn & -(1 << order);
    if ((m.flags[start] & (1 << PG_buddy)) !== 0 && m.priv[start] >= order) {
      return start + (1 << m.priv[start]) > pfn ? start : -1;
    }
  }
  return -1;
}
