/**
 * The swap device and its slots: mm/swapfile.c (v6.18) swap_info_struct with its swap_map,
 * slot allocation, swap_duplicate, swap_free_nr, __swap_count; and the device's I/O
 * (mm/page_io.c: swap_read_folio, __swap_writepage) on a simulated, synchronous device.
 *
 * One swap area (type 0) of `KernelConfig.swap` bytes; slot 0 is the swap header, as in a real
 * swap file, so a device of N pages has N - 1 usable slots. A slot is in use while PTEs refer
 * to it (its count) or the swap cache holds a folio for it (SWAP_HAS_CACHE). Each slot stores
 * the one content byte of the page written to it.
 * @fidelity simplified: one device, no clusters, no priorities or discard, order-0 slots
 * (no THP swap), the lowest free slot is taken; the device is synchronous (brd/zram-like): a
 * write or read completes within the step that submits it, so no folio is ever seen under
 * swap writeback and no bio or device agent is involved
 */
import { page_content, set_page_content } from '../../mm/folio.js';
import { swp_entry, swp_offset, swp_type } from '../../mm/swapops.js';
import { ENOENT } from '../include/errno.js';
import type { Kernel } from '../kernel.js';
import { count_vm_event } from './mm_state.js';

/** include/linux/swap.h: struct swap_info_struct (SWAP_HAS_CACHE kept as a separate flag array). @fidelity simplified */
export class swap_info_struct {
  readonly type = 0;
  /** Pages of the area, the header included. */
  readonly max: number;
  /** PTE references per slot (the kernel's swap count). */
  readonly swap_map: Uint16Array;
  /** 1 while the swap cache holds a folio for the slot (SWAP_HAS_CACHE). */
  readonly has_cache: Uint8Array;
  /** The content byte written to each slot. */
  readonly data: Uint8Array;
  /** The swap cache: slot offset -> folio head (mm/swap_state.c's swap table). */
  readonly cache = new Map<number, number>();
  /** Slots in use (swap count or cache). */
  inuse_pages = 0;

  constructor(pages: number) {
    this.max = pages;
    this.swap_map = new Uint16Array(pages);
    this.has_cache = new Uint8Array(pages);
    this.data = new Uint8Array(pages);
  }
}

const devices = new WeakMap<Kernel, swap_info_struct | null>();

/** The swap area of a kernel (swapon at boot), or null when `swap` is under two pages. @fidelity custom */
export function swap_info(k: Kernel): swap_info_struct | null {
  let si = devices.get(k);
  if (si === undefined) {
    const pages = Math.floor((k.config.swap ?? 0) / 4096);
    si = pages >= 2 ? new swap_info_struct(pages) : null;
    devices.set(k, si);
  }
  return si;
}

/** include/linux/swap.h: get_nr_swap_pages(): free slots. @fidelity exact */
export function get_nr_swap_pages(k: Kernel): number {
  const si = swap_info(k);
  return si === null ? 0 : si.max - 1 - si.inuse_pages;
}

/** include/linux/swap.h: total_swap_pages. @fidelity exact */
export function total_swap_pages(k: Kernel): number {
  const si = swap_info(k);
  return si === null ? 0 : si.max - 1;
}

/** include/linux/swap.h: vm_swap_full(): more than half the swap space in use. @fidelity exact */
export function vm_swap_full(k: Kernel): boolean {
  return get_nr_swap_pages(k) * 2 < total_swap_pages(k);
}

/** The device's slot of an entry, or null when the entry is not one of its slots. @fidelity custom */
export function swap_slot(k: Kernel, entry: number): number | null {
  const si = swap_info(k);
  const off = swp_offset(entry);
  if (si === null || swp_type(entry) !== si.type || off < 1 || off >= si.max) return null;
  return off;
}

function slot_in_use(si: swap_info_struct, off: number): boolean {
  return si.swap_map[off]! > 0 || si.has_cache[off] === 1;
}

/**
 * mm/swapfile.c: the slot allocator (folio_alloc_swap's cluster_alloc_swap_entry): take the
 * lowest free slot for the swap cache; the entry, or 0 when the device is full or absent.
 * @fidelity simplified (no clusters)
 */
export function swap_alloc_slot(k: Kernel): number {
  const si = swap_info(k);
  if (si === null) return 0;
  for (let off = 1; off < si.max; off++) {
    if (slot_in_use(si, off)) continue;
    si.has_cache[off] = 1;
    si.inuse_pages++;
    return swp_entry(si.type, off);
  }
  return 0;
}

/** mm/swapfile.c: swap_entries_free: a slot nobody refers to any more goes back. @fidelity simplified */
export function swap_slot_release(k: Kernel, off: number): void {
  const si = swap_info(k)!;
  if (si.swap_map[off] === 0 && si.has_cache[off] === 0) si.inuse_pages--;
}

/** mm/swapfile.c: swap_duplicate(entry): one more PTE refers to the slot; 0 or -ENOENT. @fidelity simplified */
export function swap_duplicate(k: Kernel, entry: number): number {
  const off = swap_slot(k, entry);
  const si = swap_info(k);
  if (off === null || si === null || !slot_in_use(si, off)) return -ENOENT;
  si.swap_map[off] = si.swap_map[off]! + 1;
  return 0;
}

/** mm/swapfile.c: swap_free_nr(entry, nr): nr PTEs no longer refer to their slots. @fidelity simplified */
export function swap_free_nr(k: Kernel, entry: number, nr: number): void {
  const si = swap_info(k);
  for (let i = 0; i < nr; i++) {
    const off = swap_slot(k, entry + i);
    if (off === null || si === null || si.swap_map[off] === 0)
      throw new Error(`swap_free: bad swap entry ${entry + i}`);
    si.swap_map[off] = si.swap_map[off]! - 1;
    if (si.swap_map[off] === 0 && si.has_cache[off] === 0) si.inuse_pages--;
  }
}

/** mm/swapfile.c: __swap_count(entry): how many PTEs refer to the slot. @fidelity exact */
export function __swap_count(k: Kernel, entry: number): number {
  const off = swap_slot(k, entry);
  return off === null ? 0 : swap_info(k)!.swap_map[off]!;
}

/**
 * mm/page_io.c: __swap_writepage(folio): store the folio's data in its slots (synchronous).
 * @fidelity simplified (see the file comment)
 */
export function swap_write_folio(k: Kernel, folio: number, entry: number, nr: number): void {
  const si = swap_info(k)!;
  for (let i = 0; i < nr; i++) si.data[swp_offset(entry) + i] = page_content(k.mem, folio + i);
  count_vm_event(k, 'PSWPOUT', nr);
}

/**
 * mm/page_io.c: swap_read_folio(folio, plug): load the folio's data from its slot (synchronous).
 * @fidelity simplified (see the file comment)
 */
export function swap_read_folio_data(k: Kernel, folio: number, entry: number): void {
  set_page_content(k.mem, folio, swap_info(k)!.data[swp_offset(entry)]!);
  count_vm_event(k, 'PSWPIN');
}
