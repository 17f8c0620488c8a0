/**
 * Physical memory: the memmap (one `struct page` per pfn) as struct-of-arrays, the zones,
 * the pageblock types, the vmstat counters and the hugetlb pools of one NUMA node.
 * Sources: include/linux/mm_types.h (struct page, struct folio), include/linux/mmzone.h.
 *
 * Per-page fields (every array has one slot per pfn):
 *
 * | array            | bytes | kernel field                    | page[1] of a large folio reuses it as      |
 * |------------------|-------|---------------------------------|--------------------------------------------|
 * | flags            | 4     | page->flags (PG_* bits)         | _flags_1 (PG_large_rmappable, ...)         |
 * | _refcount        | 4     | page->_refcount                 | _refcount_1 (must stay 0)                  |
 * | _mapcount        | 4     | page->_mapcount (-1 = unmapped) | _mapcount_1 (its own per-page mapcount)    |
 * | lru_next         | 4     | lru.next / buddy_list.next      | _large_mapcount                            |
 * | lru_prev         | 4     | lru.prev / buddy_list.prev      | _nr_pages_mapped                           |
 * | mapping (+i32)   | 8     | page->mapping (an id, 0 = NULL) | _entire_mapcount, _pincount (two int32)    |
 * | index (+i32)     | 8     | page->index                     | _mm_id_mapcount[0], [1]                    |
 * | priv (+i32)      | 8     | page->private / folio->swap     | _mm_id[0], _mm_id[1] (= _mm_ids)           |
 * | compound_order   | 1     | order in _flags_1 + compound_head | (every page of a folio holds its order) |
 * | content          | 1     | the 4 KiB of data, as one byte  | (its own content)                          |
 *
 * 46 bytes per 4 KiB page. The page[1] column matches the kernel's 64-bit layout, where those
 * folio fields overlay page[1]'s mapping/index/private words; the model overlays them the same
 * way through Int32Array views. The kernel finds a tail page's head through compound_head;
 * the model stores the folio order on every page of a compound folio instead, and a head is
 * found by alignment: head = pfn & ~((1 << order) - 1).
 */
import { pageblock_order } from './layout.js';
import { PgtablePool } from './pgtable.js';
import { NodeVmStat } from './vmstat.js';
import type { Hstate } from './hugetlb.js';
import {
  MIGRATE_CMA,
  MIGRATE_MOVABLE,
  PB_MIGRATETYPE_MASK,
  PB_MIGRATE_ISOLATE_BIT,
  MIGRATE_ISOLATE,
  MAX_NR_ZONES,
  Zone,
  ZONE_DMA,
  ZONE_DMA32,
  ZONE_MOVABLE,
  ZONE_NORMAL,
} from './zone.js';

/** ZONE_DEVICE flavours that folio_is_longterm_pinnable() distinguishes (include/linux/memremap.h). */
export const ZONE_DEVICE_NONE = 0;
export const ZONE_DEVICE_COHERENT = 1;
export const ZONE_DEVICE_FSDAX = 2;

/** Hooks for facts this layer cannot know (ZONE_DEVICE memory belongs to other layers). */
export interface PhysMemHooks {
  /** include/linux/memremap.h: which ZONE_DEVICE type backs a folio, or ZONE_DEVICE_NONE. */
  zone_device_type(folio: number): number;
  /** mm/swap.c: lruvec_del_folio(), when a folio still on the LRU is freed (kernel layer's lists). */
  lru_del(folio: number): void;
}

/** Where the boot code put the zones and the CMA area, in pfns. */
export interface PhysMemLayout {
  readonly nr_pages: number;
  /** First pfn of ZONE_MOVABLE (= nr_pages when there is none). */
  readonly movable_start_pfn: number;
  /** CMA area [cma_start_pfn, cma_end_pfn), inside ZONE_NORMAL; empty when equal. */
  readonly cma_start_pfn: number;
  readonly cma_end_pfn: number;
}

const defaultHooks: PhysMemHooks = {
  zone_device_type: () => ZONE_DEVICE_NONE,
  lru_del: () => undefined,
};

/** include/linux/mmzone.h: struct pglist_data with its memmap, as struct-of-arrays. @fidelity simplified */
export class PhysMem {
  readonly nr_pages: number;
  readonly flags: Uint32Array;
  readonly _refcount: Int32Array;
  readonly _mapcount: Int32Array;
  readonly lru_next: Int32Array;
  readonly lru_prev: Int32Array;
  readonly mapping: Float64Array;
  readonly mapping_i32: Int32Array;
  readonly index: Float64Array;
  readonly index_i32: Int32Array;
  readonly priv: Float64Array;
  readonly priv_i32: Int32Array;
  readonly compound_order: Uint8Array;
  readonly content: Uint8Array;
  /** Per pageblock: migratetype (low 3 bits) and PB_migrate_isolate. */
  readonly pageblock_flags: Uint8Array;
  /** node_zones[], indexed by zone_type. */
  readonly zones: readonly Zone[];
  readonly movable_start_pfn: number;
  readonly cma_start_pfn: number;
  readonly cma_end_pfn: number;
  readonly vmstat = new NodeVmStat();
  /** hstates[] (2 MiB first, then 1 GiB), filled by boot. */
  readonly hstates: Hstate[] = [];
  /** Page-table pages live outside the memmap, in their own pool. */
  readonly pgtables = new PgtablePool();
  /** The shared zero page (empty_zero_page); -1 until boot reserves it. */
  zero_pfn = -1;
  /** The huge zero folio; -1 until first use allocates it. */
  huge_zero_pfn = -1;
  hooks: PhysMemHooks = defaultHooks;

  constructor(layout: PhysMemLayout) {
    const n = layout.nr_pages;
    this.nr_pages = n;
    this.pgtables.reserve(n / 256); // PTE tables to map all of RAM twice (a fork of it all)
    this.flags = new Uint32Array(n);
    this._refcount = new Int32Array(n);
    this._mapcount = new Int32Array(n).fill(-1);
    this.lru_next = new Int32Array(n);
    this.lru_prev = new Int32Array(n);
    this.mapping = new Float64Array(n);
    this.mapping_i32 = new Int32Array(this.mapping.buffer);
    this.index = new Float64Array(n);
    this.index_i32 = new Int32Array(this.index.buffer);
    this.priv = new Float64Array(n);
    this.priv_i32 = new Int32Array(this.priv.buffer);
    this.compound_order = new Uint8Array(n);
    this.content = new Uint8Array(n);
    this.pageblock_flags = new Uint8Array(Math.ceil(n / (1 << pageblock_order)));
    this.movable_start_pfn = layout.movable_start_pfn;
    this.cma_start_pfn = layout.cma_start_pfn;
    this.cma_end_pfn = layout.cma_end_pfn;
    this.zones = makeZones(layout);
  }

  /** Host bytes held in typed arrays for the memmap and pageblock flags. */
  get memmap_bytes(): number {
    return (
      this.flags.byteLength +
      this._refcount.byteLength +
      this._mapcount.byteLength +
      this.lru_next.byteLength +
      this.lru_prev.byteLength +
      this.mapping.byteLength +
      this.index.byteLength +
      this.priv.byteLength +
      this.compound_order.byteLength +
      this.content.byteLength +
      this.pageblock_flags.byteLength
    );
  }
}

function makeZones(layout: PhysMemLayout): Zone[] {
  const zones: Zone[] = [];
  for (let z = 0; z < MAX_NR_ZONES; z++) {
    if (z === ZONE_DMA || z === ZONE_DMA32) zones.push(new Zone(z, 0, 0));
    if (z === ZONE_NORMAL) zones.push(new Zone(z, 0, layout.movable_start_pfn));
    if (z === ZONE_MOVABLE) {
      const start = layout.movable_start_pfn;
      zones.push(new Zone(z, start, layout.nr_pages - start));
    }
  }
  return zones;
}

/** include/linux/mm.h: page_zonenum(page). @fidelity simplified (zone from the pfn range) */
export function page_zonenum(m: PhysMem, pfn: number): number {
  return pfn >= m.movable_start_pfn ? ZONE_MOVABLE : ZONE_NORMAL;
}

/** include/linux/mm.h: page_zone(page). @fidelity simplified */
export function page_zone(m: PhysMem, pfn: number): Zone {
  return m.zones[page_zonenum(m, pfn)] as Zone;
}

/** include/linux/mm.h: is_zone_movable_page(page). @fidelity exact */
export function is_zone_movable_page(m: PhysMem, pfn: number): boolean {
  return page_zonenum(m, pfn) === ZONE_MOVABLE;
}

/** include/linux/mm.h: folio_is_zone_movable(folio). @fidelity exact */
export function folio_is_zone_movable(m: PhysMem, folio: number): boolean {
  return is_zone_movable_page(m, folio);
}

/** include/linux/mmzone.h: get_pfnblock_migratetype / get_pageblock_migratetype(page). @fidelity exact */
export function get_pageblock_migratetype(m: PhysMem, pfn: number): number {
  const bits = m.pageblock_flags[pfn >>> pageblock_order];
  if ((bits & PB_MIGRATE_ISOLATE_BIT) !== 0) return MIGRATE_ISOLATE;
  return bits & PB_MIGRATETYPE_MASK;
}

/** include/linux/mmzone.h: folio_migratetype(folio). @fidelity exact */
export function folio_migratetype(m: PhysMem, folio: number): number {
  return get_pageblock_migratetype(m, folio);
}

/** mm/page_alloc.c: set_pageblock_migratetype(page, migratetype) (type bits only). @fidelity exact */
export function set_pageblock_migratetype(m: PhysMem, pfn: number, mt: number): void {
  const pb = pfn >>> pageblock_order;
  const old = m.pageblock_flags[pb];
  m.pageblock_flags[pb] = (old & ~PB_MIGRATETYPE_MASK) | (mt & PB_MIGRATETYPE_MASK);
}

/** mm/page_alloc.c: get_pageblock_isolate(page). @fidelity exact */
export function get_pageblock_isolate(m: PhysMem, pfn: number): boolean {
  return (m.pageblock_flags[pfn >>> pageblock_order] & PB_MIGRATE_ISOLATE_BIT) !== 0;
}

/** mm/page_alloc.c: set/clear_pageblock_isolate(page) (flag only; free pages move in contig.ts). @fidelity exact */
export function set_pageblock_isolate_bit(m: PhysMem, pfn: number, on: boolean): void {
  const pb = pfn >>> pageblock_order;
  const old = m.pageblock_flags[pb];
  m.pageblock_flags[pb] = on ? old | PB_MIGRATE_ISOLATE_BIT : old & ~PB_MIGRATE_ISOLATE_BIT;
}

/** Boot-time pageblock typing: MIGRATE_MOVABLE everywhere (memmap_init_range), CMA in the CMA area. @fidelity exact */
export function init_pageblock_types(m: PhysMem): void {
  const nr = m.pageblock_flags.length;
  for (let pb = 0; pb < nr; pb++) {
    const pfn = pb << pageblock_order;
    const cma = pfn >= m.cma_start_pfn && pfn < m.cma_end_pfn;
    m.pageblock_flags[pb] = cma ? MIGRATE_CMA : MIGRATE_MOVABLE;
  }
}
