/**
 * mprotect (mm/mprotect.c: can_change_pte_writable) and madvise (mm/madvise.c): the "make
 * writable when provably exclusive" optimisation and its soft-dirty exception; COW after fork
 * with the optimisation; MADV_DONTNEED, MADV_DONTFORK, MADV_WIPEONFORK; clear_refs soft-dirty
 * (fs/proc/task_mmu.c: clear_soft_dirty, pte_is_pinned).
 */
import { describe, expect, it } from 'vitest';
import { PageAnonExclusive, pte_soft_dirty, pte_write } from '../../../src/mm/index.js';
import { clear_refs_write } from '../../../src/kernel/fs/proc/task_mmu.js';
import {
  MADV_DONTFORK,
  MADV_DONTNEED,
  MADV_DOFORK,
  MADV_WIPEONFORK,
  PROT_READ,
  PROT_WRITE,
} from '../../../src/kernel/include/mman.js';
import { kernel_clone } from '../../../src/kernel/kernel/fork.js';
import { do_madvise } from '../../../src/kernel/mm/madvise.js';
import { do_mprotect_pkey } from '../../../src/kernel/mm/mprotect.js';
import type { mm_struct } from '../../../src/kernel/mm/mm_struct.js';
import type { Process, task_struct } from '../../../src/kernel/sched/task.js';
import type { Sched } from '../../../src/sim/index.js';
import {
  PAGE,
  fakePin,
  fakeUnpin,
  load,
  mmapAnon,
  pfnOf,
  pteOf,
  runTask,
  store,
  type World,
} from './helpers.js';

function* fork(w: World): Sched<Process> {
  const c = yield* kernel_clone(w.k, w.p);
  if (typeof c === 'number') throw new Error(`fork failed: ${c}`);
  return c;
}

function childTask(c: Process, t: task_struct): task_struct {
  return Object.assign(Object.create(Object.getPrototypeOf(t) as object) as task_struct, t, {
    mm: c.mm,
  });
}

describe('mprotect', () => {
  it('mprotect(RW) makes an exclusive anon PTE writable at once (can_change_pte_writable)', () => {
    runTask(function* (w, t) {
      const a = yield* mmapAnon(w, t, PAGE);
      yield* store(w, t, a, PAGE, 1);
      expect(yield* do_mprotect_pkey(w.k, w.mm, a, PAGE, PROT_READ)).toBe(0);
      expect(pte_write(pteOf(w, w.mm, a))).toBe(false);
      expect(yield* do_mprotect_pkey(w.k, w.mm, a, PAGE, PROT_READ | PROT_WRITE)).toBe(0);
      expect(pte_write(pteOf(w, w.mm, a))).toBe(true);
    });
  });

  it('mprotect(RW) leaves a shared (non-exclusive) PTE read-only: COW after fork still holds', () => {
    runTask(function* (w, t) {
      const a = yield* mmapAnon(w, t, PAGE);
      yield* store(w, t, a, PAGE, 1);
      const c = yield* fork(w);
      expect(yield* do_mprotect_pkey(w.k, w.mm, a, PAGE, PROT_READ)).toBe(0);
      expect(yield* do_mprotect_pkey(w.k, w.mm, a, PAGE, PROT_READ | PROT_WRITE)).toBe(0);
      expect(pte_write(pteOf(w, w.mm, a))).toBe(false);
      yield* store(w, t, a, PAGE, 2);
      expect(yield* load(w, childTask(c, t), a)).toBe(1);
    });
  });

  it('soft-dirty tracking blocks the write upgrade (pte_needs_soft_dirty_wp)', () => {
    runTask(function* (w, t) {
      const a = yield* mmapAnon(w, t, PAGE);
      yield* store(w, t, a, PAGE, 1);
      expect(yield* clear_refs_write(w.k, w.mm, 4)).toBe(0);
      expect(pte_soft_dirty(pteOf(w, w.mm, a))).toBe(false);
      expect(yield* do_mprotect_pkey(w.k, w.mm, a, PAGE, PROT_READ)).toBe(0);
      expect(yield* do_mprotect_pkey(w.k, w.mm, a, PAGE, PROT_READ | PROT_WRITE)).toBe(0);
      expect(pte_write(pteOf(w, w.mm, a))).toBe(false);
      // the write faults, reuses the exclusive page, and sets soft-dirty again
      const pfn = pfnOf(w, w.mm, a);
      yield* store(w, t, a, PAGE, 2);
      expect(pfnOf(w, w.mm, a)).toBe(pfn);
      expect(pte_soft_dirty(pteOf(w, w.mm, a))).toBe(true);
    });
  });

  it('mprotect with PROT_WRITE beyond VM_MAYWRITE, or a hole, or bad flags fails like the kernel', () => {
    runTask(function* (w, t) {
      const a = yield* mmapAnon(w, t, 2 * PAGE);
      expect(yield* do_mprotect_pkey(w.k, w.mm, a + 1, PAGE, PROT_READ)).toBe(-22);
      expect(yield* do_mprotect_pkey(w.k, w.mm, a, 4 * PAGE, PROT_READ)).toBe(-12);
      expect(yield* do_mprotect_pkey(w.k, w.mm, a, PAGE, 0x40)).toBe(-22);
      expect(yield* do_mprotect_pkey(w.k, w.mm, a, 0, PROT_READ)).toBe(0);
    });
  });
});

describe('clear_refs soft-dirty', () => {
  it('write-protects and cleans every PTE, except a maybe-pinned writable one (pte_is_pinned)', () => {
    runTask(function* (w, t) {
      const a = yield* mmapAnon(w, t, 2 * PAGE);
      yield* store(w, t, a, 2 * PAGE, 1);
      const pinned = pfnOf(w, w.mm, a + PAGE);
      fakePin(w, w.mm, pinned);
      expect(yield* clear_refs_write(w.k, w.mm, 4)).toBe(0);
      expect(pte_write(pteOf(w, w.mm, a))).toBe(false);
      expect(pte_write(pteOf(w, w.mm, a + PAGE))).toBe(true);
      expect(pte_soft_dirty(pteOf(w, w.mm, a + PAGE))).toBe(true);
      fakeUnpin(w, pinned);
    });
  });
});

describe('madvise', () => {
  it('MADV_DONTNEED drops private anonymous pages: the next read sees zeros (zap_vma_range)', () => {
    runTask(function* (w, t) {
      const a = yield* mmapAnon(w, t, 4 * PAGE);
      yield* store(w, t, a, 4 * PAGE, 9);
      expect(yield* do_madvise(w.k, w.mm, a + PAGE, 2 * PAGE, MADV_DONTNEED)).toBe(0);
      expect(yield* load(w, t, a)).toBe(9);
      expect(yield* load(w, t, a + PAGE)).toBe(0);
      expect(yield* load(w, t, a + 3 * PAGE)).toBe(9);
    });
  });

  it('MADV_DONTNEED of a pinned page unmaps it; the pin keeps the old page alive (no longer what the process sees)', () => {
    runTask(function* (w, t) {
      const a = yield* mmapAnon(w, t, PAGE);
      yield* store(w, t, a, PAGE, 3);
      const pinned = pfnOf(w, w.mm, a);
      fakePin(w, w.mm, pinned);
      expect(yield* do_madvise(w.k, w.mm, a, PAGE, MADV_DONTNEED)).toBe(0);
      yield* store(w, t, a, PAGE, 4);
      expect(pfnOf(w, w.mm, a)).not.toBe(pinned);
      expect(w.k.mem.content[pinned]).toBe(3);
      fakeUnpin(w, pinned);
    });
  });

  it('MADV_DONTFORK: the child does not get the VMA; MADV_DOFORK undoes it (VM_DONTCOPY)', () => {
    runTask(function* (w, t) {
      const a = yield* mmapAnon(w, t, 2 * PAGE);
      yield* store(w, t, a, 2 * PAGE, 1);
      expect(yield* do_madvise(w.k, w.mm, a, PAGE, MADV_DONTFORK)).toBe(0);
      const c = yield* fork(w);
      const cm = c.mm as mm_struct;
      expect(cm.mm_mt.some((v) => v.vm_start <= a && a < v.vm_end)).toBe(false);
      expect(pfnOf(w, cm, a + PAGE)).toBe(pfnOf(w, w.mm, a + PAGE));
      // the parent keeps its page exclusive and writable: no COW for a DONTFORK range
      expect(PageAnonExclusive(w.k.mem, pfnOf(w, w.mm, a))).toBe(true);
      expect(yield* do_madvise(w.k, w.mm, a, PAGE, MADV_DOFORK)).toBe(0);
      const c2 = yield* fork(w);
      expect(yield* load(w, childTask(c2, t), a)).toBe(1);
    });
  });

  it('MADV_WIPEONFORK: the child sees zeros, the parent keeps its data (VM_WIPEONFORK)', () => {
    runTask(function* (w, t) {
      const a = yield* mmapAnon(w, t, PAGE);
      yield* store(w, t, a, PAGE, 5);
      expect(yield* do_madvise(w.k, w.mm, a, PAGE, MADV_WIPEONFORK)).toBe(0);
      const c = yield* fork(w);
      expect(pfnOf(w, c.mm as mm_struct, a)).toBe(-1);
      expect(yield* load(w, childTask(c, t), a)).toBe(0);
      expect(yield* load(w, t, a)).toBe(5);
      expect(PageAnonExclusive(w.k.mem, pfnOf(w, w.mm, a))).toBe(true);
    });
  });

  it('madvise rejects bad advice and unaligned starts, and reports holes with -ENOMEM', () => {
    runTask(function* (w, t) {
      const a = yield* mmapAnon(w, t, PAGE);
      expect(yield* do_madvise(w.k, w.mm, a, PAGE, 999)).toBe(-22);
      expect(yield* do_madvise(w.k, w.mm, a + 1, PAGE, MADV_DONTNEED)).toBe(-22);
      expect(yield* do_madvise(w.k, w.mm, a, 3 * PAGE, MADV_DONTNEED)).toBe(-12);
    });
  });
});
