/**
 * mremap: mm/mremap.c (v6.18) do_mremap: shrink (unmap the tail), grow in place when the next
 * addresses are free, or move (MREMAP_MAYMOVE / MREMAP_FIXED / MREMAP_DONTUNMAP): copy_vma
 * creates the new VMA (same anon_vma, pgoff kept so folio->index still matches), and
 * move_page_tables moves the entries: whole huge PMDs (move_huge_pmd) when source and
 * destination are PMD-aligned and the range covers them, PTEs one by one otherwise (a huge PMD
 * only partly moved is split first: the THP ends up PTE-mapped in two places). Moved PTEs get
 * the soft-dirty bit, as the kernel marks them. A registered VMA moved without
 * UFFD_FEATURE_EVENT_REMAP loses its registration (and its PTEs their uffd-wp bits); with it,
 * UFFD_EVENT_REMAP is sent once mmap_lock is dropped (notify_uffd), as are the UFFD_EVENT_UNMAPs
 * of the ranges unmapped on the way.
 * @fidelity simplified: no move_normal_pmd (whole PTE tables are moved entry by entry), no
 * mlock accounting, no mseal; old_len 0 (duplicating a shared mapping) is -EINVAL
 */
import { PAGE_SIZE, PMD_SIZE, addr_to_vpn } from '../../mm/layout.js';
import {
  entry_table,
  pmd_leaf,
  pmd_none,
  pte_clear_uffd_wp,
  pte_mksoft_dirty,
  pte_none,
  pte_present,
} from '../../mm/pgtable_types.js';
import {
  pmd_alloc_walk,
  pmd_lookup,
  pte_alloc,
  pgtable_trans_huge_deposit,
  pgtable_trans_huge_withdraw,
} from '../../mm/pgtable_walk.js';
import {
  PTE_MARKER_UFFD_WP,
  is_pte_marker,
  pte_marker_get,
  pte_swp_clear_uffd_wp,
  pte_swp_mksoft_dirty,
  pte_to_swp_entry,
} from '../../mm/swapops.js';
import { vm_area_alloc, vma_link, vma_lookup, vma_next, type VmAreaStruct } from '../../mm/vma.js';
import { Access } from '../../sim/footprint.js';
import type { Sched } from '../../sim/thread.js';
import { EFAULT, EINTR, EINVAL, ENOMEM } from '../include/errno.js';
import { MAP_SHARED, MREMAP_DONTUNMAP, MREMAP_FIXED, MREMAP_MAYMOVE } from '../include/mman.js';
import { VM_DONTEXPAND, VM_HUGETLB, VM_MAYSHARE, VM_PFNMAP } from '../include/vm_flags.js';
import { maskAnd } from '../include/bits.js';
import type { Kernel } from '../kernel.js';
import { vma_uffd_ctx } from '../fs/userfaultfd.js';
import {
  mremap_userfaultfd_complete,
  mremap_userfaultfd_fail,
  mremap_userfaultfd_prep,
  userfaultfd_unmap_complete,
  type userfaultfd_unmap_ctx,
  type vm_userfaultfd_ctx,
} from '../fs/userfaultfd_event.js';
import { UFFD_FEATURE_EVENT_REMAP } from '../include/userfaultfd.js';
import { pteObj } from '../objects.js';
import { split_huge_pmd } from './huge_memory_split.js';
import { hstate_vma } from './hugetlb.js';
import { get_unmapped_area } from './mmap.js';
import { mmap_write_lock_killable, mmap_write_unlock } from './mmap_lock.js';
import type { mm_struct } from './mm_struct.js';
import { pmd_lockptr } from './pgtable_generic.js';
import { anon_vma_clone } from './rmap.js';
import { mm_solo, ptl_lock, ptl_unlock } from './solo.js';
import { TASK_SIZE, do_vmi_munmap, vma_get_file, vma_link_file } from './vma.js';

/**
 * mm/mremap.c: the uffd-wp step of move_ptes: without UFFD_FEATURE_EVENT_REMAP the moved entry
 * loses its uffd-wp bit (a uffd-wp marker is dropped: 0), since the new range is not registered.
 * @fidelity exact
 */
function move_pte_uffd_wp(pte: number, need_clear_uffd_wp: boolean): number {
  if (!need_clear_uffd_wp) return pte;
  if (pte_present(pte)) return pte_clear_uffd_wp(pte);
  if (is_pte_marker(pte))
    return (pte_marker_get(pte_to_swp_entry(pte)) & PTE_MARKER_UFFD_WP) !== 0 ? 0 : pte;
  return pte_swp_clear_uffd_wp(pte);
}

/** include/linux/userfaultfd_k.h: vma_has_uffd_without_event_remap(vma). @fidelity exact */
function vma_has_uffd_without_event_remap(k: Kernel, vma: VmAreaStruct): boolean {
  const ctx = vma_uffd_ctx(k, vma);
  return ctx !== null && (ctx.features & UFFD_FEATURE_EVENT_REMAP) === 0;
}

/** mm/mremap.c: move_ptes(pmc, extent, old_pmd, new_pmd): move the PTEs of one table range. @fidelity simplified */
function* move_ptes(
  k: Kernel,
  mm: mm_struct,
  old_pmd: number,
  new_pmd: number,
  old_addr: number,
  new_addr: number,
  len: number,
  need_clear_uffd_wp: boolean,
): Sched<void> {
  const pool = k.pool;
  pte_alloc(pool, mm, new_pmd);
  const ot = entry_table(pool.get(old_pmd));
  const nt = entry_table(pool.get(new_pmd));
  const oldl = mm.ptlock(ot);
  const newl = mm.ptlock(nt);
  yield* ptl_lock(oldl);
  if (newl !== oldl) yield* ptl_lock(newl, 1);
  for (let off = 0; off < len; off += PAGE_SIZE) {
    const src = ot * 512 + (addr_to_vpn(old_addr + off) & 511);
    const dst = nt * 512 + (addr_to_vpn(new_addr + off) & 511);
    const pte = pool.get(src);
    if (pte_none(pte)) continue;
    if (!mm_solo(k.m))
      yield k.m.at('move_ptes', pteObj(src), Access.Write).also(pteObj(dst), Access.Write);
    pool.set(src, 0);
    const moved = pte_present(pte) ? pte_mksoft_dirty(pte) : pte_swp_mksoft_dirty(pte);
    pool.set(dst, move_pte_uffd_wp(moved, need_clear_uffd_wp));
  }
  if (newl !== oldl) yield* ptl_unlock(newl);
  yield* ptl_unlock(oldl);
}

/** mm/huge_memory.c: move_huge_pmd(vma, old_addr, new_addr, old_pmd, new_pmd). @fidelity simplified */
function* move_huge_pmd(
  k: Kernel,
  mm: mm_struct,
  old_pmd: number,
  new_pmd: number,
): Sched<boolean> {
  const pool = k.pool;
  if (!pmd_none(pool.get(new_pmd))) return false;
  const ol = pmd_lockptr(mm, old_pmd);
  const nl = pmd_lockptr(mm, new_pmd);
  yield* ptl_lock(ol, 0, pteObj(old_pmd), Access.Write);
  if (nl !== ol) yield* ptl_lock(nl, 1, pteObj(new_pmd), Access.Write);
  const pmd = pool.get(old_pmd);
  pool.set(old_pmd, 0);
  const table = pgtable_trans_huge_withdraw(pool, old_pmd);
  if (table >= 0) pgtable_trans_huge_deposit(pool, new_pmd, table);
  pool.set(new_pmd, pmd_leaf(pmd) ? pte_mksoft_dirty(pmd) : pmd);
  if (nl !== ol) yield* ptl_unlock(nl);
  yield* ptl_unlock(ol);
  return true;
}

/**
 * mm/mremap.c: move_page_tables(pmc): move [old_addr, old_addr+len) to new_addr, one PMD extent
 * at a time. Returns the bytes moved.
 * @fidelity simplified
 */
export function* move_page_tables(
  k: Kernel,
  mm: mm_struct,
  vma: VmAreaStruct,
  old_addr: number,
  new_addr: number,
  len: number,
): Sched<number> {
  const pool = k.pool;
  const need_clear_uffd_wp = vma_has_uffd_without_event_remap(k, vma);
  let done = 0;
  while (done < len) {
    const oa = old_addr + done;
    const na = new_addr + done;
    const extent = Math.min(len - done, PMD_SIZE - (oa % PMD_SIZE), PMD_SIZE - (na % PMD_SIZE));
    const old_pmd = pmd_lookup(pool, mm, addr_to_vpn(oa));
    if (old_pmd >= 0 && !pmd_none(pool.get(old_pmd))) {
      const new_pmd = pmd_alloc_walk(pool, mm, addr_to_vpn(na));
      if (new_pmd < 0) return done;
      if (pmd_leaf(pool.get(old_pmd))) {
        if (extent === PMD_SIZE && (yield* move_huge_pmd(k, mm, old_pmd, new_pmd))) {
          done += extent;
          continue;
        }
        yield* split_huge_pmd(vma, old_pmd, oa);
      }
      if (!pmd_none(pool.get(old_pmd)) && !pmd_leaf(pool.get(old_pmd)))
        yield* move_ptes(k, mm, old_pmd, new_pmd, oa, na, extent, need_clear_uffd_wp);
    }
    done += extent;
  }
  return done;
}

/** mm/vma.c: copy_vma(vmap, addr, len, pgoff, &need_rmap_locks): the destination VMA of a move. @fidelity simplified (no merge) */
function copy_vma(
  k: Kernel,
  mm: mm_struct,
  vma: VmAreaStruct,
  addr: number,
  len: number,
  pgoff: number,
): VmAreaStruct | null {
  const nw = vm_area_alloc(
    mm,
    addr,
    addr + len,
    vma.vm_flags,
    vma.vm_page_prot,
    pgoff,
    vma.vm_file,
  );
  nw.anon_vma = vma.anon_vma;
  nw.vm_userfaultfd_ctx = vma.vm_userfaultfd_ctx;
  if (vma_link(mm, nw) !== 0) return null;
  anon_vma_clone(k, nw, vma);
  vma_get_file(nw);
  vma_link_file(nw);
  mm.total_vm += len / PAGE_SIZE;
  return nw;
}

/**
 * The userfaultfd state of one mremap (the uf, uf_unmap_early and uf_unmap of struct
 * vma_remap_struct): what notify_uffd sends once mmap_lock is dropped.
 */
interface MremapUffd {
  readonly uf: vm_userfaultfd_ctx;
  readonly uf_unmap_early: userfaultfd_unmap_ctx[];
  readonly uf_unmap: userfaultfd_unmap_ctx[];
}

/**
 * mm/mremap.c: move_vma(vrm) with copy_vma_and_data: new VMA, move the page tables, let
 * mremap_userfaultfd_prep decide the new VMA's registration, unmap the old range (unless
 * DONTUNMAP).
 * @fidelity simplified
 */
function* move_vma(
  k: Kernel,
  mm: mm_struct,
  vma: VmAreaStruct,
  old_addr: number,
  old_len: number,
  new_len: number,
  new_addr: number,
  flags: number,
  uffd: MremapUffd,
): Sched<number> {
  if (mm.map_count >= 65530 - 3) return -ENOMEM;
  const pgoff = vma.vm_pgoff + (old_addr - vma.vm_start) / PAGE_SIZE;
  const nw = copy_vma(k, mm, vma, new_addr, new_len, pgoff);
  if (nw === null) return -ENOMEM;
  yield* move_page_tables(k, mm, vma, old_addr, new_addr, Math.min(old_len, new_len));
  yield* mremap_userfaultfd_prep(k, nw, uffd.uf);
  if ((flags & MREMAP_DONTUNMAP) !== 0) return new_addr;
  const r = yield* do_vmi_munmap(k, mm, old_addr, old_addr + old_len, 'mremap', uffd.uf_unmap);
  return r !== 0 ? r : new_addr;
}

function* mremapLocked(
  k: Kernel,
  mm: mm_struct,
  addr: number,
  old_len: number,
  new_len: number,
  flags: number,
  new_addr: number,
  uffd: MremapUffd,
): Sched<number> {
  const vma = vma_lookup(mm, addr);
  if (vma === null) return -EFAULT;
  if (maskAnd(vma.vm_flags, VM_HUGETLB) !== 0) {
    const h = hstate_vma(k, vma).size;
    if (addr % h !== 0 || old_len % h !== 0 || new_len % h !== 0) return -EINVAL;
  }
  if ((flags & (MREMAP_FIXED | MREMAP_DONTUNMAP)) !== 0) {
    if ((flags & MREMAP_FIXED) !== 0) {
      if (new_addr % PAGE_SIZE !== 0 || new_len > TASK_SIZE || new_addr > TASK_SIZE - new_len)
        return -EINVAL;
      if (new_addr < addr + old_len && addr < new_addr + new_len) return -EINVAL;
      const r = yield* do_vmi_munmap(
        k,
        mm,
        new_addr,
        new_addr + new_len,
        'mremap MREMAP_FIXED',
        uffd.uf_unmap_early,
      );
      if (r !== 0) return r;
    } else {
      new_addr = get_unmapped_area(
        k,
        mm,
        0,
        new_len,
        (vma.vm_flags & VM_MAYSHARE) !== 0 ? MAP_SHARED : 0,
        PAGE_SIZE,
      );
      if (new_addr < 0) return new_addr;
    }
    if (old_len > new_len) {
      const r = yield* do_vmi_munmap(
        k,
        mm,
        addr + new_len,
        addr + old_len,
        'mremap shrink',
        uffd.uf_unmap,
      );
      if (r !== 0) return r;
      old_len = new_len;
    }
    const v = vma_lookup(mm, addr);
    if (v === null || old_len > v.vm_end - addr) return -EFAULT;
    return yield* move_vma(k, mm, v, addr, old_len, new_len, new_addr, flags, uffd);
  }
  if (old_len >= new_len) {
    const r = yield* do_vmi_munmap(
      k,
      mm,
      addr + new_len,
      addr + old_len,
      'mremap shrink',
      uffd.uf_unmap,
    );
    return r !== 0 ? r : addr;
  }
  if (old_len > vma.vm_end - addr) return -EFAULT;
  if ((vma.vm_flags & (VM_DONTEXPAND | VM_PFNMAP)) !== 0) return -EFAULT;
  if (old_len === vma.vm_end - addr) {
    const next = vma_next(mm, vma);
    const end = addr + new_len;
    if (end <= TASK_SIZE && (next === null || next.vm_start >= end)) {
      vma.vm_end = end; // vma_expand
      mm.total_vm += (new_len - old_len) / PAGE_SIZE;
      return addr;
    }
  }
  if ((flags & MREMAP_MAYMOVE) === 0) return -ENOMEM;
  const dst = get_unmapped_area(
    k,
    mm,
    0,
    new_len,
    (vma.vm_flags & VM_MAYSHARE) !== 0 ? MAP_SHARED : 0,
    PAGE_SIZE,
  );
  if (dst < 0) return dst;
  return yield* move_vma(k, mm, vma, addr, old_len, new_len, dst, flags, uffd);
}

/**
 * mm/mremap.c: notify_uffd(vrm, failed), after mmap_lock is dropped: the UNMAP of the early
 * unmap (what MREMAP_FIXED replaces at the destination), then REMAP (from, to, old_len) or,
 * on failure, mremap_userfaultfd_fail, then the UNMAPs of the rest.
 * @fidelity exact
 */
function* notify_uffd(
  k: Kernel,
  uffd: MremapUffd,
  failed: boolean,
  addr: number,
  new_addr: number,
  old_len: number,
): Sched<void> {
  yield* userfaultfd_unmap_complete(k, uffd.uf_unmap_early);
  if (failed) yield* mremap_userfaultfd_fail(k, uffd.uf);
  else yield* mremap_userfaultfd_complete(k, uffd.uf, addr, new_addr, old_len);
  yield* userfaultfd_unmap_complete(k, uffd.uf_unmap);
}

/**
 * mm/mremap.c: do_mremap(addr, old_len, new_len, flags, new_addr) (sys_mremap): the new
 * address, or -EINVAL / -EFAULT / -ENOMEM / -EINTR.
 * @fidelity simplified (see the file comment)
 */
export function* do_mremap(
  k: Kernel,
  mm: mm_struct,
  addr: number,
  old_len: number,
  new_len: number,
  flags: number,
  new_addr: number,
): Sched<number> {
  if ((flags & ~(MREMAP_FIXED | MREMAP_MAYMOVE | MREMAP_DONTUNMAP)) !== 0) return -EINVAL;
  if ((flags & MREMAP_FIXED) !== 0 && (flags & MREMAP_MAYMOVE) === 0) return -EINVAL;
  if ((flags & MREMAP_DONTUNMAP) !== 0 && ((flags & MREMAP_MAYMOVE) === 0 || old_len !== new_len))
    return -EINVAL;
  if (addr % PAGE_SIZE !== 0) return -EINVAL;
  old_len = Math.ceil(old_len / PAGE_SIZE) * PAGE_SIZE;
  new_len = Math.ceil(new_len / PAGE_SIZE) * PAGE_SIZE;
  if (new_len === 0 || old_len === 0) return -EINVAL;
  if ((yield* mmap_write_lock_killable(mm)) !== 0) return -EINTR;
  const uffd: MremapUffd = { uf: { ctx: null }, uf_unmap_early: [], uf_unmap: [] };
  const ret = yield* mremapLocked(k, mm, addr, old_len, new_len, flags, new_addr, uffd);
  yield* mmap_write_unlock(mm);
  yield* notify_uffd(k, uffd, ret < 0, addr, ret, old_len);
  if (k.m.trace.enabled) {
    k.m.emit(
      'mm.syscall',
      {
        mm: mm.mm_id,
        call: 'mremap',
        args: `addr=0x${addr.toString(16)} old=${old_len} new=${new_len} flags=${flags}`,
        ret,
      },
      'mm/mremap.c: do_mremap',
    );
  }
  return ret;
}
