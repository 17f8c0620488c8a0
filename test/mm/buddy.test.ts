/**
 * Buddy allocator behaviour (mm/page_alloc.c): splitting in expand(), merging in
 * __free_one_page(), boot order, and a property test against a Set of allocated pfns.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  GFP_KERNEL,
  MAX_PAGE_ORDER,
  NR_FREE_PAGES,
  ZONE_NORMAL,
  __free_pages,
  alloc_pages,
  boot_physmem,
  buddy_order,
  free_pfn_bitmap,
  verify_free_lists,
  zone_page_state,
  type PhysMem,
} from '../../src/mm/index.js';

const MiB = 1024 * 1024;

function freePages(m: PhysMem): number {
  return m.zones.reduce((sum, z) => sum + zone_page_state(z, NR_FREE_PAGES), 0);
}

describe('buddy allocator', () => {
  it('boots with every page but the zero page free, lowest pfns first', () => {
    const m = boot_physmem({ memory: 16 * MiB });
    expect(freePages(m)).toBe(4096 - 1); // pfn 0 is empty_zero_page
    expect(verify_free_lists(m)).toBeNull();
    // __rmqueue_smallest: the order-0 list holds pfn 1, the lone page beside the zero page.
    expect(alloc_pages(m, GFP_KERNEL, 0)).toBe(1);
    // then order 1 (pfn 2-3) is split: expand() returns the lower half and frees the upper.
    expect(alloc_pages(m, GFP_KERNEL, 0)).toBe(2);
    expect(alloc_pages(m, GFP_KERNEL, 0)).toBe(3);
    expect(verify_free_lists(m)).toBeNull();
  });

  it('expand() splits a MAX_PAGE_ORDER block and __free_one_page() merges it back', () => {
    const m = boot_physmem({ memory: 16 * MiB });
    const zone = m.zones[ZONE_NORMAL];
    const before = Array.from(zone.nr_free);
    // Take one page out of the first 4 MiB block (1024..2047): pfns 1..1023 are busy first.
    const hog = alloc_pages(m, GFP_KERNEL, 0);
    const small: number[] = [hog];
    for (let o = 1; o < MAX_PAGE_ORDER; o++) small.push(alloc_pages(m, GFP_KERNEL, o));
    const p = alloc_pages(m, GFP_KERNEL, 0);
    expect(p).toBe(1024); // lowest page of the first max-order block
    expect(buddy_order(m, 1025)).toBe(0); // its buddy went back as an order-0 block
    __free_pages(m, p, 0);
    // Merged all the way up: the block at 1024 is an order-10 buddy again.
    expect(buddy_order(m, 1024)).toBe(MAX_PAGE_ORDER);
    small.forEach((pfn, o) => __free_pages(m, pfn, o));
    expect(Array.from(zone.nr_free)).toEqual(before);
    expect(verify_free_lists(m)).toBeNull();
  });

  it('returns -1 when memory is exhausted, and never throws', () => {
    const m = boot_physmem({ memory: 8 * MiB });
    let n = 0;
    while (alloc_pages(m, GFP_KERNEL, MAX_PAGE_ORDER) >= 0) n++;
    expect(n).toBe(1); // 8 MiB = pfn 0 reserved, so only 1024..2047 is a whole max-order block
    expect(alloc_pages(m, GFP_KERNEL, MAX_PAGE_ORDER + 1)).toBe(-1);
    while (alloc_pages(m, GFP_KERNEL, 0) >= 0) n++;
    expect(freePages(m)).toBe(0);
    expect(alloc_pages(m, GFP_KERNEL, 0)).toBe(-1);
  });

  it('property: random alloc/free never hands out a pfn twice and the counts add up', () => {
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('alloc' as const),
        order: fc.integer({ min: 0, max: MAX_PAGE_ORDER }),
      }),
      fc.record({ kind: fc.constant('free' as const), pick: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 120 }), (ops) => {
        const m = boot_physmem({ memory: 16 * MiB });
        const total = freePages(m);
        const held: { pfn: number; order: number }[] = [];
        const used = new Set<number>();
        for (const o of ops) {
          if (o.kind === 'alloc') {
            const pfn = alloc_pages(m, GFP_KERNEL, o.order);
            if (pfn < 0) continue;
            for (let i = pfn; i < pfn + (1 << o.order); i++) {
              expect(used.has(i)).toBe(false);
              used.add(i);
            }
            held.push({ pfn, order: o.order });
          } else if (held.length > 0) {
            const [h] = held.splice(o.pick % held.length, 1);
            __free_pages(m, h.pfn, h.order);
            for (let i = h.pfn; i < h.pfn + (1 << h.order); i++) used.delete(i);
          }
          expect(freePages(m)).toBe(total - used.size);
        }
        const free = free_pfn_bitmap(m);
        for (const pfn of used) expect(free[pfn]).toBe(0);
        expect(verify_free_lists(m)).toBeNull();
      }),
      { numRuns: 60, seed: 42 },
    );
  });
});
