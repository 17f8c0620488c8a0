/**
 * fork's page-table copy: mm/memory.c (v6.18) copy_page_range, copy_pmd_range, copy_pte_range,
 * copy_present_ptes, copy_present_page, copy_nonpresent_pte and vma_needs_copy.
 *
 * For COW mappings the source mm's write_protect_seq is odd for the whole copy (GUP-fast sees
 * it and backs off). Each present anonymous page is shared with the child by
 * folio_try_dup_anon_rmap_ptes (PageAnonExclusive cleared, both PTEs write-protected), except a
 * page that may be DMA-pinned (folio_needs_cow_for_dma): the child gets its own copy at once
 * (copy_present_page) and the parent's PTE is left as it was. Quirk `fork-shares-pinned`
 * (internal.ts: folio_needs_cow_for_dma) restores the behaviour before 70e806e4e645.
 *
 * Scheduling points (when another thread can run): before each present anonymous PTE's rmap
 * duplication (the folio's counters) and before its write-protection (the parent PTE), which is
 * the window GUP-fast's write_protect_seq check closes. When the forking thread runs alone
 * (solo.ts) those points are elided, and runs of PTEs mapping small anonymous folios are copied
 * by one plain loop (copy_small_anon_ptes) and PMD-mapped THPs by copy_huge_pmd_solo, with the
 * general path's effects.
 */
import { PageAnonExclusive } from '../../mm/anon.js';
import {
  copy_highpage,
  folio_get,
  folio_ref_add,
  folio_ref_sub,
  folio_test_large,
  page_folio,
} from '../../mm/folio.js';
import {
  PAGE_SIZE,
  addr_to_vpn,
  pgd_addr_end,
  pmd_addr_end,
  pud_addr_end,
} from '../../mm/layout.js';
import {
  MM_ANONPAGES,
  MMF_HAS_PINNED,
  MM_SWAPENTS,
  NR_MM_COUNTERS,
  add_mm_counter,
  mm_counter,
  mm_counter_file,
  mm_flags_test,
} from '../../mm/mm_types.js';
import { folio_put } from '../../mm/page_free.js';
import {
  PG_anon,
  PG_anon_exclusive,
  PG_head,
  PG_hugetlb,
  PG_ksm,
  PageHWPoison,
  folio_mark_uptodate,
  folio_test_anon,
} from '../../mm/page_flags.js';
import {
  entry_table,
  pfn_pte,
  pmd_leaf,
  pmd_none,
  pte_clear_uffd_wp,
  pte_dirty,
  pte_mkclean,
  pte_mkdirty,
  pte_mkold,
  pte_mkuffd_wp,
  pte_mkwrite,
  pte_none,
  pte_pfn,
  pte_present,
  pte_soft_dirty,
  pte_special,
  pte_uffd_wp,
  pte_write,
  pte_wrprotect,
  pud_none,
} from '../../mm/pgtable_types.js';
import {
  pgd_offset,
  pmd_alloc,
  pmd_offset,
  pte_alloc,
  pud_alloc,
  pud_offset,
} from '../../mm/pgtable_walk.js';
import {
  is_migration_entry,
  is_pte_marker_entry,
  is_readable_migration_entry,
  make_readable_migration_entry,
  pte_swp_clear_exclusive,
  pte_swp_clear_uffd_wp,
  pte_swp_exclusive,
  pte_swp_mksoft_dirty,
  pte_swp_mkuffd_wp,
  pte_swp_soft_dirty,
  pte_swp_uffd_wp,
  pte_to_swp_entry,
  non_swap_entry,
  swp_entry_to_pte,
  swp_offset,
  swp_offset_pfn,
  pte_marker_get,
  PTE_MARKER_UFFD_WP,
} from '../../mm/swapops.js';
import { is_cow_mapping, type VmAreaStruct } from '../../mm/vma.js';
import { Access } from '../../sim/footprint.js';
import { raw_write_seqcount_begin, raw_write_seqcount_end } from '../../sim/locking/seqcount.js';
import type { Sched } from '../../sim/thread.js';
import { maskAnd } from '../include/bits.js';
import { EAGAIN, EHWPOISON, ENOMEM } from '../include/errno.js';
import { VM_HUGETLB, VM_MIXEDMAP, VM_PFNMAP, VM_SHARED } from '../include/vm_flags.js';
import type { Kernel } from '../kernel.js';
import { folioObj, mmFlagsObj, pteObj } from '../objects.js';
import {
  COPY_PMD_NOT_SOLO,
  COPY_PMD_SPLIT,
  copy_huge_pmd,
  copy_huge_pmd_solo,
} from './huge_memory.js';
import { __split_huge_pmd } from './huge_memory_split.js';
import { copy_hugetlb_page_range } from './hugetlb.js';
import {
  folio_add_lru,
  folio_prealloc,
  maybe_mkwrite,
  userfaultfd_wp,
  vm_normal_page,
  vma_mm,
  vma_soft_dirty_enabled,
} from './internal.js';
import type { mm_struct } from './mm_struct.js';
import {
  MMU_NOTIFY_PROTECTION_PAGE,
  mmu_notifier_invalidate_range_end,
  mmu_notifier_invalidate_range_start,
  mmu_notifier_range_init,
} from './mmu_notifier.js';
import {
  RMAP_EXCLUSIVE,
  folio_add_new_anon_rmap,
  folio_dup_file_rmap_ptes,
  folio_try_dup_anon_rmap_ptes,
} from './rmap.js';
import { mm_solo, ptl_lock, ptl_unlock } from './solo.js';
import { swap_duplicate } from './swap.js';

/** mm/memory.c: vma_needs_copy(dst_vma, src_vma). @fidelity exact */
export function vma_needs_copy(dst_vma: VmAreaStruct, src_vma: VmAreaStruct): boolean {
  if (userfaultfd_wp(dst_vma)) return true;
  if ((src_vma.vm_flags & (VM_PFNMAP | VM_MIXEDMAP)) !== 0) return true;
  return src_vma.anon_vma !== null;
}

interface CopyState {
  readonly k: Kernel;
  readonly dst_vma: VmAreaStruct;
  readonly src_vma: VmAreaStruct;
  readonly rss: Float64Array;
  prealloc: number;
  /** A __copy_present_ptes the caller still has to do (pendNr > 0). */
  pendDst: number;
  pendSrc: number;
  pendPte: number;
  pendNr: number;
}

/**
 * mm/memory.c: copy_nonpresent_pte(...): swap entries are duplicated (the source PTE loses its
 * exclusive bit), writable migration entries become readable in both mms, uffd-wp markers are
 * kept when the child is uffd-wp armed.
 * @fidelity simplified (no device-private or device-exclusive entries)
 */
function copy_nonpresent_pte(s: CopyState, dst_pte: number, src_pte: number): number {
  const { k } = s;
  const pool = k.pool;
  const orig = pool.get(src_pte);
  const entry = pte_to_swp_entry(orig);
  let pte = orig;
  if (!non_swap_entry(entry)) {
    if (swap_duplicate(k, entry) < 0) return -EAGAIN;
    if (pte_swp_exclusive(orig)) {
      pte = pte_swp_clear_exclusive(orig);
      pool.set(src_pte, pte);
    }
    s.rss[MM_SWAPENTS]++;
  } else if (is_migration_entry(entry)) {
    const folio = page_folio(k.mem, swp_offset_pfn(entry));
    s.rss[mm_counter(k.mem, folio)]++;
    if (!is_readable_migration_entry(entry) && is_cow_mapping(s.dst_vma.vm_flags)) {
      pte = swp_entry_to_pte(make_readable_migration_entry(swp_offset(entry)));
      if (pte_swp_soft_dirty(orig)) pte = pte_swp_mksoft_dirty(pte);
      if (pte_swp_uffd_wp(orig)) pte = pte_swp_mkuffd_wp(pte);
      pool.set(src_pte, pte);
    }
  } else if (is_pte_marker_entry(entry)) {
    if ((pte_marker_get(entry) & PTE_MARKER_UFFD_WP) !== 0 && userfaultfd_wp(s.dst_vma))
      pool.set(dst_pte, orig);
    return 0;
  } else {
    throw new Error('copy_nonpresent_pte: device entries are not modelled');
  }
  if (!userfaultfd_wp(s.dst_vma)) pte = pte_swp_clear_uffd_wp(pte);
  pool.set(dst_pte, pte);
  return 0;
}

/** mm/memory.c: copy_present_page(...): the child gets a private copy of a maybe-pinned page. @fidelity exact */
function copy_present_page(
  s: CopyState,
  dst_pte: number,
  src_pte: number,
  addr: number,
  page: number,
): number {
  const { k, dst_vma } = s;
  const nw = s.prealloc;
  if (nw < 0) return -EAGAIN;
  if (PageHWPoison(k.mem, page)) return -EHWPOISON;
  copy_highpage(k.mem, nw, page);
  s.prealloc = -1;
  folio_mark_uptodate(k.mem, nw);
  folio_add_new_anon_rmap(k, nw, dst_vma, addr, RMAP_EXCLUSIVE);
  folio_add_lru(k, nw);
  s.rss[MM_ANONPAGES]++;
  let pte = maybe_mkwrite(pte_mkdirty(pfn_pte(nw, dst_vma.vm_page_prot)), dst_vma);
  if (userfaultfd_wp(dst_vma) && pte_uffd_wp(k.pool.get(src_pte))) pte = pte_mkuffd_wp(pte);
  k.pool.set(dst_pte, pte);
  if (k.m.trace.enabled) {
    k.m.emit(
      'mm.fork-copy',
      {
        parent: s.src_vma.vm_mm.mm_id,
        child: dst_vma.vm_mm.mm_id,
        address: addr,
        old: page,
        new: nw,
        reason: 'folio may be pinned (folio_needs_cow_for_dma) and the page is PageAnonExclusive',
      },
      'mm/memory.c: copy_present_page',
    );
  }
  return 0;
}

/** mm/memory.c: __copy_present_ptes(...): write-protect COW mappings in both mms, set the child PTEs. @fidelity exact */
function __copy_present_ptes(
  s: CopyState,
  dst_pte: number,
  src_pte: number,
  pte: number,
  nr: number,
): void {
  const pool = s.k.pool;
  if (is_cow_mapping(s.src_vma.vm_flags) && pte_write(pte)) {
    for (let i = 0; i < nr; i++) pool.set(src_pte + i, pte_wrprotect(pool.get(src_pte + i)));
    pte = pte_wrprotect(pte);
  }
  if ((s.src_vma.vm_flags & VM_SHARED) !== 0) pte = pte_mkclean(pte);
  pte = pte_mkold(pte);
  if (!userfaultfd_wp(s.dst_vma)) pte = pte_clear_uffd_wp(pte);
  for (let i = 0; i < nr; i++) pool.set(dst_pte + i, pte + i * PAGE_SIZE);
}

/**
 * mm/memory.c: folio_pte_batch_flags(folio, vma, ptep, &pte, max_nr, flags): how many PTEs from
 * ptep map consecutive pages of the folio with the same bits (the write bit merged; dirty and
 * soft-dirty respected as the flags say). Returns the count; the first PTE gains the write bit
 * if any of them had it.
 * @fidelity simplified
 */
function folio_pte_batch(
  s: CopyState,
  folio: number,
  ptep: number,
  pte: number,
  max_nr: number,
): [number, number] {
  const m = s.k.mem;
  const pool = s.k.pool;
  const nr_folio = 1 << m.compound_order[folio];
  const respectDirty = (s.src_vma.vm_flags & VM_SHARED) === 0;
  const respectSoftDirty = vma_soft_dirty_enabled(s.src_vma);
  const pfn0 = pte_pfn(pte);
  const limit = Math.min(max_nr, folio + nr_folio - pfn0);
  let writable = pte_write(pte);
  let n = 1;
  for (; n < limit; n++) {
    const e = pool.get(ptep + n);
    if (!pte_present(e) || pte_pfn(e) !== pfn0 + n) break;
    if (respectDirty && pte_dirty(e) !== pte_dirty(pte)) break;
    if (respectSoftDirty && pte_soft_dirty(e) !== pte_soft_dirty(pte)) break;
    if (pte_uffd_wp(e) !== pte_uffd_wp(pte)) break;
    writable ||= pte_write(e);
  }
  return [n, writable ? pte_mkwrite(pte) : pte];
}

/**
 * mm/memory.c: copy_present_ptes(...): returns the number of PTEs copied (>= 1) or -EAGAIN when
 * a preallocated page is needed (a maybe-pinned page must be copied) or -EHWPOISON. The final
 * __copy_present_ptes (write-protect the parent, set the child) is left in `s.pend*` for the
 * caller, which takes a scheduling point before it (the parent PTE changes).
 * @fidelity exact
 */
function copy_present_ptes(
  s: CopyState,
  dst_pte: number,
  src_pte: number,
  pte: number,
  addr: number,
  max_nr: number,
): number {
  const { k, dst_vma, src_vma } = s;
  const page = vm_normal_page(k, src_vma, pte);
  if (page < 0) {
    pend(s, dst_pte, src_pte, pte, 1);
    return 1;
  }
  const folio = page_folio(k.mem, page);
  if (s.prealloc < 0 && folio_test_large(k.mem, folio) && max_nr !== 1) {
    const [nr, first] = folio_pte_batch(s, folio, src_pte, pte, max_nr);
    folio_ref_add(k.mem, folio, nr);
    if (folio_test_anon(k.mem, folio)) {
      if (folio_try_dup_anon_rmap_ptes(k, folio, page, nr, dst_vma, src_vma) !== 0) {
        folio_ref_sub(k.mem, folio, nr);
        return -EAGAIN;
      }
      s.rss[MM_ANONPAGES] += nr;
    } else {
      folio_dup_file_rmap_ptes(k, folio, page, nr, dst_vma);
      s.rss[mm_counter_file(k.mem, folio)] += nr;
    }
    pend(s, dst_pte, src_pte, first, nr);
    return nr;
  }
  folio_get(k.mem, folio);
  if (folio_test_anon(k.mem, folio)) {
    if (folio_try_dup_anon_rmap_ptes(k, folio, page, 1, dst_vma, src_vma) !== 0) {
      folio_put(k.mem, folio);
      const err = copy_present_page(s, dst_pte, src_pte, addr, page);
      return err !== 0 ? err : 1;
    }
    s.rss[MM_ANONPAGES]++;
    if (PageAnonExclusive(k.mem, page))
      throw new Error('VM_WARN_ON_FOLIO: shared page still exclusive');
  } else {
    folio_dup_file_rmap_ptes(k, folio, page, 1, dst_vma);
    s.rss[mm_counter_file(k.mem, folio)]++;
  }
  pend(s, dst_pte, src_pte, pte, 1);
  return 1;
}

function pend(s: CopyState, dst_pte: number, src_pte: number, pte: number, nr: number): void {
  s.pendDst = dst_pte;
  s.pendSrc = src_pte;
  s.pendPte = pte;
  s.pendNr = nr;
}

/** The flag bits of a small, anonymous, non-KSM, non-hugetlb folio (copy_small_anon_ptes). */
const SMALL_ANON_MASK = (1 << PG_anon) | (1 << PG_ksm) | (1 << PG_hugetlb) | (1 << PG_head);
const PAGE_ANON_EXCLUSIVE = 1 << PG_anon_exclusive;

/**
 * Whether copy_small_anon_ptes may run for this copy: the caller runs alone, no preallocated
 * page is pending, and no folio of the source can be "maybe pinned" (no MMF_HAS_PINNED, or the
 * quirk that ignores it), so folio_try_dup_anon_rmap_ptes cannot fail.
 */
function small_anon_fast_ok(s: CopyState, src_mm: mm_struct): boolean {
  const vm_flags = s.src_vma.vm_flags;
  if (s.prealloc >= 0 || (vm_flags & (VM_PFNMAP | VM_MIXEDMAP)) !== 0) return false;
  // folio_needs_cow_for_dma's VM_BUG_ON must stay where the general path would hit it.
  if ((src_mm.write_protect_seq.sequence & 1) === 0) return false;
  return s.k.m.quirk('fork-shares-pinned') || !mm_flags_test(MMF_HAS_PINNED, src_mm);
}

/**
 * The general loop of copy_pte_range (copy_present_ptes -> folio_try_dup_anon_rmap_ptes ->
 * __copy_present_ptes) for a run of PTEs that are none or map a small anonymous folio, in one
 * plain loop, for a caller that runs alone (no scheduling point to declare; see
 * small_anon_fast_ok for the other conditions). Each PTE gets exactly the general path's
 * effects: folio_get, PageAnonExclusive cleared, _mapcount + 1, the anon RSS, both PTEs
 * write-protected in a COW mapping, the child's PTE old (and clean in a shared mapping, without
 * uffd-wp unless the child is armed). Stops at the first PTE that needs anything else and
 * returns how many PTEs it handled (0..max_nr).
 * @fidelity custom
 */
function copy_small_anon_ptes(
  s: CopyState,
  dst_pte: number,
  src_pte: number,
  max_nr: number,
): number {
  const k = s.k;
  const pool = k.pool;
  const mem = k.mem;
  const flags = mem.flags;
  const refcount = mem._refcount;
  const mapcount = mem._mapcount;
  const zero = mem.zero_pfn;
  const hzero = mem.huge_zero_pfn;
  const cow = is_cow_mapping(s.src_vma.vm_flags);
  const shared = (s.src_vma.vm_flags & VM_SHARED) !== 0;
  const keep_uffd = userfaultfd_wp(s.dst_vma);
  let anon = 0;
  let i = 0;
  for (; i < max_nr; i++) {
    let pte = pool.get(src_pte + i);
    if (pte === 0) continue;
    if (!pte_present(pte) || pte_special(pte)) break;
    const pfn = pte_pfn(pte);
    if (pfn === zero || pfn === hzero) break;
    const fl = flags[pfn];
    if ((fl & SMALL_ANON_MASK) !== 1 << PG_anon || mem.compound_order[pfn] !== 0) break;
    if (refcount[pfn] <= 0) break; // folio_get's VM_BUG_ON: the general path reports it
    refcount[pfn] = refcount[pfn] + 1; // folio_get
    if ((fl & PAGE_ANON_EXCLUSIVE) !== 0) flags[pfn] = fl & ~PAGE_ANON_EXCLUSIVE;
    mapcount[pfn] = mapcount[pfn] + 1;
    anon++;
    // __copy_present_ptes(nr = 1)
    if (cow && pte_write(pte)) {
      pool.set(src_pte + i, pte_wrprotect(pte));
      pte = pte_wrprotect(pte);
    }
    if (shared) pte = pte_mkclean(pte);
    pte = pte_mkold(pte);
    if (!keep_uffd) pte = pte_clear_uffd_wp(pte);
    pool.set(dst_pte + i, pte);
  }
  s.rss[MM_ANONPAGES] += anon;
  return i;
}

/** mm/memory.c: copy_pte_range(dst_vma, src_vma, dst_pmd, src_pmd, addr, end): 0 or -ENOMEM. @fidelity exact */
function* copy_pte_range(
  s: CopyState,
  dst_pmd: number,
  src_pmd: number,
  addr: number,
  end: number,
): Sched<number> {
  const { k } = s;
  const pool = k.pool;
  const dst_mm = vma_mm(s.dst_vma);
  const src_mm = vma_mm(s.src_vma);
  let ret = 0;
  while (addr !== end) {
    s.rss.fill(0);
    pte_alloc(pool, dst_mm, dst_pmd);
    const dtab = entry_table(pool.get(dst_pmd));
    const dst_ptl = dst_mm.ptlock(dtab);
    yield* ptl_lock(dst_ptl);
    const spmd = pool.get(src_pmd);
    if (pmd_none(spmd) || pmd_leaf(spmd)) {
      yield* ptl_unlock(dst_ptl);
      break;
    }
    const stab = entry_table(spmd);
    const src_ptl = src_mm.ptlock(stab);
    yield* ptl_lock(src_ptl, 1);
    const vpn = addr_to_vpn(addr);
    const m = k.m;
    const solo = mm_solo(m);
    let dst_pte = dtab * 512 + (vpn & 511);
    let src_pte = stab * 512 + (vpn & 511);
    ret = 0;
    let fast = solo && small_anon_fast_ok(s, src_mm);
    while (addr !== end) {
      let nr = 1;
      if (fast) {
        nr = copy_small_anon_ptes(s, dst_pte, src_pte, (end - addr) / PAGE_SIZE);
        if (nr > 0) {
          dst_pte += nr;
          src_pte += nr;
          addr += nr * PAGE_SIZE;
          continue;
        }
        nr = 1;
      }
      const ptent = pool.get(src_pte);
      if (!pte_none(ptent)) {
        if (!pte_present(ptent)) {
          ret = copy_nonpresent_pte(s, dst_pte, src_pte);
          if (ret !== 0) break;
        } else {
          if (!solo) {
            const page = vm_normal_page(k, s.src_vma, ptent);
            // The source mm is read for MMF_HAS_PINNED (folio_needs_cow_for_dma).
            const p = m
              .at('copy_present_ptes', pteObj(src_pte), Access.Read)
              .also(mmFlagsObj(src_mm.mm_id), Access.Read);
            yield page < 0 ? p : p.also(folioObj(page_folio(k.mem, page)), Access.Write);
          }
          s.pendNr = 0;
          ret = copy_present_ptes(s, dst_pte, src_pte, ptent, addr, (end - addr) / PAGE_SIZE);
          if (s.pendNr > 0) {
            if (!solo) yield m.at('__copy_present_ptes', pteObj(s.pendSrc), Access.Write);
            __copy_present_ptes(s, s.pendDst, s.pendSrc, s.pendPte, s.pendNr);
          }
          if (ret === -EAGAIN || ret === -EHWPOISON) break;
          if (s.prealloc >= 0) {
            folio_put(k.mem, s.prealloc);
            s.prealloc = -1;
          }
          if (solo) fast = small_anon_fast_ok(s, src_mm);
          nr = ret;
          ret = 0;
        }
      }
      dst_pte += nr;
      src_pte += nr;
      addr += nr * PAGE_SIZE;
    }
    yield* ptl_unlock(src_ptl);
    for (let i = 0; i < NR_MM_COUNTERS; i++)
      if (s.rss[i] !== 0) add_mm_counter(dst_mm, i, s.rss[i]!);
    yield* ptl_unlock(dst_ptl);
    if (ret === -EHWPOISON) break;
    if (ret === -EAGAIN) {
      s.prealloc = folio_prealloc(k, false);
      if (s.prealloc < 0) return -ENOMEM;
      ret = 0;
    }
  }
  if (s.prealloc >= 0) {
    folio_put(k.mem, s.prealloc);
    s.prealloc = -1;
  }
  return ret === -EHWPOISON ? ret : 0;
}

/** mm/memory.c: copy_pmd_range(...) with copy_huge_pmd for PMD-mapped THPs. @fidelity exact */
function* copy_pmd_range(
  s: CopyState,
  dst_pud: number,
  src_pud: number,
  addr: number,
  end: number,
): Sched<number> {
  const { k } = s;
  const pool = k.pool;
  const dst_mm = vma_mm(s.dst_vma);
  const src_mm = vma_mm(s.src_vma);
  const vpn0 = addr_to_vpn(addr);
  const dst_pmd0 = pmd_alloc(pool, dst_mm, dst_pud, vpn0);
  const src_pmd0 = pmd_offset(pool, src_pud, vpn0);
  let i = 0;
  do {
    const next = pmd_addr_end(addr / PAGE_SIZE, end / PAGE_SIZE) * PAGE_SIZE;
    const src_pmd = src_pmd0 + i;
    const dst_pmd = dst_pmd0 + i;
    i++;
    const pmd = pool.get(src_pmd);
    if (pmd_leaf(pmd)) {
      let err = copy_huge_pmd_solo(dst_mm, src_mm, dst_pmd, src_pmd, s.dst_vma, s.src_vma);
      if (err === COPY_PMD_SPLIT) {
        yield* __split_huge_pmd(s.src_vma, src_pmd, addr, false);
        err = -EAGAIN;
      } else if (err === COPY_PMD_NOT_SOLO) {
        err = yield* copy_huge_pmd(dst_mm, src_mm, dst_pmd, src_pmd, addr, s.dst_vma, s.src_vma);
      }
      if (err === -ENOMEM) return -ENOMEM;
      if (err === 0) {
        addr = next;
        continue;
      }
    }
    if (!pmd_none(pool.get(src_pmd))) {
      if ((yield* copy_pte_range(s, dst_pmd, src_pmd, addr, next)) !== 0) return -ENOMEM;
    }
    addr = next;
  } while (addr !== end);
  return 0;
}

/**
 * mm/memory.c: copy_page_range(dst_vma, src_vma): copy the VMA's page tables to the child.
 * Returns 0 or -ENOMEM.
 * @fidelity exact
 */
export function* copy_page_range(dst_vma: VmAreaStruct, src_vma: VmAreaStruct): Sched<number> {
  if (!vma_needs_copy(dst_vma, src_vma)) return 0;
  const dst_mm = vma_mm(dst_vma);
  const src_mm = vma_mm(src_vma);
  const k = src_mm.k;
  if (maskAnd(src_vma.vm_flags, VM_HUGETLB) !== 0)
    return yield* copy_hugetlb_page_range(dst_mm, src_mm, dst_vma, src_vma);
  const is_cow = is_cow_mapping(src_vma.vm_flags);
  // mmu notifier hook: a COW mapping is write-protected; secondary MMUs drop their mappings.
  const range = is_cow
    ? mmu_notifier_range_init(
        MMU_NOTIFY_PROTECTION_PAGE,
        0,
        src_mm,
        src_vma.vm_start,
        src_vma.vm_end,
      )
    : null;
  if (range !== null) yield* mmu_notifier_invalidate_range_start(range);
  if (is_cow) yield* raw_write_seqcount_begin(src_mm.write_protect_seq);
  const s: CopyState = {
    k,
    dst_vma,
    src_vma,
    rss: new Float64Array(NR_MM_COUNTERS),
    prealloc: -1,
    pendDst: 0,
    pendSrc: 0,
    pendPte: 0,
    pendNr: 0,
  };
  const ret = yield* copy_range(s, dst_mm, src_mm, src_vma.vm_start, src_vma.vm_end);
  if (is_cow) yield* raw_write_seqcount_end(src_mm.write_protect_seq);
  if (range !== null) yield* mmu_notifier_invalidate_range_end(range);
  return ret;
}

function* copy_range(
  s: CopyState,
  dst_mm: mm_struct,
  src_mm: mm_struct,
  start: number,
  end: number,
): Sched<number> {
  const pool = s.k.pool;
  let vpn = addr_to_vpn(start);
  const evpn = addr_to_vpn(end);
  while (vpn !== evpn) {
    const gnext = pgd_addr_end(vpn, evpn);
    const src_pgd = pgd_offset(src_mm, vpn);
    if (pool.get(src_pgd) !== 0) {
      let v = vpn;
      while (v !== gnext) {
        const unext = pud_addr_end(v, gnext);
        const src_pud = pud_offset(pool, src_pgd, v);
        if (!pud_none(pool.get(src_pud))) {
          const dst_pud = pud_alloc(pool, dst_mm, pgd_offset(dst_mm, v), v);
          if ((yield* copy_pmd_range(s, dst_pud, src_pud, v * PAGE_SIZE, unext * PAGE_SIZE)) !== 0)
            return -ENOMEM;
        }
        v = unext;
      }
    }
    vpn = gnext;
  }
  return 0;
}
