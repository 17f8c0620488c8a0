// The slow path (mm/gup.c: __get_user_pages, check_vma_flags, follow_page_mask, faultin_page):
// which VMAs GUP may use, faulting pages in, the FOLL_FORCE rule, signals, and the return
// contract (a partial count wins; no references are left behind on error).
//
//   BASE            +3 pages        +4 pages
//   [ anon RW ........ )[ VM_IO ...... )
import { describe, expect, it } from 'vitest';
import { EEXIST, EFAULT, EINTR, EOPNOTSUPP } from '../../../src/kernel/include/errno.js';
import {
  FOLL_ANON,
  FOLL_FORCE,
  FOLL_LONGTERM,
  FOLL_NOFAULT,
  FOLL_SPLIT_PMD,
  FOLL_WRITE,
} from '../../../src/kernel/include/gup_flags.js';
import {
  VM_HUGEPAGE,
  VM_HUGETLB,
  VM_IO,
  VM_MAYREAD,
  VM_MAYSHARE,
  VM_MIXEDMAP,
  VM_PFNMAP,
  VM_READ,
  VM_SHARED,
} from '../../../src/kernel/include/vm_flags.js';
import * as gup from '../../../src/kernel/mm/gup.js';
import { mmap_read_lock, mmap_read_unlock } from '../../../src/kernel/mm/mmap_lock.js';
import {
  PageAnonExclusive,
  _PAGE_SPECIAL,
  folio_test_anon,
  insert_vm_struct,
  pfn_pte,
  pte_alloc_walk,
  pte_write,
  vm_area_alloc,
  vm_get_page_prot,
} from '../../../src/mm/index.js';
import type { Sched } from '../../../src/sim/thread.js';
import {
  BASE,
  PAGE,
  RO,
  RW,
  anonVma,
  boot,
  ids,
  mapped,
  pteAt,
  run,
  touch,
  type World,
} from './harness.js';

/** A VMA with a stand-in file (no faults will reach it: check_vma_flags decides first). */
function fileVma(w: World, start: number, len: number, flags: number, facts: object = {}) {
  const file = { id: 900 + start / PAGE, ...facts };
  const vma = vm_area_alloc(w.mm, start, start + len, flags, vm_get_page_prot(flags), 0, file);
  insert_vm_struct(w.mm, vma);
  return vma;
}

/** pin_user_pages under mmap_lock, then release what it got; the result and the run's reports. */
function pinCall(w: World, start: number, nr: number, flags: number, before?: () => Sched<void>) {
  const pages = new Int32Array(nr).fill(-1);
  let ret = NaN;
  const r = run(w, function* () {
    if (before !== undefined) yield* before();
    yield* mmap_read_lock(w.mm);
    ret = yield* gup.pin_user_pages(w.k, start, nr, flags, pages);
    yield* mmap_read_unlock(w.mm);
    if (ret > 0) gup.unpin_user_pages(w.k, pages, ret);
  });
  return { ret, pages, ids: ids(r), r };
}

describe('__get_user_pages', () => {
  it('faults in untouched pages and takes what is already there (E1)', () => {
    const w = boot();
    anonVma(w, BASE, 4 * PAGE);
    const out = pinCall(w, BASE, 4, FOLL_WRITE, () => touch(w, BASE, 2 * PAGE));
    expect(out.ret).toBe(4);
    expect(out.ids).toEqual([]);
  });

  it('returns the partial count when the next VMA refuses, VM_IO here (E2)', () => {
    const w = boot();
    anonVma(w, BASE, 3 * PAGE);
    fileVma(w, BASE + 3 * PAGE, PAGE, RW | VM_IO);
    const out = pinCall(w, BASE, 4, FOLL_WRITE);
    expect(out.ret).toBe(3);
    expect(out.ids).toEqual([]);
  });

  it('fails with -EFAULT and holds nothing when the first page is in a VM_PFNMAP VMA (E3)', () => {
    const w = boot();
    fileVma(w, BASE, PAGE, RW | VM_PFNMAP);
    const out = pinCall(w, BASE, 1, 0);
    expect(out.ret).toBe(-EFAULT);
    expect(out.ids).toEqual([]);
    const why = out.r.trace.find((e) => e.kind === 'gup.return')?.args as { why: string };
    expect(why.why).toContain('VM_IO/VM_PFNMAP');
  });

  it('fails with -EFAULT where no VMA is mapped, and says so', () => {
    const w = boot();
    const out = pinCall(w, BASE, 1, 0);
    expect(out.ret).toBe(-EFAULT);
    const why = out.r.trace.find((e) => e.kind === 'gup.return')?.args as { why: string };
    expect(why.why).toContain('no VMA contains this address');
  });

  it('FOLL_ANON refuses a file mapping', () => {
    const w = boot();
    fileVma(w, BASE, PAGE, RW);
    expect(pinCall(w, BASE, 1, FOLL_ANON).ret).toBe(-EFAULT);
  });

  it('FOLL_WRITE needs VM_WRITE; FOLL_FORCE breaks COW into an exclusive anon page whose PTE stays read-only (C5)', () => {
    const w = boot();
    anonVma(w, BASE, PAGE, RO);
    expect(pinCall(w, BASE, 1, FOLL_WRITE).ret).toBe(-EFAULT);
    const w2 = boot();
    anonVma(w2, BASE, PAGE, RO);
    const out = pinCall(w2, BASE, 1, FOLL_WRITE | FOLL_FORCE, () => touch(w2, BASE, PAGE, false));
    expect(out.ret).toBe(1);
    expect(out.ids).toEqual([]);
    const page = out.pages[0]!;
    expect(folio_test_anon(w2.k.mem, page) && PageAnonExclusive(w2.k.mem, page)).toBe(true);
    expect(mapped(w2, BASE)).toBe(page);
    expect(pte_write(pteAt(w2, BASE))).toBe(false);
  });

  it('FOLL_FORCE never writes into a read-only shared mapping', () => {
    const w = boot();
    fileVma(w, BASE, PAGE, VM_READ | VM_MAYREAD | VM_SHARED | VM_MAYSHARE);
    expect(pinCall(w, BASE, 1, FOLL_WRITE | FOLL_FORCE).ret).toBe(-EFAULT);
  });

  it('FOLL_LONGTERM refuses an fsdax mapping (-EOPNOTSUPP); FOLL_SPLIT_PMD refuses hugetlb', () => {
    const w = boot();
    fileVma(w, BASE, PAGE, RW, { fsdax: true });
    expect(pinCall(w, BASE, 1, FOLL_LONGTERM).ret).toBe(-EOPNOTSUPP);
    const w2 = boot();
    fileVma(w2, BASE, PAGE, RW | VM_HUGETLB, { hugetlbfs: true });
    expect(pinCall(w2, BASE, 1, FOLL_SPLIT_PMD).ret).toBe(-EOPNOTSUPP);
  });

  it('secretmem mappings are never GUP-able', () => {
    const w = boot();
    fileVma(w, BASE, PAGE, RW, { secretmem: true });
    expect(pinCall(w, BASE, 1, 0).ret).toBe(-EFAULT);
  });

  it('FOLL_NOFAULT returns -EFAULT instead of faulting', () => {
    const w = boot();
    anonVma(w, BASE, PAGE);
    const out = pinCall(w, BASE, 1, FOLL_NOFAULT);
    expect(out.ret).toBe(-EFAULT);
    const why = out.r.trace.find((e) => e.kind === 'gup.return')?.args as { why: string };
    expect(why.why).toContain('FOLL_NOFAULT');
  });

  it('a pending fatal signal stops the loop with -EINTR before any lookup (E7)', () => {
    const w = boot();
    anonVma(w, BASE, PAGE);
    const out = pinCall(w, BASE, 1, 0, function* () {
      yield* touch(w, BASE, PAGE);
      w.m.kill(w.m.self);
    });
    expect(out.ret).toBe(-EINTR);
  });

  it('a PFN entry without struct page is -EEXIST when pages are wanted, skipped when not', () => {
    const pfnWorld = (): World => {
      const w = boot();
      const vma = fileVma(w, BASE, PAGE, RW | VM_MIXEDMAP);
      const ptep = pte_alloc_walk(w.k.pool, w.mm, BASE / PAGE);
      w.k.pool.set(ptep, pfn_pte(7, vma.vm_page_prot) + _PAGE_SPECIAL);
      return w;
    };
    expect(pinCall(pfnWorld(), BASE, 1, 0).ret).toBe(-EEXIST);
    const w = pfnWorld();
    let ret = 0;
    run(w, function* () {
      yield* mmap_read_lock(w.mm);
      ret = yield* gup.get_user_pages(w.k, BASE, 1, 0, null);
      yield* mmap_read_unlock(w.mm);
    });
    expect(ret).toBe(1);
  });

  it('FOLL_SPLIT_PMD splits a PMD-mapped THP before returning its page', () => {
    const w = boot();
    anonVma(w, BASE, 512 * PAGE, RW | VM_HUGEPAGE);
    const out = pinCall(w, BASE + 3 * PAGE, 2, FOLL_WRITE | FOLL_SPLIT_PMD, () =>
      touch(w, BASE, PAGE),
    );
    expect(out.ret).toBe(2);
    expect(pteAt(w, BASE + 3 * PAGE)).not.toBe(0); // PTE-mapped now
    expect(out.ids).toEqual([]);
  });

  it('get_dump_page returns NULL for a hole and for the zero page, the page otherwise', () => {
    const w = boot();
    anonVma(w, BASE, 3 * PAGE);
    const got: number[] = [];
    const r = run(w, function* () {
      yield* touch(w, BASE + PAGE, PAGE, false); // the zero page
      yield* touch(w, BASE + 2 * PAGE, PAGE); // a real page
      for (let i = 0; i < 3; i++) {
        const page = yield* gup.get_dump_page(w.k, BASE + i * PAGE, { value: 0 });
        got.push(page);
        if (page >= 0) gup.put_page(w.k, page);
      }
    });
    expect(got.slice(0, 2)).toEqual([-1, -1]);
    expect(got[2]).toBe(mapped(w, BASE + 2 * PAGE));
    expect(ids(r)).toEqual([]);
  });
});
