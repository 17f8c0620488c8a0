/**
 * The fork-copies-pinned-pages rule (test/host/c/pin_fork.c): a R/W longterm pin taken before
 * fork (io_uring fixed buffer) stays coherent with the parent. fork gives the child a copy of a
 * maybe-pinned anonymous page at once instead of sharing it, so the parent never COWs away from
 * the pinned page. Rule: mm/memory.c: copy_present_ptes -> copy_present_page
 * (folio_maybe_dma_pinned); mm/huge_memory.c: copy_huge_pmd splits a pinned THP (-EAGAIN).
 */
import { describe, expect, it } from 'vitest';
import { withCleanup } from '../../src/cli/host/index.js';
import { bound, expectPassed, need, runCheck } from './helpers.js';

describe('host: a longterm pin survives fork', () => {
  for (const mode of ['small', 'thp'] as const) {
    it(`the parent's post-fork writes reach the pinned buffer (${mode})`, async (ctx) => {
      need(ctx, 'io_uring', ...(mode === 'thp' ? (['thp'] as const) : []));
      await withCleanup(async (c) => {
        // Register (pin), fork, child scribbles and exits, parent writes; WRITE_FIXED reads back.
        const run = await runCheck(ctx, c, 'pin_fork', [mode]);
        expectPassed(run);
        // With PFNs visible: the child did not share the pinned page even before writing.
        const shared = bound(run, 'shared_at_fork');
        if (shared !== -1) expect(shared).toBe(0);
        // A pinned THP is not shared by PMD at fork: copy_huge_pmd splits the parent's PMD
        // (-EAGAIN) and the PTE path copies each pinned 4 KiB page for the child.
        if (mode === 'thp') expect(bound(run, 'parent_thp_kib_after_fork')).toBe(0);
      });
    });
  }
});
