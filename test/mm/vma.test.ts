/**
 * The VMA tree (mm/mmap.c, mm/vma.c): lookups, split_vma and merging of compatible neighbours.
 * Maps: one character per page, letters are VMAs.
 */
import { describe, expect, it } from 'vitest';
import {
  VM_MAYREAD,
  VM_MAYWRITE,
  VM_READ,
  VM_SHARED,
  VM_SOFTDIRTY,
  VM_WRITE,
  VM_IO,
  VM_SHADOW_STACK,
} from '../../src/kernel/include/vm_flags.js';
import { maskHasAny } from '../../src/kernel/include/bits.js';
import {
  MmIdAllocator,
  PAGE_COPY,
  PgtablePool,
  find_vma,
  find_vma_intersection,
  insert_vm_struct,
  is_cow_mapping,
  linear_page_index,
  mm_alloc,
  mm_remove_vma,
  split_vma,
  vm_area_alloc,
  vm_flags_clear,
  vm_flags_set,
  vma_address,
  vma_link,
  vma_lookup,
  vma_merge_neighbours,
  vma_pages,
  type MmStruct,
  type VmAreaStruct,
} from '../../src/mm/index.js';

const P = 4096;
const BASE = 0x10000 * P;
const RW = VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE;

function anon(mm: MmStruct, first: number, pages: number, flags = RW): VmAreaStruct {
  const vma = vm_area_alloc(
    mm,
    BASE + first * P,
    BASE + (first + pages) * P,
    flags,
    PAGE_COPY,
    0,
    null,
  );
  expect(insert_vm_struct(mm, vma)).toBe(0);
  return vma;
}

/** The address space from BASE as a string: `AA.BB` = two 2-page VMAs around a hole. */
function map(mm: MmStruct, pages: number): string {
  let s = '';
  for (let i = 0; i < pages; i++) {
    const vma = vma_lookup(mm, BASE + i * P);
    s += vma === null ? '.' : String.fromCharCode(64 + mm.mm_mt.indexOf(vma) + 1);
  }
  return s;
}

function setup(): MmStruct {
  return mm_alloc(new PgtablePool(), new MmIdAllocator());
}

describe('VMA tree', () => {
  it('find_vma returns the first VMA ending above an address; vma_lookup only a containing one', () => {
    const mm = setup();
    const a = anon(mm, 0, 2);
    const b = anon(mm, 4, 2);
    expect(map(mm, 7)).toBe('AA..BB.');
    expect(find_vma(mm, BASE + 2 * P)).toBe(b); // in the hole: the next VMA up
    expect(vma_lookup(mm, BASE + 2 * P)).toBeNull();
    expect(find_vma_intersection(mm, BASE + P, BASE + 5 * P)).toBe(a);
    expect(find_vma(mm, BASE + 6 * P)).toBeNull();
    expect(mm.map_count).toBe(2);
  });

  it('refuses overlapping VMAs; gives anonymous VMAs vm_pgoff = vm_start >> PAGE_SHIFT', () => {
    const mm = setup();
    const a = anon(mm, 0, 4);
    expect(a.vm_pgoff).toBe(BASE / P);
    const clash = vm_area_alloc(mm, BASE + 3 * P, BASE + 5 * P, RW, PAGE_COPY, 0, null);
    expect(vma_link(mm, clash)).toBe(-12);
    expect(linear_page_index(a, BASE + 3 * P)).toBe(BASE / P + 3);
    expect(vma_address(a, BASE / P + 3, 1)).toBe(BASE + 3 * P);
  });

  it('split_vma cuts a VMA in two, adjusting vm_pgoff of the upper part', () => {
    const mm = setup();
    const a = anon(mm, 0, 4);
    a.anon_vma = 5;
    expect(split_vma(mm, a, BASE + P, false)).toBe(0); //  AAAA -> A BBB
    expect(map(mm, 4)).toBe('ABBB');
    const upper = vma_lookup(mm, BASE + 2 * P)!;
    expect([vma_pages(a), vma_pages(upper), upper.vm_pgoff - a.vm_pgoff, upper.anon_vma]).toEqual([
      1, 3, 1, 5,
    ]);
    expect(split_vma(mm, upper, BASE + 3 * P, true)).toBe(0); // new_below: new VMA is the lower part
    expect(map(mm, 4)).toBe('ABBC');
    expect(vma_lookup(mm, BASE + 3 * P)).toBe(upper);
    expect(split_vma(mm, a, BASE + P, false, mm.map_count)).toBe(-12); // sysctl_max_map_count
  });

  it('merges neighbours with equal flags (soft-dirty ignored), file and contiguous pgoff', () => {
    const mm = setup();
    const a = anon(mm, 0, 2);
    const b = anon(mm, 2, 2);
    const c = anon(mm, 4, 2, RW | VM_SHARED);
    vm_flags_set(b, VM_SOFTDIRTY);
    b.anon_vma = 9;
    expect(map(mm, 6)).toBe('AABBCC');
    const merged = vma_merge_neighbours(mm, b);
    expect(merged).toBe(a);
    expect(map(mm, 6)).toBe('AAAABB'); // C (shared) does not merge
    expect([a.vm_end, a.anon_vma, mm.map_count]).toEqual([BASE + 4 * P, 9, 2]);
    expect(vma_merge_neighbours(mm, c)).toBe(c);
  });

  it('never merges VM_SPECIAL mappings or different anon_vmas', () => {
    const mm = setup();
    const a = anon(mm, 0, 1, RW | VM_IO);
    anon(mm, 1, 1, RW | VM_IO);
    expect(vma_merge_neighbours(mm, a)).toBe(a);
    expect(mm.map_count).toBe(2);
    const mm2 = setup();
    const x = anon(mm2, 0, 1);
    const y = anon(mm2, 1, 1);
    [x.anon_vma, y.anon_vma] = [1, 2];
    vma_merge_neighbours(mm2, y);
    expect(mm2.map_count).toBe(2);
    mm_remove_vma(mm2, y);
    expect(map(mm2, 2)).toBe('A.');
  });

  it('vm_flags above bit 31 survive set and clear; COW mappings are private and may write', () => {
    const mm = setup();
    const a = anon(mm, 0, 1);
    vm_flags_set(a, VM_SHADOW_STACK);
    expect(maskHasAny(a.vm_flags, VM_SHADOW_STACK)).toBe(true);
    expect(a.vm_flags & VM_WRITE).toBe(VM_WRITE);
    vm_flags_clear(a, VM_SHADOW_STACK);
    expect(a.vm_flags).toBe(RW);
    expect(is_cow_mapping(a.vm_flags)).toBe(true);
    expect(is_cow_mapping(a.vm_flags | VM_SHARED)).toBe(false);
  });
});
