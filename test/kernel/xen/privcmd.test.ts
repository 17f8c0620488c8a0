/**
 * drivers/xen/privcmd.c: privcmd_ioctl_dm_op, lock_pages, unlock_pages (mainline since v6.0) and
 * the 2020 behaviour of quirk privcmd-unlock-all. Each test maps anonymous memory in the
 * device model's process, issues the ioctl, and looks at the result, the pins and the pages.
 *
 *   BASE            BASE+4K          BASE+8K          BASE+12K
 *   | page 0 (rw)   | page 1 (rw)    | hole / page 2  |
 */
import { describe, expect, it } from 'vitest';
import { E2BIG, EFAULT, EPERM } from '../../../src/kernel/include/errno.js';
import {
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_PRIVATE,
  PROT_READ,
  PROT_WRITE,
} from '../../../src/kernel/include/mman.js';
import { gupState } from '../../../src/kernel/mm/gup_state.js';
import { user_write } from '../../../src/kernel/arch/x86/mm/fault.js';
import { HYPERVISOR_dm_op } from '../../../src/kernel/arch/x86/xen/hypercall.js';
import { vm_mmap_pgoff } from '../../../src/kernel/mm/mmap.js';
import {
  DOMID_INVALID,
  privcmd_ioctl_dm_op,
  type privcmd_dm_op_buf,
} from '../../../src/kernel/drivers/xen/privcmd.js';
import {
  NR_FOLL_PIN_ACQUIRED,
  folio_test_dirty,
  node_page_state,
  page_content,
  pmd_lookup,
  pte_lookup,
  pte_pfn,
  pte_present,
} from '../../../src/mm/index.js';
import type { Sched } from '../../../src/sim/thread.js';
import { BASE, boot, ids, PAGE, run, type Dom0 } from './harness.js';

/** Map `pages` anonymous pages at BASE. */
function* map(d: Dom0, pages: number): Sched<void> {
  const prot = PROT_READ | PROT_WRITE;
  const flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;
  const ret = yield* vm_mmap_pgoff(d.k, d.p.mm!, null, BASE, pages * PAGE, prot, flags, 0);
  if (ret !== BASE) throw new Error(`mmap: ${ret}`);
}

/** The dm_op of `bufs` with the hypervisor writing 0x5a; its return value. */
function dmOp(d: Dom0, pages: number, bufs: privcmd_dm_op_buf[], domid = DOMID_INVALID) {
  let ret = NaN;
  const r = run(d, function* () {
    yield* map(d, pages);
    ret = yield* privcmd_ioctl_dm_op(d.k, { domid }, { dom: 1, ubufs: bufs }, { value: 0x5a });
  });
  return { ret, r };
}

function acquired(d: Dom0): number {
  return node_page_state(d.k.mem.vmstat, NR_FOLL_PIN_ACQUIRED);
}

function pinsHeld(d: Dom0): number {
  return gupState(d.k).pinned.reduce((a, b) => a + b, 0);
}

describe('privcmd_ioctl_dm_op (drivers/xen/privcmd.c)', () => {
  it('pins every page of every buffer, lets the hypervisor write them, and unpins them dirty', () => {
    // two 100-byte buffers, the second crossing the page boundary: 3 pages pinned (B.8 #1)
    const d = boot();
    const { ret, r } = dmOp(d, 2, [
      { uptr: BASE, size: 100 },
      { uptr: BASE + PAGE - 50, size: 100 },
    ]);
    expect(ret).toBe(0);
    expect(ids(r)).toEqual([]);
    expect(pinsHeld(d)).toBe(0); // unlock_pages released exactly what lock_pages pinned
    expect(acquired(d)).toBe(3);
    const pfn0 = pageAt(d, BASE);
    expect(page_content(d.k.mem, pfn0)).toBe(0x5a);
    expect(folio_test_dirty(d.k.mem, pfn0)).toBe(true); // unpin_user_pages_dirty_lock(.., true)
  });

  it('retries a short pin from the hole and fails with -EFAULT before the hypercall (lock_pages)', () => {
    // the second buffer spans page 1 and the unmapped page 2 (B.8 #2, post-2022)
    const d = boot();
    const { ret, r } = dmOp(d, 2, [
      { uptr: BASE, size: 100 },
      { uptr: BASE + 2 * PAGE - 96, size: 200 },
    ]);
    expect(ret).toBe(-EFAULT);
    expect(ids(r)).toEqual([]);
    expect(pinsHeld(d)).toBe(0);
    expect(page_content(d.k.mem, pageAt(d, BASE))).toBe(0); // the hypercall never ran
  });

  it('refuses a buffer above dm_op_buf_max_size with -E2BIG, pinning nothing (B.8 #3)', () => {
    const d = boot();
    const { ret, r } = dmOp(d, 2, [
      { uptr: BASE, size: 100 },
      { uptr: BASE + PAGE, size: 5000 },
    ]);
    expect(ret).toBe(-E2BIG);
    expect(ids(r)).toEqual([]);
    expect(acquired(d)).toBe(0);
  });

  it('refuses more than dm_op_max_nr_bufs (16) buffers with -E2BIG and returns 0 for none', () => {
    const d = boot();
    const bufs = Array.from({ length: 17 }, () => ({ uptr: BASE, size: 1 }));
    expect(dmOp(d, 1, bufs).ret).toBe(-E2BIG);
    expect(dmOp(boot(), 1, []).ret).toBe(0);
  });

  it('fails a buffer beyond TASK_SIZE_MAX with -EFAULT (access_ok)', () => {
    const d = boot();
    expect(dmOp(d, 1, [{ uptr: 2 ** 47, size: 8 }]).ret).toBe(-EFAULT);
  });

  it('turns an empty page-aligned buffer into -EFAULT: pinning 0 pages is "no page" (lock_pages)', () => {
    const d = boot();
    const { ret, r } = dmOp(d, 1, [{ uptr: BASE, size: 0 }]);
    expect(ret).toBe(-EFAULT);
    expect(ids(r)).toEqual([]);
  });

  it('refuses another domain than the one the file is restricted to with -EPERM', () => {
    const d = boot();
    expect(dmOp(d, 1, [{ uptr: BASE, size: 8 }], 2).ret).toBe(-EPERM);
  });
});

describe('HYPERVISOR_dm_op (the simulated hypervisor)', () => {
  it('reports a buffer page it touches without a pin (xen.dm-op-unpinned)', () => {
    const d = boot();
    let ret = NaN;
    const r = run(d, function* () {
      yield* map(d, 1);
      yield* user_write(d.k, d.k.current, BASE, PAGE, 1); // mapped, not pinned
      ret = yield* HYPERVISOR_dm_op(d.k, 1, [{ h: BASE, size: 8 }], { value: null }, new Set());
    });
    expect(ret).toBe(0);
    expect(ids(r)).toEqual(['xen.dm-op-unpinned']);
  });

  it('fails with -EFAULT on a buffer page that is not mapped (copy_from_guest)', () => {
    const d = boot();
    let ret = NaN;
    run(d, function* () {
      ret = yield* HYPERVISOR_dm_op(d.k, 1, [{ h: BASE, size: 8 }], { value: 1 }, new Set());
    });
    expect(ret).toBe(-EFAULT);
  });
});

describe('quirk privcmd-unlock-all (before c5deb27895e0, v6.0)', () => {
  it('runs the hypercall after a short pin and releases a slot that holds no page', () => {
    const d = boot(['privcmd-unlock-all']);
    const { ret, r } = dmOp(d, 2, [
      { uptr: BASE, size: 100 },
      { uptr: BASE + 2 * PAGE - 96, size: 200 },
    ]);
    expect(ret).toBe(-EFAULT); // the hypervisor faulted on the hole
    expect(page_content(d.k.mem, pageAt(d, BASE))).toBe(0x5a); // but ran on buffer 1 first
    expect(ids(r)).toEqual(['gup.warn.dirty-lock-null']); // unlock_pages(pages, 3): slot 2 NULL
    expect(pinsHeld(d)).toBe(0);
  });

  it('releases nr_pages slots of a pages array never allocated on the -E2BIG exit', () => {
    const d = boot(['privcmd-unlock-all']);
    const { ret, r } = dmOp(d, 2, [
      { uptr: BASE, size: 100 },
      { uptr: BASE + PAGE, size: 5000 },
    ]);
    expect(ret).toBe(-E2BIG);
    expect(ids(r)).toEqual(['gup.warn.dirty-lock-null']); // unlock_pages(NULL, 1)
  });
});

/** The pfn mapped at `addr` in the process, or -1. */
function pageAt(d: Dom0, addr: number): number {
  const vpn = addr / PAGE;
  if (pmd_lookup(d.k.pool, d.p.mm!, vpn) < 0) return -1;
  const ptep = pte_lookup(d.k.pool, d.p.mm!, vpn);
  if (ptep < 0) return -1;
  const pte = d.k.pool.get(ptep);
  return pte_present(pte) ? pte_pfn(pte) : -1;
}
