/**
 * Booting physical memory from a scenario's `machine:` section: the memblock → buddy hand-over
 * of mm/mm_init.c (memmap_init, memblock_free_all → __free_pages_core), the zone layout of
 * `movablecore=` (find_zone_movable_pfns_for_nodes), a CMA area (cma_declare_contiguous +
 * cma_activate_area), and the hugetlb pools of `hugepages=` (hugetlb_hstate_alloc_pages),
 * v6.18. Deterministic and documented:
 *
 *   pfn 0          zero page (empty_zero_page, reserved)
 *   ...            ZONE_NORMAL; 1 GiB hugetlb pages are carved top-down from here (memblock),
 *                  below the CMA area, from 1 GiB upwards
 *   [cma)          CMA area: the top of ZONE_NORMAL, pageblock-aligned
 *   [movable)      ZONE_MOVABLE: the top of RAM, starting on a MAX_ORDER_NR_PAGES boundary
 *
 * Free memory enters the buddy lists in ascending pfn order at the tail (FPI_TO_TAIL), as the
 * largest aligned blocks that fit, so the first allocations take the lowest pfns. MAX_PAGE_ORDER
 * blocks are recorded as ranges and linked on first use (Zone.lazy): same order, no page touched. The 2 MiB
 * pool is then allocated from the buddy allocator with htlb_alloc_mask (GFP_HIGHUSER_MOVABLE:
 * ZONE_MOVABLE first, when there is one). Boot cost is O(pages / MAX_ORDER_NR_PAGES) plus one
 * pass to set _mapcount to -1.
 */
import { FPI_TO_TAIL, __free_one_page, lazy_add_range } from './buddy.js';
import { GFP_HIGHUSER_MOVABLE, __GFP_COMP, __GFP_NOWARN, __GFP_RETRY_MAYFAIL } from './gfp.js';
import { Hstate, hugetlb_add_new_folio } from './hugetlb.js';
import {
  HPAGE_PMD_ORDER,
  HPAGE_PUD_NR,
  HPAGE_PUD_ORDER,
  MAX_ORDER_NR_PAGES,
  MAX_PAGE_ORDER,
  PAGE_SIZE,
  pageblock_nr_pages,
  round_down,
  round_up,
} from './layout.js';
import { __alloc_pages, prep_compound_page } from './page_alloc.js';
import { PG_reserved } from './page_flags.js';
import { PhysMem, get_pageblock_migratetype, init_pageblock_types, page_zone } from './physmem.js';
import { MIGRATE_CMA } from './zone.js';

/** The `machine:` keys this layer consumes, in bytes and counts (scenario-format.md). */
export interface MachineMemConfig {
  readonly memory: number;
  readonly movable?: number;
  readonly cma?: number;
  readonly hugetlb?: { readonly '2MiB'?: number; readonly '1GiB'?: number };
}

/** A machine configuration the memory model cannot boot. */
export class MmConfigError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'MmConfigError';
  }
}

/** scenario-format.md: `memory: 64MiB` is the default. */
export const DEFAULT_MEMORY = 64 * 1024 * 1024;
const MIN_NORMAL_PAGES = 2 * MAX_ORDER_NR_PAGES;

function check(cond: boolean, code: string, message: string): void {
  if (!cond) throw new MmConfigError(code, message);
}

function layoutOf(config: MachineMemConfig): {
  nr: number;
  movable: number;
  cmaStart: number;
  cmaEnd: number;
} {
  const { memory, movable = 0, cma = 0 } = config;
  check(
    Number.isInteger(memory) && memory > 0 && memory % PAGE_SIZE === 0,
    'memory',
    `memory must be a positive multiple of 4KiB, got ${memory}`,
  );
  const nr = memory / PAGE_SIZE;
  check(
    nr >= MIN_NORMAL_PAGES,
    'memory',
    `memory must be at least ${(MIN_NORMAL_PAGES * PAGE_SIZE) >> 20}MiB`,
  );
  check(nr < 2 ** 31, 'memory', 'memory must be below 8TiB');
  check(
    Number.isInteger(movable) && movable >= 0 && Number.isInteger(cma) && cma >= 0,
    'size',
    'movable and cma must be non-negative byte counts',
  );
  const movableStart =
    movable === 0 ? nr : round_up(nr - Math.ceil(movable / PAGE_SIZE), MAX_ORDER_NR_PAGES);
  check(
    movableStart >= MIN_NORMAL_PAGES,
    'movable',
    'movable leaves too little ZONE_NORMAL (needs 8MiB)',
  );
  const cmaPages = round_up(Math.ceil(cma / PAGE_SIZE), pageblock_nr_pages);
  const cmaEnd = round_down(movableStart, pageblock_nr_pages);
  const cmaStart = cmaEnd - cmaPages;
  check(cmaStart >= MIN_NORMAL_PAGES / 2, 'cma', 'cma leaves too little non-CMA ZONE_NORMAL');
  return { nr, movable: movableStart, cmaStart: cma === 0 ? cmaEnd : cmaStart, cmaEnd };
}

/** memblock reservations: the zero page and the gigantic pages, as [start, end) ranges. */
function reserveGigantic(m: PhysMem, count: number): number[] {
  const starts: number[] = [];
  let end = round_down(m.cma_start_pfn, HPAGE_PUD_NR);
  while (starts.length < count && end - HPAGE_PUD_NR >= HPAGE_PUD_NR) {
    end -= HPAGE_PUD_NR;
    starts.push(end);
  }
  return starts;
}

function blockOrder(m: PhysMem, pfn: number, end: number): number {
  let order = MAX_PAGE_ORDER;
  while (order > 0 && (pfn % (1 << order) !== 0 || pfn + (1 << order) > end)) order--;
  if (order > HPAGE_PMD_ORDER) {
    const sameType =
      get_pageblock_migratetype(m, pfn) === get_pageblock_migratetype(m, pfn + pageblock_nr_pages);
    if (!sameType) order = HPAGE_PMD_ORDER;
  }
  return order;
}

/** mm/mm_init.c: memblock_free_all → __free_pages_core for one free range. */
function freeRange(m: PhysMem, start: number, end: number): void {
  let pfn = start;
  while (pfn < end) {
    const order = blockOrder(m, pfn, end);
    const zone = page_zone(m, pfn);
    const mt = get_pageblock_migratetype(m, pfn);
    zone.managed_pages += 1 << order;
    if (mt === MIGRATE_CMA) zone.cma_pages += 1 << order;
    if (order === MAX_PAGE_ORDER) lazy_add_range(zone, pfn, pfn + MAX_ORDER_NR_PAGES, mt);
    else __free_one_page(m, pfn, zone, order, mt, FPI_TO_TAIL);
    pfn += 1 << order;
  }
}

function freeAllExcept(m: PhysMem, reserved: number[][]): void {
  const sorted = [...reserved].sort((a, b) => a[0] - b[0]);
  let pfn = 0;
  for (const [s, e] of sorted) {
    if (s > pfn) freeRangeByZone(m, pfn, s);
    pfn = Math.max(pfn, e);
  }
  if (pfn < m.nr_pages) freeRangeByZone(m, pfn, m.nr_pages);
}

function freeRangeByZone(m: PhysMem, start: number, end: number): void {
  const split = m.movable_start_pfn;
  if (start < split && end > split) {
    freeRange(m, start, split);
    freeRange(m, split, end);
  } else {
    freeRange(m, start, end);
  }
}

function setupGigantic(m: PhysMem, h: Hstate, starts: number[]): void {
  for (const pfn of starts) {
    prep_compound_page(m, pfn, HPAGE_PUD_ORDER);
    hugetlb_add_new_folio(m, h, pfn);
  }
}

function allocPool2M(m: PhysMem, h: Hstate, count: number): void {
  const gfp = GFP_HIGHUSER_MOVABLE | __GFP_COMP | __GFP_NOWARN | __GFP_RETRY_MAYFAIL;
  for (let i = 0; i < count; i++) {
    const pfn = __alloc_pages(m, gfp, HPAGE_PMD_ORDER);
    if (pfn < 0) return; // the kernel warns "HugeTLB: allocating N of page size 2 MiB failed"
    hugetlb_add_new_folio(m, h, pfn);
  }
}

/**
 * Boot a node from a machine configuration. Requested hugetlb pages that do not fit are not
 * allocated (the kernel boots with a smaller pool); read Hstate.nr_huge_pages for the result.
 * Throws MmConfigError for a configuration that cannot be laid out.
 * @fidelity simplified
 */
export function boot_physmem(config: MachineMemConfig): PhysMem {
  const l = layoutOf(config);
  const m = new PhysMem({
    nr_pages: l.nr,
    movable_start_pfn: l.movable,
    cma_start_pfn: l.cmaStart,
    cma_end_pfn: l.cmaEnd,
  });
  init_pageblock_types(m);
  m.zero_pfn = 0;
  m._refcount[0] = 1;
  m.flags[0] = 1 << PG_reserved;
  const h2m = new Hstate(HPAGE_PMD_ORDER);
  const h1g = new Hstate(HPAGE_PUD_ORDER);
  m.hstates.push(h2m, h1g);
  const gigantic = reserveGigantic(m, config.hugetlb?.['1GiB'] ?? 0);
  freeAllExcept(m, [[0, 1], ...gigantic.map((s) => [s, s + HPAGE_PUD_NR])]);
  setupGigantic(m, h1g, gigantic);
  allocPool2M(m, h2m, config.hugetlb?.['2MiB'] ?? 0);
  return m;
}
