/**
 * Zones, migratetypes and pageblock types: include/linux/mmzone.h, include/linux/pageblock-flags.h,
 * mm/page_alloc.c (v6.18).
 *
 * The model has one node with two populated zones, ZONE_NORMAL (all non-movable RAM) and
 * ZONE_MOVABLE (the top of RAM, as `movablecore=` carves it). ZONE_DMA and ZONE_DMA32 keep
 * their kernel indices so that gfp_zone() and the zonelist walk read like the kernel, but are
 * empty. Free lists: the kernel has one list per (order, migratetype); the model merges the
 * three "PCP types" (UNMOVABLE, MOVABLE, RECLAIMABLE) into one list, because it does not model
 * anti-fragmentation grouping (claiming and stealing pageblocks); CMA and ISOLATE keep their
 * own lists, which is what GUP's long-term pinning rules observe.
 */
import { NR_PAGE_ORDERS } from './layout.js';
import { NR_FREE_CMA_PAGES, NR_FREE_PAGES, NR_VM_ZONE_STAT_ITEMS } from './vmstat.js';

/** include/linux/mmzone.h: enum zone_type (x86-64 values). @fidelity exact */
export const ZONE_DMA = 0;
export const ZONE_DMA32 = 1;
export const ZONE_NORMAL = 2;
export const ZONE_MOVABLE = 3;
export const MAX_NR_ZONES = 4;
/** include/linux/mmzone.h: zone names as /proc/zoneinfo prints them. */
export const zone_names: readonly string[] = ['DMA', 'DMA32', 'Normal', 'Movable'];

/** include/linux/mmzone.h: enum migratetype. @fidelity exact */
export const MIGRATE_UNMOVABLE = 0;
export const MIGRATE_MOVABLE = 1;
export const MIGRATE_RECLAIMABLE = 2;
export const MIGRATE_PCPTYPES = 3;
export const MIGRATE_HIGHATOMIC = MIGRATE_PCPTYPES;
export const MIGRATE_CMA = 4;
export const MIGRATE_ISOLATE = 5;
export const MIGRATE_TYPES = 6;

/** include/linux/pageblock-flags.h: PB_migrate_isolate, kept beside the 3 migratetype bits. */
export const PB_MIGRATETYPE_MASK = 0x7;
export const PB_MIGRATE_ISOLATE_BIT = 0x8;

/** Free-list classes of the model (see the file comment). @fidelity simplified */
export const FREE_LIST_PCPTYPES = 0;
export const FREE_LIST_CMA = 1;
export const FREE_LIST_ISOLATE = 2;
export const NR_FREE_LISTS = 3;

/** include/linux/mmzone.h: is_migrate_cma(mt). @fidelity exact */
export function is_migrate_cma(mt: number): boolean {
  return mt === MIGRATE_CMA;
}

/** include/linux/mmzone.h: is_migrate_isolate(mt). @fidelity exact */
export function is_migrate_isolate(mt: number): boolean {
  return mt === MIGRATE_ISOLATE;
}

/** include/linux/mmzone.h: migratetype_is_mergeable(mt). @fidelity exact */
export function migratetype_is_mergeable(mt: number): boolean {
  return mt < MIGRATE_PCPTYPES;
}

/** The model's free list for a migratetype (as returned by get_pfnblock_migratetype). @fidelity custom */
export function free_list_of(mt: number): number {
  if (mt === MIGRATE_CMA) return FREE_LIST_CMA;
  if (mt === MIGRATE_ISOLATE) return FREE_LIST_ISOLATE;
  return FREE_LIST_PCPTYPES;
}

/** include/linux/mmzone.h: struct zone (free_area, span, managed pages, vm_stat). @fidelity simplified */
export class Zone {
  /** Head pfn of each free list, indexed by free_area_slot(order, list); -1 = empty. */
  readonly free_head = new Int32Array(NR_PAGE_ORDERS * NR_FREE_LISTS).fill(-1);
  /** Tail pfn of each free list; -1 = empty. */
  readonly free_tail = new Int32Array(NR_PAGE_ORDERS * NR_FREE_LISTS).fill(-1);
  /** struct free_area.nr_free, per list. */
  readonly nr_free = new Int32Array(NR_PAGE_ORDERS * NR_FREE_LISTS);
  /** struct zone.vm_stat: NR_FREE_PAGES, NR_FREE_CMA_PAGES. */
  readonly vm_stat = new Float64Array(NR_VM_ZONE_STAT_ITEMS);
  /** struct zone.managed_pages: pages handed to the buddy allocator. */
  managed_pages = 0;
  /** struct zone.cma_pages. */
  cma_pages = 0;
  /**
   * Boot-time MAX_PAGE_ORDER blocks not yet linked into their free list, per free-list class,
   * as ascending [start, end) pfn pairs. They are the tail of that list (nr_free and vmstat
   * already count them) and are linked on first use, so booting touches no per-page state.
   */
  readonly lazy: number[][] = [[], [], []];

  constructor(
    readonly zone_idx: number,
    readonly zone_start_pfn: number,
    readonly spanned_pages: number,
  ) {}

  get name(): string {
    return zone_names[this.zone_idx] ?? '?';
  }

  /** include/linux/mmzone.h: zone_end_pfn(zone). */
  get zone_end_pfn(): number {
    return this.zone_start_pfn + this.spanned_pages;
  }
}

/** Index of a (order, free list) pair in the Zone arrays. @fidelity custom */
export function free_area_slot(order: number, list: number): number {
  return order * NR_FREE_LISTS + list;
}

/** include/linux/mmzone.h: populated_zone(zone). @fidelity simplified */
export function populated_zone(zone: Zone): boolean {
  return zone.managed_pages > 0;
}

/** include/linux/vmstat.h: zone_page_state(zone, item). @fidelity simplified */
export function zone_page_state(zone: Zone, item: number): number {
  return zone.vm_stat[item];
}

/** mm/page_alloc.c: account_freepages(zone, nr_pages, migratetype). @fidelity exact */
export function account_freepages(zone: Zone, nr_pages: number, migratetype: number): void {
  if (is_migrate_isolate(migratetype)) return;
  zone.vm_stat[NR_FREE_PAGES] += nr_pages;
  if (is_migrate_cma(migratetype)) zone.vm_stat[NR_FREE_CMA_PAGES] += nr_pages;
}
