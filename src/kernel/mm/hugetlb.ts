/**
 * hugetlb faults, COW, fork and unmap: mm/hugetlb.c (v6.18) hugetlb_fault, hugetlb_no_page,
 * hugetlb_wp, copy_hugetlb_page_range, __unmap_hugepage_range, and the unlinked hugetlbfs file
 * of an anonymous MAP_HUGETLB mapping (hugetlb_file_setup). The pools are src/mm/hugetlb.ts.
 *
 * The COW rule differs from do_wp_page: hugetlb_wp reuses an anonymous folio whenever its
 * mapcount is 1, whatever its refcount (so a FOLL_GET reference does not force a copy).
 * @fidelity simplified: no reservations (a fault with an empty pool gets VM_FAULT_SIGBUS where
 * the kernel would have failed mmap), no PMD sharing, no hugetlb VMA lock, no uffd
 */
import { PageAnonExclusive, SetPageAnonExclusive } from '../../mm/anon.js';
import { folio_get, folio_nr_pages, folio_ref_add, page_folio } from '../../mm/folio.js';
import { dequeue_hugetlb_folio, type Hstate } from '../../mm/hugetlb.js';
import { PMD_SIZE, PUD_SIZE, addr_to_vpn } from '../../mm/layout.js';
import { folio_mapcount } from '../../mm/mapcount.js';
import { MM_ANONPAGES, MM_FILEPAGES, add_mm_counter } from '../../mm/mm_types.js';
import { PF_MEMALLOC_PIN } from '../../mm/gfp.js';
import { folio_put } from '../../mm/page_free.js';
import { PageHWPoison, folio_mark_uptodate, folio_test_anon } from '../../mm/page_flags.js';
import {
  pfn_pmd,
  pte_mkdirty,
  pte_mkwrite,
  pte_mkyoung,
  pte_none,
  pte_pfn,
  pte_present,
  pte_uffd_wp,
  pte_wrprotect,
  pte_write,
  pte_clear_uffd_wp,
} from '../../mm/pgtable_types.js';
import { pgd_offset, pmd_alloc, pmd_lookup, pud_alloc, pud_lookup } from '../../mm/pgtable_walk.js';
import { is_migration_entry, pte_to_swp_entry } from '../../mm/swapops.js';
import { is_cow_mapping, type VmAreaStruct } from '../../mm/vma.js';
import { Access } from '../../sim/footprint.js';
import { Mutex, mutex_lock, mutex_unlock } from '../../sim/locking/mutex.js';
import { raw_write_seqcount_begin, raw_write_seqcount_end } from '../../sim/locking/seqcount.js';
import type { SpinLock } from '../../sim/locking/spinlock.js';
import type { Sched } from '../../sim/thread.js';
import { ENOSPC } from '../include/errno.js';
import {
  FAULT_FLAG_UNSHARE,
  FAULT_FLAG_WRITE,
  VM_FAULT_HWPOISON_LARGE,
  VM_FAULT_OOM,
  VM_FAULT_SIGBUS,
} from '../include/fault_flags.js';
import { VM_MAYSHARE, VM_SHARED, VM_WRITE } from '../include/vm_flags.js';
import type { Kernel } from '../kernel.js';
import { folioObj, mmFlagsObj, pteObj } from '../objects.js';
import { current_pflags, userfaultfd_wp, vma_mm } from './internal.js';
import { mmState } from './mm_state.js';
import type { mm_struct } from './mm_struct.js';
import { address_space, vma_file, type file, type vm_fault_t } from './mm_types.js';
import { tlb_remove_folio, type mmu_gather } from './mmu_gather.js';
import { pmd_lockptr } from './pgtable_generic.js';
import {
  anon_vma_prepare,
  folio_move_anon_rmap,
  hugetlb_add_file_rmap,
  hugetlb_add_new_anon_rmap,
  hugetlb_remove_rmap,
  hugetlb_try_dup_anon_rmap,
} from './rmap.js';
import { mm_solo, ptl_lock, ptl_unlock } from './solo.js';

/** The hstate of a hugetlb VMA (hstate_vma), from its file. @fidelity simplified */
export function hstate_vma(k: Kernel, vma: VmAreaStruct): Hstate {
  const f = vma_file(vma) as (file & { hstate?: Hstate }) | null;
  const h = f?.hstate ?? k.mem.hstates[0];
  if (h === undefined) throw new Error('a hugetlb VMA without an hstate');
  return h;
}

/** A hugetlbfs file of the model (hugetlb_file_setup): its mapping and huge page size. @fidelity simplified */
export interface hugetlb_file extends file {
  readonly hstate: Hstate;
  f_count: number;
  release(): void;
}

/**
 * fs/hugetlbfs/inode.c: hugetlb_file_setup(name, size, acctflag, creat_flags, page_size_log):
 * the unlinked hugetlbfs file behind an anonymous MAP_HUGETLB mapping.
 * @fidelity simplified (no reservations, no user accounting)
 */
export function hugetlb_file_setup(k: Kernel, size: number, h: Hstate): hugetlb_file {
  const s = mmState(k);
  const mapping = new address_space(s.nextMappingId++, `anon_hugepage(${h.name})`);
  mapping.i_size = size;
  s.mappings.set(mapping.id, mapping);
  return {
    id: 0x40000000 + mapping.id,
    f_mapping: mapping,
    vm_ops: { name: 'hugetlb_vm_ops' },
    hstate: h,
    hugetlbfs: true,
    writeback: false,
    f_count: 0,
    release: () => remove_inode_hugepages(k, mapping),
  };
}

/** fs/hugetlbfs/inode.c: remove_inode_hugepages(inode, 0, LLONG_MAX): the inode is evicted. @fidelity simplified */
function remove_inode_hugepages(k: Kernel, mapping: address_space): void {
  for (const folio of mapping.i_pages.values()) {
    k.mem.mapping[folio] = 0;
    folio_put(k.mem, folio);
  }
  mapping.i_pages.clear();
  mapping.nrpages = 0;
  mmState(k).mappings.delete(mapping.id);
}

/** mm/hugetlb.c: huge_pte_alloc(mm, vma, addr, sz): the PMD (2 MiB) or PUD (1 GiB) entry pointer. @fidelity simplified */
function huge_pte_alloc(k: Kernel, mm: mm_struct, addr: number, h: Hstate): number {
  const vpn = addr_to_vpn(addr);
  const pudp = pud_alloc(k.pool, mm, pgd_offset(mm, vpn), vpn);
  return h.size === PUD_SIZE ? pudp : pmd_alloc(k.pool, mm, pudp, vpn);
}

/** mm/hugetlb.c: hugetlb_walk(vma, addr, sz): the entry pointer, or -1. @fidelity simplified */
export function hugetlb_walk(k: Kernel, mm: mm_struct, addr: number, h: Hstate): number {
  const vpn = addr_to_vpn(addr);
  return h.size === PUD_SIZE ? pud_lookup(k.pool, mm, vpn) : pmd_lookup(k.pool, mm, vpn);
}

/** include/linux/hugetlb.h: huge_pte_lockptr(h, mm, pte): PMD split lock or page_table_lock. @fidelity exact */
function huge_pte_lockptr(mm: mm_struct, h: Hstate, ptep: number): SpinLock {
  return h.size === PMD_SIZE ? pmd_lockptr(mm, ptep) : mm.page_table_lock;
}

/** mm/hugetlb.c: make_huge_pte(vma, folio, try_mkwrite). @fidelity exact */
function make_huge_pte(vma: VmAreaStruct, folio: number, try_mkwrite: boolean): number {
  let entry = pfn_pmd(folio, vma.vm_page_prot);
  if (try_mkwrite && (vma.vm_flags & VM_WRITE) !== 0) entry = pte_mkwrite(pte_mkdirty(entry));
  else entry = pte_wrprotect(entry);
  return pte_mkyoung(entry);
}

/** mm/hugetlb.c: alloc_hugetlb_folio(vma, addr, avoid_reserve): a pool folio (refcount 1) or -ENOSPC. @fidelity simplified */
function alloc_hugetlb_folio(k: Kernel, h: Hstate): number {
  const folio = dequeue_hugetlb_folio(k.mem, h, (current_pflags(k) & PF_MEMALLOC_PIN) !== 0);
  return folio < 0 ? -ENOSPC : folio;
}

function hugetlb_fault_mutex(k: Kernel, mapping: number, idx: number): Mutex {
  const s = mmState(k) as ReturnType<typeof mmState> & { hugetlbFaultMutex?: Map<string, Mutex> };
  s.hugetlbFaultMutex ??= new Map();
  const key = `${mapping}:${idx}`;
  let mx = s.hugetlbFaultMutex.get(key);
  if (mx === undefined) {
    mx = new Mutex(k.m, `hugetlb_fault_mutex(${key})`, 'hugetlb_fault_mutex_table');
    s.hugetlbFaultMutex.set(key, mx);
  }
  return mx;
}

function count_add(mm: mm_struct, vma: VmAreaStruct, folio: number, nr: number, k: Kernel): void {
  add_mm_counter(
    mm,
    folio_test_anon(k.mem, folio) || (vma.vm_flags & VM_MAYSHARE) === 0
      ? MM_ANONPAGES
      : MM_FILEPAGES,
    nr,
  );
}

/**
 * mm/hugetlb.c: hugetlb_wp(vmf): entered and left with the huge PTE lock held. Reuse when the
 * anonymous folio is mapped once; otherwise copy into a new pool folio.
 * @fidelity exact (no reservations: an empty pool gives VM_FAULT_SIGBUS)
 */
function* hugetlb_wp(
  k: Kernel,
  vma: VmAreaStruct,
  h: Hstate,
  ptep: number,
  ptl: SpinLock,
  address: number,
  flags: number,
): Sched<vm_fault_t> {
  const unshare = (flags & FAULT_FLAG_UNSHARE) !== 0;
  const pte = k.pool.get(ptep);
  if ((vma.vm_flags & VM_MAYSHARE) !== 0) {
    k.pool.set(ptep, pte_mkdirty(pte_mkwrite(pte)));
    return 0;
  }
  const old = page_folio(k.mem, pte_pfn(pte));
  if (folio_mapcount(k.mem, old) === 1 && folio_test_anon(k.mem, old)) {
    if (!PageAnonExclusive(k.mem, old)) {
      folio_move_anon_rmap(k, old, vma);
      SetPageAnonExclusive(k.mem, old);
    }
    if (!unshare && (vma.vm_flags & VM_WRITE) !== 0)
      k.pool.set(ptep, pte_mkdirty(pte_mkwrite(pte)));
    traceHugetlbCow(k, vma, address, 'reuse', 'mapcount 1', old, old, unshare);
    return 0;
  }
  folio_get(k.mem, old);
  yield* ptl_unlock(ptl);
  let ret = 0;
  let nw = alloc_hugetlb_folio(k, h);
  if (nw < 0) {
    ret = VM_FAULT_SIGBUS;
  } else if (anon_vma_prepare(k, vma) !== 0) {
    ret = VM_FAULT_OOM;
  } else if (PageHWPoison(k.mem, old)) {
    ret = VM_FAULT_HWPOISON_LARGE;
  } else {
    const nr = folio_nr_pages(k.mem, old);
    k.mem.content.copyWithin(nw, old, old + nr); // copy_user_large_folio
    folio_mark_uptodate(k.mem, nw);
    yield* ptl_lock(ptl, 0, pteObj(ptep), Access.Write, folioObj(old));
    if (k.pool.get(ptep) === pte) {
      let newpte = make_huge_pte(vma, nw, !unshare);
      if (pte_uffd_wp(pte)) newpte = pte_wrprotect(newpte);
      k.pool.set(ptep, 0);
      hugetlb_remove_rmap(k, old);
      hugetlb_add_new_anon_rmap(k, nw, vma, address);
      k.pool.set(ptep, newpte);
      traceHugetlbCow(
        k,
        vma,
        address,
        'copy',
        `mapcount ${folio_mapcount(k.mem, old) + 1}`,
        old,
        nw,
        unshare,
      );
      nw = old;
    }
    yield* ptl_unlock(ptl);
  }
  if (nw >= 0) folio_put(k.mem, nw);
  folio_put(k.mem, old);
  yield* ptl_lock(ptl, 0, pteObj(ptep), Access.Write);
  return ret;
}

function traceHugetlbCow(
  k: Kernel,
  vma: VmAreaStruct,
  address: number,
  action: 'reuse' | 'copy',
  reason: string,
  old: number,
  nw: number,
  unshare: boolean,
): void {
  if (k.m.trace.enabled) {
    k.m.emit(
      'mm.cow',
      { mm: vma.vm_mm.mm_id, address, action, unshare, reason, old, new: nw },
      'mm/hugetlb.c: hugetlb_wp',
    );
  }
}

/**
 * mm/hugetlb.c: hugetlb_fault(mm, vma, address, flags): under the fault mutex of the (mapping,
 * index) pair, map a new or page-cache huge folio (hugetlb_no_page), COW it (hugetlb_wp) or
 * mark it young/dirty.
 * @fidelity simplified (see the file comment)
 */
export function* hugetlb_fault(
  mm: mm_struct,
  vma: VmAreaStruct,
  address: number,
  flags: number,
): Sched<vm_fault_t> {
  const k = mm.k;
  const h = hstate_vma(k, vma);
  const haddr = address - (address % h.size);
  const f = vma_file(vma);
  const mapping = f?.f_mapping ?? null;
  const idx = (haddr - vma.vm_start) / h.size + vma.vm_pgoff / (h.size / 4096);
  const mx = hugetlb_fault_mutex(k, mapping?.id ?? 0, idx);
  yield* mutex_lock(mx);
  const ptep = huge_pte_alloc(k, mm, haddr, h);
  const ptl = huge_pte_lockptr(mm, h, ptep);
  let ret = 0;
  if (!mm_solo(k.m)) yield k.m.at('hugetlb_fault', pteObj(ptep), Access.Read);
  const orig = k.pool.get(ptep);
  if (pte_none(orig)) {
    ret = yield* hugetlb_no_page(k, vma, h, mapping, idx, ptep, ptl, haddr, flags, orig);
  } else if (!pte_present(orig)) {
    if (!is_migration_entry(pte_to_swp_entry(orig))) ret = VM_FAULT_HWPOISON_LARGE;
  } else {
    if (
      (flags & (FAULT_FLAG_WRITE | FAULT_FLAG_UNSHARE)) !== 0 &&
      !pte_write(orig) &&
      (vma.vm_flags & VM_MAYSHARE) === 0
    ) {
      if (anon_vma_prepare(k, vma) !== 0) ret = VM_FAULT_OOM;
    }
    if (ret === 0) {
      const folio = page_folio(k.mem, pte_pfn(orig));
      yield* ptl_lock(ptl, 0, pteObj(ptep), Access.Write, folioObj(folio));
      if (k.pool.get(ptep) === orig) {
        folio_get(k.mem, folio);
        let e = orig;
        if ((flags & (FAULT_FLAG_WRITE | FAULT_FLAG_UNSHARE)) !== 0 && !pte_write(orig)) {
          ret = yield* hugetlb_wp(k, vma, h, ptep, ptl, haddr, flags);
        } else {
          if ((flags & FAULT_FLAG_WRITE) !== 0) e = pte_mkdirty(e);
          e = pte_mkyoung(e);
          if (e !== orig) k.pool.set(ptep, e);
        }
        folio_put(k.mem, folio);
      }
      yield* ptl_unlock(ptl);
    }
  }
  yield* mutex_unlock(mx);
  return ret;
}

function* hugetlb_no_page(
  k: Kernel,
  vma: VmAreaStruct,
  h: Hstate,
  mapping: address_space | null,
  idx: number,
  ptep: number,
  ptl: SpinLock,
  haddr: number,
  flags: number,
  orig: number,
): Sched<vm_fault_t> {
  const mm = vma_mm(vma);
  const shared = (vma.vm_flags & VM_MAYSHARE) !== 0;
  // The page cache is looked up whatever VM_MAYSHARE says (a private mapping maps the file's
  // folio read-only and COWs it on write); it is indexed in base pages
  // (filemap_lock_hugetlb_folio: idx << huge_page_order). Only adding a new folio to it is for
  // shared mappings.
  let folio = mapping !== null ? (mapping.i_pages.get(idx << h.order) ?? -1) : -1;
  let anon_rmap = false;
  if (mapping !== null && idx * h.size >= mapping.i_size) return VM_FAULT_SIGBUS;
  if (folio < 0) {
    folio = alloc_hugetlb_folio(k, h);
    if (folio < 0) return VM_FAULT_SIGBUS;
    k.mem.content.fill(0, folio, folio + folio_nr_pages(k.mem, folio)); // folio_zero_user
    folio_mark_uptodate(k.mem, folio);
    if (shared && mapping !== null) {
      // hugetlb_add_to_page_cache: every base-page index of the folio, one reference per page
      const nr = folio_nr_pages(k.mem, folio);
      for (let i = 0; i < nr; i++) mapping.i_pages.set((idx << h.order) + i, folio);
      mapping.nrpages += nr;
      k.mem.mapping[folio] = mapping.id;
      k.mem.index[folio] = idx << h.order;
      folio_ref_add(k.mem, folio, nr);
    } else {
      if (anon_vma_prepare(k, vma) !== 0) {
        folio_put(k.mem, folio);
        return VM_FAULT_OOM;
      }
      anon_rmap = true;
    }
  } else {
    folio_get(k.mem, folio);
  }
  yield* ptl_lock(ptl, 0, pteObj(ptep), Access.Write, folioObj(folio));
  let ret = 0;
  if (k.pool.get(ptep) !== orig) {
    yield* ptl_unlock(ptl);
    folio_put(k.mem, folio);
    return 0;
  }
  if (anon_rmap) hugetlb_add_new_anon_rmap(k, folio, vma, haddr);
  else hugetlb_add_file_rmap(k, folio);
  let newpte = make_huge_pte(vma, folio, (vma.vm_flags & VM_SHARED) !== 0);
  if (!userfaultfd_wp(vma)) newpte = pte_clear_uffd_wp(newpte);
  k.pool.set(ptep, newpte);
  count_add(mm, vma, folio, folio_nr_pages(k.mem, folio), k);
  if ((flags & FAULT_FLAG_WRITE) !== 0 && (vma.vm_flags & VM_SHARED) === 0) {
    ret = yield* hugetlb_wp(k, vma, h, ptep, ptl, haddr, flags);
  }
  yield* ptl_unlock(ptl);
  return ret;
}

/**
 * mm/hugetlb.c: copy_hugetlb_page_range(dst, src, dst_vma, src_vma): fork of a hugetlb VMA.
 * Shared mappings share; private ones write-protect and share (hugetlb_try_dup_anon_rmap),
 * except a maybe-pinned exclusive folio, which the child gets a copy of at once.
 * @fidelity exact (no reservations, no PMD sharing)
 */
export function* copy_hugetlb_page_range(
  dst: mm_struct,
  src: mm_struct,
  dst_vma: VmAreaStruct,
  src_vma: VmAreaStruct,
): Sched<number> {
  const k = src.k;
  const h = hstate_vma(k, src_vma);
  const cow = is_cow_mapping(src_vma.vm_flags);
  if (cow) yield* raw_write_seqcount_begin(src.write_protect_seq);
  let ret = 0;
  for (let addr = src_vma.vm_start; addr < src_vma.vm_end; addr += h.size) {
    const src_pte = hugetlb_walk(k, src, addr, h);
    if (src_pte < 0) continue;
    const dst_pte = huge_pte_alloc(k, dst, addr, h);
    let entry = k.pool.get(src_pte);
    if (pte_none(entry) || !pte_present(entry)) continue;
    const folio = page_folio(k.mem, pte_pfn(entry));
    if (!mm_solo(k.m))
      yield k.m
        .at('copy_hugetlb_page_range', pteObj(src_pte), Access.Write)
        .also(folioObj(folio), Access.Write)
        .also(mmFlagsObj(vma_mm(src_vma).mm_id), Access.Read); // MMF_HAS_PINNED
    folio_get(k.mem, folio);
    if (!folio_test_anon(k.mem, folio)) {
      hugetlb_add_file_rmap(k, folio);
    } else if (hugetlb_try_dup_anon_rmap(k, folio, src_vma) !== 0) {
      const nw = alloc_hugetlb_folio(k, h);
      folio_put(k.mem, folio);
      if (nw < 0) {
        ret = nw;
        break;
      }
      k.mem.content.copyWithin(nw, folio, folio + folio_nr_pages(k.mem, folio));
      folio_mark_uptodate(k.mem, nw);
      if (anon_vma_prepare(k, dst_vma) !== 0) throw new Error('anon_vma_prepare failed');
      hugetlb_add_new_anon_rmap(k, nw, dst_vma, addr);
      k.pool.set(dst_pte, make_huge_pte(dst_vma, nw, true));
      add_mm_counter(dst, MM_ANONPAGES, folio_nr_pages(k.mem, nw));
      if (k.m.trace.enabled) {
        k.m.emit(
          'mm.fork-copy',
          {
            parent: src.mm_id,
            child: dst.mm_id,
            address: addr,
            old: folio,
            new: nw,
            reason: 'hugetlb folio may be pinned',
          },
          'mm/hugetlb.c: copy_hugetlb_page_range',
        );
      }
      continue;
    }
    if (cow && pte_write(entry)) {
      k.pool.set(src_pte, pte_wrprotect(entry));
      entry = pte_wrprotect(entry);
    }
    if (!userfaultfd_wp(dst_vma)) entry = pte_clear_uffd_wp(entry);
    k.pool.set(dst_pte, entry);
    count_add(dst, dst_vma, folio, folio_nr_pages(k.mem, folio), k);
  }
  if (cow) yield* raw_write_seqcount_end(src.write_protect_seq);
  return ret;
}

/**
 * mm/hugetlb.c: __unmap_hugepage_range(tlb, vma, start, end): clear the huge entries and hand
 * the folios to the mmu_gather.
 * @fidelity simplified (no PMD unsharing, no uffd-wp markers)
 */
export function* __unmap_hugepage_range(
  tlb: mmu_gather,
  vma: VmAreaStruct,
  start: number,
  end: number,
): Sched<void> {
  const mm = vma_mm(vma);
  const k = mm.k;
  const h = hstate_vma(k, vma);
  for (let addr = start; addr < end; addr += h.size) {
    const ptep = hugetlb_walk(k, mm, addr, h);
    if (ptep < 0) continue;
    const cur = k.pool.get(ptep);
    if (pte_none(cur)) continue;
    const ptl = huge_pte_lockptr(mm, h, ptep);
    const folio = pte_present(cur) ? page_folio(k.mem, pte_pfn(cur)) : -1;
    yield* ptl_lock(ptl, 0, pteObj(ptep), Access.Write, folio >= 0 ? folioObj(folio) : undefined);
    const pte = k.pool.get(ptep);
    k.pool.set(ptep, 0);
    if (pte_present(pte)) {
      const f = page_folio(k.mem, pte_pfn(pte));
      hugetlb_remove_rmap(k, f);
      add_mm_counter(
        mm,
        folio_test_anon(k.mem, f) || (vma.vm_flags & VM_MAYSHARE) === 0
          ? MM_ANONPAGES
          : MM_FILEPAGES,
        -folio_nr_pages(k.mem, f),
      );
      tlb_remove_folio(tlb, f, 1);
    }
    yield* ptl_unlock(ptl);
  }
}
