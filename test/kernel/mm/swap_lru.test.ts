/**
 * The LRU lists (mm/swap.c: folio_add_lru, folio_deactivate; include/linux/mm_inline.h:
 * folio_lru_list): where new folios go, and that a freed folio leaves its list.
 */
import { describe, expect, it } from 'vitest';
import { folio_set_active, folio_test_active } from '../../../src/mm/index.js';
import { MADV_COLD } from '../../../src/kernel/include/mman.js';
import { do_madvise } from '../../../src/kernel/mm/madvise.js';
import {
  LRU_ACTIVE_ANON,
  LRU_INACTIVE_ANON,
  lru_folios,
  lruvec_add_folio,
} from '../../../src/kernel/mm/swap_lru.js';
import { PAGE, mmapAnon, munmap, pfnOf, runTask, store } from './helpers.js';

describe('LRU lists', () => {
  it('an anonymous fault puts the new folio at the newest end of the inactive anon list (folio_add_lru)', () => {
    runTask(function* (w, t) {
      const a = yield* mmapAnon(w, t, 2 * PAGE);
      yield* store(w, t, a, PAGE, 1);
      yield* store(w, t, a + PAGE, PAGE, 2);
      const first = pfnOf(w, w.mm, a);
      const second = pfnOf(w, w.mm, a + PAGE);
      expect(lru_folios(w.k, LRU_INACTIVE_ANON)).toEqual([first, second]);
    });
  });

  it('freeing a folio takes it off its list (page_cache_release -> lruvec_del_folio)', () => {
    runTask(function* (w, t) {
      const a = yield* mmapAnon(w, t, PAGE);
      yield* store(w, t, a, PAGE, 1);
      expect(lru_folios(w.k, LRU_INACTIVE_ANON)).toHaveLength(1);
      expect(yield* munmap(w, t, a, PAGE)).toBe(0);
      expect(lru_folios(w.k, LRU_INACTIVE_ANON)).toEqual([]);
    });
  });

  it('MADV_COLD moves an active folio to the inactive list (folio_deactivate)', () => {
    runTask(function* (w, t) {
      const a = yield* mmapAnon(w, t, PAGE);
      yield* store(w, t, a, PAGE, 1);
      const folio = pfnOf(w, w.mm, a);
      folio_set_active(w.k.mem, folio);
      lruvec_add_folio(w.k, folio);
      expect(lru_folios(w.k, LRU_ACTIVE_ANON)).toEqual([folio]);
      expect(yield* do_madvise(w.k, w.mm, a, PAGE, MADV_COLD)).toBe(0);
      expect(folio_test_active(w.k.mem, folio)).toBe(false);
      expect(lru_folios(w.k, LRU_INACTIVE_ANON)).toEqual([folio]);
    });
  });
});
