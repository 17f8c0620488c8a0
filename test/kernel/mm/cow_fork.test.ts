/**
 * COW after fork (kernel/fork.c, mm/memory.c: copy_page_range, do_wp_page): private anonymous
 * memory is shared write-protected after fork and copied by whichever side writes first; the
 * copy never leaks in either direction. A page that may be DMA-pinned is copied at fork time
 * instead (copy_present_page), so the pinned page stays with the parent.
 */
import { describe, expect, it } from 'vitest';
import {
  PageAnonExclusive,
  folio_mapcount,
  folio_put,
  folio_ref_add,
  folio_ref_count,
  pte_write,
} from '../../../src/mm/index.js';
import { kernel_clone } from '../../../src/kernel/kernel/fork.js';
import { do_exit } from '../../../src/kernel/kernel/exit.js';
import { handle_mm_fault } from '../../../src/kernel/mm/memory.js';
import { mmap_read_lock, mmap_read_unlock } from '../../../src/kernel/mm/mmap_lock.js';
import { find_vma } from '../../../src/mm/vma.js';
import { FAULT_FLAG_UNSHARE } from '../../../src/kernel/include/fault_flags.js';
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

/** A task of the child process for loads and stores (not a running thread of its own). */
function childTask(c: Process, t: task_struct): task_struct {
  return Object.assign(Object.create(Object.getPrototypeOf(t) as object) as task_struct, t, {
    mm: c.mm,
    tgid: c.tgid,
  });
}

describe('COW after fork', () => {
  it('fork shares the page write-protected and clears PageAnonExclusive (folio_try_dup_anon_rmap_pte)', () => {
    runTask(function* (w, t) {
      const a = yield* mmapAnon(w, t, PAGE);
      yield* store(w, t, a, PAGE, 1);
      const pfn = pfnOf(w, w.mm, a);
      const c = yield* fork(w);
      expect(pfnOf(w, c.mm as mm_struct, a)).toBe(pfn);
      expect(pte_write(pteOf(w, w.mm, a))).toBe(false);
      expect(pte_write(pteOf(w, c.mm as mm_struct, a))).toBe(false);
      expect(PageAnonExclusive(w.k.mem, pfn)).toBe(false);
      expect(folio_mapcount(w.k.mem, pfn)).toBe(2);
      expect(folio_ref_count(w.k.mem, pfn)).toBe(2);
    });
  });

  it('a child write copies: the parent never sees it (do_wp_page: wp_page_copy)', () => {
    runTask(function* (w, t) {
      const a = yield* mmapAnon(w, t, PAGE);
      yield* store(w, t, a, PAGE, 1);
      const c = yield* fork(w);
      const ct = childTask(c, t);
      yield* store(w, ct, a, PAGE, 2);
      expect(yield* load(w, t, a)).toBe(1);
      expect(yield* load(w, ct, a)).toBe(2);
      expect(pfnOf(w, c.mm as mm_struct, a)).not.toBe(pfnOf(w, w.mm, a));
    });
  });

  it('a parent write copies: the child keeps the pre-fork data', () => {
    runTask(function* (w, t) {
      const a = yield* mmapAnon(w, t, PAGE);
      yield* store(w, t, a, PAGE, 1);
      const old = pfnOf(w, w.mm, a);
      const c = yield* fork(w);
      yield* store(w, t, a, PAGE, 3);
      expect(pfnOf(w, w.mm, a)).not.toBe(old);
      expect(yield* load(w, childTask(c, t), a)).toBe(1);
      // the old page is now mapped once, by the child, and not exclusive until it writes
      expect(folio_mapcount(w.k.mem, old)).toBe(1);
      expect(PageAnonExclusive(w.k.mem, old)).toBe(false);
    });
  });

  it('after the child exits the parent reuses its page (wp_can_reuse_anon_folio: refcount 1)', () => {
    runTask(function* (w, t) {
      const a = yield* mmapAnon(w, t, PAGE);
      yield* store(w, t, a, PAGE, 1);
      const pfn = pfnOf(w, w.mm, a);
      const c = yield* fork(w);
      yield* do_exit(w.k, c);
      yield* store(w, t, a, PAGE, 4);
      expect(pfnOf(w, w.mm, a)).toBe(pfn);
      expect(PageAnonExclusive(w.k.mem, pfn)).toBe(true);
    });
  });

  it('an extra reference on a non-exclusive page forces a copy (wp_can_reuse_anon_folio: refcount > 1)', () => {
    runTask(function* (w, t) {
      const a = yield* mmapAnon(w, t, PAGE);
      yield* store(w, t, a, PAGE, 1);
      const pfn = pfnOf(w, w.mm, a);
      const c = yield* fork(w);
      yield* do_exit(w.k, c);
      folio_ref_add(w.k.mem, pfn, 1); // a FOLL_GET reference (e.g. vmsplice)
      yield* store(w, t, a, PAGE, 5);
      expect(pfnOf(w, w.mm, a)).not.toBe(pfn);
      folio_put(w.k.mem, pfn); // put_page of that reference
    });
  });

  it('an exclusive page is reused even with extra references (PageAnonExclusive short-circuits)', () => {
    runTask(function* (w, t) {
      const a = yield* mmapAnon(w, t, PAGE);
      yield* store(w, t, a, PAGE, 1);
      const pfn = pfnOf(w, w.mm, a);
      fakePin(w, w.mm, pfn);
      // no fork: the page stays exclusive and writable, a write does not even fault
      yield* store(w, t, a, PAGE, 6);
      expect(pfnOf(w, w.mm, a)).toBe(pfn);
      fakeUnpin(w, pfn);
    });
  });

  it('fork copies a maybe-pinned exclusive page for the child (copy_present_page)', () => {
    runTask(function* (w, t) {
      const a = yield* mmapAnon(w, t, PAGE);
      yield* store(w, t, a, PAGE, 1);
      const pinned = pfnOf(w, w.mm, a);
      fakePin(w, w.mm, pinned);
      const c = yield* fork(w);
      const cm = c.mm as mm_struct;
      // the parent keeps the pinned page, writable and exclusive
      expect(pfnOf(w, w.mm, a)).toBe(pinned);
      expect(pte_write(pteOf(w, w.mm, a))).toBe(true);
      expect(PageAnonExclusive(w.k.mem, pinned)).toBe(true);
      // the child got its own copy with the same data
      expect(pfnOf(w, cm, a)).not.toBe(pinned);
      expect(yield* load(w, childTask(c, t), a)).toBe(1);
      // parent writes land in the pinned page; the child never sees them
      yield* store(w, t, a, PAGE, 9);
      expect(w.k.mem.content[pinned]).toBe(9);
      expect(yield* load(w, childTask(c, t), a)).toBe(1);
      fakeUnpin(w, pinned);
    });
  });

  it('quirk fork-shares-pinned: before 70e806e4e645 fork shares the pinned page and the parent write COWs away from the pin', () => {
    runTask(
      function* (w, t) {
        const a = yield* mmapAnon(w, t, PAGE);
        yield* store(w, t, a, PAGE, 1);
        const pinned = pfnOf(w, w.mm, a);
        fakePin(w, w.mm, pinned);
        const c = yield* fork(w);
        expect(pfnOf(w, c.mm as mm_struct, a)).toBe(pinned);
        yield* store(w, t, a, PAGE, 9);
        // the parent now maps a new page; the device still writes the pinned one
        expect(pfnOf(w, w.mm, a)).not.toBe(pinned);
        expect(w.k.mem.content[pinned]).toBe(1);
        fakeUnpin(w, pinned);
      },
      {},
      ['fork-shares-pinned'],
    );
  });

  it('an unshare fault on a shared page maps an exclusive read-only copy (FAULT_FLAG_UNSHARE)', () => {
    runTask(function* (w, t) {
      const a = yield* mmapAnon(w, t, PAGE);
      yield* store(w, t, a, PAGE, 1);
      const shared = pfnOf(w, w.mm, a);
      const c = yield* fork(w);
      const mm = w.mm;
      yield* mmap_read_lock(mm);
      const ret = yield* handle_mm_fault(find_vma(mm, a)!, a, FAULT_FLAG_UNSHARE);
      yield* mmap_read_unlock(mm);
      expect(ret).toBe(0);
      const copy = pfnOf(w, mm, a);
      expect(copy).not.toBe(shared);
      expect(PageAnonExclusive(w.k.mem, copy)).toBe(true);
      expect(pte_write(pteOf(w, mm, a))).toBe(false);
      expect(pfnOf(w, c.mm as mm_struct, a)).toBe(shared);
      // a later write reuses the exclusive copy without copying again
      yield* store(w, t, a, PAGE, 2);
      expect(pfnOf(w, mm, a)).toBe(copy);
    });
  });
});
