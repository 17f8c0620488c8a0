/**
 * lib/iov_iter.c: the cursor (iov_iter_advance, iov_iter_revert), the copy direction checks
 * (_copy_to_iter, _copy_from_iter) and the page getters (iov_iter_get_pages2: references,
 * iov_iter_extract_pages: pins for user memory only).
 */
import { describe, expect, it } from 'vitest';
import { user_read, user_write } from '../../../src/kernel/arch/x86/mm/fault.js';
import { EFAULT } from '../../../src/kernel/include/errno.js';
import {
  MAP_ANONYMOUS,
  MAP_PRIVATE,
  PROT_READ,
  PROT_WRITE,
} from '../../../src/kernel/include/mman.js';
import {
  ITER_DEST,
  ITER_SOURCE,
  iov_iter_advance,
  iov_iter_bvec,
  iov_iter_discard,
  iov_iter_init,
  iov_iter_kvec,
  iov_iter_revert,
  iov_iter_ubuf,
  user_backed_iter,
} from '../../../src/kernel/lib/iov_iter.js';
import { copy_from_iter, copy_to_iter } from '../../../src/kernel/lib/iov_iter_copy.js';
import {
  iov_iter_extract_pages,
  iov_iter_extract_will_pin,
  iov_iter_get_pages2,
} from '../../../src/kernel/lib/iov_iter_pages.js';
import { gupState } from '../../../src/kernel/mm/gup_state.js';
import { folio_ref_count } from '../../../src/mm/folio.js';
import { put_page, unpin_user_pages } from '../../../src/kernel/mm/gup_unpin.js';
import { ksys_mmap_pgoff } from '../../../src/kernel/mm/mmap.js';
import type { task_struct } from '../../../src/kernel/sched/task.js';
import type { Sched } from '../../../src/sim/index.js';
import { PAGE, boot, finish, runTask, thread, violations, type World } from '../fs/helpers.js';

function* anon(w: World, t: task_struct, pages: number, fill: number): Sched<number> {
  const buf = yield* ksys_mmap_pgoff(
    w.k,
    w.mm,
    0,
    pages * PAGE,
    PROT_READ | PROT_WRITE,
    MAP_PRIVATE | MAP_ANONYMOUS,
    null,
    0,
  );
  expect(yield* user_write(w.k, t, buf, pages * PAGE, fill)).toBe(0);
  return buf;
}

describe('iov_iter cursor', () => {
  it('advance moves to the next iovec segment when it lands on a segment end (iov_iter_advance)', () => {
    const w = boot();
    const i = iov_iter_init(
      ITER_DEST,
      thread(w, 'idle', function* () {}),
      [
        { iov_base: 0x10000, iov_len: 100 },
        { iov_base: 0x20000, iov_len: 50 },
      ],
      150,
    );
    iov_iter_advance(i, 100);
    expect([i.seg, i.iov_offset, i.count]).toEqual([1, 0, 50]);
    // reverting walks back into the previous segment (iov_iter_revert)
    iov_iter_revert(i, 30);
    expect([i.seg, i.iov_offset, i.count]).toEqual([0, 70, 80]);
  });

  it('reverting before the start of a UBUF range is a BUG (iov_iter_revert)', () => {
    const w = boot();
    const i = iov_iter_ubuf(
      ITER_DEST,
      thread(w, 'idle', function* () {}),
      0x10000,
      4096,
    );
    iov_iter_advance(i, 4096);
    expect(() => iov_iter_revert(i, 8192)).toThrow(/BUG/);
  });

  it('a DISCARD iterator may only be a destination (iov_iter_discard)', () => {
    expect(() => iov_iter_discard(ITER_SOURCE, 10)).toThrow(/BUG/);
    expect(iov_iter_discard(ITER_DEST, 10).data_source).toBe(false);
  });

  it('only UBUF and IOVEC are user-backed, so only they are pinned (iov_iter_extract_will_pin)', () => {
    const w = boot();
    const t = thread(w, 'idle', function* () {});
    expect(iov_iter_extract_will_pin(iov_iter_ubuf(ITER_DEST, t, 0, 1))).toBe(true);
    expect(user_backed_iter(iov_iter_init(ITER_DEST, t, [], 0))).toBe(true);
    expect(iov_iter_extract_will_pin(iov_iter_kvec(ITER_DEST, [], 0))).toBe(false);
    expect(iov_iter_extract_will_pin(iov_iter_bvec(ITER_DEST, [], 0))).toBe(false);
  });
});

describe('copies and the direction check', () => {
  it('copy_to_iter into an ITER_SOURCE iterator WARNs and copies nothing (_copy_to_iter)', () => {
    const w = boot();
    thread(w, 'main', function* (t) {
      const buf = yield* anon(w, t, 1, 0x01);
      const i = iov_iter_ubuf(ITER_SOURCE, t, buf, PAGE);
      expect(yield* copy_to_iter(w.k, 0x77, PAGE, i)).toBe(0);
      expect(i.count).toBe(PAGE);
      expect(yield* user_read(w.k, t, buf, PAGE)).toEqual([0x01]);
    });
    const r = finish(w, true);
    expect(violations(r)).toEqual([
      "iter.warn.copy-direction: copy into an ITER_SOURCE iterator: the iterator's direction says the opposite of this copy",
    ]);
  });

  it('with quirk iov-iter-no-direction-check the copy goes ahead (before v6.2)', () => {
    const w = boot({}, ['iov-iter-no-direction-check']);
    thread(w, 'main', function* (t) {
      const buf = yield* anon(w, t, 1, 0x01);
      const i = iov_iter_ubuf(ITER_SOURCE, t, buf, PAGE);
      expect(yield* copy_to_iter(w.k, 0x77, PAGE, i)).toBe(PAGE);
      expect(yield* user_read(w.k, t, buf, PAGE)).toEqual([0x77]);
    });
    finish(w);
  });

  it('copy_from_iter reads each page of a user source and advances (_copy_from_iter)', () => {
    runTask(function* (w, t) {
      const buf = yield* anon(w, t, 2, 0x05);
      const i = iov_iter_ubuf(ITER_SOURCE, t, buf, 2 * PAGE);
      const out: number[] = [];
      expect(yield* copy_from_iter(w.k, out, 2 * PAGE, i)).toBe(2 * PAGE);
      expect(out).toEqual([0x05, 0x05]);
      expect(i.count).toBe(0);
    });
  });
});

describe('getting pages', () => {
  it('get_pages2 stops at the end of an iovec segment and takes one reference per page', () => {
    runTask(function* (w, t) {
      const buf = yield* anon(w, t, 4, 0x01);
      // segment A: 6000 bytes from offset 100 (2 pages), segment B: one page
      const i = iov_iter_init(
        ITER_DEST,
        t,
        [
          { iov_base: buf + 100, iov_len: 6000 },
          { iov_base: buf + 3 * PAGE, iov_len: PAGE },
        ],
        6000 + PAGE,
      );
      const pages = new Int32Array(8).fill(-1);
      const start = { value: 0 };
      expect(yield* iov_iter_get_pages2(w.k, i, pages, 1 << 20, 8, start)).toBe(6000);
      expect(start.value).toBe(100);
      expect([i.seg, i.iov_offset]).toEqual([1, 0]);
      const s = gupState(w.k);
      expect([s.gotten[pages[0]!], s.gotten[pages[1]!], s.pinned[pages[0]!]]).toEqual([1, 1, 0]);
      put_page(w.k, pages[0]!);
      put_page(w.k, pages[1]!);
    });
  });

  it('extract pins user pages, with FOLL_WRITE for a destination (iov_iter_extract_user_pages)', () => {
    runTask(function* (w, t) {
      const buf = yield* anon(w, t, 1, 0x01);
      const i = iov_iter_ubuf(ITER_DEST, t, buf, PAGE);
      const pages = new Int32Array(1).fill(-1);
      expect(yield* iov_iter_extract_pages(w.k, i, pages, PAGE, 1, 0, { value: 0 })).toBe(PAGE);
      const s = gupState(w.k);
      expect([s.pinned[pages[0]!], s.gotten[pages[0]!]]).toEqual([1, 0]);
      unpin_user_pages(w.k, pages, 1);
    });
  });

  it('extract lists the pages of a BVEC without a reference or a pin', () => {
    runTask(function* (w, t) {
      const buf = yield* anon(w, t, 1, 0x01);
      const pages = new Int32Array(1).fill(-1);
      const u = iov_iter_ubuf(ITER_DEST, t, buf, PAGE);
      yield* iov_iter_extract_pages(w.k, u, pages, PAGE, 1, 0, { value: 0 });
      const pfn = pages[0]!;
      const ref = folio_ref_count(w.k.mem, pfn);
      const b = iov_iter_bvec(ITER_DEST, [{ bv_page: pfn, bv_len: PAGE, bv_offset: 0 }], PAGE);
      const listed = new Int32Array(1).fill(-1);
      expect(yield* iov_iter_extract_pages(w.k, b, listed, PAGE, 1, 0, { value: 0 })).toBe(PAGE);
      expect(listed[0]).toBe(pfn);
      expect(folio_ref_count(w.k.mem, pfn)).toBe(ref);
      unpin_user_pages(w.k, pages, 1);
    });
  });

  it('KVEC and DISCARD iterators have no pages to get with references (-EFAULT)', () => {
    runTask(function* (w) {
      const pages = new Int32Array(1);
      const k = iov_iter_kvec(ITER_DEST, [{ iov_base: 0, iov_len: PAGE }], PAGE);
      expect(yield* iov_iter_get_pages2(w.k, k, pages, PAGE, 1, { value: 0 })).toBe(-EFAULT);
      const d = iov_iter_discard(ITER_DEST, PAGE);
      expect(yield* iov_iter_extract_pages(w.k, d, pages, PAGE, 1, 0, { value: 0 })).toBe(-EFAULT);
    });
  });
});
