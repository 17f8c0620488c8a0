/**
 * drivers/vfio/vfio_iommu_type1.c (v6.18), the ioctl half: VFIO_IOMMU_MAP_DMA
 * (vfio_dma_do_map -> vfio_pin_map_dma), VFIO_IOMMU_UNMAP_DMA (vfio_dma_do_unmap) and the
 * emulated-IOMMU pin API (vfio_iommu_type1_pin_pages, behind vfio_pin_pages()).
 * @fidelity simplified: type1v2 semantics only; no dirty bitmaps, no VFIO_DMA_MAP_FLAG_VADDR, no
 * VFIO_DMA_UNMAP_FLAG_ALL; the IOVA ranges of the domain are unlimited; an unmap of a range with
 * emulated-device pins unpins them as the device's dma_unmap callback (vfio_unpin_pages) would.
 */
import type { Sched } from '../../../sim/thread.js';
import { EEXIST, EINVAL, ENODEV, ENOSPC, EOVERFLOW, EPERM } from '../../include/errno.js';
import type { Kernel } from '../../kernel.js';
import { longterm_hold } from '../../mm/longterm_hold.js';
import { mutex_lock, mutex_unlock } from '../../../sim/locking/mutex.js';
import { rlimit_memlock } from '../../mm/util.js';
import type { vfio_iommu } from './vfio_iommu_type1.js';
import {
  IOMMU_READ,
  IOMMU_WRITE,
  VFIO_DMA_MAP_FLAG_READ,
  VFIO_DMA_MAP_FLAG_WRITE,
  put_pfn,
  vaddr_get_pfns,
  vfio_batch_init,
  vfio_batch_unpin,
  vfio_dma,
  vfio_find_dma,
  vfio_link_dma,
  vfio_lock_acct,
  vfio_pin_pages_remote,
  vfio_unlink_dma,
  vfio_unmap_unpin,
  vfio_unpin_pages_remote,
} from './vfio_iommu_type1.js';

const PAGE_SIZE = 4096;
const U64 = 2 ** 64;

/** include/uapi/linux/vfio.h: struct vfio_iommu_type1_dma_map (argsz omitted). */
export interface vfio_iommu_type1_dma_map {
  readonly flags: number;
  readonly vaddr: number;
  readonly iova: number;
  readonly size: number;
}

/** include/uapi/linux/vfio.h: struct vfio_iommu_type1_dma_unmap: `size` is written back with the bytes unmapped. */
export interface vfio_iommu_type1_dma_unmap {
  readonly flags: number;
  readonly iova: number;
  size: number;
}

/** drivers/vfio/vfio_iommu_type1.c: vfio_remove_dma(iommu, dma): unpin, unaccount and forget a mapping. @fidelity simplified */
export function* vfio_remove_dma(k: Kernel, iommu: vfio_iommu, dma: vfio_dma): Sched<void> {
  yield* vfio_unmap_unpin(k, iommu, dma, true);
  vfio_unlink_dma(iommu, dma);
  iommu.dma_avail++;
}

/** drivers/vfio/vfio_iommu_type1.c: vfio_iommu_map(iommu, iova, pfn, npage, prot): enter the run in the domain. @fidelity simplified */
function vfio_iommu_map(iommu: vfio_iommu, iova: number, pfn: number, npage: number): number {
  for (let i = 0; i < npage; i++) iommu.domain?.set(iova / PAGE_SIZE + i, pfn + i);
  return 0;
}

/**
 * drivers/vfio/vfio_iommu_type1.c: vfio_pin_map_dma(iommu, dma, map_size): pin and map the range run by run; on failure the
 * whole mapping is removed. 0 or a negative errno.
 * @fidelity exact (modulo the simplified domain)
 */
export function* vfio_pin_map_dma(
  k: Kernel,
  iommu: vfio_iommu,
  dma: vfio_dma,
  map_size: number,
): Sched<number> {
  const batch = vfio_batch_init(false);
  const limit = Math.floor(rlimit_memlock(k) / PAGE_SIZE);
  let size = map_size;
  let ret = 0;
  while (size > 0) {
    const pfn = { value: -1 };
    const npage = yield* vfio_pin_pages_remote(
      k,
      dma,
      dma.vaddr + dma.size,
      size / PAGE_SIZE,
      pfn,
      limit,
      batch,
    );
    if (npage <= 0) {
      if (npage === 0) throw new Error('WARN_ON: vfio_pin_pages_remote pinned nothing');
      ret = npage;
      break;
    }
    ret = vfio_iommu_map(iommu, dma.iova + dma.size, pfn.value, npage);
    if (ret !== 0) {
      yield* vfio_unpin_pages_remote(k, dma, dma.iova + dma.size, pfn.value, npage, true);
      yield* vfio_batch_unpin(k, batch, dma);
      break;
    }
    size -= npage * PAGE_SIZE;
    dma.size += npage * PAGE_SIZE;
  }
  dma.iommu_mapped = true;
  if (ret !== 0) yield* vfio_remove_dma(k, iommu, dma);
  return ret;
}

function mapped_pfns(iommu: vfio_iommu, dma: vfio_dma): number[] {
  const out: number[] = [];
  for (let pos = 0; pos < dma.size; pos += PAGE_SIZE)
    out.push(iommu.domain?.get((dma.iova + pos) / PAGE_SIZE) ?? -1);
  return out;
}

/**
 * drivers/vfio/vfio_iommu_type1.c: vfio_dma_do_map(iommu, map): VFIO_IOMMU_MAP_DMA for current->mm. 0 or a negative errno
 * (-EINVAL: empty, unaligned or no READ/WRITE; -EEXIST: overlaps a mapping; -ENOSPC: too many
 * mappings; -EOVERFLOW; -ENOMEM: RLIMIT_MEMLOCK; a GUP error). With an IOMMU domain every page
 * is pinned and mapped now; without one (emulated devices only) nothing is pinned.
 * @fidelity simplified
 */
export function* vfio_dma_do_map(
  k: Kernel,
  iommu: vfio_iommu,
  map: vfio_iommu_type1_dma_map,
  where: string | null = null,
): Sched<number> {
  const { iova, vaddr, size } = map;
  if (size === 0) return -EINVAL;
  if (iova + size - 1 >= U64 || vaddr + size - 1 >= U64) return -EOVERFLOW;
  let prot = 0;
  if ((map.flags & VFIO_DMA_MAP_FLAG_WRITE) !== 0) prot |= IOMMU_WRITE;
  if ((map.flags & VFIO_DMA_MAP_FLAG_READ) !== 0) prot |= IOMMU_READ;
  if (prot === 0) return -EINVAL;
  const mm = k.current.mm;
  if (mm === null) return -EINVAL;
  yield* mutex_lock(iommu.lock);
  let ret = 0;
  if ((size | iova | vaddr) % PAGE_SIZE !== 0) ret = -EINVAL;
  else if (vfio_find_dma(iommu, iova, size) !== null) ret = -EEXIST;
  else if (iommu.dma_avail === 0) ret = -ENOSPC;
  if (ret === 0) {
    iommu.dma_avail--;
    const dma = new vfio_dma(iova, vaddr, prot, mm);
    vfio_link_dma(iommu, dma);
    if (iommu.domain === null) dma.size = size;
    else ret = yield* vfio_pin_map_dma(k, iommu, dma, size);
    if (ret === 0 && iommu.domain !== null)
      longterm_hold(k, {
        consumer: 'vfio',
        fn: 'vfio_pin_map_dma',
        pages: mapped_pfns(iommu, dma),
        where,
      });
  }
  yield* mutex_unlock(iommu.lock);
  return ret;
}

/**
 * drivers/vfio/vfio_iommu_type1.c: vfio_unpin_page_external(dma, iova, do_accounting): drop one reference of an ex-user pin,
 * unpinning the page with the last. @fidelity exact
 */
export function* vfio_unpin_page_external(
  k: Kernel,
  dma: vfio_dma,
  iova: number,
  do_accounting: boolean,
): Sched<number> {
  const vpfn = dma.pfn_list.get(iova);
  if (vpfn === undefined) return 0;
  vpfn.ref_count--;
  if (vpfn.ref_count > 0) return 0;
  const unlocked = yield* put_pfn(k, vpfn.pfn, dma.prot);
  dma.pfn_list.delete(iova);
  if (do_accounting) yield* vfio_lock_acct(k, dma, -unlocked, true);
  return unlocked;
}

/**
 * drivers/vfio/vfio_iommu_type1.c: vfio_dma_do_unmap(iommu, unmap): VFIO_IOMMU_UNMAP_DMA (type1v2): the range must cover whole
 * mappings (-EINVAL if it bisects one); every mapping inside is unpinned and removed;
 * unmap.size is set to the bytes unmapped. 0 or a negative errno.
 * @fidelity simplified (emulated-device pins are released here, as vfio_notify_dma_unmap's
 * callbacks would)
 */
export function* vfio_dma_do_unmap(
  k: Kernel,
  iommu: vfio_iommu,
  unmap: vfio_iommu_type1_dma_unmap,
): Sched<number> {
  const { iova, size } = unmap;
  let unmapped = 0;
  let ret = -EINVAL;
  yield* mutex_lock(iommu.lock);
  const iova_end = iova + size - 1;
  const bisected = (): boolean => {
    const first = vfio_find_dma(iommu, iova, 1);
    const last = vfio_find_dma(iommu, iova_end, 1);
    return (
      (first !== null && first.iova !== iova) ||
      (last !== null && last.iova + last.size - 1 !== iova_end)
    );
  };
  if (iova % PAGE_SIZE === 0 && size !== 0 && size % PAGE_SIZE === 0 && !bisected()) {
    ret = 0;
    for (const dma of [...iommu.dma_list]) {
      if (dma.iova < iova || dma.iova > iova_end) continue;
      const do_accounting = iommu.domain === null;
      // vfio_notify_dma_unmap: the device drops every pin it holds in the range
      for (const vpfn_iova of [...dma.pfn_list.keys()])
        while (dma.pfn_list.has(vpfn_iova))
          yield* vfio_unpin_page_external(k, dma, vpfn_iova, do_accounting);
      unmapped += dma.size;
      yield* vfio_remove_dma(k, iommu, dma);
    }
  }
  yield* mutex_unlock(iommu.lock);
  unmap.size = unmapped;
  return ret;
}

/**
 * drivers/vfio/vfio_iommu_type1.c: vfio_pin_page_external(dma, vaddr, pfn_base, do_accounting): pin one page of dma->mm for an
 * emulated-IOMMU device (from any context: current->mm may be another mm, or none). 0 or a
 * negative errno.
 * @fidelity exact (no reserved pfns)
 */
export function* vfio_pin_page_external(
  k: Kernel,
  dma: vfio_dma,
  vaddr: number,
  pfn_base: { value: number },
  do_accounting: boolean,
): Sched<number> {
  if (dma.mm.mm_users === 0) return -ENODEV; // mmget_not_zero failed
  const batch = vfio_batch_init(true);
  let ret = yield* vaddr_get_pfns(k, dma.mm, vaddr, 1, dma.prot, batch);
  if (ret !== 1) return ret;
  pfn_base.value = batch.pages[0]!;
  ret = 0;
  if (do_accounting) {
    ret = yield* vfio_lock_acct(k, dma, 1, false);
    if (ret !== 0) yield* put_pfn(k, pfn_base.value, dma.prot);
  }
  return ret;
}

/**
 * drivers/vfio/vfio_iommu_type1.c: vfio_iommu_type1_pin_pages(iommu, user_iova, npage, prot, pages): vfio_pin_pages() for an
 * emulated-IOMMU device: pin npage pages at user_iova (already pinned ones gain a reference);
 * npage, or a negative errno with nothing kept (-EINVAL: no mapping there; -EPERM: the mapping
 * lacks `prot`).
 * @fidelity simplified (no v1 check, no dirty tracking, any device may pin)
 */
export function* vfio_iommu_type1_pin_pages(
  k: Kernel,
  iommu: vfio_iommu,
  user_iova: number,
  npage: number,
  prot: number,
  pages: Int32Array,
  where: string | null = null,
): Sched<number> {
  if (npage <= 0) return -EINVAL;
  yield* mutex_lock(iommu.lock);
  const do_accounting = iommu.domain === null;
  let ret = 0;
  let i = 0;
  for (; i < npage; i++) {
    const iova = user_iova + PAGE_SIZE * i;
    const dma = vfio_find_dma(iommu, iova, PAGE_SIZE);
    if (dma === null) ret = -EINVAL;
    else if ((dma.prot & prot) !== prot) ret = -EPERM;
    if (ret !== 0) break;
    const vpfn = dma!.pfn_list.get(iova);
    if (vpfn !== undefined) {
      vpfn.ref_count++;
      pages[i] = vpfn.pfn;
      continue;
    }
    const pfn = { value: -1 };
    ret = yield* vfio_pin_page_external(
      k,
      dma!,
      dma!.vaddr + (iova - dma!.iova),
      pfn,
      do_accounting,
    );
    if (ret !== 0) break;
    dma!.pfn_list.set(iova, { pfn: pfn.value, ref_count: 1 });
    pages[i] = pfn.value;
  }
  if (ret === 0) {
    ret = npage;
    longterm_hold(k, {
      consumer: 'vfio',
      fn: 'vfio_iommu_type1_pin_pages',
      pages: Array.from(pages.subarray(0, npage)),
      where,
    });
  } else {
    pages[i] = -1;
    for (let j = 0; j < i; j++) {
      const iova = user_iova + PAGE_SIZE * j;
      yield* vfio_unpin_page_external(
        k,
        vfio_find_dma(iommu, iova, PAGE_SIZE)!,
        iova,
        do_accounting,
      );
      pages[j] = -1;
    }
  }
  yield* mutex_unlock(iommu.lock);
  return ret;
}
