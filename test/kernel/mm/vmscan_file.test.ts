/**
 * Reclaim of page-cache folios (mm/vmscan.c: shrink_folio_list, __remove_mapping): clean
 * folios are dropped, dirty ones go back to the active list with PG_reclaim for the flusher
 * (v6.17+: pageout() writes no file-system folio), pinned ones are never dropped.
 *
 *   /f on ext4: [ page 0 ]   written, then fsync'd (clean) or left dirty
 */
import { describe, expect, it } from 'vitest';
import {
  GUP_PIN_COUNTING_BIAS,
  folio_ref_add,
  folio_test_dirty,
  folio_test_reclaim,
} from '../../../src/mm/index.js';
import { O_CREAT, O_RDWR } from '../../../src/kernel/include/fcntl.js';
import { do_fsync } from '../../../src/kernel/fs/sync.js';
import { try_to_free_pages } from '../../../src/kernel/mm/vmscan.js';
import type { Sched } from '../../../src/sim/index.js';
import { PAGE, cached, open, pread, pwrite, runTask, type World } from '../fs/helpers.js';

/** The decisions shrink_folio_list traced for `folio`. */
function reasons(w: World, folio: number): string[] {
  const out: string[] = [];
  for (const e of w.m.trace.events) {
    if (e.kind !== 'mm.reclaim') continue;
    const a = e.args as { folio: number; action: string; reason: string };
    if (a.folio === folio) out.push(`${a.action}: ${a.reason}`);
  }
  return out;
}

function* cleanFile(w: World): Sched<number> {
  const fd = yield* open(w, '/f', O_CREAT | O_RDWR, 'ext4');
  expect(yield* pwrite(w, fd, 7, PAGE, 0)).toBe(PAGE);
  expect(yield* do_fsync(w.k, w.p.tgid, fd)).toBe(0);
  return fd;
}

describe('reclaim of page-cache folios', () => {
  it('a clean, unmapped page-cache folio is dropped and read back from disk (__remove_mapping)', () => {
    runTask(function* (w) {
      const fd = yield* cleanFile(w);
      expect(cached(w, fd, 0)).toBeGreaterThanOrEqual(0);
      expect(yield* try_to_free_pages(w.k, 1)).toBe(1);
      expect(cached(w, fd, 0)).toBe(-1);
      expect((yield* pread(w, fd, PAGE, 0))[1]).toEqual([7]);
    });
  });

  it('a dirty page-cache folio is not written by reclaim: PG_reclaim is set and it is activated', () => {
    runTask(function* (w) {
      const fd = yield* open(w, '/f', O_CREAT | O_RDWR, 'ext4');
      expect(yield* pwrite(w, fd, 7, PAGE, 0)).toBe(PAGE);
      const folio = cached(w, fd, 0);
      expect(yield* try_to_free_pages(w.k, 1)).toBe(0);
      expect(cached(w, fd, 0)).toBe(folio);
      expect(folio_test_dirty(w.k.mem, folio)).toBe(true);
      expect(folio_test_reclaim(w.k.mem, folio)).toBe(true);
      expect(reasons(w, folio)).toContain(
        'activate: dirty file folio: left to the flusher (PG_reclaim set)',
      );
      expect(yield* do_fsync(w.k, w.p.tgid, fd)).toBe(0);
    });
  });

  it('a pinned clean page-cache folio is kept, its buffers too (folio_maybe_dma_pinned after unmapping)', () => {
    runTask(function* (w) {
      const fd = yield* cleanFile(w);
      const folio = cached(w, fd, 0);
      folio_ref_add(w.k.mem, folio, GUP_PIN_COUNTING_BIAS); // as pin_user_pages would
      expect(yield* try_to_free_pages(w.k, 1)).toBe(0);
      expect(cached(w, fd, 0)).toBe(folio);
      expect(reasons(w, folio)).toContain(
        'activate: unmapped but maybe DMA-pinned: not written back or freed',
      );
      folio_ref_add(w.k.mem, folio, -GUP_PIN_COUNTING_BIAS);
    });
  });
});
