/**
 * Footprint object ids of kernel state, for the explorer's partial-order reduction
 * (src/sim/footprint.ts). A step that reads or writes one of these declares it at the
 * scheduling point before it: `yield m.at('set_pte_at', pteObj(ptep), Access.Write)`.
 *
 * - a page-table entry: its pointer in the page-table pool (`ptep`, `pmdp`, `pudp`);
 * - a folio's counters and flags (refcount, pincount, mapcount, flags, contents): its head pfn;
 * - an mm's VMA tree and flags (MMF_*): the mm id.
 */
import { objectSpace, objId, type ObjId } from '../sim/footprint.js';

const PTE_SPACE = objectSpace('pte');
const FOLIO_SPACE = objectSpace('folio');
const MM_SPACE = objectSpace('mm');

/** The entry at `ptep` (any level). */
export function pteObj(ptep: number): ObjId {
  return objId(PTE_SPACE, ptep);
}

/** The folio headed by `pfn`: its reference and pin counts, mapcounts, flags and contents. */
export function folioObj(pfn: number): ObjId {
  return objId(FOLIO_SPACE, pfn);
}

/** An mm's VMA tree, flags and counters. */
export function mmObj(mmId: number): ObjId {
  return objId(MM_SPACE, mmId);
}

const MM_FLAGS_SPACE = objectSpace('mm-flags');

/**
 * An mm's MMF_* flags where they are read or written without mmap_lock (MMF_HAS_PINNED: set by
 * GUP-fast, read by fork's copy): apart from the VMA tree, so that setting a flag does not
 * conflict with every step that only looks up the mm.
 */
export function mmFlagsObj(mmId: number): ObjId {
  return objId(MM_FLAGS_SPACE, mmId);
}

const INODE_SPACE = objectSpace('inode');
const MAPPING_SPACE = objectSpace('mapping');
const BDEV_SPACE = objectSpace('bdev');

/** An inode's attributes (i_size, i_blocks, seals) and its block map: the inode number. */
export function inodeObj(ino: number): ObjId {
  return objId(INODE_SPACE, ino);
}

/** An address_space's page-cache tree (i_pages entries and their marks): the mapping id. */
export function mappingObj(id: number): ObjId {
  return objId(MAPPING_SPACE, id);
}

/** The blocks stored on a simulated disk: the device id. */
export function bdevObj(dev: number): ObjId {
  return objId(BDEV_SPACE, dev);
}

const SWAP_SPACE = objectSpace('swap');

/** A swap slot's count, its swap-cache entry and its stored data: the slot's offset. */
export function swapObj(offset: number): ObjId {
  return objId(SWAP_SPACE, offset);
}
