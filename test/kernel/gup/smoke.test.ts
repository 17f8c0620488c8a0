import { describe, expect, it } from 'vitest';
import { FOLL_WRITE } from '../../../src/kernel/include/gup_flags.js';
import { pin_user_pages_fast } from '../../../src/kernel/mm/gup.js';
import { unpin_user_pages } from '../../../src/kernel/mm/gup_unpin.js';
import { BASE, PAGE, anonVma, boot, ids, run, touch } from './harness.js';

describe('smoke', () => {
  it('pins 4 pages, 2 prefaulted', () => {
    const w = boot();
    anonVma(w, BASE, 16 * PAGE);
    let ret = 0;
    const pages = new Int32Array(4).fill(-1);
    const r = run(w, function* () {
      yield* touch(w, BASE, 2 * PAGE);
      ret = yield* pin_user_pages_fast(w.k, BASE, 4, FOLL_WRITE, pages);
      unpin_user_pages(w.k, pages, ret);
    });
    expect(r.status).toBe('done');
    expect(ret).toBe(4);
    expect(ids(r)).toEqual([]);
  });
});
