/**
 * Booting physical memory from the scenario `machine:` keys (mm/mm_init.c), the host memory
 * budget per simulated page, and pageblock isolation for alloc_contig_range-style users.
 * Speed is measured in bench/mm.bench.ts, not here.
 */
import { describe, expect, it } from 'vitest';
import {
  GFP_HIGHUSER_MOVABLE,
  MAX_ORDER_NR_PAGES,
  MIGRATE_ISOLATE,
  MmConfigError,
  NR_FREE_CMA_PAGES,
  NR_FREE_PAGES,
  ZONE_MOVABLE,
  ZONE_NORMAL,
  __free_pages,
  alloc_page,
  boot_physmem,
  get_huge_zero_folio,
  get_pageblock_migratetype,
  is_huge_zero_folio,
  isolate_freepages_range,
  pageblock_nr_pages,
  set_migratetype_isolate,
  unset_migratetype_isolate,
  verify_free_lists,
  zone_page_state,
  folio_test_large,
  folio_is_longterm_pinnable,
} from '../../src/mm/index.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

describe('boot', () => {
  it('boots a 64 GiB machine within 48 bytes of host memory per 4 KiB page', () => {
    const m = boot_physmem({
      memory: 64 * GiB,
      movable: 16 * GiB,
      cma: GiB,
      hugetlb: { '2MiB': 8, '1GiB': 2 },
    });
    expect(m.nr_pages).toBe(16 * 2 ** 20);
    expect(m.memmap_bytes / m.nr_pages).toBeLessThanOrEqual(48);
    const normal = m.zones[ZONE_NORMAL];
    const movable = m.zones[ZONE_MOVABLE];
    expect(movable.spanned_pages).toBe(4 * 2 ** 20);
    expect(zone_page_state(normal, NR_FREE_CMA_PAGES)).toBe(GiB / 4096);
    // 1 reserved zero page + 2 x 1 GiB gigantic pages are out of the buddy allocator,
    // 8 x 2 MiB pool pages came out of ZONE_MOVABLE.
    expect(zone_page_state(normal, NR_FREE_PAGES)).toBe(normal.spanned_pages - 1 - 2 * 2 ** 18);
    expect(zone_page_state(movable, NR_FREE_PAGES)).toBe(movable.spanned_pages - 8 * 512);
    expect(verify_free_lists(m)).toBeNull();
  });

  it('uses the scenario defaults: 64 MiB, one zone, no CMA', () => {
    const m = boot_physmem({ memory: 64 * MiB });
    expect(m.zones[ZONE_MOVABLE].spanned_pages).toBe(0);
    expect(m.cma_end_pfn - m.cma_start_pfn).toBe(0);
    expect(page_after_alloc(m)).toBe(ZONE_NORMAL);
  });

  it('rejects configurations it cannot lay out with a typed error', () => {
    expect(() => boot_physmem({ memory: 1000 })).toThrow(MmConfigError);
    expect(() => boot_physmem({ memory: 64 * MiB, movable: 64 * MiB })).toThrow(/movable/);
    expect(() => boot_physmem({ memory: 64 * MiB, cma: 62 * MiB })).toThrow(/cma/);
  });

  it('allocates the huge zero folio on first use, outside ZONE_MOVABLE', () => {
    const m = boot_physmem({ memory: 64 * MiB, movable: 32 * MiB });
    const f = get_huge_zero_folio(m);
    expect([folio_test_large(m, f), is_huge_zero_folio(m, f), get_huge_zero_folio(m)]).toEqual([
      true,
      true,
      f,
    ]);
    expect(folio_is_longterm_pinnable(m, f)).toBe(true);
  });
});

function page_after_alloc(m: ReturnType<typeof boot_physmem>): number {
  const pfn = alloc_page(m, GFP_HIGHUSER_MOVABLE);
  return pfn >= m.movable_start_pfn ? ZONE_MOVABLE : ZONE_NORMAL;
}

describe('pageblock isolation (mm/page_isolation.c)', () => {
  it('moves free pages off the allocatable lists and back, uncounted meanwhile', () => {
    const m = boot_physmem({ memory: 16 * MiB });
    const zone = m.zones[ZONE_NORMAL];
    const free = zone_page_state(zone, NR_FREE_PAGES);
    const pb = 2 * MAX_ORDER_NR_PAGES; // the first half of a free MAX_PAGE_ORDER block
    expect(set_migratetype_isolate(m, pb)).toBe(0);
    expect(set_migratetype_isolate(m, pb)).toBe(-16); // -EBUSY
    expect(get_pageblock_migratetype(m, pb)).toBe(MIGRATE_ISOLATE);
    expect(zone_page_state(zone, NR_FREE_PAGES)).toBe(free - pageblock_nr_pages);
    expect(verify_free_lists(m)).toBeNull();
    unset_migratetype_isolate(m, pb);
    expect(zone_page_state(zone, NR_FREE_PAGES)).toBe(free);
    expect(verify_free_lists(m)).toBeNull();
  });

  it('isolate_freepages_range takes exactly the asked pages, or nothing if one is busy', () => {
    const m = boot_physmem({ memory: 16 * MiB });
    const zone = m.zones[ZONE_NORMAL];
    const free = zone_page_state(zone, NR_FREE_PAGES);
    expect(isolate_freepages_range(m, 3000, 100)).toBe(100);
    expect(zone_page_state(zone, NR_FREE_PAGES)).toBe(free - 100);
    expect(m._refcount[3050]).toBe(1);
    expect(verify_free_lists(m)).toBeNull();
    expect(isolate_freepages_range(m, 2990, 20)).toBe(-1); // overlaps pages already taken
    for (let p = 3000; p < 3100; p++) __free_pages(m, p, 0);
    expect(zone_page_state(zone, NR_FREE_PAGES)).toBe(free);
    expect(verify_free_lists(m)).toBeNull();
  });
});
