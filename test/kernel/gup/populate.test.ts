// Faulting in without references (mm/gup.c: fixup_user_fault, faultin_page_range,
// populate_vma_page_range, __mm_populate; mm/madvise.c: madvise_populate) and memfd_pin_folios.
import { describe, expect, it } from 'vitest';
import { EFAULT, EINVAL, ENOMEM } from '../../../src/kernel/include/errno.js';
import { FAULT_FLAG_WRITE } from '../../../src/kernel/include/fault_flags.js';
import { MADV_POPULATE_READ, MADV_POPULATE_WRITE } from '../../../src/kernel/include/mman.js';
import { VM_IO } from '../../../src/kernel/include/vm_flags.js';
import { fget } from '../../../src/kernel/fs/file.js';
import { do_sys_ftruncate } from '../../../src/kernel/fs/open.js';
import * as gup from '../../../src/kernel/mm/gup.js';
import { sys_memfd_create } from '../../../src/kernel/mm/memfd.js';
import { mmap_read_lock, mmap_read_unlock } from '../../../src/kernel/mm/mmap_lock.js';
import { folio_maybe_dma_pinned, pte_write } from '../../../src/mm/index.js';
import { BASE, PAGE, RO, anonVma, boot, ids, mapped, pteAt, run } from './harness.js';

describe('populate helpers', () => {
  it('MADV_POPULATE_WRITE faults every page in writable, taking no reference', () => {
    const w = boot();
    anonVma(w, BASE, 4 * PAGE);
    let ret = NaN;
    const r = run(w, function* () {
      yield* mmap_read_lock(w.mm);
      ret = yield* gup.madvise_populate(w.k, w.mm, BASE, BASE + 4 * PAGE, MADV_POPULATE_WRITE);
      yield* mmap_read_unlock(w.mm);
    });
    expect(ret).toBe(0);
    for (let i = 0; i < 4; i++) expect(pte_write(pteAt(w, BASE + i * PAGE))).toBe(true);
    expect(w.k.mem._refcount[mapped(w, BASE)]).toBe(1);
    expect(ids(r)).toEqual([]);
  });

  it('MADV_POPULATE_*: a hole is -ENOMEM, an incompatible VMA -EINVAL (no FOLL_FORCE)', () => {
    const hole = boot();
    anonVma(hole, BASE, PAGE);
    const ro = boot();
    anonVma(ro, BASE, PAGE, RO);
    const io = boot();
    anonVma(io, BASE, PAGE, RO | VM_IO);
    const out: number[] = [];
    for (const [w, adv] of [
      [hole, MADV_POPULATE_READ],
      [ro, MADV_POPULATE_WRITE],
      [io, MADV_POPULATE_READ],
    ] as const) {
      run(w, function* () {
        yield* mmap_read_lock(w.mm);
        out.push(yield* gup.madvise_populate(w.k, w.mm, BASE, BASE + 2 * PAGE, adv));
        yield* mmap_read_unlock(w.mm);
      });
    }
    expect(out).toEqual([-ENOMEM, -EINVAL, -EINVAL]);
  });

  it('fixup_user_fault resolves one fault under the read lock; no FOLL_FORCE-style override', () => {
    const w = boot();
    anonVma(w, BASE, PAGE);
    const ro = boot();
    anonVma(ro, BASE, PAGE, RO);
    const got: number[] = [];
    for (const x of [w, ro]) {
      run(x, function* () {
        yield* mmap_read_lock(x.mm);
        got.push(yield* gup.fixup_user_fault(x.k, x.mm, BASE, FAULT_FLAG_WRITE, { value: false }));
        yield* mmap_read_unlock(x.mm);
      });
    }
    expect(got).toEqual([0, -EFAULT]);
    expect(pte_write(pteAt(w, BASE))).toBe(true);
  });

  it('__mm_populate takes the lock itself and populates each VMA of the range', () => {
    const w = boot();
    anonVma(w, BASE, 2 * PAGE);
    anonVma(w, BASE + 4 * PAGE, 2 * PAGE);
    let ret = NaN;
    run(w, function* () {
      ret = yield* gup.__mm_populate(w.k, w.mm, BASE, 6 * PAGE, false);
    });
    expect(ret).toBe(0);
    expect(mapped(w, BASE + PAGE)).toBeGreaterThan(0);
    expect(mapped(w, BASE + 5 * PAGE)).toBeGreaterThan(0);
  });

  it('fault_in_safe_writeable returns the bytes it could not fault in', () => {
    const w = boot();
    anonVma(w, BASE, 2 * PAGE);
    let left = NaN;
    run(w, function* () {
      left = yield* gup.fault_in_safe_writeable(w.k, BASE, 3 * PAGE);
    });
    expect(left).toBe(PAGE);
  });
});

describe('memfd_pin_folios', () => {
  it('pins the folios of a memfd range through its page cache, allocating missing ones; one pin per folio', () => {
    const w = boot();
    const folios = new Int32Array(4).fill(-1);
    const offset = { value: -1 };
    let ret = NaN;
    const r = run(w, function* () {
      const fd = sys_memfd_create(w.k, w.p.tgid, 'buf', 0);
      expect(yield* do_sys_ftruncate(w.k, w.p.tgid, fd, 4 * PAGE)).toBe(0);
      const f = fget(w.k, w.p.tgid, fd);
      ret = yield* gup.memfd_pin_folios(w.k, f, PAGE + 100, 3 * PAGE, folios, 4, offset);
      for (let i = 0; i < ret; i++) expect(folio_maybe_dma_pinned(w.k.mem, folios[i]!)).toBe(true);
      gup.unpin_folios(w.k, folios, ret);
    });
    expect(ret).toBe(3);
    expect(offset.value).toBe(100);
    expect(ids(r)).toEqual([]);
  });

  it('refuses a bad range or a non-memfd with -EINVAL', () => {
    const w = boot();
    const folios = new Int32Array(1);
    const got: number[] = [];
    run(w, function* () {
      got.push(yield* gup.memfd_pin_folios(w.k, null, 0, 0, folios, 1, { value: 0 }));
      const fd = sys_memfd_create(w.k, w.p.tgid, 'buf', 0);
      yield* do_sys_ftruncate(w.k, w.p.tgid, fd, PAGE);
      const f = fget(w.k, w.p.tgid, fd);
      got.push(yield* gup.memfd_pin_folios(w.k, f, 0, PAGE, folios, 1, { value: 0 })); // end >= i_size
      got.push(yield* gup.memfd_pin_folios(w.k, f, 10, 5, folios, 1, { value: 0 })); // start > end
    });
    expect(got).toEqual([-EINVAL, -EINVAL, -EINVAL]);
  });
});
