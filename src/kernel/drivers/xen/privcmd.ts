/**
 * drivers/xen/privcmd.c: IOCTL_PRIVCMD_DM_OP (privcmd_ioctl_dm_op, lock_pages, unlock_pages), as
 * in mainline since c5deb27895e0 "xen/privcmd: fix error exit of privcmd_ioctl_dm_op()" (v6.0).
 *
 * A device model (QEMU) hands the hypervisor an array of user buffers; the hypervisor reads and
 * writes them through their user addresses, so privcmd pins ("locks") every page of every buffer
 * with pin_user_pages_fast(FOLL_WRITE) for the duration of the hypercall and then releases them
 * with unpin_user_pages_dirty_lock(.., true), since the hypervisor may have written them
 * (Documentation/core-api/pin_user_pages.rst, CASE 5: pin, write the page data, unpin).
 *
 * Quirk `privcmd-unlock-all` is the code between 2020 (the pin_user_pages conversion) and the
 * fix: lock_pages accepts a short pin, the success path releases all nr_pages slots whatever was
 * pinned, and an early error exit releases nr_pages slots of a pages array that may not exist.
 *
 * IOCTL_PRIVCMD_MMAPBATCH(_V2) is not modelled: it installs special PTEs in a VM_IO|VM_PFNMAP
 * VMA and never pins (GUP refuses such a VMA).
 */
import { PAGE_SIZE, TASK_SIZE_MAX_PAGES } from '../../../mm/layout.js';
import type { Sched } from '../../../sim/thread.js';
import type { Kernel } from '../../kernel.js';
import { E2BIG, EFAULT, ENOSPC, EPERM } from '../../include/errno.js';
import { FOLL_WRITE } from '../../include/gup_flags.js';
import { pin_user_pages_fast } from '../../mm/gup.js';
import { unpin_user_pages_dirty_lock } from '../../mm/gup_unpin_dirty.js';
import { HYPERVISOR_dm_op, type DmOpEffect } from '../../arch/x86/xen/hypercall.js';
import '../../arch/x86/xen/xen_trace.js';

/** drivers/xen/privcmd.c: privcmd_dm_op_max_num (module parameter dm_op_max_nr_bufs). */
export const privcmd_dm_op_max_num = 16;
/** drivers/xen/privcmd.c: privcmd_dm_op_buf_max_size (module parameter dm_op_buf_max_size). */
export const privcmd_dm_op_buf_max_size = 4096;
/** include/xen/interface/xen.h: DOMID_INVALID (no restriction). */
export const DOMID_INVALID = 0x7ff4;

/** include/uapi/xen/privcmd.h: struct privcmd_dm_op_buf. */
export interface privcmd_dm_op_buf {
  readonly uptr: number;
  readonly size: number;
}

/** include/uapi/xen/privcmd.h: struct privcmd_dm_op (the buffers already copied in). */
export interface privcmd_dm_op {
  readonly dom: number;
  readonly ubufs: readonly privcmd_dm_op_buf[];
}

/** drivers/xen/privcmd.c: struct privcmd_data (IOCTL_PRIVCMD_RESTRICT's domain). */
export interface privcmd_data {
  domid: number;
}

const TASK_SIZE_MAX = TASK_SIZE_MAX_PAGES * PAGE_SIZE;

/** arch/x86/include/asm/uaccess_64.h: access_ok(addr, size) for a run-time size. @fidelity exact */
export function access_ok(addr: number, size: number): boolean {
  return size <= TASK_SIZE_MAX && addr >= 0 && addr <= TASK_SIZE_MAX - size;
}

/** DIV_ROUND_UP(offset_in_page(uptr) + size, PAGE_SIZE): the pages a buffer spans. */
function buf_pages(b: privcmd_dm_op_buf): number {
  return Math.ceil(((b.uptr % PAGE_SIZE) + b.size) / PAGE_SIZE);
}

/**
 * drivers/xen/privcmd.c: lock_pages(kbufs, num, pages, nr_pages, pinned): pin every page of
 * every buffer into pages[]; a short pin is retried from the first page not pinned, a pin of no
 * page is -EFAULT; *pinned counts what was pinned, also on error.
 * @fidelity exact
 */
export function* lock_pages(
  k: Kernel,
  kbufs: readonly privcmd_dm_op_buf[],
  num: number,
  pages: Int32Array,
  nr_pages: number,
  pinned: { value: number },
): Sched<number> {
  if (k.m.quirk('privcmd-unlock-all'))
    return yield* lock_pages_2020(k, kbufs, num, pages, nr_pages, pinned);
  let off = 0;
  let slot = 0;
  for (let i = 0; i < num;) {
    const requested = buf_pages(kbufs[i]!) - off;
    if (requested > nr_pages) return -ENOSPC;
    const page_count = yield* pin_user_pages_fast(
      k,
      kbufs[i]!.uptr + off * PAGE_SIZE,
      requested,
      FOLL_WRITE,
      pages,
      slot,
    );
    if (page_count <= 0) return page_count !== 0 ? page_count : -EFAULT;
    pinned.value += page_count;
    nr_pages -= page_count;
    slot += page_count;
    off = requested === page_count ? 0 : off + page_count;
    if (off === 0) i++;
  }
  return 0;
}

/**
 * lock_pages between 2020 (5.9) and the v6.0 fix (quirk privcmd-unlock-all): one pin per buffer,
 * a short count accepted silently, a negative one returned.
 * @fidelity exact
 */
function* lock_pages_2020(
  k: Kernel,
  kbufs: readonly privcmd_dm_op_buf[],
  num: number,
  pages: Int32Array,
  nr_pages: number,
  pinned: { value: number },
): Sched<number> {
  let slot = 0;
  for (let i = 0; i < num; i++) {
    const requested = buf_pages(kbufs[i]!);
    if (requested > nr_pages) return -ENOSPC;
    const page_count = yield* pin_user_pages_fast(
      k,
      kbufs[i]!.uptr,
      requested,
      FOLL_WRITE,
      pages,
      slot,
    );
    if (page_count < 0) return page_count;
    pinned.value += page_count;
    nr_pages -= page_count;
    slot += page_count;
  }
  return 0;
}

/**
 * drivers/xen/privcmd.c: unlock_pages(pages, nr_pages): unpin_user_pages_dirty_lock(pages,
 * nr_pages, true). A NULL `pages` with nr_pages > 0 (only the 2020 code passes one) is an oops in
 * the kernel; here every slot reads as NULL.
 * @fidelity exact
 */
export function* unlock_pages(k: Kernel, pages: Int32Array | null, nr_pages: number): Sched<void> {
  if (nr_pages === 0) return;
  const slots = pages ?? new Int32Array(nr_pages).fill(-1);
  yield* unpin_user_pages_dirty_lock(k, slots, nr_pages, true);
}

function note(k: Kernel, what: string, pages: number, ret: number, why: string): void {
  k.m.emit('xen.privcmd', { what, pages, ret, why }, `drivers/xen/privcmd.c: ${what}`);
}

/** The descriptor checks, adding up nr_pages buffer by buffer: 0 or a negative errno. */
function count_pages(kbufs: readonly privcmd_dm_op_buf[], nr: { value: number }): number {
  for (const b of kbufs) {
    if (b.size > privcmd_dm_op_buf_max_size) return -E2BIG;
    if (!access_ok(b.uptr, b.size)) return -EFAULT;
    nr.value += buf_pages(b);
  }
  return 0;
}

/**
 * drivers/xen/privcmd.c: privcmd_ioctl_dm_op(file, udata): check the domain restriction and the
 * limits (no buffer: 0; more than dm_op_max_nr_bufs: -E2BIG; a buffer above dm_op_buf_max_size:
 * -E2BIG; !access_ok: -EFAULT), lock the pages, run HYPERVISOR_dm_op, unlock what was locked.
 * Returns the hypercall's result or the first error.
 * @fidelity simplified: the descriptors are passed in (no copy_from_user of the header or of the
 * buffer array), kcalloc never fails; `effect` says what the simulated dm_op writes
 */
export function* privcmd_ioctl_dm_op(
  k: Kernel,
  data: privcmd_data,
  kdata: privcmd_dm_op,
  effect: DmOpEffect,
): Sched<number> {
  if (data.domid !== DOMID_INVALID && data.domid !== kdata.dom) return -EPERM;
  const num = kdata.ubufs.length;
  if (num === 0) return 0;
  if (num > privcmd_dm_op_max_num) return -E2BIG;
  k.m.enter('drivers/xen/privcmd.c: privcmd_ioctl_dm_op');
  const quirk = k.m.quirk('privcmd-unlock-all');
  const nr_pages = { value: 0 };
  const pinned = { value: 0 };
  let pages: Int32Array | null = null;
  let rc = count_pages(kdata.ubufs, nr_pages);
  if (rc === 0) {
    pages = new Int32Array(nr_pages.value).fill(-1);
    rc = yield* lock_pages(k, kdata.ubufs, num, pages, nr_pages.value, pinned);
    const short =
      rc === 0 && pinned.value < nr_pages.value ? ': a short pin accepted (2020 code)' : '';
    note(
      k,
      'lock_pages',
      pinned.value,
      rc,
      `${nr_pages.value} pages spanned, ${pinned.value} pinned${short}`,
    );
    if (rc < 0) {
      if (quirk) nr_pages.value = pinned.value; // the 2020 error path: nr_pages = pinned
    } else {
      const xbufs = kdata.ubufs.map((b) => ({ h: b.uptr, size: b.size }));
      const locked = new Set(Array.from(pages.subarray(0, pinned.value)));
      rc = yield* HYPERVISOR_dm_op(k, kdata.dom, xbufs, effect, locked);
    }
  }
  // out: the fix releases exactly what was pinned; 2020 released nr_pages slots.
  const release = quirk ? nr_pages.value : pinned.value;
  const why = `${release} slots of ${pages === null ? 'a NULL array' : `${nr_pages.value}`}, ${pinned.value} pinned`;
  note(k, 'unlock_pages', release, rc, why);
  yield* unlock_pages(k, pages, release);
  k.m.leave();
  return rc;
}
