/**
 * mm/userfaultfd.c (v6.18): the resolvers of the UFFDIO_* ioctls. mfill_atomic installs pages
 * in a registered range under mmap_lock (read): UFFDIO_COPY a new page with the given contents,
 * UFFDIO_ZEROPAGE the zero page, UFFDIO_CONTINUE the page already in the shmem page cache; each
 * refuses an existing PTE (-EEXIST). mwriteprotect_range sets or resolves uffd-wp on present
 * PTEs; userfaultfd_register_range / userfaultfd_clear_vma / userfaultfd_reset_ctx set and clear
 * the VM_UFFD_* flags. The fill and write-protect paths answer -EAGAIN while a non-cooperative
 * event is unread (mmap_changing, tested under map_changing_lock).
 * Plus the fault hooks of shmem (shmem_get_folio_gfp's userfaultfd checks).
 * @fidelity simplified: no hugetlb, no UFFDIO_MOVE / POISON, no THP destinations (a huge PMD
 * answers -EEXIST as in the kernel), contents are one value per page
 */
import { my_zero_pfn } from '../../mm/anon.js';
import { addr_to_vpn, PAGE_SIZE } from '../../mm/layout.js';
import { add_mm_counter, mm_counter } from '../../mm/mm_types.js';
import { folio_put } from '../../mm/page_free.js';
import { folio_mark_uptodate } from '../../mm/page_flags.js';
import {
  pfn_pte,
  pmd_leaf,
  pmd_none,
  pmd_present,
  pte_clear_uffd_wp,
  pte_mkdirty,
  pte_mkspecial,
  pte_mkuffd_wp,
  pte_mkwrite,
  pte_none,
  pte_present,
  pte_wrprotect,
} from '../../mm/pgtable_types.js';
import { pgd_offset, pmd_alloc, pte_alloc, pud_alloc } from '../../mm/pgtable_walk.js';
import { is_pte_marker } from '../../mm/swapops.js';
import { find_vma, vma_is_anonymous, type VmAreaStruct } from '../../mm/vma.js';
import { Access } from '../../sim/footprint.js';
import { down_read, up_read } from '../../sim/locking/rwsem.js';
import type { Sched } from '../../sim/thread.js';
import { maskAnd, maskAndNot, maskOr } from '../include/bits.js';
import { EAGAIN, EEXIST, EFAULT, EINTR, EINVAL, ENOENT, ENOMEM } from '../include/errno.js';
import {
  VM_DROPPABLE,
  VM_HUGETLB,
  VM_SHARED,
  VM_UFFD_MINOR,
  VM_UFFD_MISSING,
  VM_UFFD_WP,
  VM_WRITE,
} from '../include/vm_flags.js';
import { i_size_read } from '../fs/inode.js';
import { handle_userfault, type userfaultfd_ctx } from '../fs/userfaultfd.js';
import type { Kernel } from '../kernel.js';
import { folioObj } from '../objects.js';
import { folio_unlock } from './filemap.js';
import { current_pflags, folio_add_lru, vma_mm } from './internal.js';
import { can_change_pte_writable } from './mprotect.js';
import type { mm_struct } from './mm_struct.js';
import { mmap_read_lock, mmap_read_unlock } from './mmap_lock.js';
import { vma_file, type vm_fault, type vm_fault_t } from './mm_types.js';
import type { file as fs_file } from '../fs/file_table.js';
import type { inode } from '../fs/inode.js';
import { filemap_get_entry, folio_file_page } from './pagecache.js';
import { vma_is_shmem } from './pagecache_vma.js';
import { pte_offset_map_lock, pte_unmap_unlock } from './pgtable_generic.js';
import {
  RMAP_EXCLUSIVE,
  anon_vma_prepare,
  folio_add_file_rmap_ptes,
  folio_add_new_anon_rmap,
} from './rmap.js';
import { SGP_CACHE, SGP_NOALLOC, shmem_get_folio_gfp } from './shmem.js';
import { split_vma, vma_merge, vma_set_page_prot } from './vma.js';
import { folio_alloc } from '../../mm/page_alloc.js';
import { GFP_HIGHUSER_MOVABLE } from '../../mm/gfp.js';

/** include/linux/userfaultfd_k.h: __VM_UFFD_FLAGS. */
export const __VM_UFFD_FLAGS = maskOr(VM_UFFD_MISSING | VM_UFFD_WP, VM_UFFD_MINOR);

/** include/linux/userfaultfd_k.h: enum mfill_atomic_mode. */
export type mfill_atomic_mode = 'COPY' | 'ZEROPAGE' | 'CONTINUE';

/** The inode of a file VMA (file_inode(vma->vm_file)). */
function vma_inode(vma: VmAreaStruct): inode {
  return (vma.vm_file as unknown as fs_file).f_inode;
}

/** include/linux/userfaultfd_k.h: userfaultfd_minor(vma). @fidelity exact */
export function userfaultfd_minor(vma: VmAreaStruct): boolean {
  return maskAnd(vma.vm_flags, VM_UFFD_MINOR) !== 0;
}

/**
 * include/linux/userfaultfd_k.h: vma_can_userfault(vma, vm_flags, wp_async): anonymous and shmem
 * VMAs (hugetlb is not modelled: refused); MINOR only on shmem; WP only on anonymous memory
 * (as without CONFIG_PTE_MARKER_UFFD_WP); never VM_DROPPABLE.
 * @fidelity simplified
 */
export function vma_can_userfault(vma: VmAreaStruct, vm_flags: number): boolean {
  if (maskAnd(vma.vm_flags, VM_DROPPABLE | VM_HUGETLB) !== 0) return false;
  if (maskAnd(vm_flags, VM_UFFD_MINOR) !== 0 && !vma_is_shmem(vma)) return false;
  if (maskAnd(vm_flags, VM_UFFD_WP) !== 0 && !vma_is_anonymous(vma)) return false;
  return vma_is_anonymous(vma) || vma_is_shmem(vma);
}

/** mm/userfaultfd.c: userfaultfd_set_vm_flags(vma, flags): set the flags, recompute vm_page_prot (uffd-wp write-protects). @fidelity exact */
export function userfaultfd_set_vm_flags(vma: VmAreaStruct, flags: number): void {
  const wp_changed =
    maskAnd(maskOr(vma.vm_flags, flags), VM_UFFD_WP) !== 0 &&
    (maskAnd(vma.vm_flags, VM_UFFD_WP) !== 0) !== (maskAnd(flags, VM_UFFD_WP) !== 0);
  vma.vm_flags = flags;
  if (wp_changed) vma_set_page_prot(vma);
}

/**
 * mm/userfaultfd.c: userfaultfd_reset_ctx(vma): the VMA loses its context and its VM_UFFD_*
 * flags (fork without UFFD_FEATURE_EVENT_FORK, mremap without EVENT_REMAP, a fork event the
 * handler never read).
 * @fidelity exact
 */
export function userfaultfd_reset_ctx(vma: VmAreaStruct): void {
  userfaultfd_set_vm_flags(vma, maskAndNot(vma.vm_flags, __VM_UFFD_FLAGS));
  vma.vm_userfaultfd_ctx = null;
}

/**
 * mm/userfaultfd.c: the mmap_changing test of the fill and write-protect paths, taken with
 * map_changing_lock held for reading (a non-cooperative event raising mmap_changing takes it for
 * writing): -EAGAIN while an event is prepared and not yet read, else 0.
 * @fidelity exact
 */
function* uffd_map_changing(k: Kernel, ctx: userfaultfd_ctx): Sched<number> {
  yield* down_read(ctx.map_changing_lock);
  yield k.m.at('mfill_atomic: mmap_changing', ctx.obj, Access.Read);
  return ctx.mmap_changing !== 0 ? -EAGAIN : 0;
}

/** Split `vma` to exactly [start, end). 0 or -ENOMEM. */
function* split_to(
  k: Kernel,
  mm: mm_struct,
  vma: VmAreaStruct,
  start: number,
  end: number,
): Sched<number> {
  if (vma.vm_start < start) {
    const r = yield* split_vma(k, mm, vma, start, true);
    if (r !== 0) return r;
  }
  if (vma.vm_end > end) {
    const r = yield* split_vma(k, mm, vma, end, false);
    if (r !== 0) return r;
  }
  return 0;
}

/**
 * mm/userfaultfd.c: userfaultfd_register_range(ctx, vma, vm_flags, start, end, wp_async): for
 * every VMA of [start, end) (already checked by the caller, mmap_lock held for writing): split to
 * the range, set the uffd flags and context, merge. 0 or -ENOMEM.
 * @fidelity simplified
 */
export function* userfaultfd_register_range(
  k: Kernel,
  mm: mm_struct,
  ctx: userfaultfd_ctx,
  vm_flags: number,
  start: number,
  end: number,
): Sched<number> {
  let vma = find_vma(mm, start);
  while (vma !== null && vma.vm_start < end) {
    const next = vma.vm_end;
    const already =
      vma.vm_userfaultfd_ctx === ctx.id && maskAnd(vma.vm_flags, vm_flags) === vm_flags;
    if (!already) {
      const r = yield* split_to(
        k,
        mm,
        vma,
        Math.max(start, vma.vm_start),
        Math.min(end, vma.vm_end),
      );
      if (r !== 0) return r;
      userfaultfd_set_vm_flags(vma, maskOr(maskAndNot(vma.vm_flags, __VM_UFFD_FLAGS), vm_flags));
      vma.vm_userfaultfd_ctx = ctx.id;
      vma_merge(k, mm, vma);
    }
    vma = next >= end ? null : find_vma(mm, next);
  }
  return 0;
}

/**
 * mm/userfaultfd.c: userfaultfd_clear_vma(vmi, prev, vma, start, end): split to the range, clear
 * the uffd flags and context (resetting uffd-wp PTEs first), merge. 0 or -ENOMEM.
 * @fidelity simplified
 */
export function* userfaultfd_clear_vma(
  k: Kernel,
  mm: mm_struct,
  vma: VmAreaStruct,
  start: number,
  end: number,
): Sched<number> {
  if (maskAnd(vma.vm_flags, VM_UFFD_WP) !== 0)
    yield* uffd_wp_range(k, vma, start, end - start, false);
  const r = yield* split_to(k, mm, vma, start, end);
  if (r !== 0) return r;
  userfaultfd_set_vm_flags(vma, maskAndNot(vma.vm_flags, __VM_UFFD_FLAGS));
  vma.vm_userfaultfd_ctx = null;
  vma_merge(k, mm, vma);
  return 0;
}

/** mm/userfaultfd.c: mfill_file_over_size(dst_vma, dst_addr): a shmem page past i_size. @fidelity exact */
function mfill_file_over_size(vma: VmAreaStruct, addr: number): boolean {
  const f = vma_file(vma);
  if (f === null || vma_is_anonymous(vma)) return false;
  const pgoff = vma.vm_pgoff + (addr - vma.vm_start) / PAGE_SIZE;
  return pgoff >= Math.ceil(i_size_read(vma_inode(vma)) / PAGE_SIZE);
}

/**
 * mm/userfaultfd.c: mfill_atomic_install_pte(dst_pmd, dst_vma, dst_addr, page, newly_allocated,
 * flags): map `page` at `addr` if the PTE is none (or a marker): dirty, writable when the VMA is
 * (not for a page-cache page in a private mapping), uffd-wp with MFILL_ATOMIC_WP. -EEXIST when
 * something is mapped, -EFAULT past i_size, -EAGAIN when the page table vanished.
 * @fidelity exact
 */
export function* mfill_atomic_install_pte(
  k: Kernel,
  pmdp: number,
  vma: VmAreaStruct,
  addr: number,
  page: number,
  page_in_cache: boolean,
  newly_allocated: boolean,
  wp: boolean,
): Sched<number> {
  const mm = vma_mm(vma);
  let writable = (vma.vm_flags & VM_WRITE) !== 0;
  if (page_in_cache && (vma.vm_flags & VM_SHARED) === 0) writable = false;
  let entry = pte_mkdirty(pfn_pte(page, vma.vm_page_prot));
  if (writable) entry = pte_mkwrite(entry);
  if (wp) entry = pte_mkuffd_wp(entry);
  const ref = { ptl: null };
  const ptep = yield* pte_offset_map_lock(
    mm,
    pmdp,
    addr_to_vpn(addr),
    ref,
    Access.Write,
    folioObj(page),
  );
  if (ptep < 0) return -EAGAIN;
  let ret = 0;
  const old = k.pool.get(ptep);
  if (mfill_file_over_size(vma, addr)) ret = -EFAULT;
  else if (!pte_none(old) && !is_pte_marker(old)) ret = -EEXIST;
  else {
    if (page_in_cache) {
      if (newly_allocated) folio_add_lru(k, page);
      folio_add_file_rmap_ptes(k, page, page, 1, vma);
    } else {
      folio_add_new_anon_rmap(k, page, vma, addr, RMAP_EXCLUSIVE);
      folio_add_lru(k, page);
    }
    add_mm_counter(mm, mm_counter(k.mem, page), 1);
    k.pool.set(ptep, entry);
  }
  yield* pte_unmap_unlock(ref);
  return ret;
}

/** mm/userfaultfd.c: mfill_atomic_pte_copy for anonymous memory: a new exclusive page holding `value`. @fidelity simplified */
function* mfill_atomic_pte_copy(
  k: Kernel,
  pmdp: number,
  vma: VmAreaStruct,
  addr: number,
  value: number,
  wp: boolean,
): Sched<number> {
  const folio = folio_alloc(k.mem, GFP_HIGHUSER_MOVABLE, 0, current_pflags(k));
  if (folio < 0) return -ENOMEM;
  k.mem.content[folio] = value & 0xff;
  folio_mark_uptodate(k.mem, folio);
  const ret = yield* mfill_atomic_install_pte(k, pmdp, vma, addr, folio, false, true, wp);
  if (ret !== 0) folio_put(k.mem, folio);
  return ret;
}

/** mm/userfaultfd.c: mfill_atomic_pte_zeropage(dst_pmd, dst_vma, dst_addr): map the zero page. @fidelity exact */
function* mfill_atomic_pte_zeropage(
  k: Kernel,
  pmdp: number,
  vma: VmAreaStruct,
  addr: number,
): Sched<number> {
  const mm = vma_mm(vma);
  const entry = pte_mkspecial(pfn_pte(my_zero_pfn(k.mem), vma.vm_page_prot));
  const ref = { ptl: null };
  const ptep = yield* pte_offset_map_lock(mm, pmdp, addr_to_vpn(addr), ref);
  if (ptep < 0) return -EAGAIN;
  let ret = 0;
  if (mfill_file_over_size(vma, addr)) ret = -EFAULT;
  else if (!pte_none(k.pool.get(ptep))) ret = -EEXIST;
  else k.pool.set(ptep, entry);
  yield* pte_unmap_unlock(ref);
  return ret;
}

/**
 * mm/shmem.c: shmem_mfill_atomic_pte(dst_pmd, dst_vma, dst_addr, src_addr, flags, foliop): a new
 * page-cache folio (the contents, or zeros) at the page's index, mapped; -EEXIST when the cache
 * already has one, -EFAULT past i_size.
 * @fidelity simplified (no block accounting; a folio that appears concurrently is not detected
 * separately from one that was there)
 */
function* shmem_mfill_atomic_pte(
  k: Kernel,
  pmdp: number,
  vma: VmAreaStruct,
  addr: number,
  value: number,
  wp: boolean,
): Sched<number> {
  const inode = vma_inode(vma);
  const index = vma.vm_pgoff + (addr - vma.vm_start) / PAGE_SIZE;
  const existing = yield* filemap_get_entry(k, inode.i_mapping, index);
  if (existing >= 0) {
    folio_put(k.mem, existing);
    return -EEXIST;
  }
  const folio = yield* shmem_get_folio_gfp(k, inode, index, SGP_CACHE);
  if (folio === -EINVAL) return -EFAULT;
  if (folio < 0) return folio;
  k.mem.content[folio] = value & 0xff;
  const ret = yield* mfill_atomic_install_pte(k, pmdp, vma, addr, folio, true, true, wp);
  yield* folio_unlock(k, folio);
  if (ret !== 0) folio_put(k.mem, folio);
  return ret;
}

/** mm/userfaultfd.c: mfill_atomic_pte_continue(dst_pmd, dst_vma, dst_addr, flags): map the cached page. @fidelity exact */
function* mfill_atomic_pte_continue(
  k: Kernel,
  pmdp: number,
  vma: VmAreaStruct,
  addr: number,
  wp: boolean,
): Sched<number> {
  const inode = vma_inode(vma);
  const index = vma.vm_pgoff + (addr - vma.vm_start) / PAGE_SIZE;
  const folio = yield* shmem_get_folio_gfp(k, inode, index, SGP_NOALLOC);
  if (folio === -ENOENT || folio === -1) return -EFAULT;
  if (folio < 0) return folio;
  const page = folio_file_page(k, folio, index);
  const ret = yield* mfill_atomic_install_pte(k, pmdp, vma, addr, page, true, false, wp);
  yield* folio_unlock(k, folio);
  if (ret !== 0) folio_put(k.mem, folio);
  return ret;
}

/** mm/userfaultfd.c: mfill_atomic_pte(dst_pmd, dst_vma, dst_addr, src_addr, flags, foliop). @fidelity simplified */
function mfill_atomic_pte(
  k: Kernel,
  pmdp: number,
  vma: VmAreaStruct,
  addr: number,
  mode: mfill_atomic_mode,
  value: number,
  wp: boolean,
): Sched<number> {
  if (mode === 'CONTINUE') return mfill_atomic_pte_continue(k, pmdp, vma, addr, wp);
  if (!(vma.vm_flags & VM_SHARED) && vma_is_anonymous(vma)) {
    return mode === 'COPY'
      ? mfill_atomic_pte_copy(k, pmdp, vma, addr, value, wp)
      : mfill_atomic_pte_zeropage(k, pmdp, vma, addr);
  }
  return shmem_mfill_atomic_pte(k, pmdp, vma, addr, mode === 'COPY' ? value : 0, wp);
}

/** mm/userfaultfd.c: validate_dst_vma(dst_vma, dst_end) (with the lookup of uffd_mfill_lock). */
function mfill_dst_vma(mm: mm_struct, start: number, end: number): VmAreaStruct | null {
  const vma = find_vma(mm, start);
  if (vma === null || vma.vm_start > start) return null;
  if (end > vma.vm_end || vma.vm_userfaultfd_ctx === null) return null;
  return vma;
}

/** The PMD of `addr` with a page table under it (mm_alloc_pmd + __pte_alloc), or an errno. */
function mfill_pmd(k: Kernel, mm: mm_struct, addr: number): number {
  const vpn = addr_to_vpn(addr);
  const pudp = pud_alloc(k.pool, mm, pgd_offset(mm, vpn), vpn);
  const pmdp = pmd_alloc(k.pool, mm, pudp, vpn);
  if (pmd_none(k.pool.get(pmdp))) pte_alloc(k.pool, mm, pmdp);
  const pmd = k.pool.get(pmdp);
  if (!pmd_present(pmd) || pmd_leaf(pmd)) return -EEXIST;
  return pmdp;
}

/** The checks of mfill_atomic on the destination VMA, after mmap_changing: 0 or -errno. */
function mfill_vma_check(
  k: Kernel,
  vma: VmAreaStruct,
  mode: mfill_atomic_mode,
  wp: boolean,
): number {
  if (wp && maskAnd(vma.vm_flags, VM_UFFD_WP) === 0) return -EINVAL;
  if (!vma_is_anonymous(vma) && !vma_is_shmem(vma)) return -EINVAL;
  if (!vma_is_shmem(vma) && mode === 'CONTINUE') return -EINVAL;
  if (vma_is_anonymous(vma) && anon_vma_prepare(k, vma) !== 0) return -ENOMEM;
  return 0;
}

/**
 * mm/userfaultfd.c: mfill_atomic(ctx, dst_start, src_start, len, flags): under mmap_lock (read),
 * install pages page by page in a range that lies in one registered VMA (-ENOENT otherwise;
 * -EAGAIN while a non-cooperative event is unread; -EINVAL for a VMA kind the mode does not
 * support or MFILL_ATOMIC_WP without uffd-wp). Returns the bytes installed, or the error that
 * stopped the first page (-EEXIST, -EFAULT, -ENOMEM, -EINTR).
 * @fidelity simplified (copy_from_user of the source cannot fault: the contents are a value)
 */
export function* mfill_atomic(
  k: Kernel,
  ctx: userfaultfd_ctx,
  dst_start: number,
  len: number,
  mode: mfill_atomic_mode,
  value: number,
  wp: boolean,
): Sched<number> {
  const mm = ctx.mm;
  yield* mmap_read_lock(mm);
  let err = 0;
  let copied = 0;
  const vma = mfill_dst_vma(mm, dst_start, dst_start + len);
  if (vma === null) err = -ENOENT;
  else err = yield* uffd_map_changing(k, ctx);
  if (err === 0) err = mfill_vma_check(k, vma!, mode, wp);
  for (let addr = dst_start; err === 0 && addr < dst_start + len; addr += PAGE_SIZE) {
    const pmdp = mfill_pmd(k, mm, addr);
    err = pmdp < 0 ? pmdp : yield* mfill_atomic_pte(k, pmdp, vma!, addr, mode, value, wp);
    if (err === 0) {
      copied += PAGE_SIZE;
      if (k.m.self.fatalSignal) err = -EINTR;
    }
  }
  if (vma !== null) yield* up_read(ctx.map_changing_lock);
  yield* mmap_read_unlock(mm);
  return copied !== 0 ? copied : err;
}

/**
 * mm/userfaultfd.c: uffd_wp_range(dst_vma, start, len, enable_wp) through change_protection with
 * MM_CP_UFFD_WP / MM_CP_UFFD_WP_RESOLVE: write-protect present PTEs and mark them uffd-wp, or
 * clear the mark (and make the PTE writable again when can_change_pte_writable allows).
 * @fidelity simplified (present 4 KiB PTEs only: no swap entries, markers or huge PMDs)
 */
export function* uffd_wp_range(
  k: Kernel,
  vma: VmAreaStruct,
  start: number,
  len: number,
  enable_wp: boolean,
): Sched<void> {
  const mm = vma_mm(vma);
  const tryWritable =
    !enable_wp && (vma.vm_flags & VM_WRITE) !== 0 && (vma.vm_flags & VM_SHARED) === 0;
  for (let addr = start; addr < start + len; addr += PAGE_SIZE) {
    const ref = { ptl: null };
    const pmdp = pmd_of(k, mm, addr);
    if (pmdp < 0) continue;
    const ptep = yield* pte_offset_map_lock(mm, pmdp, addr_to_vpn(addr), ref);
    if (ptep < 0) continue;
    const old = k.pool.get(ptep);
    if (pte_present(old)) {
      let pte = enable_wp ? pte_mkuffd_wp(pte_wrprotect(old)) : pte_clear_uffd_wp(old);
      if (tryWritable && can_change_pte_writable(k, vma, pte)) pte = pte_mkwrite(pte);
      if (pte !== old) k.pool.set(ptep, pte);
    }
    yield* pte_unmap_unlock(ref);
  }
}

function pmd_of(k: Kernel, mm: mm_struct, addr: number): number {
  const vpn = addr_to_vpn(addr);
  const pudp = pud_alloc(k.pool, mm, pgd_offset(mm, vpn), vpn);
  const pmdp = pmd_alloc(k.pool, mm, pudp, vpn);
  const pmd = k.pool.get(pmdp);
  return pmd_none(pmd) || pmd_leaf(pmd) || !pmd_present(pmd) ? -1 : pmdp;
}

/**
 * mm/userfaultfd.c: mwriteprotect_range(ctx, start, len, enable_wp): every VMA of the range must
 * be registered for WP (-ENOENT otherwise); then uffd_wp_range on each. 0 or an errno.
 * @fidelity simplified
 */
export function* mwriteprotect_range(
  k: Kernel,
  ctx: userfaultfd_ctx,
  start: number,
  len: number,
  enable_wp: boolean,
): Sched<number> {
  const mm = ctx.mm;
  const end = start + len;
  yield* mmap_read_lock(mm);
  let err = yield* uffd_map_changing(k, ctx);
  const vmas: VmAreaStruct[] = [];
  for (let a = start; err === 0 && a < end;) {
    const vma = find_vma(mm, a);
    if (vma === null || vma.vm_start >= end) break;
    if (maskAnd(vma.vm_flags, VM_UFFD_WP) === 0) err = -ENOENT;
    vmas.push(vma);
    a = vma.vm_end;
  }
  if (err === 0 && vmas.length === 0) err = -ENOENT;
  if (err === 0) {
    for (const vma of vmas) {
      const s = Math.max(start, vma.vm_start);
      yield* uffd_wp_range(k, vma, s, Math.min(end, vma.vm_end) - s, enable_wp);
    }
  }
  yield* up_read(ctx.map_changing_lock);
  yield* mmap_read_unlock(mm);
  return err;
}

/**
 * mm/shmem.c: the userfaultfd checks of shmem_get_folio_gfp for a fault (vmf != NULL): a cached
 * folio in a MINOR-registered VMA, or none in a MISSING-registered one, goes to handle_userfault.
 * Returns the fault result, or null when the fault proceeds normally.
 * @fidelity exact
 */
export function* shmem_userfault(vmf: vm_fault): Sched<vm_fault_t | null> {
  const vma = vmf.vma;
  const armed = maskAnd(vma.vm_flags, maskOr(VM_UFFD_MISSING, VM_UFFD_MINOR)) !== 0;
  if (!armed) return null;
  const k = vma_mm(vma).k;
  const inode = vma_inode(vma);
  if (vmf.pgoff * PAGE_SIZE >= i_size_read(inode)) return null;
  const folio = yield* filemap_get_entry(k, inode.i_mapping, vmf.pgoff);
  if (folio >= 0) {
    folio_put(k.mem, folio);
    return userfaultfd_minor(vma) ? yield* handle_userfault(vmf, VM_UFFD_MINOR) : null;
  }
  if (maskAnd(vma.vm_flags, VM_UFFD_MISSING) === 0) return null;
  return yield* handle_userfault(vmf, VM_UFFD_MISSING);
}
