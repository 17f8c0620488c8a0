/**
 * drivers/vfio/vfio_iommu_type1.c (v6.18), the pinning half: struct vfio_iommu / vfio_dma /
 * vfio_pfn, the locked_vm accounting (vfio_lock_acct), vaddr_get_pfns (pin_user_pages_remote
 * with FOLL_LONGTERM), vfio_pin_pages_remote (contiguous runs, RLIMIT_MEMLOCK),
 * vfio_unpin_pages_remote and vfio_unmap_unpin. The ioctls are in vfio_iommu_type1_ioctl.ts.
 *
 * Quirk `vfio-no-longterm` (before v5.6): vaddr_get_pfn() pinned memory of another mm
 * (mm != current->mm: vfio_pin_pages() for emulated-IOMMU devices, from a kernel thread or
 * another process) with get_user_pages_remote() without FOLL_LONGTERM, so the pages stayed in
 * ZONE_MOVABLE or CMA. The model keeps FOLL_PIN there (the same series converted vfio to pins).
 * @fidelity simplified: one IOMMU domain per container, modelled as a map iova -> pfn; no
 * VM_PFNMAP (follow_fault_pfn) ranges, no reserved pfns, no dirty-page tracking, no vaddr
 * updates (VFIO_DMA_MAP_FLAG_VADDR), no CAP_IPC_LOCK.
 */
import { Mutex } from '../../../sim/locking/mutex.js';
import type { Machine } from '../../../sim/machine.js';
import type { Sched } from '../../../sim/thread.js';
import { EFAULT, ENODEV, ENOMEM, ESRCH } from '../../include/errno.js';
import { FOLL_LONGTERM, FOLL_WRITE } from '../../include/gup_flags.js';
import type { Kernel } from '../../kernel.js';
import { pin_user_pages_remote } from '../../mm/gup.js';
import {
  unpin_user_page_range_dirty_lock,
  unpin_user_pages_dirty_lock,
} from '../../mm/gup_unpin_dirty.js';
import {
  mmap_read_lock,
  mmap_read_unlock,
  mmap_write_lock_killable,
  mmap_write_unlock,
} from '../../mm/mmap_lock.js';
import type { mm_struct } from '../../mm/mm_struct.js';
import { __account_locked_vm } from '../../mm/util.js';

/** include/linux/iommu.h: IOMMU_READ, IOMMU_WRITE (the device's view). */
export const IOMMU_READ = 1 << 0;
export const IOMMU_WRITE = 1 << 1;

/** include/uapi/linux/vfio.h: VFIO_DMA_MAP_FLAG_READ / _WRITE. */
export const VFIO_DMA_MAP_FLAG_READ = 1 << 0;
export const VFIO_DMA_MAP_FLAG_WRITE = 1 << 1;

const PAGE_SIZE = 4096;
/** drivers/vfio/vfio_iommu_type1.c: VFIO_BATCH_MAX_CAPACITY: PAGE_SIZE / sizeof(struct page *). */
export const VFIO_BATCH_MAX_CAPACITY = PAGE_SIZE / 8;

/** drivers/vfio/vfio_iommu_type1.c: struct vfio_pfn: a page pinned for an emulated-IOMMU device (vfio_pin_pages). */
export interface vfio_pfn {
  readonly pfn: number;
  ref_count: number;
}

/** drivers/vfio/vfio_iommu_type1.c: struct vfio_dma: one user mapping. @fidelity simplified */
export class vfio_dma {
  /** drivers/vfio/vfio_iommu_type1.c: Bytes mapped so far (grows chunk by chunk while vfio_pin_map_dma runs). */
  size = 0;
  locked_vm = 0;
  iommu_mapped = false;
  /** capable(CAP_IPC_LOCK) of the mapping task. */
  readonly lock_cap = false;
  /** Ex-user pinned pfns, by iova. */
  readonly pfn_list = new Map<number, vfio_pfn>();

  constructor(
    readonly iova: number,
    readonly vaddr: number,
    readonly prot: number,
    /** dma->mm: the mm of the task that mapped it. */
    readonly mm: mm_struct,
  ) {}
}

/** drivers/vfio/vfio_iommu_type1.c: struct vfio_iommu: a type1 container. @fidelity simplified */
export class vfio_iommu {
  readonly lock: Mutex;
  /** drivers/vfio/vfio_iommu_type1.c: The DMA mappings, sorted by iova (the rb-tree dma_list). */
  readonly dma_list: vfio_dma[] = [];
  /** dma_entry_limit (U16_MAX) minus the mappings. */
  dma_avail = 0xffff;
  /**
   * The one IOMMU domain, iova page -> pfn; null when the container holds only emulated-IOMMU
   * (mdev) devices: list_empty(&iommu->domain_list).
   */
  readonly domain: Map<number, number> | null;

  constructor(m: Machine, name: string, has_domain: boolean) {
    this.lock = new Mutex(m, `${name}.iommu->lock`, 'vfio_iommu->lock');
    this.domain = has_domain ? new Map() : null;
  }
}

/** drivers/vfio/vfio_iommu_type1.c: struct vfio_batch: pages pinned by one vaddr_get_pfns not yet consumed. */
export interface vfio_batch {
  readonly pages: Int32Array;
  size: number;
  offset: number;
}

/** drivers/vfio/vfio_iommu_type1.c: vfio_batch_init / vfio_batch_init_single. @fidelity exact */
export function vfio_batch_init(single: boolean): vfio_batch {
  return {
    pages: new Int32Array(single ? 1 : VFIO_BATCH_MAX_CAPACITY).fill(-1),
    size: 0,
    offset: 0,
  };
}

/** drivers/vfio/vfio_iommu_type1.c: vfio_find_dma(iommu, start, size): the mapping overlapping [start, start + size). @fidelity exact */
export function vfio_find_dma(iommu: vfio_iommu, start: number, size: number): vfio_dma | null {
  for (const dma of iommu.dma_list)
    if (start + size - 1 >= dma.iova && start <= dma.iova + dma.size - 1) return dma;
  return null;
}

/** drivers/vfio/vfio_iommu_type1.c: vfio_link_dma / vfio_unlink_dma. @fidelity simplified (a sorted array) */
export function vfio_link_dma(iommu: vfio_iommu, dma: vfio_dma): void {
  const i = iommu.dma_list.findIndex((d) => dma.iova <= d.iova);
  iommu.dma_list.splice(i < 0 ? iommu.dma_list.length : i, 0, dma);
}

export function vfio_unlink_dma(iommu: vfio_iommu, dma: vfio_dma): void {
  iommu.dma_list.splice(iommu.dma_list.indexOf(dma), 1);
}

/** drivers/vfio/vfio_iommu_type1.c: vpfn_pages(dma, iova_start, nr_pages): ex-user pinned pages in the range. @fidelity exact */
export function vpfn_pages(dma: vfio_dma, iova_start: number, nr_pages: number): number {
  let n = 0;
  for (const iova of dma.pfn_list.keys())
    if (iova >= iova_start && iova < iova_start + nr_pages * PAGE_SIZE) n++;
  return n;
}

/**
 * drivers/vfio/vfio_iommu_type1.c: mm_lock_acct(task, mm, lock_cap, npage): __account_locked_vm under mmap_write_lock_killable.
 * @fidelity exact
 */
export function* mm_lock_acct(
  k: Kernel,
  mm: mm_struct,
  lock_cap: boolean,
  npage: number,
): Sched<number> {
  const ret = yield* mmap_write_lock_killable(mm);
  if (ret !== 0) return ret;
  const r = __account_locked_vm(k, mm, Math.abs(npage), npage > 0, lock_cap);
  yield* mmap_write_unlock(mm);
  return r;
}

/** drivers/vfio/vfio_iommu_type1.c: vfio_lock_acct(dma, npage, async): charge (or refund) `npage` pages to dma->mm. @fidelity exact */
export function* vfio_lock_acct(
  k: Kernel,
  dma: vfio_dma,
  npage: number,
  async: boolean,
): Sched<number> {
  if (npage === 0) return 0;
  if (async && dma.mm.mm_users === 0) return -ESRCH;
  const ret = yield* mm_lock_acct(k, dma.mm, dma.lock_cap, npage);
  if (ret === 0) dma.locked_vm += npage;
  return ret;
}

/** drivers/vfio/vfio_iommu_type1.c: put_pfn(pfn, prot): unpin one page, dirtying it if the device may write it. @fidelity simplified (no reserved pfns) */
export function* put_pfn(k: Kernel, pfn: number, prot: number): Sched<number> {
  yield* unpin_user_pages_dirty_lock(k, [pfn], 1, (prot & IOMMU_WRITE) !== 0);
  return 1;
}

/** drivers/vfio/vfio_iommu_type1.c: vfio_batch_unpin(batch, dma). @fidelity exact */
export function* vfio_batch_unpin(k: Kernel, batch: vfio_batch, dma: vfio_dma): Sched<void> {
  while (batch.size > 0) {
    yield* put_pfn(k, batch.pages[batch.offset]!, dma.prot);
    batch.offset++;
    batch.size--;
  }
}

/**
 * drivers/vfio/vfio_iommu_type1.c: vaddr_get_pfns(mm, vaddr, npages, prot, pfn, batch): refill the batch with
 * pin_user_pages_remote(FOLL_LONGTERM (+FOLL_WRITE)); the number pinned or a negative errno
 * (0 pinned is -EFAULT). Under quirk vfio-no-longterm a foreign mm is pinned without
 * FOLL_LONGTERM.
 * @fidelity simplified (no VM_PFNMAP fallback)
 */
export function* vaddr_get_pfns(
  k: Kernel,
  mm: mm_struct,
  vaddr: number,
  npages: number,
  prot: number,
  batch: vfio_batch,
): Sched<number> {
  const pin_pages = Math.min(npages, batch.pages.length);
  let flags = (prot & IOMMU_WRITE) !== 0 ? FOLL_WRITE : 0;
  const foreign = k.current.mm !== mm;
  if (!(foreign && k.m.quirk('vfio-no-longterm'))) flags |= FOLL_LONGTERM;
  yield* mmap_read_lock(mm);
  let ret = yield* pin_user_pages_remote(k, mm, vaddr, pin_pages, flags, batch.pages, null);
  if (ret > 0) {
    batch.size = ret;
    batch.offset = 0;
  } else if (ret === 0) {
    ret = -EFAULT;
  }
  yield* mmap_read_unlock(mm);
  return ret;
}

/** drivers/vfio/vfio_iommu_type1.c: num_pages_contiguous(pages, nr): how many entries continue the first pfn. @fidelity simplified */
function num_pages_contiguous(pages: Int32Array, off: number, nr: number): number {
  let n = 1;
  while (n < nr && pages[off + n] === pages[off]! + n) n++;
  return n;
}

/**
 * drivers/vfio/vfio_iommu_type1.c: vfio_pin_pages_remote(dma, vaddr, npage, pfn_base, limit, batch): pin a physically contiguous
 * run starting at vaddr in current->mm, charging locked_vm (-ENOMEM past `limit` pages); the
 * pages pinned (the run starts at pfn_base.value) or a negative errno with nothing kept.
 * @fidelity simplified (no reserved pfns, no PFNMAP runs)
 */
export function* vfio_pin_pages_remote(
  k: Kernel,
  dma: vfio_dma,
  vaddr: number,
  npage: number,
  pfn_base: { value: number },
  limit: number,
  batch: vfio_batch,
): Sched<number> {
  const mm = k.current.mm;
  if (mm === null) return -ENODEV; // this code path is only user initiated
  let iova = vaddr - dma.vaddr + dma.iova;
  let pinned = 0;
  let lock_acct = 0;
  let ret = 0;
  pfn_base.value = batch.size > 0 ? batch.pages[batch.offset]! : -1;
  fill: while (npage > 0) {
    if (batch.size === 0) {
      ret = yield* vaddr_get_pfns(k, mm, vaddr, npage, dma.prot, batch);
      if (ret < 0) break;
      if (pfn_base.value < 0) pfn_base.value = batch.pages[0]!;
    }
    while (batch.size > 0) {
      const pfn = batch.pages[batch.offset]!;
      if (pfn !== pfn_base.value + pinned) break fill;
      const nr_pages = num_pages_contiguous(batch.pages, batch.offset, batch.size);
      const acct_pages = nr_pages - vpfn_pages(dma, iova, nr_pages);
      if (acct_pages > 0) {
        if (!dma.lock_cap && mm.locked_vm + lock_acct + acct_pages > limit) {
          ret = -ENOMEM;
          break fill;
        }
        lock_acct += acct_pages;
      }
      pinned += nr_pages;
      npage -= nr_pages;
      vaddr += PAGE_SIZE * nr_pages;
      iova += PAGE_SIZE * nr_pages;
      batch.offset += nr_pages;
      batch.size -= nr_pages;
    }
  }
  if (ret >= 0) ret = yield* vfio_lock_acct(k, dma, lock_acct, false);
  if (ret < 0) {
    for (let pfn = pfn_base.value; pinned > 0; pfn++, pinned--) yield* put_pfn(k, pfn, dma.prot);
    yield* vfio_batch_unpin(k, batch, dma);
    return ret;
  }
  return pinned;
}

/**
 * drivers/vfio/vfio_iommu_type1.c: vfio_unpin_pages_remote(dma, iova, pfn, npage, do_accounting): unpin a contiguous run
 * (unpin_user_page_range_dirty_lock, dirty if the device may write); the pages unpinned.
 * @fidelity exact (no reserved pfns)
 */
export function* vfio_unpin_pages_remote(
  k: Kernel,
  dma: vfio_dma,
  iova: number,
  pfn: number,
  npage: number,
  do_accounting: boolean,
): Sched<number> {
  const locked = vpfn_pages(dma, iova, npage);
  yield* unpin_user_page_range_dirty_lock(k, pfn, npage, (dma.prot & IOMMU_WRITE) !== 0);
  if (do_accounting) yield* vfio_lock_acct(k, dma, locked - npage, true);
  return npage;
}

/**
 * drivers/vfio/vfio_iommu_type1.c: vfio_unmap_unpin(iommu, dma, do_accounting): unmap the IOMMU translations of the mapping and
 * unpin its pages run by run; the pages unlocked (0 when accounted here).
 * @fidelity simplified (one domain; no iotlb gathering)
 */
export function* vfio_unmap_unpin(
  k: Kernel,
  iommu: vfio_iommu,
  dma: vfio_dma,
  do_accounting: boolean,
): Sched<number> {
  const domain = iommu.domain;
  if (dma.size === 0 || domain === null) return 0;
  let unlocked = 0;
  for (let pos = 0; pos < dma.size;) {
    const iova = dma.iova + pos;
    const phys = domain.get(iova / PAGE_SIZE);
    if (phys === undefined) throw new Error(`WARN_ON: iova ${iova} of a vfio_dma is not mapped`);
    let len = 1;
    while (pos + len * PAGE_SIZE < dma.size && domain.get(iova / PAGE_SIZE + len) === phys + len)
      len++;
    for (let i = 0; i < len; i++) domain.delete(iova / PAGE_SIZE + i);
    unlocked += yield* vfio_unpin_pages_remote(k, dma, iova, phys, len, false);
    pos += len * PAGE_SIZE;
  }
  dma.iommu_mapped = false;
  if (do_accounting) {
    yield* vfio_lock_acct(k, dma, -unlocked, true);
    return 0;
  }
  return unlocked;
}
