/**
 * drivers/infiniband/core/umem.c (v6.18): ib_umem_get / ib_umem_release, how an RDMA memory
 * region (ibv_reg_mr) pins user memory: pin_user_pages_fast(FOLL_LONGTERM, + FOLL_WRITE when the
 * access flags let the device write), a page list at a time, charged to mm->pinned_vm against
 * RLIMIT_MEMLOCK; released with unpin_user_page_range_dirty_lock (dirty when writable).
 * @fidelity simplified: no ODP (IB_ACCESS_ON_DEMAND), no scatterlist (the umem keeps its pages
 * in order; sg coalescing and DMA mapping are not modelled), no CAP_IPC_LOCK.
 */
import type { Sched } from '../../../sim/thread.js';
import { Access } from '../../../sim/footprint.js';
import { EFAULT, EINVAL, ENOMEM, EPERM } from '../../include/errno.js';
import { FOLL_LONGTERM, FOLL_WRITE } from '../../include/gup_flags.js';
import type { Kernel } from '../../kernel.js';
import { pin_user_pages_fast } from '../../mm/gup.js';
import { unpin_user_page_range_dirty_lock } from '../../mm/gup_unpin_dirty.js';
import { longterm_hold } from '../../mm/longterm_hold.js';
import type { mm_struct } from '../../mm/mm_struct.js';
import { can_do_mlock, capable_ipc_lock, rlimit_memlock } from '../../mm/util.js';
import { mmObj } from '../../objects.js';

/** include/rdma/ib_verbs.h: enum ib_access_flags (the ones ib_access_writable tests). */
export const IB_ACCESS_LOCAL_WRITE = 1 << 0;
export const IB_ACCESS_REMOTE_WRITE = 1 << 1;
export const IB_ACCESS_REMOTE_READ = 1 << 2;
export const IB_ACCESS_REMOTE_ATOMIC = 1 << 3;
export const IB_ACCESS_MW_BIND = 1 << 4;
export const IB_ACCESS_ON_DEMAND = 1 << 6;

const PAGE_SIZE = 4096;
const U64 = 2 ** 64;

/** include/rdma/ib_umem.h: struct ib_umem. @fidelity simplified */
export class ib_umem {
  /** The pinned pages, in address order (the sg_append_table). */
  readonly pages: number[] = [];

  constructor(
    readonly owning_mm: mm_struct,
    readonly address: number,
    readonly length: number,
    readonly writable: boolean,
  ) {}
}

/** include/rdma/ib_verbs.h: ib_access_writable(access_flags). @fidelity exact */
export function ib_access_writable(access: number): boolean {
  return (
    (access &
      (IB_ACCESS_LOCAL_WRITE |
        IB_ACCESS_REMOTE_WRITE |
        IB_ACCESS_REMOTE_ATOMIC |
        IB_ACCESS_MW_BIND)) !==
    0
  );
}

/** include/rdma/ib_umem.h: ib_umem_num_pages(umem): PAGE_SIZE blocks the range touches. @fidelity exact */
export function ib_umem_num_pages(umem: Pick<ib_umem, 'address' | 'length'>): number {
  const first = Math.floor(umem.address / PAGE_SIZE);
  const end = Math.ceil((umem.address + umem.length) / PAGE_SIZE);
  return end - first;
}

/** umem.c: __ib_umem_release(dev, umem, dirty): unpin every run, dirtying if asked and writable. @fidelity simplified */
function* __ib_umem_release(k: Kernel, umem: ib_umem, dirty: boolean): Sched<void> {
  const pages = umem.pages;
  for (let i = 0; i < pages.length;) {
    let n = 1;
    while (i + n < pages.length && pages[i + n] === pages[i]! + n) n++;
    yield* unpin_user_page_range_dirty_lock(k, pages[i]!, n, dirty && umem.writable);
    i += n;
  }
  pages.length = 0;
}

function* pinned_vm_add(k: Kernel, mm: mm_struct, n: number): Sched<number> {
  yield k.m.at('atomic64_add_return(pinned_vm)', mmObj(mm.mm_id), Access.Write);
  mm.pinned_vm += n;
  return mm.pinned_vm;
}

/**
 * drivers/infiniband/core/umem.c: ib_umem_get(device, addr, size, access): pin [addr, addr + size) of current->mm for an RDMA
 * memory region. The umem, or a negative errno with nothing pinned or charged (-EINVAL: an
 * overflowing or empty range, or IB_ACCESS_ON_DEMAND; -EPERM: no RLIMIT_MEMLOCK; -ENOMEM: past
 * RLIMIT_MEMLOCK; a GUP error).
 * @fidelity simplified
 */
export function* ib_umem_get(
  k: Kernel,
  addr: number,
  size: number,
  access: number,
  where: string | null = null,
): Sched<ib_umem | number> {
  if ((access & IB_ACCESS_ON_DEMAND) !== 0) return -EINVAL; // ODP umems are ib_umem_odp_get's
  const end = addr + size;
  if (end >= U64 || Math.ceil(end / PAGE_SIZE) * PAGE_SIZE >= U64) return -EINVAL;
  if (!can_do_mlock(k)) return -EPERM;
  const mm = k.current.mm;
  if (mm === null) return -EFAULT;
  const umem = new ib_umem(mm, addr, size, ib_access_writable(access));
  let npages = ib_umem_num_pages(umem);
  if (npages === 0 || npages > 0xffffffff) return -EINVAL;
  const lock_limit = Math.floor(rlimit_memlock(k) / PAGE_SIZE);
  const new_pinned = yield* pinned_vm_add(k, mm, npages);
  if (new_pinned > lock_limit && !capable_ipc_lock(k)) {
    mm.pinned_vm -= npages;
    return -ENOMEM;
  }
  let cur_base = addr - (addr % PAGE_SIZE);
  const gup_flags = FOLL_LONGTERM | (umem.writable ? FOLL_WRITE : 0);
  const page_list = new Int32Array(PAGE_SIZE / 8);
  while (npages > 0) {
    page_list.fill(-1);
    const pinned = yield* pin_user_pages_fast(
      k,
      cur_base,
      Math.min(npages, page_list.length),
      gup_flags,
      page_list,
    );
    if (pinned <= 0) {
      // pin_user_pages_fast never returns 0 here (no FOLL_NOWAIT); the kernel tests pinned < 0
      yield* __ib_umem_release(k, umem, false);
      yield k.m.at('atomic64_sub(pinned_vm)', mmObj(mm.mm_id), Access.Write);
      mm.pinned_vm -= ib_umem_num_pages(umem);
      return pinned < 0 ? pinned : -EFAULT;
    }
    for (let i = 0; i < pinned; i++) umem.pages.push(page_list[i]!);
    cur_base += pinned * PAGE_SIZE;
    npages -= pinned;
  }
  longterm_hold(k, { consumer: 'rdma', fn: 'ib_umem_get', pages: [...umem.pages], where });
  return umem;
}

/**
 * drivers/infiniband/core/umem.c: ib_umem_release(umem): unpin the pages (marking them dirty when the region was writable) and
 * give the pages back to owning_mm->pinned_vm.
 * @fidelity simplified (no ODP)
 */
export function* ib_umem_release(k: Kernel, umem: ib_umem): Sched<void> {
  yield* __ib_umem_release(k, umem, true);
  const mm = umem.owning_mm;
  yield k.m.at('atomic64_sub(pinned_vm)', mmObj(mm.mm_id), Access.Write);
  mm.pinned_vm -= ib_umem_num_pages(umem);
}
