/**
 * THP collapse: mm/khugepaged.c (v6.18) for anonymous memory: hpage_collapse_scan_pmd (can this
 * PTE table become one THP?), collapse_huge_page (under the write mmap_lock: clear the PMD,
 * isolate and lock the small folios, copy them into a new THP, map it with one PMD),
 * madvise_collapse (MADV_COLLAPSE) and the khugepaged daemon's scan of one mm.
 *
 * A folio with references beyond its mappings (a GUP pin or get) is not collapsed
 * (SCAN_PAGE_COUNT): folio_expected_ref_count must equal the refcount.
 * @fidelity simplified: anonymous VMAs only, no swap-in of swapped PTEs (SCAN_EXCEED_SWAP_PTE
 * when any), no node balancing, no memcg charge
 */
import { is_zero_pfn } from '../../mm/anon.js';
import { folio_get, folio_ref_count, page_folio } from '../../mm/folio.js';
import { GFP_TRANSHUGE } from '../../mm/gfp.js';
import { HPAGE_PMD_NR, PMD_SIZE, addr_to_vpn } from '../../mm/layout.js';
import { folio_maybe_mapped_shared } from '../../mm/mapcount.js';
import { folio_alloc } from '../../mm/page_alloc.js';
import { folio_put } from '../../mm/page_free.js';
import { folio_mark_uptodate, folio_test_anon } from '../../mm/page_flags.js';
import { folio_expected_ref_count } from '../../mm/anon.js';
import {
  entry_table,
  mk_table_entry,
  pfn_pmd,
  pmd_leaf,
  pmd_mkdirty,
  pmd_none,
  pte_none,
  pte_pfn,
  pte_present,
  pte_uffd_wp,
  pte_young,
} from '../../mm/pgtable_types.js';
import { pgtable_trans_huge_deposit, pmd_lookup } from '../../mm/pgtable_walk.js';
import { find_vma, type VmAreaStruct } from '../../mm/vma.js';
import type { Sched } from '../../sim/thread.js';
import { EAGAIN, EINVAL, ENOMEM } from '../include/errno.js';
import type { Kernel } from '../kernel.js';
import { folio_trylock, folio_unlock } from './filemap.js';
import { thp_vma_allowable_order, thp_vma_suitable_order, type TvaType } from './huge_memory.js';
import { deferred_split_folio } from './huge_memory_split.js';
import {
  current_pflags,
  folio_add_lru,
  maybe_pmd_mkwrite,
  userfaultfd_wp,
  vm_normal_folio,
} from './internal.js';
import {
  mmap_read_lock,
  mmap_read_unlock,
  mmap_write_lock,
  mmap_write_unlock,
} from './mmap_lock.js';
import { count_vm_event, mmState } from './mm_state.js';
import type { mm_struct } from './mm_struct.js';
import { pmd_lock, pmd_unlock } from './pgtable_generic.js';
import { RMAP_EXCLUSIVE, folio_add_new_anon_rmap, folio_remove_rmap_ptes } from './rmap.js';
import { ptl_lock, ptl_unlock } from './solo.js';

/** mm/khugepaged.c: enum scan_result (the ones the model produces). @fidelity exact names */
export type ScanResult =
  | 'SCAN_SUCCEED'
  | 'SCAN_PMD_NULL'
  | 'SCAN_PMD_MAPPED'
  | 'SCAN_EXCEED_NONE_PTE'
  | 'SCAN_EXCEED_SWAP_PTE'
  | 'SCAN_EXCEED_SHARED_PTE'
  | 'SCAN_PTE_NON_PRESENT'
  | 'SCAN_PTE_UFFD_WP'
  | 'SCAN_LACK_REFERENCED_PAGE'
  | 'SCAN_PAGE_NULL'
  | 'SCAN_PAGE_LOCK'
  | 'SCAN_PAGE_ANON'
  | 'SCAN_PAGE_COUNT'
  | 'SCAN_VMA_CHECK'
  | 'SCAN_ADDRESS_RANGE'
  | 'SCAN_ALLOC_HUGE_PAGE_FAIL';

/** The collapse control (struct collapse_control): khugepaged applies the max_ptes_* limits, MADV_COLLAPSE does not. */
interface collapse_control {
  readonly is_khugepaged: boolean;
}

function trace(k: Kernel, mm: mm_struct, address: number, result: string): void {
  if (k.m.trace.enabled)
    k.m.emit(
      'mm.collapse',
      { mm: mm.mm_id, address, result },
      'mm/khugepaged.c: collapse_huge_page',
    );
}

/** mm/khugepaged.c: hugepage_vma_revalidate(mm, address, expect_anon, &vma, cc). @fidelity simplified */
function hugepage_vma_revalidate(
  k: Kernel,
  mm: mm_struct,
  address: number,
  cc: collapse_control,
): VmAreaStruct | ScanResult {
  const vma = find_vma(mm, address);
  if (vma === null || vma.vm_start > address) return 'SCAN_VMA_CHECK';
  if (!thp_vma_suitable_order(vma, address, 9)) return 'SCAN_ADDRESS_RANGE';
  const type: TvaType = cc.is_khugepaged ? 'khugepaged' : 'forced_collapse';
  if (!thp_vma_allowable_order(k, vma, vma.vm_flags, type)) return 'SCAN_VMA_CHECK';
  if (vma.anon_vma === null) return 'SCAN_VMA_CHECK';
  return vma;
}

/**
 * mm/khugepaged.c: the PTE checks shared by hpage_collapse_scan_pmd and
 * __collapse_huge_page_isolate: every PTE is none/zero (within max_ptes_none), or maps an anon
 * folio whose refcount is exactly what its mappings (and swap cache) explain.
 */
function scan_ptes(k: Kernel, vma: VmAreaStruct, base: number, cc: collapse_control): ScanResult {
  const s = mmState(k);
  let none = 0;
  let shared = 0;
  let referenced = false;
  for (let i = 0; i < HPAGE_PMD_NR; i++) {
    const pte = k.pool.get(base + i);
    if (pte_none(pte) || (pte_present(pte) && is_zero_pfn(k.mem, pte_pfn(pte)))) {
      if (cc.is_khugepaged && ++none > s.maxPtesNone) return 'SCAN_EXCEED_NONE_PTE';
      continue;
    }
    if (!pte_present(pte)) return 'SCAN_EXCEED_SWAP_PTE';
    if (pte_uffd_wp(pte) && userfaultfd_wp(vma)) return 'SCAN_PTE_UFFD_WP';
    const folio = vm_normal_folio(k, vma, pte);
    if (folio < 0) return 'SCAN_PAGE_NULL';
    if (!folio_test_anon(k.mem, folio)) return 'SCAN_PAGE_ANON';
    if (folio_maybe_mapped_shared(k.mem, folio) && cc.is_khugepaged && ++shared > s.maxPtesShared)
      return 'SCAN_EXCEED_SHARED_PTE';
    if (folio_expected_ref_count(k.mem, folio) !== folio_ref_count(k.mem, folio))
      return 'SCAN_PAGE_COUNT';
    if (pte_young(pte)) referenced = true;
  }
  if (cc.is_khugepaged && !referenced) return 'SCAN_LACK_REFERENCED_PAGE';
  return 'SCAN_SUCCEED';
}

/**
 * mm/khugepaged.c: collapse_huge_page(mm, address, referenced, unmapped, cc), entered with
 * mmap_lock released: allocate the THP, take the write mmap_lock, revalidate, clear the PMD,
 * isolate and lock every folio (their refcount must still be explained by their mappings),
 * copy, and install the new PMD (the PTE table is deposited under it).
 * @fidelity simplified (see the file comment)
 */
function* collapse_huge_page(
  k: Kernel,
  mm: mm_struct,
  address: number,
  cc: collapse_control,
): Sched<ScanResult> {
  const folio = folio_alloc(k.mem, GFP_TRANSHUGE, 9, current_pflags(k));
  if (folio < 0) return 'SCAN_ALLOC_HUGE_PAGE_FAIL';
  count_vm_event(k, 'THP_COLLAPSE_ALLOC');
  yield* mmap_write_lock(mm);
  const result = yield* collapseLocked(k, mm, address, cc, folio);
  yield* mmap_write_unlock(mm);
  if (result !== 'SCAN_SUCCEED') folio_put(k.mem, folio);
  trace(k, mm, address, result);
  return result;
}

function* collapseLocked(
  k: Kernel,
  mm: mm_struct,
  address: number,
  cc: collapse_control,
  hpage: number,
): Sched<ScanResult> {
  const pool = k.pool;
  const vma = hugepage_vma_revalidate(k, mm, address, cc);
  if (typeof vma === 'string') return vma;
  const pmdp = pmd_lookup(pool, mm, addr_to_vpn(address));
  if (pmdp < 0 || pmd_none(pool.get(pmdp))) return 'SCAN_PMD_NULL';
  if (pmd_leaf(pool.get(pmdp))) return 'SCAN_PMD_MAPPED';
  const pml = yield* pmd_lock(mm, pmdp);
  const table = entry_table(pool.get(pmdp));
  pool.set(pmdp, 0); // pmdp_collapse_flush: GUP-fast now sees no table
  yield* pmd_unlock(pml);
  const base = table * 512;
  const ptl = mm.ptlock(table);
  yield* ptl_lock(ptl);
  let result = scan_ptes(k, vma, base, cc);
  const locked: number[] = [];
  if (result === 'SCAN_SUCCEED') {
    for (let i = 0; i < HPAGE_PMD_NR && result === 'SCAN_SUCCEED'; i++) {
      const pte = pool.get(base + i);
      if (pte_none(pte) || is_zero_pfn(k.mem, pte_pfn(pte))) continue;
      const f = page_folio(k.mem, pte_pfn(pte));
      if (locked.includes(f)) continue;
      if (!(yield* folio_trylock(k, f))) result = 'SCAN_PAGE_LOCK';
      else {
        folio_get(k.mem, f); // folio_isolate_lru's reference
        locked.push(f);
      }
    }
  }
  if (result === 'SCAN_SUCCEED') {
    for (let i = 0; i < HPAGE_PMD_NR; i++) {
      const pte = pool.get(base + i);
      const present = !pte_none(pte) && !is_zero_pfn(k.mem, pte_pfn(pte));
      k.mem.content[hpage + i] = present ? k.mem.content[pte_pfn(pte)]! : 0;
      pool.set(base + i, 0);
      if (present) {
        const f = page_folio(k.mem, pte_pfn(pte));
        folio_remove_rmap_ptes(k, f, pte_pfn(pte), 1, vma);
        folio_put(k.mem, f);
      }
    }
  }
  yield* ptl_unlock(ptl);
  for (const f of locked) {
    yield* folio_unlock(k, f); // release_pte_folio: unlock, then putback (drop the isolation reference)
    folio_put(k.mem, f);
  }
  const pml2 = yield* pmd_lock(mm, pmdp);
  if (result !== 'SCAN_SUCCEED') {
    pool.set(pmdp, mk_table_entry(table)); // pmd_populate: give the table back
    yield* pmd_unlock(pml2);
    return result;
  }
  folio_mark_uptodate(k.mem, hpage);
  folio_add_new_anon_rmap(k, hpage, vma, address, RMAP_EXCLUSIVE);
  folio_add_lru(k, hpage);
  pgtable_trans_huge_deposit(pool, pmdp, table);
  pool.set(pmdp, maybe_pmd_mkwrite(pmd_mkdirty(pfn_pmd(hpage, vma.vm_page_prot)), vma));
  deferred_split_folio(k, hpage, false);
  yield* pmd_unlock(pml2);
  count_vm_event(k, 'THP_COLLAPSE');
  return 'SCAN_SUCCEED';
}

/**
 * mm/khugepaged.c: hpage_collapse_scan_pmd(mm, vma, address, &mmap_locked, cc): under the read
 * mmap_lock, check the PTE table; when it qualifies, drop the lock and collapse. Returns the
 * result with mmap_lock released when a collapse was attempted (`locked.v` false).
 */
function* hpage_collapse_scan_pmd(
  k: Kernel,
  mm: mm_struct,
  vma: VmAreaStruct,
  address: number,
  cc: collapse_control,
  locked: { v: boolean },
): Sched<ScanResult> {
  const pool = k.pool;
  const pmdp = pmd_lookup(pool, mm, addr_to_vpn(address));
  if (pmdp < 0 || pmd_none(pool.get(pmdp))) return 'SCAN_PMD_NULL';
  if (pmd_leaf(pool.get(pmdp))) return 'SCAN_PMD_MAPPED';
  const result = scan_ptes(k, vma, entry_table(pool.get(pmdp)) * 512, cc);
  if (result !== 'SCAN_SUCCEED') {
    trace(k, mm, address, result);
    return result;
  }
  yield* mmap_read_unlock(mm);
  locked.v = false;
  return yield* collapse_huge_page(k, mm, address, cc);
}

/** mm/khugepaged.c: madvise_collapse_errno(result). @fidelity exact */
function madvise_collapse_errno(r: ScanResult): number {
  switch (r) {
    case 'SCAN_ALLOC_HUGE_PAGE_FAIL':
    case 'SCAN_EXCEED_NONE_PTE':
      return -ENOMEM;
    case 'SCAN_PAGE_COUNT':
    case 'SCAN_PAGE_LOCK':
      return -EAGAIN;
    default:
      return -EINVAL;
  }
}

const CONTINUE: readonly ScanResult[] = [
  'SCAN_PMD_NULL',
  'SCAN_PTE_NON_PRESENT',
  'SCAN_PTE_UFFD_WP',
  'SCAN_LACK_REFERENCED_PAGE',
  'SCAN_PAGE_NULL',
  'SCAN_PAGE_COUNT',
  'SCAN_PAGE_LOCK',
];

/**
 * mm/khugepaged.c: madvise_collapse(vma, start, end, &lock_dropped): collapse every aligned 2 MiB
 * of [start, end) into a THP, whatever the sysfs policy. Entered with mmap_lock held for reading
 * (vma found under it); returns with it released. 0, or -EINVAL/-ENOMEM/-EAGAIN for the last
 * failure.
 * @fidelity simplified (lock contract: the caller does not need the lock afterwards)
 */
export function* madvise_collapse(
  k: Kernel,
  mm: mm_struct,
  vma0: VmAreaStruct,
  start: number,
  end: number,
): Sched<number> {
  const cc: collapse_control = { is_khugepaged: false };
  if (!thp_vma_allowable_order(k, vma0, vma0.vm_flags, 'forced_collapse')) {
    yield* mmap_read_unlock(mm);
    return -EINVAL;
  }
  const hstart = Math.ceil(start / PMD_SIZE) * PMD_SIZE;
  let hend = Math.floor(end / PMD_SIZE) * PMD_SIZE;
  const locked = { v: true };
  let vma: VmAreaStruct = vma0;
  let thps = 0;
  let last: ScanResult = 'SCAN_SUCCEED';
  for (let addr = hstart; addr < hend; addr += PMD_SIZE) {
    if (!locked.v) {
      yield* mmap_read_lock(mm);
      locked.v = true;
      const v = hugepage_vma_revalidate(k, mm, addr, cc);
      if (typeof v === 'string') {
        last = v;
        break;
      }
      vma = v;
      hend = Math.min(hend, Math.floor(vma.vm_end / PMD_SIZE) * PMD_SIZE);
    }
    const r = yield* hpage_collapse_scan_pmd(k, mm, vma, addr, cc, locked);
    if (r === 'SCAN_SUCCEED' || r === 'SCAN_PMD_MAPPED') thps++;
    else {
      last = r;
      if (!CONTINUE.includes(r)) break;
    }
  }
  if (locked.v) yield* mmap_read_unlock(mm);
  return thps === (hend - hstart) / PMD_SIZE ? 0 : madvise_collapse_errno(last);
}

/**
 * mm/khugepaged.c: khugepaged_scan_mm_slot for one mm: scan every THP-eligible aligned 2 MiB of
 * every VMA (VM_HUGEPAGE or policy "always") and collapse what qualifies under the khugepaged
 * limits (max_ptes_none, max_ptes_shared, a young page required). Returns how many THPs were
 * made; [start, end) limits the scan to the 2 MiB ranges inside it. The daemon body: run it
 * from a kernel thread (Kernel.kthread_run).
 * @fidelity simplified (no mm_slot list, no sleeping between scans)
 */
export function* khugepaged_scan_mm(
  k: Kernel,
  mm: mm_struct,
  start = 0,
  end = Number.MAX_SAFE_INTEGER,
): Sched<number> {
  const cc: collapse_control = { is_khugepaged: true };
  let made = 0;
  yield* mmap_read_lock(mm);
  const locked = { v: true };
  for (let i = 0; i < mm.mm_mt.length; i++) {
    const vma = mm.mm_mt[i]!;
    if (!thp_vma_allowable_order(k, vma, vma.vm_flags, 'khugepaged') || vma.anon_vma === null)
      continue;
    for (
      let addr = Math.ceil(vma.vm_start / PMD_SIZE) * PMD_SIZE;
      addr + PMD_SIZE <= vma.vm_end;
      addr += PMD_SIZE
    ) {
      if (addr < start || addr + PMD_SIZE > end) continue;
      if (!locked.v) {
        yield* mmap_read_lock(mm);
        locked.v = true;
        if (!mm.mm_mt.includes(vma)) break;
      }
      if ((yield* hpage_collapse_scan_pmd(k, mm, vma, addr, cc, locked)) === 'SCAN_SUCCEED') made++;
    }
  }
  if (locked.v) yield* mmap_read_unlock(mm);
  return made;
}
