/**
 * The page cache of a file: struct address_space's file-system side and the xarray operations
 * of mm/filemap.c (v6.18): lookup with a reference (filemap_get_entry, __filemap_get_folio),
 * insertion (filemap_add_folio), removal (filemap_remove_folio, delete_from_page_cache_batch),
 * gang lookups (find_lock_entries, find_get_entries, filemap_get_folios_tag,
 * filemap_get_folios_contig) and the DIRTY / WRITEBACK / TOWRITE marks.
 *
 * The tree is the mm layer's `address_space.i_pages` (index -> head pfn, every index a folio
 * covers); the marks are kept per folio head index. A lookup is lockless (RCU + folio_try_get);
 * an insertion or removal happens under the xa_lock, so each is one step whose footprint is the
 * mapping (mappingObj).
 * @fidelity simplified: no shadow or swap entries (no workingset), no memcg charge, no
 * readahead.
 */
import { folio_set_index, folio_set_mapping } from '../../mm/anon.js';
import { MmBug } from '../../mm/bug.js';
import { folio_nr_pages, folio_order, folio_ref_add, folio_try_get } from '../../mm/folio.js';
import { GFP_HIGHUSER_MOVABLE, __GFP_WRITE } from '../../mm/gfp.js';

import { folio_alloc } from '../../mm/page_alloc.js';
import { folio_put } from '../../mm/page_free.js';
import {
  PG_locked,
  folio_test_anon,
  folio_test_hugetlb,
  folio_test_swapbacked,
} from '../../mm/page_flags.js';
import { NR_FILE_PAGES, NR_SHMEM, mod_node_page_state } from '../../mm/vmstat.js';
import { Access } from '../../sim/footprint.js';
import { RwSemaphore } from '../../sim/locking/rwsem.js';
import type { Sched } from '../../sim/thread.js';
import { EAGAIN, EEXIST, ENOENT, ENOMEM } from '../include/errno.js';
import type { Kernel } from '../kernel.js';
import { mappingObj } from '../objects.js';
import type { address_space_operations } from '../fs/fs.js';
import type { inode } from '../fs/inode.js';
import { BDI_CAP_WRITEBACK } from '../fs/super.js';
import { fs_trace } from '../fs/fs_trace.js';
import { folio_lock, folio_trylock, folio_unlock } from './filemap.js';
import { address_space } from './mm_types.js';
import { mmState } from './mm_state.js';
import { IndexTable } from './pagecache_index.js';
import { mm_solo } from './solo.js';
import { current_pflags, folio_add_lru } from './internal.js';
import { folio_needs_stable_wait, folio_wait_stable } from './page-writeback.js';

/** include/linux/fs.h: PAGECACHE_TAG_DIRTY (XA_MARK_0). */
export const PAGECACHE_TAG_DIRTY = 1;
/** include/linux/fs.h: PAGECACHE_TAG_WRITEBACK (XA_MARK_1). */
export const PAGECACHE_TAG_WRITEBACK = 2;
/** include/linux/fs.h: PAGECACHE_TAG_TOWRITE (XA_MARK_2). */
export const PAGECACHE_TAG_TOWRITE = 4;

/** include/linux/pagemap.h: AS_EIO (a writeback error happened). */
export const AS_EIO = 0;
/** include/linux/pagemap.h: AS_ENOSPC. */
export const AS_ENOSPC = 1;

/** include/linux/pagemap.h: FGP_* flags of __filemap_get_folio. */
export const FGP_ACCESSED = 0x1;
export const FGP_LOCK = 0x2;
export const FGP_CREAT = 0x4;
export const FGP_WRITE = 0x8;
export const FGP_NOFS = 0x10;
export const FGP_NOWAIT = 0x20;
export const FGP_FOR_MMAP = 0x40;
export const FGP_STABLE = 0x80;
export const FGP_WRITEBEGIN = FGP_LOCK | FGP_WRITE | FGP_CREAT | FGP_STABLE;

/**
 * include/linux/fs.h: struct address_space of a regular file: the mm layer's tree plus its
 * host inode, a_ops, invalidate_lock, xarray marks and error state.
 * @fidelity simplified
 */
export class fs_address_space extends address_space {
  /** mapping->host (set by the inode that owns the mapping). */
  host!: inode;
  /** The xarray marks of each folio, by the folio's first index. */
  readonly marks = new IndexTable();
  /** How many folios carry each mark (mapping_tagged). */
  readonly tagged = [0, 0, 0, 0, 0];
  /** mapping->flags (AS_EIO, AS_ENOSPC). */
  flags = 0;
  /** mapping->writeback_index. */
  writeback_index = 0;
  /** mapping->gfp_mask. */
  gfp_mask = GFP_HIGHUSER_MOVABLE;
  readonly invalidate_lock: RwSemaphore;

  constructor(
    k: Kernel,
    id: number,
    name: string,
    public a_ops: address_space_operations,
  ) {
    super(id, name);
    this.invalidate_lock = new RwSemaphore(
      k.m,
      `${name}->invalidate_lock`,
      '&mapping->invalidate_lock',
    );
  }
}

/** A new file mapping, registered where folio->mapping ids resolve. @fidelity custom */
export function mapping_alloc(
  k: Kernel,
  name: string,
  a_ops: address_space_operations,
): fs_address_space {
  const st = mmState(k);
  const mapping = new fs_address_space(k, st.nextMappingId++, name, a_ops);
  st.mappings.set(mapping.id, mapping);
  return mapping;
}

/** include/linux/pagemap.h: folio_mapping(folio) for page-cache folios: the mapping or null. @fidelity simplified */
export function folio_file_mapping(k: Kernel, folio: number): fs_address_space | null {
  if (folio_test_anon(k.mem, folio)) return null;
  const id = k.mem.mapping[folio];
  if (id === 0) return null;
  const mapping = mmState(k).mappings.get(id);
  return mapping instanceof fs_address_space ? mapping : null;
}

/** include/linux/pagemap.h: folio_mapping(folio): any address_space, or null. @fidelity simplified */
export function folio_mapping(k: Kernel, folio: number): address_space | null {
  if (folio_test_anon(k.mem, folio)) return null;
  const id = k.mem.mapping[folio];
  return id === 0 ? null : (mmState(k).mappings.get(id) ?? null);
}

/** lib/xarray.c: xa_get_mark(i_pages, index, mark). @fidelity simplified */
export function xa_get_mark(mapping: fs_address_space, index: number, tag: number): boolean {
  return (mapping.marks.get(index) & tag) !== 0;
}

/** lib/xarray.c: __xa_set_mark(i_pages, index, mark). @fidelity simplified */
export function xa_set_mark(mapping: fs_address_space, index: number, tag: number): void {
  const old = mapping.marks.get(index);
  if ((old & tag) !== 0) return;
  mapping.marks.set(index, old | tag);
  mapping.tagged[tag]!++;
}

/** lib/xarray.c: __xa_clear_mark(i_pages, index, mark). @fidelity simplified */
export function xa_clear_mark(mapping: fs_address_space, index: number, tag: number): void {
  const old = mapping.marks.get(index);
  if ((old & tag) === 0) return;
  mapping.marks.set(index, old & ~tag);
  mapping.tagged[tag]!--;
}

/** include/linux/fs.h: mapping_tagged(mapping, tag). @fidelity exact */
export function mapping_tagged(mapping: fs_address_space, tag: number): boolean {
  return mapping.tagged[tag]! > 0;
}

/** The indices in [start, end] that carry `tag`, ascending (an xas_for_each_marked walk). @fidelity custom */
export function tagged_indices(
  mapping: fs_address_space,
  start: number,
  end: number,
  tag: number,
): number[] {
  if (!mapping_tagged(mapping, tag)) return [];
  return mapping.marks.indices(start, end, (bits) => (bits & tag) !== 0);
}

/** include/linux/pagemap.h: mapping_empty(mapping). @fidelity exact */
export function mapping_empty(mapping: address_space): boolean {
  return mapping.nrpages === 0;
}

/** A lockless look at the tree (rcu_read_lock + xas_load): a step reading the mapping. */
function* xa_read_point(k: Kernel, mapping: address_space, fn: string): Sched<void> {
  if (!mm_solo(k.m)) yield k.m.at(fn, mappingObj(mapping.id), Access.Read);
}

/**
 * mm/filemap.c: filemap_get_entry(mapping, index): the folio at `index` with a reference, or -1.
 * A folio being freed (refcount 0) is skipped, as the kernel retries until the slot changes.
 * @fidelity simplified (no value entries)
 */
export function* filemap_get_entry(
  k: Kernel,
  mapping: address_space,
  index: number,
): Sched<number> {
  if (!mm_solo(k.m)) yield k.m.at('filemap_get_entry', mappingObj(mapping.id), Access.Read);
  const folio = mapping.i_pages.get(index);
  if (folio === undefined) return -1;
  return folio_try_get(k.mem, folio) ? folio : -1;
}

/** include/linux/pagemap.h: folio_contains(folio, index). @fidelity exact */
export function folio_contains(k: Kernel, folio: number, index: number): boolean {
  const first = k.mem.index[folio];
  return index >= first && index < first + folio_nr_pages(k.mem, folio);
}

/** The page of `folio` holding file index `index` (folio_file_page). @fidelity exact */
export function folio_file_page(k: Kernel, folio: number, index: number): number {
  return folio + (index - k.mem.index[folio]);
}

/**
 * mm/filemap.c: __filemap_add_folio + filemap_add_folio(mapping, folio, index, gfp): lock the
 * new folio, take one reference per page for the cache, set folio->mapping/index and insert it;
 * -EEXIST if another folio got there first (the folio is then unlocked, its mapping cleared).
 * @fidelity simplified
 */
export function* filemap_add_folio(
  k: Kernel,
  mapping: fs_address_space,
  folio: number,
  index: number,
): Sched<number> {
  const m = k.m;
  const mem = k.mem;
  const nr = folio_nr_pages(mem, folio);
  if (index % nr !== 0) throw new MmBug(`VM_BUG_ON_FOLIO: index ${index} not aligned to the folio`);
  mem.flags[folio] = mem.flags[folio] | (1 << PG_locked);
  mmState(k).folioLockOwner.set(folio, m.self);
  if (!mm_solo(m)) yield m.at('__filemap_add_folio', mappingObj(mapping.id), Access.Write);
  if (!page_cache_slots_free(mapping, index, nr)) {
    mem.flags[folio] = mem.flags[folio] & ~(1 << PG_locked);
    mmState(k).folioLockOwner.delete(folio);
    return -EEXIST;
  }
  page_cache_store(k, mapping, folio, index);
  folio_add_lru(k, folio);
  return 0;
}

/**
 * The store of __filemap_add_folio / shmem_add_to_page_cache under the xa_lock: the cache's
 * references (one per page), folio->mapping and ->index, the tree slots, nrpages and
 * NR_FILE_PAGES (NR_SHMEM for swap-backed folios; hugetlb folios are not counted). The caller
 * checked that the slots are free.
 * @fidelity simplified
 */
export function page_cache_store(
  k: Kernel,
  mapping: fs_address_space,
  folio: number,
  index: number,
): void {
  const mem = k.mem;
  const nr = folio_nr_pages(mem, folio);
  folio_ref_add(mem, folio, nr);
  folio_set_mapping(mem, folio, mapping.id, false);
  folio_set_index(mem, folio, index);
  for (let i = 0; i < nr; i++) mapping.i_pages.set(index + i, folio);
  mapping.nrpages += nr;
  if (!folio_test_hugetlb(mem, folio)) {
    mod_node_page_state(mem.vmstat, NR_FILE_PAGES, nr);
    if (folio_test_swapbacked(mem, folio)) mod_node_page_state(mem.vmstat, NR_SHMEM, nr);
  }
  if (k.m.trace.enabled)
    fs_trace(k, 'fs.pagecache-add', { mapping: mapping.name, index, folio, nr });
}

/** Whether the slots of a folio of `nr` pages at `index` are all free. @fidelity custom */
export function page_cache_slots_free(
  mapping: fs_address_space,
  index: number,
  nr: number,
): boolean {
  for (let i = 0; i < nr; i++) if (mapping.i_pages.has(index + i)) return false;
  return true;
}

/** mm/filemap.c: filemap_alloc_folio(gfp, order): a new folio, or -1. @fidelity simplified */
export function filemap_alloc_folio(k: Kernel, gfp: number, order: number): number {
  return folio_alloc(k.mem, gfp, order, current_pflags(k));
}

/**
 * mm/filemap.c: __filemap_get_folio(mapping, index, fgp_flags, gfp): find (FGP_LOCK: and
 * lock) the folio at `index`, creating it with FGP_CREAT; a folio with a reference, or
 * -ENOENT / -ENOMEM / -EAGAIN. A folio truncated while we waited for its lock is looked up again.
 * @fidelity simplified (order-0 folios; no readahead or dropbehind)
 */
export function* __filemap_get_folio(
  k: Kernel,
  mapping: fs_address_space,
  index: number,
  fgp_flags: number,
  gfp = mapping.gfp_mask,
): Sched<number> {
  for (;;) {
    let folio = yield* filemap_get_entry(k, mapping, index);
    if (folio >= 0 && (fgp_flags & FGP_LOCK) !== 0) {
      if ((fgp_flags & FGP_NOWAIT) !== 0) {
        if (!(yield* folio_trylock(k, folio))) {
          folio_put(k.mem, folio);
          return -EAGAIN;
        }
      } else {
        yield* folio_lock(k, folio);
      }
      if (k.mem.mapping[folio] !== mapping.id || folio_test_anon(k.mem, folio)) {
        yield* folio_unlock(k, folio);
        folio_put(k.mem, folio);
        continue;
      }
    }
    if (folio >= 0 && (fgp_flags & FGP_STABLE) !== 0 && folio_needs_stable_wait(k, folio))
      yield* folio_wait_stable(k, folio);
    if (folio >= 0 || (fgp_flags & FGP_CREAT) === 0) return folio >= 0 ? folio : -ENOENT;
    const g =
      (fgp_flags & FGP_WRITE) !== 0 && mapping_can_writeback(mapping) ? gfp | __GFP_WRITE : gfp;
    folio = filemap_alloc_folio(k, g, 0);
    if (folio < 0) return (fgp_flags & FGP_NOWAIT) !== 0 ? -EAGAIN : -ENOMEM;
    const err = yield* filemap_add_folio(k, mapping, folio, index);
    if (err === -EEXIST) {
      folio_put(k.mem, folio);
      continue;
    }
    if ((fgp_flags & FGP_FOR_MMAP) !== 0) yield* folio_unlock(k, folio);
    return folio;
  }
}

/** include/linux/pagemap.h: filemap_get_folio(mapping, index): the folio with a reference or -ENOENT. @fidelity exact */
export function filemap_get_folio(
  k: Kernel,
  mapping: fs_address_space,
  index: number,
): Sched<number> {
  return __filemap_get_folio(k, mapping, index, 0);
}

/** include/linux/pagemap.h: filemap_lock_folio(mapping, index): locked, with a reference, or -ENOENT. @fidelity exact */
export function filemap_lock_folio(
  k: Kernel,
  mapping: fs_address_space,
  index: number,
): Sched<number> {
  return __filemap_get_folio(k, mapping, index, FGP_LOCK);
}

/** include/linux/backing-dev.h: mapping_can_writeback(mapping). @fidelity exact */
export function mapping_can_writeback(mapping: address_space): boolean {
  if (!(mapping instanceof fs_address_space)) return false;
  return (mapping.host.i_sb.s_bdi.capabilities & BDI_CAP_WRITEBACK) !== 0;
}

/** include/linux/pagemap.h: folio_pos(folio) in bytes. @fidelity exact */
export function folio_pos(k: Kernel, folio: number): number {
  return k.mem.index[folio] * 4096;
}

/** include/linux/pagemap.h: folio_size(folio) in bytes. @fidelity exact */
export function folio_size(k: Kernel, folio: number): number {
  return folio_nr_pages(k.mem, folio) * 4096;
}

/**
 * mm/filemap.c: filemap_get_folios_contig(mapping, start, end): folios at contiguous indices
 * from `start`, each with a reference; stops at the first hole.
 * @fidelity simplified
 */
export function* filemap_get_folios_contig(
  k: Kernel,
  mapping: address_space,
  start: number,
  end: number,
): Sched<number[]> {
  yield* xa_read_point(k, mapping, 'filemap_get_folios_contig');
  const out: number[] = [];
  let index = start;
  while (index <= end) {
    const folio = mapping.i_pages.get(index);
    if (folio === undefined || !folio_try_get(k.mem, folio)) break;
    out.push(folio);
    index = k.mem.index[folio] + (1 << folio_order(k.mem, folio));
  }
  return out;
}
