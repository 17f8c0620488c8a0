/**
 * Where allocations land (mm/page_alloc.c, include/linux/gfp.h): ZONE_MOVABLE only for
 * __GFP_MOVABLE|__GFP_HIGHMEM, CMA only with ALLOC_CMA and the __rmqueue "more than half"
 * balance, and nothing movable under memalloc_pin_save() (the FOLL_LONGTERM migration target).
 *
 *   pfn 0 ........ normal ........ [ CMA ) [ ZONE_MOVABLE )
 */
import { describe, expect, it } from 'vitest';
import {
  GFP_HIGHUSER_MOVABLE,
  GFP_KERNEL,
  GFP_USER,
  MIGRATE_CMA,
  NR_FREE_CMA_PAGES,
  NR_FREE_PAGES,
  PF_MEMALLOC_PIN,
  PLACE_CMA,
  PLACE_ZONE_MOVABLE,
  PLACE_ZONE_NORMAL,
  ZONE_MOVABLE,
  ZONE_NORMAL,
  __GFP_MOVABLE,
  __alloc_pages,
  alloc_page,
  boot_physmem,
  dequeue_hugetlb_folio,
  folio_alloc,
  folio_is_longterm_pinnable,
  get_pageblock_migratetype,
  memalloc_pin_restore,
  memalloc_pin_save,
  page_zonenum,
  placement_allowed,
  size_to_hstate,
  verify_free_lists,
  zone_page_state,
} from '../../src/mm/index.js';

const MiB = 1024 * 1024;
const machine = () => boot_physmem({ memory: 64 * MiB, movable: 16 * MiB, cma: 8 * MiB });

describe('zone and CMA placement', () => {
  it('lays out normal, CMA and movable memory top-down', () => {
    const m = machine();
    expect(m.movable_start_pfn).toBe(12288); // 48 MiB
    expect([m.cma_start_pfn, m.cma_end_pfn]).toEqual([10240, 12288]); // 40..48 MiB
    expect(get_pageblock_migratetype(m, 10240)).toBe(MIGRATE_CMA);
    expect(page_zonenum(m, 12288)).toBe(ZONE_MOVABLE);
    expect(zone_page_state(m.zones[ZONE_NORMAL], NR_FREE_CMA_PAGES)).toBe(2048);
  });

  it('GFP_HIGHUSER_MOVABLE takes ZONE_MOVABLE first (zonelist order)', () => {
    const m = machine();
    const pfn = alloc_page(m, GFP_HIGHUSER_MOVABLE);
    expect(page_zonenum(m, pfn)).toBe(ZONE_MOVABLE);
  });

  it('GFP_KERNEL never uses ZONE_MOVABLE or CMA, even when nothing else is left', () => {
    const m = machine();
    const normalNonCma = zone_page_state(m.zones[ZONE_NORMAL], NR_FREE_PAGES) - 2048;
    let misplaced = 0;
    for (let i = 0; i < normalNonCma; i++) {
      const pfn = alloc_page(m, GFP_KERNEL);
      if (page_zonenum(m, pfn) !== ZONE_NORMAL || get_pageblock_migratetype(m, pfn) === MIGRATE_CMA)
        misplaced++;
    }
    expect(misplaced).toBe(0);
    expect(alloc_page(m, GFP_KERNEL)).toBe(-1); // CMA and ZONE_MOVABLE are still free
  });

  it('GFP_USER|__GFP_MOVABLE stays in ZONE_NORMAL but may use CMA (no __GFP_HIGHMEM)', () => {
    const m = machine();
    const pfn = alloc_page(m, GFP_USER | __GFP_MOVABLE);
    expect(page_zonenum(m, pfn)).toBe(ZONE_NORMAL);
    expect(placement_allowed(m, GFP_USER | __GFP_MOVABLE, 0, PLACE_CMA)).toBe(true);
    expect(placement_allowed(m, GFP_USER | __GFP_MOVABLE, 0, PLACE_ZONE_MOVABLE)).toBe(false);
  });

  it('__rmqueue takes CMA first once more than half of the zone free pages are CMA', () => {
    const m = boot_physmem({ memory: 64 * MiB, cma: 8 * MiB });
    const zone = m.zones[ZONE_NORMAL];
    // Drain regular memory with unmovable allocations until CMA is the majority of free pages.
    let inCma = 0;
    while (zone_page_state(zone, NR_FREE_CMA_PAGES) * 2 <= zone_page_state(zone, NR_FREE_PAGES)) {
      if (get_pageblock_migratetype(m, alloc_page(m, GFP_KERNEL)) === MIGRATE_CMA) inCma++;
    }
    expect(inCma).toBe(0);
    const movable = alloc_page(m, GFP_HIGHUSER_MOVABLE);
    expect(get_pageblock_migratetype(m, movable)).toBe(MIGRATE_CMA);
    expect(verify_free_lists(m)).toBeNull();
  });

  it('a movable allocation falls back to CMA only when the regular lists are empty', () => {
    const m = boot_physmem({ memory: 64 * MiB, cma: 8 * MiB });
    const first = alloc_page(m, GFP_HIGHUSER_MOVABLE);
    expect(get_pageblock_migratetype(m, first)).not.toBe(MIGRATE_CMA); // CMA is a minority
  });

  it('memalloc_pin_save() clears __GFP_MOVABLE: no ZONE_MOVABLE, no CMA', () => {
    const m = machine();
    const current = { flags: 0 };
    const saved = memalloc_pin_save(current);
    expect(current.flags & PF_MEMALLOC_PIN).not.toBe(0);
    for (let i = 0; i < 200; i++) {
      const pfn = folio_alloc(m, GFP_HIGHUSER_MOVABLE, 0, current.flags);
      expect(folio_is_longterm_pinnable(m, pfn)).toBe(true);
    }
    expect(placement_allowed(m, GFP_HIGHUSER_MOVABLE, current.flags, PLACE_CMA)).toBe(false);
    memalloc_pin_restore(current, saved);
    expect(current.flags).toBe(0);
  });

  it('honours a placement request the rules allow', () => {
    const m = machine();
    const inCma = __alloc_pages(m, GFP_HIGHUSER_MOVABLE, 0, 0, PLACE_CMA);
    expect(get_pageblock_migratetype(m, inCma)).toBe(MIGRATE_CMA);
    const inNormal = __alloc_pages(m, GFP_HIGHUSER_MOVABLE, 0, 0, PLACE_ZONE_NORMAL);
    expect(page_zonenum(m, inNormal)).toBe(ZONE_NORMAL);
    // Not allowed for GFP_KERNEL: the request is ignored, the kernel's placement applies.
    const kernel = __alloc_pages(m, GFP_KERNEL, 0, 0, PLACE_CMA);
    expect(get_pageblock_migratetype(m, kernel)).not.toBe(MIGRATE_CMA);
  });
});

describe('hugetlb pools', () => {
  it('puts 2 MiB pool pages in ZONE_MOVABLE (htlb_alloc_mask is movable) and 1 GiB ones in ZONE_NORMAL', () => {
    const m = boot_physmem({
      memory: 3 * 1024 * MiB,
      movable: 64 * MiB,
      hugetlb: { '2MiB': 2, '1GiB': 1 },
    });
    const h2m = size_to_hstate(m, 2 * MiB)!;
    const h1g = size_to_hstate(m, 1024 * MiB)!;
    expect([h2m.nr_huge_pages, h1g.nr_huge_pages]).toEqual([2, 1]);
    expect(h2m.free.every((pfn) => page_zonenum(m, pfn) === ZONE_MOVABLE)).toBe(true);
    expect(page_zonenum(m, h1g.free[0])).toBe(ZONE_NORMAL);
    // dequeue_hugetlb_folio_node_exact skips unpinnable folios under PF_MEMALLOC_PIN.
    expect(dequeue_hugetlb_folio(m, h2m, true)).toBe(-1);
    const f = dequeue_hugetlb_folio(m, h1g, true);
    expect(f).toBe(262144); // carved top-down below 2 GiB, above the first GiB
    expect(m._refcount[f]).toBe(1);
  });

  it('allocates fewer pages than asked when they do not fit, without failing boot', () => {
    const m = boot_physmem({ memory: 64 * MiB, hugetlb: { '1GiB': 1, '2MiB': 1000 } });
    expect(size_to_hstate(m, 1024 * MiB)!.nr_huge_pages).toBe(0);
    expect(size_to_hstate(m, 2 * MiB)!.nr_huge_pages).toBeLessThan(32);
  });
});
