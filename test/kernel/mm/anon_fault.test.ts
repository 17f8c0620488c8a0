/**
 * Anonymous faults (mm/memory.c: do_anonymous_page, do_wp_page): a read maps the shared zero
 * page read-only; a write maps a fresh zeroed exclusive page; a write after a read replaces
 * the zero page; user loads and stores go through the page tables.
 */
import { describe, expect, it } from 'vitest';
import {
  PageAnonExclusive,
  folio_mapcount,
  folio_ref_count,
  pte_dirty,
  pte_special,
  pte_write,
  MM_ANONPAGES,
  get_mm_counter,
} from '../../../src/mm/index.js';
import { PAGE, load, mmapAnon, pfnOf, pteOf, runTask, store } from './helpers.js';
import type { mm_struct } from '../../../src/kernel/mm/mm_struct.js';

describe('anonymous faults', () => {
  it('read fault maps the zero page read-only (do_anonymous_page)', () => {
    runTask(function* (w, t) {
      const a = yield* mmapAnon(w, t, 4 * PAGE);
      expect(a).toBeGreaterThan(0);
      // a load of untouched anonymous memory reads zeros from the shared zero page
      expect(yield* load(w, t, a)).toBe(0);
      const pte = pteOf(w, w.mm, a);
      expect(pfnOf(w, w.mm, a)).toBe(w.k.mem.zero_pfn);
      expect(pte_special(pte)).toBe(true);
      expect(pte_write(pte)).toBe(false);
    });
  });

  it('write fault maps a new exclusive writable dirty page (do_anonymous_page)', () => {
    runTask(function* (w, t) {
      const a = yield* mmapAnon(w, t, 4 * PAGE);
      yield* store(w, t, a, PAGE, 0x5a);
      const pfn = pfnOf(w, w.mm, a);
      const pte = pteOf(w, w.mm, a);
      expect(pfn).not.toBe(w.k.mem.zero_pfn);
      expect(pte_write(pte) && pte_dirty(pte)).toBe(true);
      expect(PageAnonExclusive(w.k.mem, pfn)).toBe(true);
      expect(folio_ref_count(w.k.mem, pfn)).toBe(1);
      expect(folio_mapcount(w.k.mem, pfn)).toBe(1);
      expect(get_mm_counter(w.mm as mm_struct, MM_ANONPAGES)).toBe(1);
      expect(yield* load(w, t, a)).toBe(0x5a);
    });
  });

  it('write after read replaces the zero page with a zeroed copy (do_wp_page: wp_page_copy)', () => {
    runTask(function* (w, t) {
      const a = yield* mmapAnon(w, t, PAGE);
      expect(yield* load(w, t, a)).toBe(0);
      yield* store(w, t, a, PAGE, 7);
      expect(pfnOf(w, w.mm, a)).not.toBe(w.k.mem.zero_pfn);
      expect(yield* load(w, t, a)).toBe(7);
    });
  });
});
