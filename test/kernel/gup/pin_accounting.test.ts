// Pin accounting (mm/gup.c: try_grab_folio, gup_put_folio; include/linux/mm.h): a small folio
// takes GUP_PIN_COUNTING_BIAS references per pin, a large one counts pins in _pincount plus one
// reference each; the zero page is never accounted; every pin and release moves
// nr_foll_pin_acquired / nr_foll_pin_released; MMF_HAS_PINNED is set and stays set.
import { describe, expect, it } from 'vitest';
import { FOLL_LONGTERM, FOLL_WRITE } from '../../../src/kernel/include/gup_flags.js';
import { VM_HUGEPAGE } from '../../../src/kernel/include/vm_flags.js';
import * as gup from '../../../src/kernel/mm/gup.js';
import { mmap_read_lock, mmap_read_unlock } from '../../../src/kernel/mm/mmap_lock.js';
import {
  F_PINCOUNT,
  GUP_PIN_COUNTING_BIAS,
  MMF_HAS_PINNED,
  NR_FOLL_PIN_ACQUIRED,
  NR_FOLL_PIN_RELEASED,
  folio_large_field_get,
  folio_maybe_dma_pinned,
  folio_ref_count,
  folio_test_dirty,
  mm_flags_test,
  node_page_state,
} from '../../../src/mm/index.js';
import { BASE, PAGE, RW, anonVma, boot, ids, run, touch } from './harness.js';

const MiB2 = 2 * 1024 * 1024;

function stat(w: ReturnType<typeof boot>): [number, number] {
  const s = w.k.mem.vmstat;
  return [node_page_state(s, NR_FOLL_PIN_ACQUIRED), node_page_state(s, NR_FOLL_PIN_RELEASED)];
}

describe('pin accounting', () => {
  it('a small folio takes GUP_PIN_COUNTING_BIAS references per pin; unpin gives them back', () => {
    const w = boot();
    anonVma(w, BASE, PAGE);
    const pages = new Int32Array(1);
    const seen: number[] = [];
    const r = run(w, function* () {
      yield* touch(w, BASE, PAGE); // refcount 1: the mapping
      const before = folio_ref_count(w.k.mem, pages[0]!);
      void before;
      expect(yield* gup.pin_user_pages_fast(w.k, BASE, 1, FOLL_WRITE, pages)).toBe(1);
      seen.push(folio_ref_count(w.k.mem, pages[0]!), ...stat(w));
      expect(mm_flags_test(MMF_HAS_PINNED, w.mm)).toBe(true);
      expect(folio_maybe_dma_pinned(w.k.mem, pages[0]!)).toBe(true);
      gup.unpin_user_page(w.k, pages[0]!);
      seen.push(folio_ref_count(w.k.mem, pages[0]!), ...stat(w));
    });
    expect(ids(r)).toEqual([]);
    expect(seen).toEqual([1 + GUP_PIN_COUNTING_BIAS, 1, 0, 1, 1, 1]);
    expect(mm_flags_test(MMF_HAS_PINNED, w.mm)).toBe(true); // sticky
  });

  it('a THP counts each pinned page in _pincount with one reference; one lookup serves the PMD', () => {
    const w = boot({ memory: 64 * 1024 * 1024 });
    anonVma(w, BASE, MiB2, RW | VM_HUGEPAGE);
    const pages = new Int32Array(16);
    const seen: number[] = [];
    const r = run(w, function* () {
      yield* touch(w, BASE, PAGE); // one PMD-mapped THP
      yield* mmap_read_lock(w.mm);
      expect(yield* gup.pin_user_pages(w.k, BASE + 4 * PAGE, 16, FOLL_WRITE, pages)).toBe(16);
      yield* mmap_read_unlock(w.mm);
      const head = pages[0]! - 4;
      seen.push(
        folio_large_field_get(w.k.mem, head, F_PINCOUNT),
        folio_ref_count(w.k.mem, head),
        ...stat(w),
      );
      expect([...pages]).toEqual(Array.from({ length: 16 }, (_, i) => head + 4 + i));
      gup.unpin_user_pages(w.k, pages, 16);
      seen.push(
        folio_large_field_get(w.k.mem, head, F_PINCOUNT),
        folio_ref_count(w.k.mem, head),
        ...stat(w),
      );
    });
    expect(ids(r)).toEqual([]);
    expect(seen).toEqual([16, 1 + 16, 16, 0, 0, 1, 16, 16]);
  });

  it('the zero page is pinned without any accounting; unpinning it changes nothing (E9)', () => {
    const w = boot();
    anonVma(w, BASE, PAGE);
    const pages = new Int32Array(1);
    const zero = w.k.mem.zero_pfn;
    const ref0 = folio_ref_count(w.k.mem, zero);
    const r = run(w, function* () {
      yield* mmap_read_lock(w.mm);
      // a read pin of a never-touched anon page: the read fault maps the shared zero page
      expect(yield* gup.pin_user_pages(w.k, BASE, 1, 0, pages)).toBe(1);
      yield* mmap_read_unlock(w.mm);
      expect(pages[0]).toBe(zero);
      expect(folio_ref_count(w.k.mem, zero)).toBe(ref0);
      expect(stat(w)).toEqual([0, 0]);
      gup.unpin_user_pages(w.k, pages, 1);
      expect(folio_ref_count(w.k.mem, zero)).toBe(ref0);
    });
    expect(ids(r)).toEqual([]);
  });

  it('FOLL_LONGTERM read pin of the zero page unshares it into a fresh exclusive anon page (E9)', () => {
    const w = boot();
    anonVma(w, BASE, PAGE);
    const pages = new Int32Array(1);
    const r = run(w, function* () {
      yield* mmap_read_lock(w.mm);
      expect(yield* gup.pin_user_pages(w.k, BASE, 1, FOLL_LONGTERM, pages)).toBe(1);
      yield* mmap_read_unlock(w.mm);
      expect(pages[0]).not.toBe(w.k.mem.zero_pfn);
      expect(w.k.mem.content[pages[0]!]).toBe(0);
      gup.unpin_user_pages(w.k, pages, 1);
    });
    expect(ids(r)).toEqual([]);
  });

  it('FOLL_GET takes one plain reference per page, released with put_page; no vmstat change', () => {
    const w = boot();
    anonVma(w, BASE, 2 * PAGE);
    const pages = new Int32Array(2);
    const r = run(w, function* () {
      yield* touch(w, BASE, 2 * PAGE);
      expect(yield* gup.get_user_pages_fast(w.k, BASE, 2, 0, pages)).toBe(2);
      expect(folio_ref_count(w.k.mem, pages[0]!)).toBe(2);
      expect(stat(w)).toEqual([0, 0]);
      gup.put_page(w.k, pages[0]!);
      gup.put_page(w.k, pages[1]!);
      expect(folio_ref_count(w.k.mem, pages[0]!)).toBe(1);
    });
    expect(ids(r)).toEqual([]);
  });

  it('unpin_user_pages_dirty_lock(make_dirty) marks each folio dirty under its lock', () => {
    const w = boot();
    anonVma(w, BASE, 2 * PAGE);
    const pages = new Int32Array(2);
    const r = run(w, function* () {
      yield* touch(w, BASE, 2 * PAGE, false); // read faults: the zero page...
      yield* touch(w, BASE, 2 * PAGE); // ...then writes: fresh pages
      expect(yield* gup.pin_user_pages_fast(w.k, BASE, 2, FOLL_WRITE, pages)).toBe(2);
      w.k.mem.flags[pages[0]!] = w.k.mem.flags[pages[0]!]! & ~(1 << 4); // PG_dirty clear
      yield* gup.unpin_user_pages_dirty_lock(w.k, pages, 2, true);
      expect(folio_test_dirty(w.k.mem, pages[0]!)).toBe(true);
    });
    expect(ids(r)).toEqual([]);
  });

  it('unpin_user_page_range_dirty_lock releases a physically contiguous range folio by folio', () => {
    const w = boot();
    anonVma(w, BASE, MiB2, RW | VM_HUGEPAGE);
    const pages = new Int32Array(8);
    const r = run(w, function* () {
      yield* touch(w, BASE, PAGE);
      expect(yield* gup.pin_user_pages_fast(w.k, BASE, 8, FOLL_WRITE, pages)).toBe(8);
      yield* gup.unpin_user_page_range_dirty_lock(w.k, pages[0]!, 8, true);
      expect(folio_large_field_get(w.k.mem, pages[0]!, F_PINCOUNT)).toBe(0);
    });
    expect(ids(r)).toEqual([]);
  });

  it('folio_add_pin adds a pin without counting it as acquired', () => {
    const w = boot();
    anonVma(w, BASE, PAGE);
    const pages = new Int32Array(1);
    const r = run(w, function* () {
      yield* touch(w, BASE, PAGE);
      expect(yield* gup.pin_user_pages_fast(w.k, BASE, 1, FOLL_WRITE, pages)).toBe(1);
      gup.folio_add_pin(w.k, pages[0]!);
      expect(folio_ref_count(w.k.mem, pages[0]!)).toBe(1 + 2 * GUP_PIN_COUNTING_BIAS);
      expect(stat(w)).toEqual([1, 0]);
      gup.unpin_folio(w.k, pages[0]!);
      gup.unpin_folio(w.k, pages[0]!);
      expect(stat(w)).toEqual([1, 2]);
    });
    expect(ids(r)).toEqual([]);
  });

  it('try_grab_folio refuses a folio with no reference (WARN, -ENOMEM)', () => {
    const w = boot();
    let ret = 0;
    const r = run(w, function* () {
      ret = gup.try_grab_folio(w.k, 100, 1, 1 << 19);
      yield w.m.point('done');
    });
    expect(ret).toBe(-12);
    expect(ids(r)).toEqual(['gup.warn.grab-unreferenced']);
  });

  it('unpin_user_pages groups adjacent pages of one folio into one release', () => {
    const w = boot();
    anonVma(w, BASE, MiB2, RW | VM_HUGEPAGE);
    const pages = new Int32Array(512);
    const r = run(w, function* () {
      yield* touch(w, BASE, PAGE);
      expect(yield* gup.pin_user_pages_fast(w.k, BASE, 512, FOLL_WRITE, pages)).toBe(512);
      gup.unpin_user_pages(w.k, pages, 512);
      expect(stat(w)).toEqual([512, 512]);
    });
    expect(ids(r)).toEqual([]);
  });
});
