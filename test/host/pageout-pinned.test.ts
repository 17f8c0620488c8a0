/**
 * MADV_PAGEOUT of an unpinned and a pinned anonymous page on this machine
 * (test/host/c/pageout_pinned.c): the unpinned one goes to swap when swap is on (and stays when
 * it is off: no swap slot), the pinned one always stays mapped. The model's rules:
 * mm/vmscan.c: shrink_folio_list (folio_maybe_dma_pinned before folio_alloc_swap), as in
 * test/kernel/mm/vmscan_pins.test.ts. Nothing on the host is changed (swap is not turned on).
 */
import { describe, it } from 'vitest';
import { withCleanup } from '../../src/cli/host/index.js';
import { expectPassed, need, runCheck } from './helpers.js';

describe('host: MADV_PAGEOUT and pins', () => {
  it('a pinned anon page is not paged out; an unpinned one is when there is swap', async (ctx) => {
    need(ctx, 'io_uring');
    await withCleanup(async (c) => {
      expectPassed(await runCheck(ctx, c, 'pageout_pinned'));
    });
  });
});
