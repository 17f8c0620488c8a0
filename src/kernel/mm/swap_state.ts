/**
 * The swap cache and swap-in: mm/swap_state.c (v6.18) swap_cache_add_folio,
 * __swap_cache_del_folio, swap_cache_del_folio, swap_cache_get_folio, swapin_readahead (with
 * swap_cache_alloc_folio and swap_read_folio), and the two mm/swapfile.c functions that move a
 * folio in and out of the cache: folio_alloc_swap and folio_free_swap (kept here so that the
 * imports point one way, swap_state -> swapfile).
 *
 * A folio in the swap cache has PG_swapcache, folio->swap (the memmap's private word) holds its
 * entry, and the cache holds one reference per page. Installing the layer (swap_layer_install,
 * done the first time a slot is allocated) gives the fault, fork and zap code of swap.ts its
 * hooks.
 * @fidelity simplified: order-0 folios only, no readahead window (one page is read), no
 * shadow entries or workingset refault detection, no zswap, no SWP_SYNCHRONOUS_IO bypass of the
 * cache on swap-in; the device is synchronous (swapfile.ts)
 */
import { folio_nr_pages, folio_ref_add, folio_ref_sub, folio_try_get } from '../../mm/folio.js';
import { folio_mapped } from '../../mm/mapcount.js';
import { folio_put } from '../../mm/page_free.js';
import {
  PG_locked,
  folio_clear_swapcache,
  folio_mark_uptodate,
  folio_set_dirty,
  folio_set_swapbacked,
  folio_set_swapcache,
  folio_test_swapcache,
  folio_test_writeback,
} from '../../mm/page_flags.js';
import { swp_offset } from '../../mm/swapops.js';
import type { Sched } from '../../sim/thread.js';
import { ENOMEM } from '../include/errno.js';
import type { Kernel } from '../kernel.js';
import { folio_prealloc } from './internal.js';
import { mmState } from './mm_state.js';
import type { vm_fault } from './mm_types.js';
import { mm_solo } from './solo.js';
import type { swap_ops } from './swap.js';
import { lru_add_folio } from './swap_lru.js';
import './vmscan_trace.js';
import {
  __swap_count,
  swap_alloc_slot,
  swap_duplicate,
  swap_free_nr,
  swap_info,
  swap_read_folio_data,
  swap_slot,
  swap_slot_release,
} from './swapfile.js';

/** mm/swap_state.c: swap_cache_add_folio(folio, entry, shadowp): the cache takes nr references. @fidelity simplified */
export function swap_cache_add_folio(k: Kernel, folio: number, entry: number): void {
  const si = swap_info(k)!;
  const nr = folio_nr_pages(k.mem, folio);
  folio_ref_add(k.mem, folio, nr);
  folio_set_swapcache(k.mem, folio);
  k.mem.priv[folio] = entry;
  for (let i = 0; i < nr; i++) {
    si.cache.set(swp_offset(entry) + i, folio);
    si.has_cache[swp_offset(entry) + i] = 1;
  }
}

/**
 * mm/swap_state.c: __swap_cache_del_folio(ci, folio, entry, shadow): take the folio out of the
 * cache without dropping the cache's references (__remove_mapping has frozen them); slots no
 * PTE refers to are freed.
 * @fidelity simplified
 */
export function __swap_cache_del_folio(k: Kernel, folio: number): void {
  const si = swap_info(k)!;
  const entry = k.mem.priv[folio];
  const nr = folio_nr_pages(k.mem, folio);
  for (let i = 0; i < nr; i++) {
    const off = swp_offset(entry) + i;
    si.cache.delete(off);
    si.has_cache[off] = 0;
    swap_slot_release(k, off);
  }
  folio_clear_swapcache(k.mem, folio);
  k.mem.priv[folio] = 0;
}

/** mm/swap_state.c: swap_cache_del_folio(folio): leave the cache and drop its references. @fidelity exact */
export function swap_cache_del_folio(k: Kernel, folio: number): void {
  const nr = folio_nr_pages(k.mem, folio);
  __swap_cache_del_folio(k, folio);
  folio_ref_sub(k.mem, folio, nr);
}

/**
 * mm/swapfile.c: folio_alloc_swap(folio): allocate a slot and add the (locked, order-0) folio
 * to the swap cache; 0, or -ENOMEM when there is no free slot (no swap, or swap full).
 * @fidelity simplified (order 0 only: large folios are refused with -ENOMEM)
 */
export function folio_alloc_swap(k: Kernel, folio: number): number {
  if (folio_nr_pages(k.mem, folio) !== 1) return -ENOMEM;
  const entry = swap_alloc_slot(k);
  if (entry === 0) return -ENOMEM;
  swap_layer_install(k);
  swap_cache_add_folio(k, folio, entry);
  return 0;
}

/** mm/swapfile.c: folio_swapped(folio): a PTE still refers to the folio's slot. @fidelity simplified */
export function folio_swapped(k: Kernel, folio: number): boolean {
  return __swap_count(k, k.mem.priv[folio]) > 0;
}

/**
 * mm/swapfile.c: folio_free_swap(folio): if no PTE refers to the (locked) folio's slot any
 * more, leave the swap cache and free the slot; the folio becomes dirty (its only copy is in
 * memory again). True when it left the cache.
 * @fidelity exact
 */
export function folio_free_swap(k: Kernel, folio: number): boolean {
  if (!folio_test_swapcache(k.mem, folio)) return false;
  if (folio_test_writeback(k.mem, folio)) return false;
  if (folio_swapped(k, folio)) return false;
  swap_cache_del_folio(k, folio);
  folio_set_dirty(k.mem, folio);
  return true;
}

/**
 * mm/swap_state.c: swap_cache_get_folio(entry): the cached folio with a reference, or -1.
 * @fidelity exact
 */
export function swap_cache_get_folio(k: Kernel, entry: number): number {
  const off = swap_slot(k, entry);
  if (off === null) return -1;
  const folio = swap_info(k)!.cache.get(off);
  if (folio === undefined || !folio_try_get(k.mem, folio)) return -1;
  return folio;
}

/**
 * mm/swap_state.c: swapin_readahead(entry, gfp, vmf) for one page: swap_cache_alloc_folio
 * (a new folio, swap-backed, in the swap cache and on the LRU) and swap_read_folio. Returns the
 * folio with the caller's reference, or -1 (no memory, or the slot was freed meanwhile). The
 * read is synchronous, so the folio is uptodate and unlocked when it becomes visible.
 * @fidelity simplified (see the file comment)
 */
export function* swapin_readahead(k: Kernel, entry: number, _vmf: vm_fault): Sched<number> {
  if (!mm_solo(k.m)) yield k.m.point('swapin_readahead');
  const cached = swap_cache_get_folio(k, entry);
  if (cached >= 0) return cached;
  const off = swap_slot(k, entry);
  if (off === null || swap_info(k)!.swap_map[off] === 0) return -1;
  const folio = folio_prealloc(k, false);
  if (folio < 0) return -1;
  folio_set_swapbacked(k.mem, folio);
  swap_cache_add_folio(k, folio, entry);
  lru_add_folio(k, folio);
  swap_read_folio_data(k, folio, entry);
  folio_mark_uptodate(k.mem, folio);
  if (k.m.trace.enabled) {
    k.m.emit('mm.swap', { action: 'swap-in', entry, folio }, 'mm/swap_state.c: swapin_readahead');
  }
  return folio;
}

/**
 * mm/swap_state.c: free_swap_cache(folio): an unmapped swap-cache folio whose slot nobody
 * refers to leaves the cache (the mmu_gather's free_pages_and_swap_cache, before it drops its
 * references). The trylock and unlock happen within the caller's step.
 * @fidelity exact
 */
export function free_swap_cache(k: Kernel, folio: number): void {
  const m = k.mem;
  if (!folio_test_swapcache(m, folio) || folio_mapped(m, folio)) return;
  if ((m.flags[folio] & (1 << PG_locked)) !== 0) return;
  mmState(k).swap?.folio_free_swap(folio); // the installed layer (a test may install its own)
}

/**
 * mm/swapfile.c: free_swap_and_cache_nr(entry, nr): the zap of swap PTEs; a slot left with
 * only the swap cache's folio, unmapped and unlocked, has the folio leave the cache
 * (__try_to_reclaim_swap with TTRS_UNMAPPED). do_swap_page's swap_free_nr comes here too: its
 * folio is locked then, so nothing more happens.
 * @fidelity simplified
 */
export function free_swap_and_cache_nr(k: Kernel, entry: number, nr: number): void {
  swap_free_nr(k, entry, nr);
  for (let i = 0; i < nr; i++) {
    if (__swap_count(k, entry + i) > 0) continue;
    const off = swap_slot(k, entry + i);
    const folio = off === null ? undefined : swap_info(k)!.cache.get(off);
    if (folio === undefined || !folio_try_get(k.mem, folio)) continue;
    free_swap_cache(k, folio);
    folio_put(k.mem, folio);
  }
}

/** The swap layer's hooks for swap.ts. @fidelity custom */
function swap_layer(k: Kernel): swap_ops {
  return {
    swap_cache_get_folio: (entry) => swap_cache_get_folio(k, entry),
    swapin_readahead: (entry, vmf) => swapin_readahead(k, entry, vmf),
    swap_free_nr: (entry, nr) => free_swap_and_cache_nr(k, entry, nr),
    swap_duplicate: (entry) => swap_duplicate(k, entry),
    folio_free_swap: (folio) => folio_free_swap(k, folio),
    swap_count: (entry) => __swap_count(k, entry),
  };
}

/** Install the swap layer's hooks (once; a layer a test installed is kept). @fidelity custom */
export function swap_layer_install(k: Kernel): void {
  const st = mmState(k);
  if (st.swap === null) st.swap = swap_layer(k);
}
