/**
 * Page reclaim: mm/vmscan.c (v6.18) shrink_folio_list with folio_check_references, pageout and
 * __remove_mapping; isolate_lru_folios / move_folios_to_lru, shrink_active_list,
 * shrink_inactive_list and shrink_lruvec; reclaim_pages (MADV_PAGEOUT's door).
 *
 * The rules for pinned folios, as the kernel applies them:
 * - an anon folio that may be DMA-pinned gets no swap slot (keep, before folio_alloc_swap);
 * - try_to_unmap cannot clear PageAnonExclusive of a maybe-pinned page
 *   (folio_try_share_anon_rmap_pte): the PTE is restored and the folio activated;
 * - once unmapped, a maybe-pinned folio is activated, never written back or freed (its file
 *   system private data stays);
 * - a folio with an ordinary extra reference (FOLL_GET) is unmapped and stays in the swap cache:
 *   pageout refuses it (refcount is not 1 + nr) and __remove_mapping cannot freeze the refcount;
 *   the swap PTEs remember PageAnonExclusive, so swap-in reuses the same page.
 * Dirty file folios are not written from reclaim (v6.17+: pageout only writes shmem and swap);
 * they get PG_reclaim and go back to the active list for the flusher to clean.
 * @fidelity simplified: one node and lruvec, no memcg, no MGLRU, no demotion, no lazyfree
 * (MADV_FREE) folios, no THP swap-out (large anon folios are activated instead of split),
 * no shmem swap-out (shmem folios are activated), no writeback throttling; each list of a
 * pass is isolated in one step
 */
import {
  PageAnonExclusive,
  __folio_put,
  folio_nr_pages,
  folio_order,
  folio_ref_count,
  folio_ref_dec_and_test,
  folio_ref_freeze,
  folio_ref_unfreeze,
  folio_get,
} from '../../mm/index.js';
import { folio_mapped, folio_maybe_dma_pinned } from '../../mm/mapcount.js';
import {
  folio_clear_active,
  folio_clear_dirty,
  folio_clear_lru,
  folio_clear_reclaim,
  folio_clear_referenced,
  folio_set_active,
  folio_set_lru,
  folio_set_reclaim,
  folio_set_referenced,
  folio_set_workingset,
  folio_test_anon,
  folio_test_dirty,
  folio_test_lru,
  folio_test_mlocked,
  folio_test_referenced,
  folio_test_swapbacked,
  folio_test_swapcache,
  folio_test_unevictable,
  folio_test_writeback,
} from '../../mm/page_flags.js';
import { Access } from '../../sim/footprint.js';
import type { Sched } from '../../sim/thread.js';
import { swp_offset } from '../../mm/swapops.js';
import { VM_EXEC, VM_LOCKED } from '../include/vm_flags.js';
import type { Kernel } from '../kernel.js';
import { folioObj, mappingObj, swapObj } from '../objects.js';
import { folio_mark_dirty, folio_trylock, folio_unlock } from './filemap.js';
import { count_vm_event } from './mm_state.js';
import { __filemap_remove_folio } from './pagecache_batch.js';
import { folio_file_mapping, type fs_address_space } from './pagecache.js';
import { TTU_SPLIT_HUGE_PMD, folio_referenced, rmap_walk, try_to_unmap } from './rmap_walk.js';
import { mm_solo } from './solo.js';
import {
  LRU_INACTIVE_ANON,
  LRU_INACTIVE_FILE,
  folio_is_file_lru,
  lru_folios,
  lruvec_add_folio,
  lruvec_del_folio,
  lruvec_lru_size,
} from './swap_lru.js';
import { __swap_cache_del_folio, folio_alloc_swap, folio_free_swap } from './swap_state.js';
import { get_nr_swap_pages, swap_write_folio, vm_swap_full } from './swapfile.js';
import { filemap_release_folio, folio_needs_release } from './truncate.js';
import './vmscan_trace.js';

/** mm/vmscan.c: struct scan_control (the fields the model uses). @fidelity simplified */
export interface scan_control {
  nr_to_reclaim: number;
  nr_reclaimed: number;
  nr_scanned: number;
  may_writepage: boolean;
  may_unmap: boolean;
  may_swap: boolean;
}

/** A scan_control for proactive reclaim of `nr_to_reclaim` pages. @fidelity custom */
export function reclaim_control(nr_to_reclaim: number): scan_control {
  return {
    nr_to_reclaim,
    nr_reclaimed: 0,
    nr_scanned: 0,
    may_writepage: true,
    may_unmap: true,
    may_swap: true,
  };
}

/** mm/vmscan.c: enum folio_references. @fidelity exact */
const FOLIOREF_RECLAIM = 0;
const FOLIOREF_RECLAIM_CLEAN = 1;
const FOLIOREF_KEEP = 2;
const FOLIOREF_ACTIVATE = 3;

/** mm/vmscan.c: pageout_t. @fidelity exact */
const PAGE_KEEP = 0;
const PAGE_ACTIVATE = 1;
const PAGE_SUCCESS = 2;
const PAGE_CLEAN = 3;

/** Where shrink_folio_list sends a folio (its labels), and why. */
type Verdict = { to: 'free' | 'gone' | 'activate' | 'keep_locked' | 'keep'; why: string };

function say(k: Kernel, folio: number, action: string, reason: string): void {
  if (k.m.trace.enabled)
    k.m.emit('mm.reclaim', { folio, action, reason }, 'mm/vmscan.c: shrink_folio_list');
}

/** include/linux/swap.h: folio_evictable(folio). @fidelity simplified (no unevictable mappings) */
function folio_evictable(k: Kernel, folio: number): boolean {
  return !folio_test_unevictable(k.mem, folio) && !folio_test_mlocked(k.mem, folio);
}

/**
 * mm/vmscan.c: folio_check_references(folio, sc): young PTEs (cleared by folio_referenced) and
 * PG_referenced decide whether an inactive folio is reclaimed, kept for another round or
 * activated.
 * @fidelity simplified (the VM_EXEC test looks at every mapping VMA, young or not)
 */
function* folio_check_references(k: Kernel, folio: number): Sched<number> {
  const m = k.mem;
  let vm_flags = 0;
  rmap_walk(k, folio, (vma) => {
    vm_flags |= vma.vm_flags;
    return true;
  });
  const referenced_ptes = yield* folio_referenced(k, folio);
  const referenced_folio = folio_test_referenced(m, folio);
  folio_clear_referenced(m, folio);
  if ((vm_flags & VM_LOCKED) !== 0) return FOLIOREF_ACTIVATE;
  if (referenced_ptes > 0) {
    folio_set_referenced(m, folio);
    if (referenced_folio || referenced_ptes > 1) return FOLIOREF_ACTIVATE;
    if ((vm_flags & VM_EXEC) !== 0 && folio_is_file_lru(m, folio)) return FOLIOREF_ACTIVATE;
    return FOLIOREF_KEEP;
  }
  if (referenced_folio && folio_is_file_lru(m, folio)) return FOLIOREF_RECLAIM_CLEAN;
  return FOLIOREF_RECLAIM;
}

/**
 * mm/page_io.c: swap_writeout(folio, plug): a folio whose slot no PTE refers to any more just
 * leaves the swap cache; otherwise its data goes to the slot (synchronously). Unlocks the folio.
 * @fidelity simplified (no zswap, synchronous device)
 */
function* swap_writeout(k: Kernel, folio: number): Sched<void> {
  if (!folio_free_swap(k, folio)) {
    const entry = k.mem.priv[folio];
    swap_write_folio(k, folio, entry, folio_nr_pages(k.mem, folio));
    if (k.m.trace.enabled)
      k.m.emit('mm.swap', { action: 'swap-out', entry, folio }, 'mm/page_io.c: __swap_writepage');
  }
  yield* folio_unlock(k, folio);
}

/**
 * mm/vmscan.c: pageout(folio, mapping, plug, folio_list) with writeout: write a dirty,
 * unmapped folio to its swap slot. Only swap-cache folios are written from reclaim here
 * (file folios: PAGE_ACTIVATE, the flusher writes them; shmem: not modelled).
 * @fidelity simplified
 */
function* pageout(k: Kernel, folio: number, swap: boolean): Sched<[number, string]> {
  const m = k.mem;
  const nr = folio_nr_pages(m, folio);
  const ref = folio_ref_count(m, folio);
  if (ref !== 1 + nr)
    return [PAGE_KEEP, `refcount ${ref} is not 1 + ${nr}: someone else holds a reference`];
  if (!swap) return [PAGE_ACTIVATE, 'not a swap-cache folio: reclaim does not write it'];
  if (!folio_test_dirty(m, folio)) return [PAGE_CLEAN, 'clean'];
  folio_clear_dirty_for_swap(k, folio);
  folio_set_reclaim(m, folio);
  if (!mm_solo(k.m)) {
    yield k.m
      .at('swap_writeout', folioObj(folio), Access.Write)
      .also(swapObj(swp_offset(m.priv[folio])), Access.Write);
  }
  yield* swap_writeout(k, folio);
  if (!folio_test_writeback(m, folio)) folio_clear_reclaim(m, folio);
  return [PAGE_SUCCESS, 'written to its swap slot'];
}

/**
 * mm/page-writeback.c: folio_clear_dirty_for_io for an unmapped swap-cache folio: no shared
 * mapping to clean (folio_mkclean skips anon VMAs), so only PG_dirty is cleared.
 * @fidelity simplified
 */
function folio_clear_dirty_for_swap(k: Kernel, folio: number): void {
  folio_clear_dirty(k.mem, folio);
}

/**
 * mm/vmscan.c: __remove_mapping(mapping, folio, reclaimed, memcg): take a locked, unmapped
 * folio out of the swap cache or page cache if nobody else holds a reference: the refcount must
 * freeze at 1 (the isolation's) + nr (the cache's), and the folio must still be clean. Returns
 * null on success (the refcount is left at 0), else why not.
 * @fidelity simplified (no shadow entries)
 */
function* __remove_mapping(
  k: Kernel,
  folio: number,
  file: fs_address_space | null,
): Sched<string | null> {
  const m = k.mem;
  const nr = folio_nr_pages(m, folio);
  if (!mm_solo(k.m)) {
    const at = k.m.at('__remove_mapping', folioObj(folio), Access.Write);
    yield file === null
      ? at.also(swapObj(swp_offset(m.priv[folio])), Access.Write)
      : at.also(mappingObj(file.id), Access.Write);
  }
  const refcount = 1 + nr;
  const have = folio_ref_count(m, folio);
  if (!folio_ref_freeze(m, folio, refcount))
    return `refcount ${have} does not freeze at ${refcount} (isolation + cache): another reference is held`;
  if (folio_test_dirty(m, folio)) {
    folio_ref_unfreeze(m, folio, refcount);
    return 'redirtied';
  }
  if (file === null) __swap_cache_del_folio(k, folio);
  else __filemap_remove_folio(k, folio);
  return null;
}

/** The anon part of shrink_folio_list: give a swap-backed anon folio a swap slot. */
function* anon_to_swap(k: Kernel, folio: number): Sched<Verdict | null> {
  const m = k.mem;
  if (!folio_test_anon(m, folio)) {
    if (folio_test_swapbacked(m, folio))
      return { to: 'activate', why: 'shmem folio: shmem swap-out is not modelled' };
    return null;
  }
  if (folio_test_swapcache(m, folio)) return null;
  // reads the refcount and allocates from the swap device: a step that may touch anything
  if (!mm_solo(k.m)) yield k.m.point('folio_alloc_swap');
  if (folio_maybe_dma_pinned(m, folio))
    return {
      to: 'keep_locked',
      why: 'anon folio maybe DMA-pinned: no swap slot is allocated for it (folio_maybe_dma_pinned)',
    };
  if (folio_order(m, folio) > 0)
    return {
      to: 'activate',
      why: 'large anon folio: THP swap-out / split on reclaim not modelled',
    };
  if (folio_alloc_swap(k, folio) !== 0)
    return { to: 'activate', why: 'no free swap slot (folio_alloc_swap: -ENOMEM)' };
  say(k, folio, 'swap cache', `added to the swap cache as entry ${m.priv[folio]}`);
  folio_mark_dirty(k, folio);
  return null;
}

/** shrink_folio_list for one isolated folio: where it goes. */
function* shrink_one(
  k: Kernel,
  folio: number,
  sc: scan_control,
  ignore_references: boolean,
): Sched<Verdict> {
  const m = k.mem;
  if (!(yield* folio_trylock(k, folio)))
    return { to: 'keep', why: 'folio locked (trylock failed)' };
  sc.nr_scanned += folio_nr_pages(m, folio);
  if (!folio_evictable(k, folio)) return { to: 'activate', why: 'unevictable (mlocked)' };
  if (!sc.may_unmap && folio_mapped(m, folio)) return { to: 'keep_locked', why: 'mapped' };
  if (folio_test_writeback(m, folio)) {
    folio_set_reclaim(m, folio);
    return { to: 'activate', why: 'under writeback: marked PG_reclaim' };
  }
  const references = ignore_references ? FOLIOREF_RECLAIM : yield* folio_check_references(k, folio);
  if (references === FOLIOREF_ACTIVATE)
    return { to: 'activate', why: 'referenced more than once (folio_check_references)' };
  if (references === FOLIOREF_KEEP)
    return { to: 'keep_locked', why: 'young PTE: referenced once, kept for another round' };
  const swapVerdict = yield* anon_to_swap(k, folio);
  if (swapVerdict !== null) return swapVerdict;
  return yield* unmap_and_free(k, folio, sc, references);
}

function unmapped_why(k: Kernel, folio: number, exclusive: boolean): string {
  if (!folio_test_swapcache(k.mem, folio)) return 'try_to_unmap: its PTEs were cleared';
  const entry = k.mem.priv[folio];
  if (exclusive && k.m.quirk('swap-forgets-exclusive'))
    return `try_to_unmap: the PTE now holds swap entry ${entry}, NOT exclusive although the page was (quirk swap-forgets-exclusive: before v5.19)`;
  return exclusive
    ? `try_to_unmap: the PTE now holds swap entry ${entry}, exclusive (pte_swp_mkexclusive)`
    : `try_to_unmap: the PTEs now hold swap entry ${entry}, not exclusive (the page was shared)`;
}

/** The second half of shrink_folio_list: unmap, write out, release, remove from the cache. */
function* unmap_and_free(
  k: Kernel,
  folio: number,
  sc: scan_control,
  references: number,
): Sched<Verdict> {
  const m = k.mem;
  if (folio_mapped(m, folio)) {
    const flags = folio_order(m, folio) >= 9 ? TTU_SPLIT_HUGE_PMD : 0;
    const exclusive = folio_test_anon(m, folio) && PageAnonExclusive(m, folio);
    yield* try_to_unmap(k, folio, flags);
    if (folio_mapped(m, folio))
      return {
        to: 'activate',
        why: 'try_to_unmap left it mapped: a maybe-pinned exclusive page cannot become shared (folio_try_share_anon_rmap_pte)',
      };
    say(k, folio, 'unmapped', unmapped_why(k, folio, exclusive));
  }
  if (folio_maybe_dma_pinned(m, folio))
    return { to: 'activate', why: 'unmapped but maybe DMA-pinned: not written back or freed' };
  const swap = folio_test_swapcache(m, folio);
  const file = swap ? null : folio_file_mapping(k, folio);
  if (folio_test_dirty(m, folio)) {
    if (folio_is_file_lru(m, folio)) {
      folio_set_reclaim(m, folio);
      return { to: 'activate', why: 'dirty file folio: left to the flusher (PG_reclaim set)' };
    }
    if (references === FOLIOREF_RECLAIM_CLEAN) return { to: 'keep_locked', why: 'dirty' };
    if (!sc.may_writepage) return { to: 'keep_locked', why: 'may not write' };
    const [res, why] = yield* pageout(k, folio, swap);
    if (res === PAGE_KEEP) return { to: 'keep_locked', why: `pageout: ${why}` };
    if (res === PAGE_ACTIVATE) return { to: 'activate', why: `pageout: ${why}` };
    if (res === PAGE_SUCCESS) {
      if (folio_test_writeback(m, folio) || folio_test_dirty(m, folio))
        return { to: 'keep', why: 'written, still dirty or under writeback' };
      if (!(yield* folio_trylock(k, folio))) return { to: 'keep', why: 'locked after pageout' };
      if (folio_test_dirty(m, folio) || folio_test_writeback(m, folio))
        return { to: 'keep_locked', why: 'redirtied after pageout' };
    }
  }
  return yield* release_and_remove(k, folio, file);
}

/** shrink_folio_list's end: drop private data, then __remove_mapping. */
function* release_and_remove(
  k: Kernel,
  folio: number,
  file: fs_address_space | null,
): Sched<Verdict> {
  const m = k.mem;
  const swap = folio_test_swapcache(m, folio);
  if (folio_needs_release(k, folio)) {
    if (!filemap_release_folio(k, folio))
      return { to: 'activate', why: 'its private data could not be released' };
    if (!swap && file === null && folio_ref_count(m, folio) === 1) {
      yield* folio_unlock(k, folio);
      return folio_ref_dec_and_test(m, folio)
        ? { to: 'free', why: 'no mapping left' }
        : { to: 'gone', why: 'a speculative reference will free it' };
    }
  }
  if (!swap && file === null) return { to: 'keep_locked', why: 'no mapping' };
  const why = yield* __remove_mapping(k, folio, file);
  if (why !== null) {
    return {
      to: 'keep_locked',
      why: swap ? `stays in the swap cache: __remove_mapping: ${why}` : `__remove_mapping: ${why}`,
    };
  }
  yield* folio_unlock(k, folio);
  return { to: 'free', why: swap ? 'swapped out and freed' : 'dropped from the page cache' };
}

/**
 * mm/vmscan.c: shrink_folio_list(folio_list, pgdat, sc, stat, ignore_references, memcg): try
 * to reclaim each isolated folio; returns the pages reclaimed. Folios not reclaimed are left in
 * `folios` (activated or not) for the caller to put back.
 * @fidelity simplified (see the file comment)
 */
export function* shrink_folio_list(
  k: Kernel,
  folios: number[],
  sc: scan_control,
  ignore_references: boolean,
): Sched<number> {
  k.m.enter('mm/vmscan.c: shrink_folio_list');
  let nr_reclaimed = 0;
  const ret: number[] = [];
  for (const folio of folios) {
    const nr = folio_nr_pages(k.mem, folio);
    const v = yield* shrink_one(k, folio, sc, ignore_references);
    if (v.to === 'activate') {
      if (
        folio_test_swapcache(k.mem, folio) &&
        (vm_swap_full(k) || folio_test_mlocked(k.mem, folio))
      )
        folio_free_swap(k, folio);
      if (!folio_test_mlocked(k.mem, folio)) {
        folio_set_active(k.mem, folio);
        count_vm_event(k, 'PGACTIVATE');
      }
    }
    if (v.to === 'activate' || v.to === 'keep_locked') yield* folio_unlock(k, folio);
    say(k, folio, v.to === 'free' || v.to === 'gone' ? 'reclaimed' : v.to, v.why);
    if (v.to === 'free') __folio_put(k.mem, folio);
    if (v.to === 'free' || v.to === 'gone') nr_reclaimed += nr;
    else ret.push(folio);
  }
  folios.length = 0;
  folios.push(...ret);
  count_vm_event(k, 'PGSTEAL', nr_reclaimed);
  k.m.leave();
  return nr_reclaimed;
}

/**
 * mm/vmscan.c: folio_isolate_lru(folio): clear PG_lru, take a reference and take the folio off
 * its LRU list (lruvec_del_folio); false if PG_lru was clear. The caller holds a reference
 * (VM_BUG_ON_FOLIO on a zero count); NR_ISOLATED_* is the caller's to count.
 * @fidelity simplified: one lruvec; the lru_lock is not a step (the lists are not a declared
 * object)
 */
export function folio_isolate_lru(k: Kernel, folio: number): boolean {
  const m = k.mem;
  if (!folio_test_lru(m, folio)) return false;
  if (folio_ref_count(m, folio) === 0)
    throw new Error(`VM_BUG_ON_FOLIO: folio_isolate_lru of folio ${folio} with no reference`);
  folio_clear_lru(m, folio);
  folio_get(m, folio);
  lruvec_del_folio(k, folio);
  return true;
}

/** mm/vmscan.c: isolate_lru_folios(nr_to_scan, lruvec, dst, ...): from the oldest end. @fidelity simplified */
function isolate_lru_folios(k: Kernel, nr_to_scan: number, lru: number): number[] {
  const out: number[] = [];
  let scanned = 0;
  for (const folio of lru_folios(k, lru)) {
    if (scanned >= nr_to_scan) break;
    scanned += folio_nr_pages(k.mem, folio);
    if (folio_ref_count(k.mem, folio) === 0) continue; // being freed
    if (folio_isolate_lru(k, folio)) out.push(folio);
  }
  return out;
}

/**
 * mm/vmscan.c: move_folios_to_lru(lruvec, list): put isolated folios back on their lists and drop
 * the isolation reference (freeing a folio whose last reference that was).
 * @fidelity simplified
 */
export function move_folios_to_lru(k: Kernel, folios: readonly number[]): void {
  const m = k.mem;
  for (const folio of folios) {
    folio_set_lru(m, folio);
    if (folio_ref_dec_and_test(m, folio)) {
      __folio_put(m, folio);
      continue;
    }
    lruvec_add_folio(k, folio);
  }
}

/** The engine step that takes the lru_lock: a point (the LRU lists are not a declared object). */
function* lru_lock_step(k: Kernel, label: string): Sched<void> {
  if (!mm_solo(k.m)) yield k.m.point(label);
}

/**
 * mm/vmscan.c: shrink_active_list(nr_to_scan, lruvec, sc, lru): age active folios; referenced
 * executable file folios stay active, the rest move to the inactive list.
 * @fidelity simplified
 */
function* shrink_active_list(k: Kernel, nr_to_scan: number, lru: number): Sched<void> {
  yield* lru_lock_step(k, 'shrink_active_list');
  const hold = isolate_lru_folios(k, nr_to_scan, lru);
  for (const folio of hold) {
    let exec = false;
    rmap_walk(k, folio, (vma) => {
      exec ||= (vma.vm_flags & VM_EXEC) !== 0;
      return true;
    });
    const referenced = (yield* folio_referenced(k, folio)) > 0;
    if (referenced && exec && folio_is_file_lru(k.mem, folio)) continue;
    folio_clear_active(k.mem, folio);
    folio_set_workingset(k.mem, folio);
    count_vm_event(k, 'PGDEACTIVATE');
  }
  if (hold.length > 0) yield* lru_lock_step(k, 'move_folios_to_lru');
  move_folios_to_lru(k, hold);
}

/** mm/vmscan.c: shrink_inactive_list(nr_to_scan, lruvec, sc, lru). @fidelity simplified */
function* shrink_inactive_lists(
  k: Kernel,
  lrus: readonly number[],
  sc: scan_control,
): Sched<number> {
  yield* lru_lock_step(k, 'isolate_lru_folios');
  const list: number[] = [];
  for (const lru of lrus) list.push(...isolate_lru_folios(k, lruvec_lru_size(k, lru), lru));
  if (list.length === 0) return 0;
  const nr = yield* shrink_folio_list(k, list, sc, false);
  yield* lru_lock_step(k, 'move_folios_to_lru');
  move_folios_to_lru(k, list);
  return nr;
}

/** mm/vmscan.c: inactive_is_low(lruvec, inactive_lru) with inactive_ratio 1 (small memory). @fidelity simplified */
function inactive_is_low(k: Kernel, inactive_lru: number): boolean {
  return lruvec_lru_size(k, inactive_lru) < lruvec_lru_size(k, inactive_lru + 1);
}

/**
 * mm/vmscan.c: shrink_lruvec(lruvec, sc) at priority 0 (every folio of the lists is scanned):
 * the inactive lists are shrunk (anon only when a swap slot is free: get_scan_count), then
 * the active lists are aged when the inactive ones are low. Returns the pages reclaimed.
 * @fidelity simplified (no scan balancing by swappiness or cost, no priorities)
 */
export function* shrink_lruvec(k: Kernel, sc: scan_control): Sched<number> {
  k.m.enter('mm/vmscan.c: shrink_lruvec');
  const anon = sc.may_swap && get_nr_swap_pages(k) > 0;
  const lrus = anon ? [LRU_INACTIVE_ANON, LRU_INACTIVE_FILE] : [LRU_INACTIVE_FILE];
  const nr = yield* shrink_inactive_lists(k, lrus, sc);
  sc.nr_reclaimed += nr;
  for (const inactive of anon ? [LRU_INACTIVE_ANON, LRU_INACTIVE_FILE] : [LRU_INACTIVE_FILE]) {
    if (inactive_is_low(k, inactive))
      yield* shrink_active_list(k, lruvec_lru_size(k, inactive + 1), inactive + 1);
  }
  k.m.leave();
  return nr;
}

/** Full passes of shrink_lruvec a reclaim request runs at most. @fidelity custom */
export const RECLAIM_PASSES = 3;

/**
 * mm/vmscan.c: user_proactive_reclaim / try_to_free_pages reduced to what a scenario needs:
 * run up to RECLAIM_PASSES passes of shrink_lruvec until `nr_to_reclaim` pages are reclaimed.
 * Two passes reclaim an unpinned, untouched anon page: the first clears its young PTE (kept
 * for another round), the second swaps it out. Returns the pages reclaimed.
 * @fidelity simplified (no priority loop, no retries, no shrinkers, no kswapd)
 */
export function* try_to_free_pages(k: Kernel, nr_to_reclaim: number): Sched<number> {
  k.m.enter('mm/vmscan.c: try_to_free_pages');
  const sc = reclaim_control(nr_to_reclaim);
  for (let pass = 0; pass < RECLAIM_PASSES && sc.nr_reclaimed < sc.nr_to_reclaim; pass++) {
    yield* shrink_lruvec(k, sc);
  }
  k.m.leave();
  return sc.nr_reclaimed;
}

/**
 * mm/vmscan.c: reclaim_pages(folio_list) with reclaim_folio_list: shrink isolated folios
 * ignoring references (MADV_PAGEOUT), then put back what stays. Returns the pages reclaimed.
 * @fidelity exact
 */
export function* reclaim_pages(k: Kernel, folios: number[]): Sched<number> {
  if (folios.length === 0) return 0;
  k.m.enter('mm/vmscan.c: reclaim_pages');
  const sc = reclaim_control(Infinity);
  sc.may_swap = true;
  for (const folio of folios) folio_clear_active(k.mem, folio);
  const nr = yield* shrink_folio_list(k, folios, sc, true);
  yield* lru_lock_step(k, 'folio_putback_lru');
  move_folios_to_lru(k, folios);
  k.m.leave();
  return nr;
}
