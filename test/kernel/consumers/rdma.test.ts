// RDMA memory regions (drivers/infiniband/core/umem.c): ib_umem_get pins with
// pin_user_pages_fast(FOLL_LONGTERM, + FOLL_WRITE for writable access) and charges
// mm->pinned_vm against RLIMIT_MEMLOCK; ib_umem_release unpins (dirty) and uncharges.
import { describe, expect, it } from 'vitest';
import type { ib_umem } from '../../../src/kernel/drivers/infiniband/umem.js';
import {
  IB_ACCESS_LOCAL_WRITE,
  IB_ACCESS_REMOTE_READ,
  ib_umem_get,
  ib_umem_release,
} from '../../../src/kernel/drivers/infiniband/umem.js';
import { EFAULT, ENOMEM } from '../../../src/kernel/include/errno.js';
import { set_rlimit_memlock } from '../../../src/kernel/mm/util.js';
import { PG_dirty, ZONE_MOVABLE, folio_test_dirty, page_zonenum } from '../../../src/mm/index.js';
import { BASE, MiB, PAGE, RO, anonVma, boot, ids, run, touch } from '../gup/harness.js';

describe('ib_umem_get / ib_umem_release', () => {
  it('pins long-term (migrating out of ZONE_MOVABLE), charges pinned_vm, and release unpins dirty and uncharges', () => {
    const w = boot({ memory: 64 * MiB, movable: 32 * MiB });
    anonVma(w, BASE, 2 * PAGE);
    let umem: ib_umem | number = 0;
    let charged = 0;
    let dirty = false;
    const r = run(w, function* () {
      yield* touch(w, BASE, 2 * PAGE);
      umem = yield* ib_umem_get(w.k, BASE, 2 * PAGE, IB_ACCESS_LOCAL_WRITE);
      charged = w.mm.pinned_vm;
      const u = umem as ib_umem;
      expect(u.pages.every((p) => page_zonenum(w.k.mem, p) !== ZONE_MOVABLE)).toBe(true);
      const first = u.pages[0]!;
      w.k.mem.flags[first] = w.k.mem.flags[first]! & ~(1 << PG_dirty); // clean it
      yield* ib_umem_release(w.k, u);
      dirty = folio_test_dirty(w.k.mem, first);
    });
    expect(typeof umem).toBe('object');
    expect(charged).toBe(2);
    expect(w.mm.pinned_vm).toBe(0);
    expect(dirty).toBe(true); // __ib_umem_release(dirty = 1) of a writable umem
    expect(ids(r)).toEqual([]);
  });

  it('past RLIMIT_MEMLOCK fails with -ENOMEM before pinning anything, pinned_vm unchanged', () => {
    const w = boot();
    anonVma(w, BASE, 2 * PAGE);
    set_rlimit_memlock(w.k, PAGE);
    let ret: ib_umem | number = 0;
    const r = run(w, function* () {
      ret = yield* ib_umem_get(w.k, BASE, 2 * PAGE, IB_ACCESS_LOCAL_WRITE);
    });
    expect(ret).toBe(-ENOMEM);
    expect(w.mm.pinned_vm).toBe(0);
    expect(ids(r)).toEqual([]);
  });

  it('a writable region of a read-only mapping fails (FOLL_WRITE) with nothing kept; a read-only region of it succeeds', () => {
    const w = boot();
    anonVma(w, BASE, PAGE, RO);
    let writable: ib_umem | number = 0;
    let readonly: ib_umem | number = 0;
    const r = run(w, function* () {
      writable = yield* ib_umem_get(w.k, BASE, PAGE, IB_ACCESS_LOCAL_WRITE);
      readonly = yield* ib_umem_get(w.k, BASE, PAGE, IB_ACCESS_REMOTE_READ);
      if (typeof readonly !== 'number') yield* ib_umem_release(w.k, readonly);
    });
    expect(writable).toBe(-EFAULT);
    expect(typeof readonly).toBe('object');
    expect(w.mm.pinned_vm).toBe(0);
    expect(ids(r)).toEqual([]);
  });
});
