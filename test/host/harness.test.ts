/** native/harness.h checks itself (test/host/c/harness_selftest.c). */
import { describe, expect, it } from 'vitest';
import { withCleanup } from '../../src/cli/host/index.js';
import { HOST, bound, expectPassed, need, runCheck } from './helpers.js';

describe('host: the C harness', () => {
  it('orders steps across threads and processes, and tells shared pages from private ones', async (ctx) => {
    need(ctx);
    await withCleanup(async (c) => {
      const run = await runCheck(ctx, c, 'harness_selftest', [], ['-pthread']);
      expectPassed(run);
      // PFNs are shown to root (CAP_SYS_ADMIN) only; then same_page answers instead of -1.
      if (HOST.root) expect(bound(run, 'pfns_visible')).toBe(true);
    });
  });
});
