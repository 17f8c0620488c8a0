/**
 * MADV_DONTNEED on a pinned range (test/host/c/dontneed_pinned.c): the PTEs are zapped even
 * though the pages are pinned; the mapping faults in the zero page and then fresh pages, while
 * the io_uring fixed buffer keeps using the old, now unmapped, pages. The pin keeps memory alive,
 * not the mapping coherent. Rule: mm/madvise.c: madvise_dontneed_single_vma ->
 * zap_page_range_single (no pin check); mm/memory.c: do_anonymous_page.
 */
import { describe, it } from 'vitest';
import { withCleanup } from '../../src/cli/host/index.js';
import { expectPassed, need, runCheck } from './helpers.js';

describe('host: MADV_DONTNEED under a longterm pin', () => {
  it('the mapping gets a fresh zero page; the pinned page keeps the data', async (ctx) => {
    need(ctx, 'io_uring');
    await withCleanup(async (c) => {
      // Fill 'A', register, DONTNEED; mapping reads 0, WRITE_FIXED still sends 'A'; writes to
      // the mapping ('B') and READ_FIXED into the buffer ('Z') no longer meet.
      expectPassed(await runCheck(ctx, c, 'dontneed_pinned'));
    });
  });
});
