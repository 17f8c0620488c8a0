/**
 * The hook to the swap layer (mm/swap.h, mm/swapfile.c, mm/swap_state.c; another issue). The
 * fault, fork, zap and rmap code of this layer call these functions where the kernel calls the
 * swap layer; with no swap layer installed (mmState(k).swap === null) no swap entry can exist,
 * so the calls that need one report a model bug and the others do nothing.
 * @fidelity custom (the interface); the callers are faithful.
 */
import type { Sched } from '../../sim/thread.js';
import type { Kernel } from '../kernel.js';
import { mmState } from './mm_state.js';
import type { vm_fault } from './mm_types.js';

/** What the swap layer provides. Entries are swp_entry_t values (src/mm/swapops.ts). */
export interface swap_ops {
  /** mm/swap_state.c: swap_cache_get_folio(entry): the folio with a reference, or -1. */
  swap_cache_get_folio(entry: number): number;
  /** mm/swap_state.c: swapin_readahead(entry, gfp, vmf): a new swap-cache folio with a reference, or -1 on OOM. */
  swapin_readahead(entry: number, vmf: vm_fault): Sched<number>;
  /** mm/swapfile.c: folio_put_swap(folio, page) / swap_free_nr: drop the swap count of nr entries the PTEs held. */
  swap_free_nr(entry: number, nr: number): void;
  /** mm/swapfile.c: swap_dup_entry_direct(entry) (fork): 0, or a negative errno. */
  swap_duplicate(entry: number): number;
  /** mm/swapfile.c: folio_free_swap(folio): leave the swap cache if no PTE refers to the slot. */
  folio_free_swap(folio: number): boolean;
  /** mm/swapfile.c: __swap_count(entry). */
  swap_count(entry: number): number;
}

function ops(k: Kernel): swap_ops {
  const s = mmState(k).swap;
  if (s === null) throw new Error('a swap entry exists but no swap layer is installed');
  return s;
}

/** mm/swap_state.c: swap_cache_get_folio(entry). @fidelity custom (hook) */
export function swap_cache_get_folio(k: Kernel, entry: number): number {
  return ops(k).swap_cache_get_folio(entry);
}

/** mm/swap_state.c: swapin_readahead(entry, gfp, vmf). @fidelity custom (hook) */
export function swapin_readahead(k: Kernel, entry: number, vmf: vm_fault): Sched<number> {
  return ops(k).swapin_readahead(entry, vmf);
}

/** mm/swapfile.c: swap_free_nr(entry, nr). @fidelity custom (hook) */
export function swap_free_nr(k: Kernel, entry: number, nr: number): void {
  ops(k).swap_free_nr(entry, nr);
}

/** mm/swapfile.c: swap_dup_entry_direct(entry). @fidelity custom (hook) */
export function swap_duplicate(k: Kernel, entry: number): number {
  return ops(k).swap_duplicate(entry);
}

/** mm/swapfile.c: folio_free_swap(folio): true when the folio left the swap cache. @fidelity custom (hook) */
export function folio_free_swap(k: Kernel, folio: number): boolean {
  const s = mmState(k).swap;
  return s === null ? false : s.folio_free_swap(folio);
}
