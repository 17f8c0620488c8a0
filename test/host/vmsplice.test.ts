/**
 * vmsplice of an anonymous page, then a write (test/host/c/vmsplice_write.c). vmsplice without
 * SPLICE_F_GIFT puts page references into the pipe (fs/splice.c: iter_to_pipe ->
 * iov_iter_get_pages2; FOLL_GET, not a pin); the reader copies at read time. In the same
 * process the write lands in the spliced page (the reader sees it); after fork (the
 * CVE-2020-29374 shape) the parent's write fault copies because the pipe holds a reference
 * (mm/memory.c: do_wp_page -> wp_can_reuse_anon_folio), so the reader sees the old data.
 */
import { describe, it } from 'vitest';
import { withCleanup } from '../../src/cli/host/index.js';
import { expectPassed, need, runCheck } from './helpers.js';

describe('host: vmsplice then write', () => {
  it('same process: the reader sees the new data; after fork: the old data', async (ctx) => {
    need(ctx);
    await withCleanup(async (c) => {
      expectPassed(await runCheck(ctx, c, 'vmsplice_write'));
    });
  });
});
