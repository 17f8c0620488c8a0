/**
 * Splitting THPs: mm/huge_memory.c (v6.18) __split_huge_pmd_locked (a PMD mapping becomes 512
 * PTEs, PageAnonExclusive propagated to every subpage; with `freeze`, migration entries),
 * __split_huge_pmd, split_huge_pmd_address, vma_adjust_trans_huge, the folio split
 * (split_huge_page_to_list_to_order to order 0, which fails with -EAGAIN while the folio has
 * references other than its mappings and the caller's) and the deferred-split queue.
 */
import { PageAnonExclusive } from '../../mm/anon.js';
import {
  folio_nr_pages,
  folio_order,
  folio_ref_add,
  folio_ref_count,
  folio_test_large,
  page_folio,
} from '../../mm/folio.js';
import { HPAGE_PMD_NR, PMD_SIZE, addr_to_vpn } from '../../mm/layout.js';
import {
  F_ENTIRE_MAPCOUNT,
  folio_large_field_get,
  folio_mapcount,
  folio_init_large_fields,
} from '../../mm/mapcount.js';
import { mm_counter_file, add_mm_counter } from '../../mm/mm_types.js';
import { folio_put } from '../../mm/page_free.js';
import {
  PG_anon_exclusive,
  PG_head,
  PG_partially_mapped,
  clear_page_flag,
  folio_set_dirty,
  folio_test_anon,
  folio_test_swapcache,
  set_page_flag,
} from '../../mm/page_flags.js';
import { pmd_lookup } from '../../mm/pgtable_walk.js';
import {
  pmd_dirty,
  pmd_pfn,
  pmd_soft_dirty,
  pmd_trans_huge,
  pmd_uffd_wp,
  pmd_write,
  pmd_young,
  mk_table_entry,
} from '../../mm/pgtable_types.js';
import { split_huge_pmd_to_ptes } from '../../mm/pgtable_split.js';
import {
  is_pmd_migration_entry,
  make_migration_entry_dirty,
  make_migration_entry_young,
  make_readable_exclusive_migration_entry,
  make_readable_migration_entry,
  make_writable_migration_entry,
  pte_swp_mksoft_dirty,
  pte_swp_mkuffd_wp,
  pmd_to_swp_entry,
  swp_entry_to_pte,
  swp_offset_pfn,
} from '../../mm/swapops.js';
import { pgtable_trans_huge_withdraw, mm_dec_nr_ptes } from '../../mm/pgtable_walk.js';
import { vma_is_anonymous, type VmAreaStruct } from '../../mm/vma.js';
import { Access } from '../../sim/footprint.js';
import type { Sched } from '../../sim/thread.js';
import { EAGAIN, EBUSY, EINVAL } from '../include/errno.js';
import type { Kernel } from '../kernel.js';
import { folioObj, pteObj } from '../objects.js';
import { folio_trylock, folio_unlock, folio_wait_locked } from './filemap.js';
import { is_huge_zero_pmd } from './huge_memory.js';
import { vma_mm } from './internal.js';
import { count_vm_event, mmState } from './mm_state.js';
import type { mm_struct } from './mm_struct.js';
import { pmd_lockptr } from './pgtable_generic.js';
import {
  RMAP_EXCLUSIVE,
  RMAP_NONE,
  folio_add_anon_rmap_ptes,
  folio_remove_rmap_pmd,
  folio_try_share_anon_rmap_pmd,
} from './rmap.js';
import { rmap_walk } from './rmap_walk.js';
import { mm_solo, ptl_lock, ptl_unlock } from './solo.js';

function traceSplit(k: Kernel, mm: number, address: number, what: string, result: string): void {
  if (k.m.trace.enabled)
    k.m.emit('mm.split', { mm, address, what, result }, 'mm/huge_memory.c: __split_huge_pmd');
}

/**
 * mm/huge_memory.c: __split_huge_pmd_locked(vma, pmd, haddr, freeze), PMD lock held.
 * @fidelity exact (file PMDs are only zapped; no DAX)
 */
export function __split_huge_pmd_locked(
  k: Kernel,
  vma: VmAreaStruct,
  pmdp: number,
  haddr: number,
  freezeIn: boolean,
): void {
  const mm = vma_mm(vma);
  const pool = k.pool;
  let freeze = freezeIn;
  count_vm_event(k, 'THP_SPLIT_PMD');
  const old = pool.get(pmdp);
  if (!vma_is_anonymous(vma)) {
    pool.set(pmdp, 0);
    const t = pgtable_trans_huge_withdraw(pool, pmdp);
    if (t >= 0) {
      pool.free_table(t);
      mm_dec_nr_ptes(mm);
    }
    if (is_huge_zero_pmd(k, old)) return;
    const folio = pmd_pfn(old);
    if (pmd_dirty(old)) folio_set_dirty(k.mem, folio);
    folio_remove_rmap_pmd(k, folio, folio, vma);
    folio_put(k.mem, folio);
    add_mm_counter(mm, mm_counter_file(k.mem, folio), -HPAGE_PMD_NR);
    return;
  }
  if (is_huge_zero_pmd(k, old)) {
    pool.set(pmdp, 0);
    split_huge_pmd_to_ptes(
      pool,
      pmdp,
      old,
      pgtable_trans_huge_withdraw(pool, pmdp),
      vma.vm_page_prot,
      k.mem.zero_pfn,
    );
    return;
  }
  if (is_pmd_migration_entry(old)) {
    pool.set(pmdp, 0);
    split_huge_pmd_to_ptes(
      pool,
      pmdp,
      old,
      pgtable_trans_huge_withdraw(pool, pmdp),
      vma.vm_page_prot,
    );
    return;
  }
  pool.set(pmdp, 0); // pmdp_invalidate
  const folio = pmd_pfn(old);
  if (pmd_dirty(old)) folio_set_dirty(k.mem, folio);
  const anon_exclusive = PageAnonExclusive(k.mem, folio);
  if (freeze && anon_exclusive && folio_try_share_anon_rmap_pmd(k, folio, folio) !== 0)
    freeze = false;
  if (!freeze) {
    folio_ref_add(k.mem, folio, HPAGE_PMD_NR - 1);
    folio_add_anon_rmap_ptes(
      k,
      folio,
      folio,
      HPAGE_PMD_NR,
      vma,
      haddr,
      anon_exclusive ? RMAP_EXCLUSIVE : RMAP_NONE,
    );
  }
  const pgtable = pgtable_trans_huge_withdraw(pool, pmdp);
  if (freeze) {
    const base = pgtable * 512;
    for (let i = 0; i < HPAGE_PMD_NR; i++) {
      let e = pmd_write(old)
        ? make_writable_migration_entry(folio + i)
        : anon_exclusive
          ? make_readable_exclusive_migration_entry(folio + i)
          : make_readable_migration_entry(folio + i);
      if (pmd_young(old)) e = make_migration_entry_young(e);
      if (pmd_dirty(old)) e = make_migration_entry_dirty(e);
      let pte = swp_entry_to_pte(e);
      if (pmd_soft_dirty(old)) pte = pte_swp_mksoft_dirty(pte);
      if (pmd_uffd_wp(old)) pte = pte_swp_mkuffd_wp(pte);
      pool.set(base + i, pte);
    }
    pool.set(pmdp, mk_table_entry(pgtable)); // pmd_populate
  } else {
    split_huge_pmd_to_ptes(pool, pmdp, old, pgtable, vma.vm_page_prot);
  }
  folio_remove_rmap_pmd(k, folio, folio, vma);
  if (freeze) folio_put(k.mem, folio);
}

/**
 * mm/huge_memory.c: __split_huge_pmd(vma, pmd, address, freeze): under the PMD lock, split the
 * huge PMD (or PMD migration entry) covering address, if it still is one.
 * @fidelity exact (no mmu notifiers)
 */
export function* __split_huge_pmd(
  vma: VmAreaStruct,
  pmdp: number,
  address: number,
  freeze: boolean,
): Sched<void> {
  const mm = vma_mm(vma);
  const k = mm.k;
  const haddr = address - (address % PMD_SIZE);
  const cur = k.pool.get(pmdp);
  const folio =
    pmd_trans_huge(cur) && !is_huge_zero_pmd(k, cur) ? folioObj(pmd_pfn(cur)) : undefined;
  const ptl = pmd_lockptr(mm, pmdp);
  yield* ptl_lock(ptl, 0, pteObj(pmdp), Access.Write, folio);
  const pmd = k.pool.get(pmdp);
  if (pmd_trans_huge(pmd) || is_pmd_migration_entry(pmd)) {
    __split_huge_pmd_locked(k, vma, pmdp, haddr, freeze);
    traceSplit(k, mm.mm_id, haddr, 'pmd', freeze ? 'migration entries' : '512 ptes');
  }
  yield* ptl_unlock(ptl);
}

/** include/linux/huge_mm.h: split_huge_pmd(vma, pmd, address): only if it is huge now. @fidelity exact */
export function* split_huge_pmd(vma: VmAreaStruct, pmdp: number, address: number): Sched<void> {
  const pmd = vma_mm(vma).k.pool.get(pmdp);
  if (pmd_trans_huge(pmd) || is_pmd_migration_entry(pmd))
    yield* __split_huge_pmd(vma, pmdp, address, false);
}

/** mm/huge_memory.c: split_huge_pmd_address(vma, address, freeze). @fidelity exact */
export function* split_huge_pmd_address(
  vma: VmAreaStruct,
  address: number,
  freeze: boolean,
): Sched<void> {
  const mm = vma_mm(vma);
  const pmdp = pmd_lookup(mm.k.pool, mm, addr_to_vpn(address));
  if (pmdp < 0) return;
  yield* __split_huge_pmd(vma, pmdp, address, freeze);
}

/**
 * mm/huge_memory.c: vma_adjust_trans_huge(vma, start, end, next): before a VMA boundary moves to
 * a non-PMD-aligned address, split the huge PMD straddling it.
 * @fidelity exact
 */
export function* vma_adjust_trans_huge(
  vma: VmAreaStruct,
  start: number,
  end: number,
  next: VmAreaStruct | null,
): Sched<void> {
  yield* split_if_needed(vma, start);
  yield* split_if_needed(vma, end);
  if (next !== null) yield* split_if_needed(next, end);
}

function* split_if_needed(vma: VmAreaStruct, address: number): Sched<void> {
  if (address % PMD_SIZE === 0) return;
  const lo = address - (address % PMD_SIZE);
  if (lo >= vma.vm_start && lo + PMD_SIZE <= vma.vm_end)
    yield* split_huge_pmd_address(vma, address, false);
}

/** mm/huge_memory.c: can_split_folio(folio, caller_pins, &extra_pins). @fidelity exact */
export function can_split_folio(k: Kernel, folio: number, caller_pins: number): boolean {
  const extra = folio_test_anon(k.mem, folio)
    ? folio_test_swapcache(k.mem, folio)
      ? folio_nr_pages(k.mem, folio)
      : 0
    : folio_nr_pages(k.mem, folio);
  return folio_mapcount(k.mem, folio) === folio_ref_count(k.mem, folio) - extra - caller_pins;
}

/**
 * mm/huge_memory.c: split_huge_page_to_list_to_order(page, NULL, 0) / split_folio(folio): split
 * a locked large anonymous folio into order-0 folios. Its PMD mappings are split first
 * (unmap_folio with TTU_SPLIT_HUGE_PMD); then the split needs the refcount to be exactly the
 * mappings plus the caller's reference (folio_ref_freeze): any other reference (a GUP pin or
 * get) makes it fail with -EAGAIN, leaving the folio PTE-mapped. On success each small folio
 * keeps one reference per mapping, and the caller keeps its reference on the first page.
 * @fidelity simplified: anonymous folios, new order 0; the mappings are not replaced by
 * migration entries (the split happens in one step), which is observationally the same
 */
export function* split_folio(k: Kernel, folio: number): Sched<number> {
  const m = k.mem;
  if (!folio_test_large(m, folio)) return -EINVAL;
  if (!folio_test_anon(m, folio)) return -EBUSY;
  if (folio_large_field_get(m, folio, F_ENTIRE_MAPCOUNT) >= 0) {
    const pmds: [VmAreaStruct, number][] = [];
    rmap_walk(k, folio, (vma, hit) => {
      if (hit.pmd) pmds.push([vma, hit.address]);
      return true;
    });
    for (const [vma, address] of pmds) yield* split_huge_pmd_address(vma, address, false);
  }
  if (!mm_solo(k.m)) yield k.m.at('split_folio', folioObj(folio), Access.Write);
  if (!can_split_folio(k, folio, 1)) {
    traceSplit(
      k,
      0,
      folio,
      'folio',
      `-EAGAIN: refcount ${folio_ref_count(m, folio)} mapcount ${folio_mapcount(m, folio)}`,
    );
    return -EAGAIN;
  }
  __split_folio_to_order0(k, folio);
  count_vm_event(k, 'THP_SPLIT_PAGE');
  traceSplit(k, 0, folio, 'folio', 'order 0');
  return 0;
}

function __split_folio_to_order0(k: Kernel, folio: number): void {
  const m = k.mem;
  const nr = folio_nr_pages(m, folio);
  const swapcache = folio_test_swapcache(m, folio);
  const mapping = m.mapping[folio];
  const index = m.index[folio];
  const keep = m.flags[folio] & ~((1 << PG_head) | 1);
  dequeue_deferred(k, folio);
  clear_page_flag(m, folio + 1, PG_partially_mapped);
  folio_init_large_fields(m, folio);
  for (let i = 0; i < nr; i++) {
    const p = folio + i;
    const mapped = m._mapcount[p] + 1;
    m.compound_order[p] = 0;
    if (i > 0) {
      m.flags[p] = (m.flags[p] & (1 << PG_anon_exclusive)) | keep; // AE stays per page
      m.mapping[p] = mapping;
      m.index[p] = index + i;
      m.priv[p] = swapcache ? m.priv[folio] + i : 0;
      m.lru_next[p] = 0;
      m.lru_prev[p] = 0;
      m._refcount[p] = mapped + (swapcache ? 1 : 0);
    } else {
      m._refcount[p] = mapped + 1 + (swapcache ? 1 : 0);
    }
  }
  m.flags[folio] = m.flags[folio] & ~(1 << PG_head);
  for (let i = 1; i < nr; i++) if (m._refcount[folio + i] === 0) freeUnmapped(k, folio + i);
}

function freeUnmapped(k: Kernel, page: number): void {
  k.mem._refcount[page] = 1;
  folio_put(k.mem, page);
}

/** mm/huge_memory.c: deferred_split_folio(folio, partially_mapped): queue a partially unmapped THP. @fidelity simplified */
export function deferred_split_folio(k: Kernel, folio: number, partially_mapped: boolean): void {
  if (folio_order(k.mem, folio) <= 1) return;
  if (partially_mapped) set_page_flag(k.mem, folio + 1, PG_partially_mapped);
  const q = mmState(k).deferredSplit;
  if (!q.includes(folio)) q.push(folio);
}

function dequeue_deferred(k: Kernel, folio: number): void {
  const q = mmState(k).deferredSplit;
  const i = q.indexOf(folio);
  if (i >= 0) q.splice(i, 1);
}

/**
 * mm/huge_memory.c: deferred_split_scan(shrink, sc): the THP shrinker: split the queued,
 * partially mapped folios that can be locked and split. Returns how many were split.
 * @fidelity simplified (no memcg queues; the unmapped subpages are freed by the split)
 */
export function* deferred_split_scan(k: Kernel): Sched<number> {
  const q = mmState(k).deferredSplit.splice(0);
  let split = 0;
  for (const folio of q) {
    const m = k.mem;
    if (!folio_test_large(m, folio) || m._refcount[folio] <= 0) continue;
    folio_ref_add(m, folio, 1);
    if (yield* folio_trylock(k, folio)) {
      const ret = yield* split_folio(k, folio);
      yield* folio_unlock(k, folio);
      if (ret === 0) split++;
      else mmState(k).deferredSplit.push(folio);
    }
    folio_put(m, folio);
  }
  return split;
}

/** mm/migrate.c: pmd_migration_entry_wait(mm, pmd): wait for the migrating THP's lock. @fidelity simplified */
export function* pmd_migration_entry_wait(mm: mm_struct, pmdp: number): Sched<void> {
  const pmd = mm.k.pool.get(pmdp);
  if (!is_pmd_migration_entry(pmd)) return;
  const folio = page_folio(mm.k.mem, swp_offset_pfn(pmd_to_swp_entry(pmd)));
  yield* folio_wait_locked(mm.k, folio);
}
