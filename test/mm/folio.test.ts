/**
 * Folio state the GUP code reads: page flags (include/linux/page-flags.h), refcounts, pins
 * and mapcounts (include/linux/mm.h), and what folio_put() frees.
 */
import { describe, expect, it } from 'vitest';
import {
  ClearPageAnonExclusive,
  F_ENTIRE_MAPCOUNT,
  F_LARGE_MAPCOUNT,
  F_PINCOUNT,
  GFP_HIGHUSER_MOVABLE,
  GFP_KERNEL,
  GUP_PIN_COUNTING_BIAS,
  MmBug,
  NR_FREE_PAGES,
  PG_anon_exclusive,
  PageAnonExclusive,
  PageTail,
  SetPageAnonExclusive,
  ZONE_DEVICE_COHERENT,
  ZONE_DEVICE_NONE,
  ZONE_NORMAL,
  __GFP_ZERO,
  boot_physmem,
  folio_alloc,
  folio_assign_mm_ids_shared,
  folio_entire_mapcount,
  folio_expected_ref_count,
  folio_get,
  folio_is_longterm_pinnable,
  folio_large_field_add,
  folio_large_field_set,
  folio_mapcount,
  folio_maybe_dma_pinned,
  folio_maybe_mapped_shared,
  folio_nr_pages,
  folio_order,
  folio_precise_page_mapcount,
  folio_put,
  folio_ref_add,
  folio_ref_count,
  folio_ref_sub,
  folio_set_mapping,
  folio_set_swapbacked,
  folio_set_swapcache,
  folio_test_large,
  folio_test_large_rmappable,
  folio_test_lru,
  folio_set_dirty,
  folio_test_dirty,
  folio_clear_dirty,
  folio_clear_lru,
  folio_mark_uptodate,
  folio_test_uptodate,
  folio_clear_uptodate,
  folio_set_writeback,
  folio_test_writeback,
  folio_clear_writeback,
  folio_set_active,
  folio_test_active,
  folio_clear_active,
  folio_set_private,
  folio_test_private,
  folio_clear_private,
  folio_test_swapbacked,
  folio_clear_swapbacked,
  folio_set_mlocked,
  folio_test_mlocked,
  folio_clear_mlocked,
  folio_set_referenced,
  folio_test_referenced,
  folio_clear_referenced,
  SetPageHWPoison,
  PageHWPoison,
  PG_large_rmappable,
  folio_set_lru,
  folio_test_swapcache,
  __folio_set_locked,
  is_zero_folio,
  page_folio,
  test_page_flag,
  zone_page_state,
  PLACE_CMA,
  PLACE_ZONE_MOVABLE,
} from '../../src/mm/index.js';

const MiB = 1024 * 1024;
const machine = () => boot_physmem({ memory: 64 * MiB, movable: 16 * MiB, cma: 8 * MiB });

describe('page flags', () => {
  it('each folio_set_X/folio_test_X/folio_clear_X acts on its own bit of the head page only', () => {
    const m = machine();
    const f = folio_alloc(m, GFP_HIGHUSER_MOVABLE, 2);
    const accessors = [
      [folio_set_dirty, folio_test_dirty, folio_clear_dirty],
      [folio_set_lru, folio_test_lru, folio_clear_lru],
      [folio_mark_uptodate, folio_test_uptodate, folio_clear_uptodate],
      [folio_set_writeback, folio_test_writeback, folio_clear_writeback],
      [folio_set_active, folio_test_active, folio_clear_active],
      [folio_set_private, folio_test_private, folio_clear_private],
      [folio_set_swapbacked, folio_test_swapbacked, folio_clear_swapbacked],
      [folio_set_mlocked, folio_test_mlocked, folio_clear_mlocked],
      [folio_set_referenced, folio_test_referenced, folio_clear_referenced],
    ] as const;
    const before = Array.from(m.flags.subarray(f, f + 4));
    for (const [set, test, clear] of accessors) {
      set(m, f);
      expect(test(m, f)).toBe(true);
      expect(accessors.filter(([, t]) => t(m, f)).length).toBe(1); // no other flag moved
      expect(Array.from(m.flags.subarray(f + 1, f + 4))).toEqual(before.slice(1)); // tails untouched
      clear(m, f);
      expect(test(m, f)).toBe(false);
    }
    expect(Array.from(m.flags.subarray(f, f + 4))).toEqual(before);
  });

  it('PageHWPoison is per page; PG_large_rmappable lives in page[1] (FOLIO_SECOND_PAGE)', () => {
    const m = machine();
    const f = folio_alloc(m, GFP_HIGHUSER_MOVABLE, 2);
    SetPageHWPoison(m, f + 2);
    expect([PageHWPoison(m, f), PageHWPoison(m, f + 2)]).toEqual([false, true]);
    expect(test_page_flag(m, f + 1, PG_large_rmappable)).toBe(true);
    expect(folio_test_large_rmappable(m, f)).toBe(true);
  });

  it('folio_test_swapcache needs PG_swapbacked as well (PG_swapcache aliases PG_owner_priv_1)', () => {
    const m = machine();
    const f = folio_alloc(m, GFP_HIGHUSER_MOVABLE, 0);
    folio_set_swapcache(m, f);
    expect(folio_test_swapcache(m, f)).toBe(false); // a filesystem's PG_checked, not swap cache
    folio_set_swapbacked(m, f);
    expect(folio_test_swapcache(m, f)).toBe(true);
  });

  it('PageAnonExclusive is per page, and BUGs on a page that is not anonymous', () => {
    const m = machine();
    const f = folio_alloc(m, GFP_HIGHUSER_MOVABLE, 2);
    expect(() => PageAnonExclusive(m, f + 1)).toThrow(MmBug);
    folio_set_mapping(m, f, 7, true); // __folio_set_anon(folio, vma, address, exclusive)
    SetPageAnonExclusive(m, f + 1);
    expect(PageAnonExclusive(m, f + 1)).toBe(true);
    expect(PageAnonExclusive(m, f)).toBe(false);
    ClearPageAnonExclusive(m, f + 1);
    expect(test_page_flag(m, f + 1, PG_anon_exclusive)).toBe(false);
    folio_set_mapping(m, f, 7, true, true); // KSM folios are never exclusive
    expect(() => SetPageAnonExclusive(m, f)).toThrow(MmBug);
  });
});

describe('folios', () => {
  it('a large folio is a head plus tails that page_folio() maps back to the head', () => {
    const m = machine();
    const f = folio_alloc(m, GFP_HIGHUSER_MOVABLE, 4);
    expect(folio_test_large(m, f)).toBe(true);
    expect(folio_test_large_rmappable(m, f)).toBe(true); // folio_alloc → page_rmappable_folio
    expect([folio_order(m, f), folio_nr_pages(m, f)]).toEqual([4, 16]);
    for (let i = 0; i < 16; i++) expect(page_folio(m, f + i)).toBe(f);
    expect(PageTail(m, f + 15)).toBe(true);
    expect(folio_mapcount(m, f)).toBe(0); // _large_mapcount starts at -1
    expect(folio_entire_mapcount(m, f)).toBe(0);
  });

  it('folio_maybe_dma_pinned: small folios use GUP_PIN_COUNTING_BIAS in _refcount', () => {
    const m = machine();
    const f = folio_alloc(m, GFP_HIGHUSER_MOVABLE, 0);
    expect(folio_maybe_dma_pinned(m, f)).toBe(false);
    folio_ref_add(m, f, GUP_PIN_COUNTING_BIAS); // try_grab_folio(FOLL_PIN) on a small folio
    expect(folio_maybe_dma_pinned(m, f)).toBe(true);
    folio_ref_sub(m, f, GUP_PIN_COUNTING_BIAS);
    folio_ref_add(m, f, 1100); // 1101 ordinary references: a false positive, by design
    expect(folio_maybe_dma_pinned(m, f)).toBe(true);
    folio_ref_add(m, f, 2 ** 31 - 1101); // wraps negative: (unsigned) still >= BIAS
    expect(folio_ref_count(m, f)).toBeLessThan(0);
    expect(folio_maybe_dma_pinned(m, f)).toBe(true);
  });

  it('folio_maybe_dma_pinned: large folios count pins exactly in _pincount', () => {
    const m = machine();
    const f = folio_alloc(m, GFP_HIGHUSER_MOVABLE, 1); // order 1: has _pincount on 64-bit
    folio_ref_add(m, f, 2000);
    expect(folio_maybe_dma_pinned(m, f)).toBe(false); // refs alone never look pinned
    folio_large_field_add(m, f, F_PINCOUNT, 1);
    expect(folio_maybe_dma_pinned(m, f)).toBe(true);
  });

  it('mapcounts: per-page _mapcount plus the entire mapcount (folio_precise_page_mapcount)', () => {
    const m = machine();
    const f = folio_alloc(m, GFP_HIGHUSER_MOVABLE, 9);
    folio_large_field_set(m, f, F_ENTIRE_MAPCOUNT, 0); // one PMD mapping
    folio_large_field_set(m, f, F_LARGE_MAPCOUNT, 1); // ... plus one PTE mapping
    m._mapcount[f + 3] = 0;
    expect(folio_mapcount(m, f)).toBe(2);
    expect(folio_precise_page_mapcount(m, f, f + 3)).toBe(2);
    expect(folio_precise_page_mapcount(m, f, f + 4)).toBe(1);
  });

  it('folio_maybe_mapped_shared: large folios trust the MM-id shared bit once mapped twice', () => {
    const m = machine();
    const f = folio_alloc(m, GFP_HIGHUSER_MOVABLE, 2);
    folio_large_field_set(m, f, F_LARGE_MAPCOUNT, 1); // mapped twice, by one mm
    expect(folio_maybe_mapped_shared(m, f)).toBe(false);
    folio_assign_mm_ids_shared(m, f, true);
    expect(folio_maybe_mapped_shared(m, f)).toBe(true);
    const small = folio_alloc(m, GFP_HIGHUSER_MOVABLE, 0);
    m._mapcount[small] = 1;
    expect(folio_maybe_mapped_shared(m, small)).toBe(true);
  });

  it('folio_expected_ref_count counts page cache, swap cache, private and mappings', () => {
    const m = machine();
    const anon = folio_alloc(m, GFP_HIGHUSER_MOVABLE, 0);
    folio_set_mapping(m, anon, 3, true);
    m._mapcount[anon] = 0;
    folio_set_swapbacked(m, anon);
    folio_set_swapcache(m, anon);
    expect(folio_expected_ref_count(m, anon)).toBe(2); // swap cache + one mapping
    const file = folio_alloc(m, GFP_HIGHUSER_MOVABLE, 2);
    folio_set_mapping(m, file, 9, false);
    expect(folio_expected_ref_count(m, file)).toBe(4); // one per page from the page cache
  });

  it('folio_put frees at zero, and freeing a mapped or locked folio is a bad page', () => {
    const m = machine();
    const zone = m.zones[ZONE_NORMAL];
    const free = zone_page_state(zone, NR_FREE_PAGES);
    const f = folio_alloc(m, GFP_KERNEL | __GFP_ZERO, 3);
    expect(zone_page_state(zone, NR_FREE_PAGES)).toBe(free - 8);
    folio_get(m, f);
    folio_put(m, f);
    expect(zone_page_state(zone, NR_FREE_PAGES)).toBe(free - 8);
    folio_set_lru(m, f); // __folio_put → page_cache_release takes it off the LRU first
    folio_put(m, f);
    expect(folio_test_lru(m, f)).toBe(false);
    expect(zone_page_state(zone, NR_FREE_PAGES)).toBe(free);
    const g = folio_alloc(m, GFP_KERNEL, 0);
    __folio_set_locked(m, g); // a folio freed while locked
    expect(() => folio_put(m, g)).toThrow(/Bad page state/);
    const h = folio_alloc(m, GFP_KERNEL, 0);
    m._mapcount[h] = 0;
    expect(() => folio_put(m, h)).toThrow(/nonzero mapcount/);
  });
});

describe('folio_is_longterm_pinnable', () => {
  it('refuses CMA and ZONE_MOVABLE, accepts the zero page and ZONE_NORMAL', () => {
    const m = machine();
    expect(is_zero_folio(m, m.zero_pfn)).toBe(true);
    expect(folio_is_longterm_pinnable(m, m.zero_pfn)).toBe(true);
    const movable = folio_alloc(m, GFP_HIGHUSER_MOVABLE, 0, 0, PLACE_ZONE_MOVABLE);
    const cma = folio_alloc(m, GFP_HIGHUSER_MOVABLE, 0, 0, PLACE_CMA);
    const normal = folio_alloc(m, GFP_KERNEL, 0);
    expect(folio_is_longterm_pinnable(m, movable)).toBe(false);
    expect(folio_is_longterm_pinnable(m, cma)).toBe(false);
    expect(folio_is_longterm_pinnable(m, normal)).toBe(true);
  });

  it('asks the ZONE_DEVICE hook about coherent device memory', () => {
    const m = machine();
    const f = folio_alloc(m, GFP_KERNEL, 0);
    m.hooks = {
      ...m.hooks,
      zone_device_type: (x) => (x === f ? ZONE_DEVICE_COHERENT : ZONE_DEVICE_NONE),
    };
    expect(folio_is_longterm_pinnable(m, f)).toBe(false);
  });
});
