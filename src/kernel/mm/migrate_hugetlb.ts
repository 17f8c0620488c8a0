/**
 * Migration of hugetlb folios (mm/migrate.c: unmap_and_move_huge_page,
 * migrate_huge_page_move_mapping; mm/hugetlb.c: folio_isolate_hugetlb, folio_putback_hugetlb,
 * alloc_hugetlb_folio_nodemask, dequeue_hugetlb_folio_node_exact).
 *
 * The target comes from the pool's free list (never an isolated pageblock; under
 * PF_MEMALLOC_PIN only a long-term pinnable one) or, when none fits, is a temporary folio
 * fresh from the buddy allocator (alloc_migrate_hugetlb_folio): after a successful move the
 * source becomes the temporary one and goes back to the buddy allocator, so the pool keeps its
 * size (move_hugetlb_state). With the source locked, the kernel replaces
 * every huge PTE with a migration entry, checks the references (an anon exclusive folio that may
 * be pinned cannot be unmapped; otherwise mappings + page cache + the isolation must explain
 * the count), moves the page-cache slots and remaps to the copy.
 * @fidelity simplified: the model takes every huge PTE lock of the folio and then, in one step,
 * checks the references and points the entries at the copy (no window with migration entries:
 * a fault meanwhile waits on the lock rather than on a migration entry); no subpool, surplus or
 * cgroup accounting.
 */
import {
  ClearPageAnonExclusive,
  PageAnonExclusive,
  folio_expected_ref_count,
  folio_is_longterm_pinnable,
  folio_set_index,
  folio_set_mapping,
} from '../../mm/anon.js';
import {
  folio_get,
  folio_nr_pages,
  folio_ref_add,
  folio_ref_count,
  folio_try_get,
} from '../../mm/folio.js';
import { GFP_HIGHUSER_MOVABLE, PF_MEMALLOC_PIN, __GFP_NOWARN } from '../../mm/gfp.js';
import { folio_hstate, type Hstate } from '../../mm/hugetlb.js';
import { PUD_SIZE } from '../../mm/layout.js';
import { folio_mapcount, folio_maybe_dma_pinned } from '../../mm/mapcount.js';
import { folio_alloc } from '../../mm/page_alloc.js';
import { folio_put, folio_put_refs, free_frozen_pages } from '../../mm/page_free.js';
import {
  PageHWPoison,
  PG_hugetlb,
  folio_mark_uptodate,
  folio_set_dirty,
  folio_test_anon,
  folio_test_dirty,
  folio_test_hugetlb,
  folio_test_uptodate,
} from '../../mm/page_flags.js';
import { pfn_pmd, pte_flags, pte_pfn, pte_present } from '../../mm/pgtable_types.js';
import { get_pageblock_isolate } from '../../mm/physmem.js';
import { vma_address, type VmAreaStruct } from '../../mm/vma.js';
import { Access } from '../../sim/footprint.js';
import type { SpinLock } from '../../sim/locking/spinlock.js';
import type { Sched } from '../../sim/thread.js';
import { EAGAIN, ENOMEM } from '../include/errno.js';
import type { Kernel } from '../kernel.js';
import { folioObj, pteObj } from '../objects.js';
import { folio_lock, folio_trylock, folio_unlock } from './filemap.js';
import { hugetlb_walk } from './hugetlb.js';
import { current_pflags, vma_mm } from './internal.js';
import { MIGRATE_SYNC } from './migrate_mode.js';
import { mmState } from './mm_state.js';
import { trace_migrated, type NewFolio } from './migrate.js';
import { pmd_lockptr } from './pgtable_generic.js';
import {
  RMAP_EXCLUSIVE,
  folio_anon_vma,
  hugetlb_add_anon_rmap,
  hugetlb_add_file_rmap,
  hugetlb_remove_rmap,
} from './rmap.js';
import { ptl_lock, ptl_unlock } from './solo.js';

/** Per kernel: hugetlb folios isolated for migration, and temporary (migration-only) folios. */
interface HugetlbMigrateState {
  readonly isolated: Set<number>;
  readonly temporary: Set<number>;
}

const states = new WeakMap<Kernel, HugetlbMigrateState>();

function folio_set_hugetlb(mem: Kernel['mem'], folio: number): void {
  mem.flags[folio] = mem.flags[folio]! | (1 << PG_hugetlb);
}

function folio_clear_hugetlb(mem: Kernel['mem'], folio: number): void {
  mem.flags[folio] = mem.flags[folio]! & ~(1 << PG_hugetlb);
}

function state(k: Kernel): HugetlbMigrateState {
  let s = states.get(k);
  if (s === undefined) {
    s = { isolated: new Set(), temporary: new Set() };
    states.set(k, s);
  }
  return s;
}

function isolated(k: Kernel): Set<number> {
  return state(k).isolated;
}

/**
 * mm/hugetlb.c: alloc_migrate_hugetlb_folio(h, gfp, nid, nmask): a fresh temporary hugetlb
 * folio from the buddy allocator (htlb_alloc_mask, so ZONE_MOVABLE/CMA unless
 * PF_MEMALLOC_PIN), refcount 1, or -1. @fidelity simplified
 */
function alloc_migrate_hugetlb_folio(k: Kernel, h: Hstate): number {
  const mem = k.mem;
  const folio = folio_alloc(mem, GFP_HIGHUSER_MOVABLE | __GFP_NOWARN, h.order, current_pflags(k));
  if (folio < 0) return -1;
  folio_set_hugetlb(mem, folio);
  h.nr_huge_pages++;
  state(k).temporary.add(folio);
  return folio;
}

/**
 * Drop a reference to a hugetlb folio; a temporary one that is freed leaves the pool for the
 * buddy allocator (free_huge_folio -> update_and_free_hugetlb_folio).
 */
function put_hugetlb(k: Kernel, folio: number): void {
  const mem = k.mem;
  folio_put(mem, folio);
  if (mem._refcount[folio] !== 0 || !state(k).temporary.delete(folio)) return;
  const h = folio_hstate(mem, folio)!;
  const at = h.free.lastIndexOf(folio);
  if (at >= 0) {
    h.free.splice(at, 1);
    h.free_huge_pages--;
  }
  h.nr_huge_pages--;
  folio_clear_hugetlb(mem, folio);
  free_frozen_pages(mem, folio, h.order);
}

/** include/linux/hugetlb.h: folio_test_hugetlb_migratable(folio): in use and not isolated. @fidelity simplified */
export function folio_hugetlb_migratable(k: Kernel, folio: number): boolean {
  const mem = k.mem;
  return folio_test_hugetlb(mem, folio) && mem._refcount[folio]! > 0 && !isolated(k).has(folio);
}

/**
 * mm/hugetlb.c: folio_isolate_hugetlb(folio, list): an in-use hugetlb folio not already
 * isolated gets a reference and goes on `list`. @fidelity simplified
 */
export function folio_isolate_hugetlb(k: Kernel, folio: number, list: number[]): boolean {
  const mem = k.mem;
  const set = isolated(k);
  if (!folio_test_hugetlb(mem, folio) || set.has(folio) || !folio_try_get(mem, folio)) return false;
  set.add(folio);
  list.push(folio);
  return true;
}

/** mm/hugetlb.c: folio_putback_hugetlb(folio): migratable again, isolation reference dropped. @fidelity simplified */
export function folio_putback_hugetlb(k: Kernel, folio: number): void {
  isolated(k).delete(folio);
  put_hugetlb(k, folio);
}

/**
 * mm/hugetlb.c: alloc_hugetlb_folio_nodemask(h, ...) -> dequeue_hugetlb_folio_node_exact: the
 * most recently freed pool folio that is not hwpoisoned, not in an isolated pageblock and (under
 * PF_MEMALLOC_PIN) long-term pinnable; refcount 1, or -1.
 * @fidelity simplified (no surplus allocation)
 */
export function alloc_hugetlb_folio_nodemask(k: Kernel, h: Hstate): number {
  const mem = k.mem;
  const pin = (current_pflags(k) & PF_MEMALLOC_PIN) !== 0;
  for (let i = h.free.length - 1; i >= 0; i--) {
    const folio = h.free[i]!;
    if (pin && !folio_is_longterm_pinnable(mem, folio)) continue;
    if (PageHWPoison(mem, folio) || get_pageblock_isolate(mem, folio)) continue;
    h.free.splice(i, 1);
    h.free_huge_pages--;
    mem._refcount[folio] = 1;
    return folio;
  }
  return -1;
}

/** mm/migrate.c: alloc_migration_target for a hugetlb source. @fidelity simplified */
export function alloc_hugetlb_migration_target(k: Kernel, src: number): number {
  const h = folio_hstate(k.mem, src);
  if (h === undefined) return -1;
  const folio = alloc_hugetlb_folio_nodemask(k, h);
  return folio >= 0 ? folio : alloc_migrate_hugetlb_folio(k, h);
}

/** One huge PTE mapping the folio. */
interface HugeHit {
  readonly vma: VmAreaStruct;
  readonly ptep: number;
  readonly ptl: SpinLock;
  readonly address: number;
}

/** The huge PTEs that map `folio`: its anon_vma's VMAs or its mapping's i_mmap. */
function huge_hits(k: Kernel, folio: number, h: Hstate): HugeHit[] {
  const mem = k.mem;
  const vmas = folio_test_anon(mem, folio)
    ? (folio_anon_vma(k, folio)?.vmas ?? [])
    : (mmState(k).mappings.get(mem.mapping[folio]!)?.i_mmap ?? []);
  const hits: HugeHit[] = [];
  for (const vma of vmas) {
    const address = vma_address(vma, mem.index[folio]!, folio_nr_pages(mem, folio));
    if (address < 0) continue;
    const mm = vma_mm(vma);
    const ptep = hugetlb_walk(k, mm, address, h);
    if (ptep < 0) continue;
    const e = k.pool.get(ptep);
    if (!pte_present(e) || pte_pfn(e) !== folio) continue;
    const ptl = h.size === PUD_SIZE ? mm.page_table_lock : pmd_lockptr(mm, ptep);
    hits.push({ vma, ptep, ptl, address });
  }
  return hits.sort((a, b) => a.ptep - b.ptep);
}

/**
 * mm/migrate.c: unmap_and_move_huge_page(get_new_folio, put_new_folio, private, src, force,
 * mode, reason, ret): 0 (src freed back to the pool, its users now on the copy), -EAGAIN
 * (references not explained, or the lock not taken in an async mode), -ENOMEM (no target).
 * @fidelity simplified (see the file comment)
 */
export function* unmap_and_move_huge_page(
  k: Kernel,
  get_new_folio: NewFolio,
  src: number,
  mode: number,
  reason: number,
): Sched<number> {
  const mem = k.mem;
  if (folio_ref_count(mem, src) === 1) {
    folio_putback_hugetlb(k, src);
    return 0;
  }
  const dst = get_new_folio(k, src);
  if (dst < 0) return -ENOMEM;
  if (!(yield* folio_trylock(k, src))) {
    if (mode !== MIGRATE_SYNC) {
      put_hugetlb(k, dst);
      return -EAGAIN;
    }
    yield* folio_lock(k, src);
  }
  const rc = yield* move_huge_mappings(k, src, dst);
  yield* folio_unlock(k, src);
  if (rc !== 0) {
    put_hugetlb(k, dst);
    return rc;
  }
  // move_hugetlb_state: a temporary target stays; the source goes back to the buddy allocator
  const temp = state(k).temporary;
  if (temp.delete(dst)) temp.add(src);
  trace_migrated(k, src, dst, reason);
  folio_putback_hugetlb(k, src);
  put_hugetlb(k, dst);
  return 0;
}

/** Lock every huge PTE of src, check its references, and move everything to dst. */
function* move_huge_mappings(k: Kernel, src: number, dst: number): Sched<number> {
  const mem = k.mem;
  const h = folio_hstate(mem, src)!;
  const hits = huge_hits(k, src, h);
  const taken: SpinLock[] = [];
  for (const hit of hits) {
    if (taken.includes(hit.ptl)) continue;
    yield* ptl_lock(hit.ptl, 0, pteObj(hit.ptep), Access.Write, folioObj(src));
    taken.push(hit.ptl);
  }
  const rc = huge_refs_explained(k, src, hits) ? 0 : -EAGAIN;
  if (rc === 0) huge_move(k, src, dst, hits);
  for (const ptl of taken.reverse()) yield* ptl_unlock(ptl, folioObj(src));
  return rc;
}

/**
 * try_to_migrate_one's hugetlb rule (an exclusive anon folio that may be pinned stays mapped)
 * and migrate_huge_page_move_mapping's count (mappings + cache + 1 for the isolation).
 */
function huge_refs_explained(k: Kernel, src: number, hits: readonly HugeHit[]): boolean {
  const mem = k.mem;
  for (const hit of hits) {
    const e = k.pool.get(hit.ptep);
    if (!pte_present(e) || pte_pfn(e) !== src) return false;
  }
  if (hits.length !== folio_mapcount(mem, src)) return false; // a mapping we did not lock
  if (folio_test_anon(mem, src) && PageAnonExclusive(mem, src) && folio_maybe_dma_pinned(mem, src))
    return false;
  return folio_ref_count(mem, src) === folio_expected_ref_count(mem, src) + 1;
}

/** Copy src into dst and move its cache slots, mapping, rmap and every huge PTE to dst. */
function huge_move(k: Kernel, src: number, dst: number, hits: readonly HugeHit[]): void {
  const mem = k.mem;
  const nr = folio_nr_pages(mem, src);
  mem.content.copyWithin(dst, src, src + nr);
  if (folio_test_uptodate(mem, src)) folio_mark_uptodate(mem, dst);
  if (folio_test_dirty(mem, src)) folio_set_dirty(mem, dst);
  const anon = folio_test_anon(mem, src);
  const exclusive = anon && PageAnonExclusive(mem, src);
  folio_set_mapping(mem, dst, mem.mapping[src]!, anon);
  folio_set_index(mem, dst, mem.index[src]!);
  if (!anon) {
    const mapping = mmState(k).mappings.get(mem.mapping[src]!);
    for (let i = 0; i < nr; i++) mapping?.i_pages.set(mem.index[src]! + i, dst);
    folio_ref_add(mem, dst, nr);
    folio_put_refs(mem, src, nr);
  }
  for (const hit of hits) {
    const e = k.pool.get(hit.ptep);
    hugetlb_remove_rmap(k, src);
    if (anon) hugetlb_add_anon_rmap(k, dst, exclusive ? RMAP_EXCLUSIVE : 0);
    else hugetlb_add_file_rmap(k, dst);
    folio_get(mem, dst);
    k.pool.set(hit.ptep, pfn_pmd(dst, pte_flags(e)));
    folio_put(mem, src);
  }
  if (anon && !exclusive) ClearPageAnonExclusive(mem, dst);
}
