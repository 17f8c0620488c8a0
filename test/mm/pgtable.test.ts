/**
 * Page tables (include/linux/pgtable.h, mm/memory.c, mm/huge_memory.c): walking and
 * allocating levels, pgtables_bytes accounting, split-PTL identities, free_pgd_range's
 * floor/ceiling rule, splitting a PMD leaf, and a property test against a Map.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MmBug,
  MmIdAllocator,
  PAGE_COPY,
  PAGE_SHARED,
  PMD_NR_PAGES,
  PgtablePool,
  USER_VPN_LIMIT,
  __mmdrop,
  entry_table,
  free_pgd_range,
  is_pmd_migration_entry,
  is_writable_migration_entry,
  make_migration_entry_young,
  make_writable_migration_entry,
  mm_alloc,
  mm_inc_nr_ptes,
  pfn_pmd,
  pfn_pte,
  pgtable_trans_huge_deposit,
  pgtable_trans_huge_withdraw,
  pmd_alloc_walk,
  pmd_leaf,
  pmd_lockptr,
  pmd_lookup,
  pmd_mkdirty,
  pmd_mkwrite,
  pte_alloc_walk,
  pte_dirty,
  pte_lockptr,
  pte_lookup,
  pte_mkold,
  pte_pfn,
  pte_present,
  pte_special,
  pte_to_swp_entry,
  pte_write,
  ptep_get,
  ptep_get_and_clear,
  set_ptes,
  pte_young,
  split_huge_pmd_to_ptes,
  swp_entry_to_pmd,
  swp_offset_pfn,
  is_migration_entry_young,
  type MmStruct,
} from '../../src/mm/index.js';

function setup(): { pool: PgtablePool; mm: MmStruct; ids: MmIdAllocator } {
  const pool = new PgtablePool();
  const ids = new MmIdAllocator();
  return { pool, mm: mm_alloc(pool, ids), ids };
}

const GiB_PAGES = 2 ** 18;

describe('page-table walk', () => {
  it('allocates PUD, PMD and PTE tables on demand and accounts them in pgtables_bytes', () => {
    const { pool, mm } = setup();
    const vpn = 0x7f0000000 / 4096 + 5; // 0x7f0000005000
    expect(pte_lookup(pool, mm, vpn)).toBe(-1);
    const ptep = pte_alloc_walk(pool, mm, vpn);
    expect(mm.pgtables_bytes).toBe(3 * 4096); // PUD + PMD + PTE table
    pool.set(ptep, pfn_pte(1234, PAGE_SHARED)); // set_pte_at
    expect(pte_lookup(pool, mm, vpn)).toBe(ptep);
    expect(pte_pfn(pool.get(ptep))).toBe(1234);
    // The neighbour page shares the PTE table, hence the PTE lock.
    const next = pte_alloc_walk(pool, mm, vpn + 1);
    expect(next).toBe(ptep + 1);
    const pmdp = pmd_lookup(pool, mm, vpn);
    expect(pte_lockptr(pool, pmdp)).toBe(entry_table(pool.get(pmdp)));
    expect(pmd_lockptr(pmdp)).not.toBe(pte_lockptr(pool, pmdp));
    expect(mm.pgtables_bytes).toBe(3 * 4096);
  });

  it('free_pgd_range frees only what [floor, ceiling) proves unshared', () => {
    const { pool, mm, ids } = setup();
    //   [ vma A: 1 page ][ gap ][ vma B: 1 page ]   both inside one 2 MiB PMD range
    const a = 0x400000 / 4096;
    const b = a + 10;
    pool.set(pte_alloc_walk(pool, mm, a), 0); // tables exist, the PTE stays none
    pte_alloc_walk(pool, mm, b);
    // munmap(A) with B still above (ceiling = B's start): the shared PTE table must stay.
    free_pgd_range(pool, mm, a, a + 1, 0, b);
    expect(pte_lookup(pool, mm, b)).not.toBe(-1);
    // munmap(B) too, nothing else mapped: every table goes.
    free_pgd_range(pool, mm, a, b + 1, 0, 0);
    expect(pmd_lookup(pool, mm, b)).toBe(-1);
    expect(mm.pgtables_bytes).toBe(0);
    __mmdrop(pool, ids, mm);
    expect(pool.nr_tables).toBe(0);
  });

  it('freeing a page table that still maps a page is a model bug', () => {
    const { pool, mm } = setup();
    pool.set(pte_alloc_walk(pool, mm, 100), pfn_pte(5, PAGE_COPY));
    expect(() => free_pgd_range(pool, mm, 0, PMD_NR_PAGES, 0, 0)).toThrow(MmBug);
  });

  it('set_ptes maps consecutive pfns; ptep_get_and_clear returns the old entry', () => {
    const { pool, mm } = setup();
    const ptep = pte_alloc_walk(pool, mm, 64);
    set_ptes(pool, ptep, pfn_pte(1000, PAGE_COPY), 4); // an order-2 mTHP
    expect([0, 1, 2, 3].map((i) => pte_pfn(ptep_get(pool, ptep + i)))).toEqual([
      1000, 1001, 1002, 1003,
    ]);
    expect(pte_pfn(ptep_get_and_clear(pool, ptep + 3))).toBe(1003);
    expect(pool.nr_used[pte_lockptr(pool, pmd_lookup(pool, mm, 64))]).toBe(3);
  });

  it('grows the shared pool by doubling, keeping table ids and entries', () => {
    const { pool, mm } = setup();
    const first = pte_alloc_walk(pool, mm, 0);
    pool.set(first, pfn_pte(77, PAGE_COPY));
    for (let i = 1; i < 300; i++) pte_alloc_walk(pool, mm, i * PMD_NR_PAGES);
    expect(pool.capacity).toBeGreaterThanOrEqual(300);
    expect(pte_pfn(pool.get(first))).toBe(77);
  });
});

describe('PMD leaves', () => {
  it('splits a present PMD leaf into 512 PTEs that keep write, dirty and age', () => {
    const { pool, mm } = setup();
    const vpn = GiB_PAGES; // 1 GiB, PMD-aligned
    const pmdp = pmd_alloc_walk(pool, mm, vpn);
    const deposit = pool.alloc_table(1, mm.mm_id); // pgtable_trans_huge_deposit at fault time
    mm_inc_nr_ptes(mm);
    pgtable_trans_huge_deposit(pool, pmdp, deposit);
    pool.set(pmdp, pmd_mkdirty(pmd_mkwrite(pfn_pmd(4096, PAGE_COPY))));
    expect(pmd_leaf(pool.get(pmdp))).toBe(true);
    expect(pte_lookup(pool, mm, vpn)).toBe(-1); // pte_offset_map refuses a huge PMD
    const old = pool.get(pmdp);
    const table = pgtable_trans_huge_withdraw(pool, pmdp);
    expect(table).toBe(deposit);
    split_huge_pmd_to_ptes(pool, pmdp, old, table, PAGE_COPY);
    for (const i of [0, 1, 511]) {
      const pte = pool.get(pte_lookup(pool, mm, vpn + i));
      expect([pte_present(pte), pte_pfn(pte), pte_write(pte), pte_dirty(pte)]).toEqual([
        true,
        4096 + i,
        true,
        true,
      ]);
    }
    expect(pool.nr_used[table]).toBe(512);
  });

  it('splits a PMD migration entry into per-page migration entries', () => {
    const { pool, mm } = setup();
    const pmdp = pmd_alloc_walk(pool, mm, 0);
    const entry = make_migration_entry_young(make_writable_migration_entry(8192));
    const pmd = swp_entry_to_pmd(entry);
    expect(is_pmd_migration_entry(pmd)).toBe(true);
    pool.set(pmdp, pmd);
    const table = pool.alloc_table(1, mm.mm_id);
    split_huge_pmd_to_ptes(pool, pmdp, pmd, table, PAGE_COPY);
    const e = pte_to_swp_entry(pool.get(pte_lookup(pool, mm, 7)));
    expect([
      is_writable_migration_entry(e),
      swp_offset_pfn(e),
      is_migration_entry_young(e),
    ]).toEqual([true, 8199, true]);
  });

  it('splits the huge zero PMD into special zero-page PTEs', () => {
    const { pool, mm } = setup();
    const pmdp = pmd_alloc_walk(pool, mm, 0);
    const pmd = pfn_pmd(512, PAGE_COPY);
    pool.set(pmdp, pmd);
    split_huge_pmd_to_ptes(pool, pmdp, pmd, pool.alloc_table(1, mm.mm_id), PAGE_COPY, 0);
    const pte = pool.get(pte_lookup(pool, mm, 3));
    expect([pte_pfn(pte), pte_special(pte), pte_young(pte_mkold(pte))]).toEqual([0, true, false]);
  });
});

describe('page tables against a reference Map', () => {
  it('property: random map/unmap agrees with a Map and frees back to empty', () => {
    const vpnArb = fc.oneof(
      fc.integer({ min: 0, max: 4095 }),
      fc.integer({ min: 0, max: USER_VPN_LIMIT - 1 }),
    );
    const op = fc.record({
      vpn: vpnArb,
      pfn: fc.option(fc.integer({ min: 1, max: 2 ** 30 }), { nil: null }),
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
        const { pool, mm, ids } = setup();
        const ref = new Map<number, number>();
        for (const { vpn, pfn } of ops) {
          if (pfn === null) {
            const ptep = pte_lookup(pool, mm, vpn);
            if (ptep >= 0) pool.set(ptep, 0); // pte_clear
            ref.delete(vpn);
          } else {
            pool.set(pte_alloc_walk(pool, mm, vpn), pfn_pte(pfn, PAGE_SHARED));
            ref.set(vpn, pfn);
          }
        }
        for (const { vpn } of ops) {
          const ptep = pte_lookup(pool, mm, vpn);
          const got = ptep < 0 || pool.get(ptep) === 0 ? undefined : pte_pfn(pool.get(ptep));
          expect(got).toBe(ref.get(vpn));
        }
        for (const vpn of ref.keys()) pool.set(pte_lookup(pool, mm, vpn), 0);
        free_pgd_range(pool, mm, 0, USER_VPN_LIMIT, 0, 0);
        expect(mm.pgtables_bytes).toBe(0);
        __mmdrop(pool, ids, mm);
        expect(pool.nr_tables).toBe(0);
      }),
      { numRuns: 100, seed: 7 },
    );
  });
});
