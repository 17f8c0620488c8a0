/**
 * A slow, obviously-correct audit of the buddy allocator (STYLE.md: a reference model checked
 * against the fast tables). It walks every free list, including the lazy boot ranges, and checks
 * what mm/page_alloc.c's debug checks (check_free_page, __free_one_page's VM_BUG_ONs) assume.
 */
import { buddy_order } from './buddy.js';
import { MAX_ORDER_NR_PAGES, MAX_PAGE_ORDER, NR_PAGE_ORDERS } from './layout.js';
import { PG_buddy } from './page_flags.js';
import { get_pageblock_migratetype, page_zone, type PhysMem } from './physmem.js';
import { NR_FREE_CMA_PAGES, NR_FREE_PAGES } from './vmstat.js';
import {
  FREE_LIST_CMA,
  FREE_LIST_ISOLATE,
  NR_FREE_LISTS,
  free_area_slot,
  free_list_of,
  type Zone,
} from './zone.js';

/** Every free pfn, as a bitmap (1 = free), built from the free lists and lazy ranges. @fidelity custom */
export function free_pfn_bitmap(m: PhysMem): Uint8Array {
  const free = new Uint8Array(m.nr_pages);
  for (const zone of m.zones) {
    for (let slot = 0; slot < NR_PAGE_ORDERS * NR_FREE_LISTS; slot++) {
      for (let p = zone.free_head[slot]; p >= 0; p = m.lru_next[p]) {
        free.fill(1, p, p + (1 << buddy_order(m, p)));
      }
    }
    for (const q of zone.lazy) for (let i = 0; i < q.length; i += 2) free.fill(1, q[i], q[i + 1]);
  }
  return free;
}

function checkBlock(
  m: PhysMem,
  zone: Zone,
  p: number,
  order: number,
  list: number,
  seen: Uint8Array,
): string | null {
  if ((m.flags[p] & (1 << PG_buddy)) === 0) return `free block ${p} lacks PG_buddy`;
  if (buddy_order(m, p) !== order)
    return `free block ${p} has order ${buddy_order(m, p)} on the order-${order} list`;
  if (p % (1 << order) !== 0) return `free block ${p} is not aligned to order ${order}`;
  if (page_zone(m, p) !== zone) return `free block ${p} is on the wrong zone's list`;
  if (free_list_of(get_pageblock_migratetype(m, p)) !== list)
    return `free block ${p} is on the wrong free list`;
  for (let i = p; i < p + (1 << order); i++) {
    if (seen[i] === 1) return `pfn ${i} is on two free lists`;
    if (m._refcount[i] !== 0) return `free pfn ${i} has refcount ${m._refcount[i]}`;
    seen[i] = 1;
  }
  return null;
}

function checkZone(m: PhysMem, zone: Zone, seen: Uint8Array): string | null {
  let free = 0;
  let cma = 0;
  for (let order = 0; order <= MAX_PAGE_ORDER; order++) {
    for (let list = 0; list < NR_FREE_LISTS; list++) {
      const slot = free_area_slot(order, list);
      let n = 0;
      for (let p = zone.free_head[slot]; p >= 0; p = m.lru_next[p]) {
        const err = checkBlock(m, zone, p, order, list, seen);
        if (err !== null) return err;
        n++;
      }
      const q = zone.lazy[list];
      if (order === MAX_PAGE_ORDER)
        for (let i = 0; i < q.length; i += 2) n += (q[i + 1] - q[i]) / MAX_ORDER_NR_PAGES;
      if (n !== zone.nr_free[slot])
        return `${zone.name} order ${order} list ${list}: nr_free ${zone.nr_free[slot]} but ${n} blocks`;
      if (list !== FREE_LIST_ISOLATE) free += n << order;
      if (list === FREE_LIST_CMA) cma += n << order;
    }
  }
  if (free !== zone.vm_stat[NR_FREE_PAGES])
    return `${zone.name}: NR_FREE_PAGES ${zone.vm_stat[NR_FREE_PAGES]} but ${free} free`;
  if (cma !== zone.vm_stat[NR_FREE_CMA_PAGES])
    return `${zone.name}: NR_FREE_CMA_PAGES ${zone.vm_stat[NR_FREE_CMA_PAGES]} but ${cma}`;
  return null;
}

/** Audit every zone's free lists and counters: the first violation, or null. @fidelity custom */
export function verify_free_lists(m: PhysMem): string | null {
  const seen = new Uint8Array(m.nr_pages);
  for (const zone of m.zones) {
    for (const q of zone.lazy) for (let i = 0; i < q.length; i += 2) seen.fill(1, q[i], q[i + 1]);
  }
  for (const zone of m.zones) {
    const err = checkZone(m, zone, seen);
    if (err !== null) return err;
  }
  return null;
}
