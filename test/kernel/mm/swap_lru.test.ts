/**
 * The LRU lists (mm/swap.c: folio_add_lru, folio_deactivate; include/linux/mm_inline.h:
 * folio_lru_list): where new folios go, and that a freed folio leaves its list.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  GFP_HIGHUSER_MOVABLE,
  folio_alloc,
  folio_clear_active,
  folio_put,
  folio_set_active,
  folio_test_active,
  folio_test_lru,
} from '../../../src/mm/index.js';
import { verify_free_lists } from '../../../src/mm/buddy_check.js';
import type { PhysMem } from '../../../src/mm/physmem.js';
import { MADV_COLD } from '../../../src/kernel/include/mman.js';
import { do_madvise } from '../../../src/kernel/mm/madvise.js';
import {
  folio_isolate_lru as migrate_isolate_lru,
  isolate_folio_to_list,
  putback_movable_pages,
} from '../../../src/kernel/mm/migrate.js';
import {
  LRU_ACTIVE_ANON,
  LRU_INACTIVE_ANON,
  NR_LRU_LISTS,
  folio_deactivate,
  folio_lru_list,
  lru_add_folio,
  lru_folios,
  lruvec_add_folio,
  lruvec_lru_size,
} from '../../../src/kernel/mm/swap_lru.js';
import { folio_isolate_lru } from '../../../src/kernel/mm/vmscan.js';
import { PAGE, boot, mmapAnon, munmap, pfnOf, runTask, store } from './helpers.js';

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

describe('LRU lists: order and isolation', () => {
  it('lruvec_add_folio of a folio already on a list moves it to the newest end; the others keep their order (list_move)', () => {
    runTask(function* (w, t) {
      const a = yield* mmapAnon(w, t, 3 * PAGE);
      yield* store(w, t, a, 3 * PAGE, 1);
      const [f0, f1, f2] = [0, 1, 2].map((i) => pfnOf(w, w.mm, a + i * PAGE));
      expect(lru_folios(w.k, LRU_INACTIVE_ANON)).toEqual([f0, f1, f2]);
      lruvec_add_folio(w.k, f0!);
      expect(lru_folios(w.k, LRU_INACTIVE_ANON)).toEqual([f1, f2, f0]);
      lruvec_add_folio(w.k, f2!);
      expect(lru_folios(w.k, LRU_INACTIVE_ANON)).toEqual([f1, f0, f2]);
    });
  });

  it('folio_isolate_lru takes the folio off its list; putback_movable_pages puts it at the newest end (mm/vmscan.c: folio_isolate_lru)', () => {
    expect(migrate_isolate_lru).toBe(folio_isolate_lru);
    runTask(function* (w, t) {
      const a = yield* mmapAnon(w, t, 3 * PAGE);
      yield* store(w, t, a, 3 * PAGE, 1);
      const [f0, f1, f2] = [0, 1, 2].map((i) => pfnOf(w, w.mm, a + i * PAGE));
      const list: number[] = [];
      expect(isolate_folio_to_list(w.k, f1!, list)).toBe(true);
      expect(folio_test_lru(w.k.mem, f1!)).toBe(false);
      expect(lru_folios(w.k, LRU_INACTIVE_ANON)).toEqual([f0, f2]);
      expect(isolate_folio_to_list(w.k, f1!, list)).toBe(false);
      putback_movable_pages(w.k, list);
      expect(lru_folios(w.k, LRU_INACTIVE_ANON)).toEqual([f0, f2, f1]);
    });
  });

  it('the intrusive lists match a reference list model under adds, moves, flag changes, isolation and frees', () => {
    type Op = readonly [number, number];
    const ops = fc.array(fc.tuple(fc.nat(8), fc.nat(7)), { maxLength: 80 });
    fc.assert(
      fc.property(ops, (seq: Op[]) => {
        const w = boot();
        const mem = w.k.mem;
        const ref = new ReferenceLru();
        const slots: number[] = new Array<number>(8).fill(-1);
        for (const [op, s] of seq) {
          const f = slots[s]!;
          if (f < 0) {
            slots[s] = folio_alloc(mem, GFP_HIGHUSER_MOVABLE, 0);
            continue;
          }
          switch (op) {
            case 0: {
              const was = folio_test_lru(mem, f);
              lru_add_folio(w.k, f);
              if (!was) ref.add(f, folio_lru_list(mem, f));
              break;
            }
            case 1:
              if (folio_test_lru(mem, f)) {
                lruvec_add_folio(w.k, f);
                ref.add(f, folio_lru_list(mem, f));
              }
              break;
            case 2:
              folio_set_active(mem, f);
              break;
            case 3:
              folio_clear_active(mem, f);
              break;
            case 4: {
              const moves = folio_test_lru(mem, f) && folio_test_active(mem, f);
              folio_deactivate(w.k, f);
              if (moves) ref.add(f, folio_lru_list(mem, f));
              break;
            }
            case 5: {
              const listed = ref.where.has(f);
              if (folio_isolate_lru(w.k, f)) {
                ref.del(f);
                folio_put(mem, f);
              }
              if (listed) expect(offEveryList(mem, f)).toBe(true);
              break;
            }
            case 6: {
              // free it, then let a large folio take its frame: page[1] reuses the lru words
              // (page_cache_release clears PG_active of an LRU folio; off the LRU it must be clear)
              if (folio_test_lru(mem, f)) ref.del(f);
              else folio_clear_active(mem, f);
              folio_put(mem, f);
              slots[s] = -1;
              const big = folio_alloc(mem, GFP_HIGHUSER_MOVABLE, 3);
              if (big >= 0) folio_put(mem, big);
              break;
            }
            default:
              for (let lru = 0; lru < NR_LRU_LISTS; lru++)
                expect(lruvec_lru_size(w.k, lru)).toBe(ref.folios(mem, lru).length);
          }
          // a free frame's lru words link the buddy free lists: a stale LRU link would break them
          expect(verify_free_lists(mem)).toBeNull();
          for (let lru = 0; lru < NR_LRU_LISTS; lru++)
            expect(lru_folios(w.k, lru)).toEqual(ref.folios(mem, lru));
        }
      }),
      { numRuns: 150 },
    );
  });
});

/**
 * A folio taken off its list has clear lru words (they are the buddy free list's links once the
 * frame is free, and page[1]'s _large_mapcount and _nr_pages_mapped in a large folio).
 */
function offEveryList(mem: PhysMem, folio: number): boolean {
  return mem.lru_next[folio] === 0 && mem.lru_prev[folio] === 0;
}

/** The lists as plain arrays with the semantics swap_lru.ts keeps: the slow, obvious model. */
class ReferenceLru {
  readonly lists: number[][] = Array.from({ length: NR_LRU_LISTS }, () => []);
  readonly where = new Map<number, number>();

  del(folio: number): void {
    const lru = this.where.get(folio);
    if (lru === undefined) return;
    const list = this.lists[lru]!;
    list.splice(list.indexOf(folio), 1);
    this.where.delete(folio);
  }

  add(folio: number, lru: number): void {
    this.del(folio);
    this.lists[lru]!.push(folio);
    this.where.set(folio, lru);
  }

  folios(mem: PhysMem, lru: number): number[] {
    const out: number[] = [];
    for (const folio of [...this.lists[lru]!]) {
      if (folio_test_lru(mem, folio) && folio_lru_list(mem, folio) === lru) out.push(folio);
      else this.del(folio);
    }
    return out;
  }
}
