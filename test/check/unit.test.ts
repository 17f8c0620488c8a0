// Checkers that watch decisions as they happen, fed directly: each reports when its rule breaks
// and stays quiet when it holds. (The kernel code never breaks them, so they are shown here on
// made-up observations and on a hand-broken state.)
import { describe, expect, it } from 'vitest';
import { installCheckers } from '../../src/check/index.js';
import { FOLL_PIN, FOLL_WRITE } from '../../src/kernel/include/gup_flags.js';
import { gupState, type GupCallInfo } from '../../src/kernel/mm/gup_state.js';
import * as gup from '../../src/kernel/mm/gup.js';
import { ClearPageAnonExclusive } from '../../src/mm/index.js';
import { BASE, PAGE, anonVma, boot, ids, run, touch, type World } from '../kernel/gup/harness.js';

function observers(w: World) {
  return gupState(w.k).observers;
}

function call(w: World, over: Partial<GupCallInfo>): GupCallInfo {
  return {
    api: 'pin_user_pages',
    mm: w.mm,
    start: BASE,
    nr_pages: 1,
    gup_flags: 0,
    flags: FOLL_PIN,
    pages: new Int32Array(1).fill(-1),
    off: 0,
    ret: 0,
    lockedIn: null,
    lockedOut: null,
    heldBefore: false,
    heldAfter: false,
    net: 0,
    aloneAtEntry: true,
    ...over,
  };
}

function feed(w: World, f: (o: ReturnType<typeof observers>[number]) => void): string[] {
  for (const o of observers(w)) f(o);
  return w.m.violations.map((v) => v.id);
}

describe('watching checkers', () => {
  it('gup.call-return: a count above nr_pages, or 0 without FOLL_NOWAIT', () => {
    const w = boot();
    expect(feed(w, (o) => o.callReturned?.(w.k, call(w, { ret: 2, nr_pages: 1 })))).toContain(
      'gup.call-return',
    );
    const w2 = boot();
    expect(
      feed(w2, (o) =>
        o.callReturned?.(w2.k, call(w2, { ret: 0, api: 'get_user_pages', flags: 0 })),
      ),
    ).toContain('gup.call-return');
  });

  it('gup.call-return: references left behind after an error', () => {
    const w = boot();
    expect(feed(w, (o) => o.callReturned?.(w.k, call(w, { ret: -14, net: 1 })))).toContain(
      'gup.call-return',
    );
  });

  it('gup.call-lock: *locked says held but the lock is not', () => {
    const w = boot();
    const info = call(w, {
      ret: -14,
      lockedIn: 1,
      lockedOut: 1,
      heldBefore: true,
      heldAfter: false,
    });
    expect(feed(w, (o) => o.callReturned?.(w.k, info))).toContain('gup.call-lock');
  });

  it('gup.fast-fork-overlap: pins returned from a walk fork overlapped', () => {
    const w = boot();
    const info = {
      mm: w.mm,
      flags: FOLL_PIN | FOLL_WRITE,
      pages: new Int32Array(1),
      off: 0,
      nr: 1,
      walked: 1,
      overlap: true,
    };
    expect(feed(w, (o) => o.fastReturned?.(w.k, info))).toContain('gup.fast-fork-overlap');
  });

  it('gup.fast-fallback: the prefix lost after a slow-path error', () => {
    const w = boot();
    expect(
      feed(w, (o) => o.fallbackDone?.(w.k, { nr_pages: 4, nr_pinned: 2, slow: -14, ret: -14 })),
    ).toContain('gup.fast-fallback');
  });

  it('gup.longterm-all-or-nothing: a mixture of kept and released pins', () => {
    const w = boot();
    expect(
      feed(w, (o) => o.migrateDone?.(w.k, { entries: 4, ret: -12, stillPinned: 1 })),
    ).toContain('gup.longterm-all-or-nothing');
  });

  it('gup.writable-non-exclusive: an unshare fault that left the entry writable', () => {
    const w = boot();
    expect(
      feed(w, (o) =>
        o.unshareDone?.(w.k, { mm: w.mm, addr: BASE, writableBefore: false, writableAfter: true }),
      ),
    ).toContain('gup.writable-non-exclusive');
  });
});

describe('state checkers', () => {
  it('gup.pin-lost-exclusive: a pinned anon page whose PageAnonExclusive was cleared (release and end of run)', () => {
    const w = boot();
    anonVma(w, BASE, 2 * PAGE);
    const pages = new Int32Array(2);
    const r = run(w, function* () {
      yield* touch(w, BASE, 2 * PAGE);
      expect(yield* gup.pin_user_pages_fast(w.k, BASE, 2, FOLL_WRITE, pages)).toBe(2);
      ClearPageAnonExclusive(w.k.mem, pages[0]!); // what a broken fork or KSM would do
      ClearPageAnonExclusive(w.k.mem, pages[1]!);
      gup.unpin_user_page(w.k, pages[0]!); // reported at release (sanity_check_pinned_pages)
    });
    expect(ids(r).filter((id) => id === 'gup.pin-lost-exclusive').length).toBe(2);
    expect(ids(r)).toContain('gup.pin-leak'); // pages[1] was never released
    expect(ids(r)).toContain('gup.writable-non-exclusive'); // both still mapped writable
  });

  it('gup.refcount-underflow: a put of a page nobody holds', () => {
    const w = boot();
    const r = run(w, function* () {
      gup.put_page(w.k, 300); // a free page: refcount 0
      yield w.m.point('done');
    });
    expect(ids(r)).toEqual(['gup.refcount-underflow']);
  });

  it('gup.warn.unpin-errno: a GUP error passed to unpin_user_pages', () => {
    const w = boot();
    const r = run(w, function* () {
      gup.unpin_user_pages(w.k, new Int32Array(1), -14);
      yield w.m.point('done');
    });
    expect(ids(r)).toEqual(['gup.warn.unpin-errno']);
  });

  it('installing a checker twice attaches it once', () => {
    const w = boot();
    const n = observers(w).length;
    installCheckers(w.k);
    expect(observers(w).length).toBe(n);
  });
});
