// is_valid_gup_args and the wrappers: which flags each entry point forces, which misuse WARNs
// (gup.warn.<rule>), and what an invalid call returns: -EINVAL, except the pin_* slow-path
// wrappers, which return 0 (mm/gup.c).
import { describe, expect, it } from 'vitest';
import { EFAULT, EINVAL, EOVERFLOW } from '../../../src/kernel/include/errno.js';
import {
  FOLL_GET,
  FOLL_HWPOISON,
  FOLL_LONGTERM,
  FOLL_NOWAIT,
  FOLL_PCI_P2PDMA,
  FOLL_PIN,
  FOLL_TOUCH,
  FOLL_WRITE,
} from '../../../src/kernel/include/gup_flags.js';
import * as gup from '../../../src/kernel/mm/gup.js';
import { gupState } from '../../../src/kernel/mm/gup_state.js';
import { mmap_read_lock, mmap_read_unlock } from '../../../src/kernel/mm/mmap_lock.js';
import type { Sched } from '../../../src/sim/thread.js';
import { BASE, PAGE, anonVma, boot, ids, run, touch, type World } from './harness.js';

/** Release what a call returned, as the kind the ledger says it holds. */
function release(w: World, pages: Int32Array, n: number): void {
  if (gupState(w.k).pinned[pages[0]!]! > 0) gup.unpin_user_pages(w.k, pages, n);
  else for (let i = 0; i < n; i++) gup.put_page(w.k, pages[i]!);
}

/** Run one call (mmap_lock held around it when `locked`) on a prefaulted page; its result and reports. */
function call(body: (w: World, pages: Int32Array) => Sched<number>, lock = false) {
  const w = boot();
  anonVma(w, BASE, 4 * PAGE);
  const pages = new Int32Array(4).fill(-1);
  let ret = NaN;
  const r = run(w, function* () {
    yield* touch(w, BASE, PAGE);
    if (lock) yield* mmap_read_lock(w.mm);
    ret = yield* body(w, pages);
    if (lock) yield* mmap_read_unlock(w.mm);
    if (ret > 0 && pages[0]! >= 0) release(w, pages, ret);
  });
  return { ret, ids: ids(r), w };
}

describe('is_valid_gup_args', () => {
  it('refuses an internal flag from the caller: pin_user_pages returns 0, get_user_pages -EINVAL', () => {
    // FOLL_TOUCH and FOLL_PIN are mm/internal.h flags: only the wrappers may set them.
    const pin = call((w, p) => gup.pin_user_pages(w.k, BASE, 1, FOLL_TOUCH, p), true);
    expect(pin.ret).toBe(0);
    expect(pin.ids).toEqual(['gup.warn.internal-flags']);
    const get = call((w, p) => gup.get_user_pages(w.k, BASE, 1, FOLL_PIN, p), true);
    expect(get.ret).toBe(-EINVAL);
    expect(get.ids).toEqual(['gup.warn.internal-flags']);
  });

  it('refuses FOLL_GET on pin_* (GET and PIN together): 0 from pin_user_pages, -EINVAL from pin_user_pages_fast (E6)', () => {
    expect(call((w, p) => gup.pin_user_pages(w.k, BASE, 1, FOLL_GET, p), true)).toMatchObject({
      ret: 0,
      ids: ['gup.warn.get-and-pin'],
    });
    expect(call((w, p) => gup.pin_user_pages_fast(w.k, BASE, 1, FOLL_GET, p))).toMatchObject({
      ret: -EINVAL,
      ids: ['gup.warn.get-and-pin'],
    });
  });

  it('refuses FOLL_LONGTERM without a pin: get_user_pages* can never be long-term', () => {
    const r = call((w, p) => gup.get_user_pages_fast(w.k, BASE, 1, FOLL_LONGTERM, p));
    expect(r).toMatchObject({ ret: -EINVAL, ids: ['gup.warn.longterm-without-pin'] });
  });

  it('refuses GET/PIN without a pages array', () => {
    const r = call((w) => gup.pin_user_pages_unlocked(w.k, BASE, 1, null, 0));
    expect(r).toMatchObject({ ret: 0, ids: ['gup.warn.no-pages'] });
    const f = call((w) => gup.get_user_pages_fast(w.k, BASE, 1, 0, null));
    expect(f).toMatchObject({ ret: -EINVAL, ids: ['gup.warn.no-pages'] });
  });

  it('get_user_pages with pages NULL only faults in (no FOLL_GET added, no reference)', () => {
    const r = call((w) => gup.get_user_pages(w.k, BASE + PAGE, 2, FOLL_WRITE, null), true);
    expect(r).toMatchObject({ ret: 2, ids: [] });
  });

  it('refuses FOLL_LONGTERM with FOLL_PCI_P2PDMA', () => {
    const r = call((w, p) =>
      gup.pin_user_pages_fast(w.k, BASE, 1, FOLL_LONGTERM | FOLL_PCI_P2PDMA, p),
    );
    expect(r).toMatchObject({ ret: -EINVAL, ids: ['gup.warn.longterm-p2pdma'] });
  });

  it('refuses *locked != 1 on entry: get_user_pages_remote -EINVAL, pin_user_pages_remote 0', () => {
    const get = call(
      (w, p) => gup.get_user_pages_remote(w.k, w.mm, BASE, 1, 0, p, { value: 0 }),
      true,
    );
    expect(get).toMatchObject({ ret: -EINVAL, ids: ['gup.warn.locked-not-1'] });
    const pin = call(
      (w, p) => gup.pin_user_pages_remote(w.k, w.mm, BASE, 1, 0, p, { value: 2 }),
      true,
    );
    expect(pin).toMatchObject({ ret: 0, ids: ['gup.warn.locked-not-1'] });
  });

  it('GUP-fast accepts only its whitelist of flags (FOLL_NOWAIT, FOLL_HWPOISON: WARN, -EINVAL)', () => {
    expect(call((w, p) => gup.get_user_pages_fast(w.k, BASE, 1, FOLL_NOWAIT, p))).toMatchObject({
      ret: -EINVAL,
      ids: ['gup.warn.fast-flags'],
    });
    expect(call((w, p) => gup.pin_user_pages_fast(w.k, BASE, 1, FOLL_HWPOISON, p))).toMatchObject({
      ret: -EINVAL,
      ids: ['gup.warn.fast-flags'],
    });
  });

  it('nr_pages == 0 returns 0 at once, on every entry point', () => {
    expect(call((w, p) => gup.pin_user_pages(w.k, BASE, 0, 0, p), true)).toMatchObject({
      ret: 0,
      ids: [],
    });
    expect(call((w, p) => gup.pin_user_pages_fast(w.k, BASE, 0, 0, p))).toMatchObject({
      ret: 0,
      ids: [],
    });
    expect(call((w, p) => gup.get_user_pages_unlocked(w.k, BASE, 0, p, 0))).toMatchObject({
      ret: 0,
      ids: [],
    });
  });

  it('a negative int nr_pages on the fast path wraps: -EOVERFLOW (or -EFAULT past TASK_SIZE_MAX)', () => {
    expect(call((w, p) => gup.get_user_pages_fast(w.k, BASE, -1, 0, p)).ret).toBe(-EOVERFLOW);
    expect(call((w, p) => gup.get_user_pages_fast(w.k, 0, -1, 0, p)).ret).toBe(-EFAULT);
  });
});
