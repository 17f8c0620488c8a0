/**
 * COW after fork (test/host/c/cow_fork.c): after fork, parent and child share their anonymous
 * pages write-protected; whoever writes first gets a copy, so neither sees the other's writes.
 * Rule: mm/memory.c: do_wp_page -> wp_page_copy; for a PMD-mapped THP,
 * mm/huge_memory.c: do_huge_pmd_wp_page splits the writer's PMD and copies one 4 KiB page.
 */
import { describe, expect, it } from 'vitest';
import { withCleanup } from '../../src/cli/host/index.js';
import { bound, expectPassed, need, runCheck } from './helpers.js';

describe('host: copy-on-write after fork', () => {
  it('child and parent writes stay private (4 KiB pages)', async (ctx) => {
    need(ctx);
    await withCleanup(async (c) => {
      const run = await runCheck(ctx, c, 'cow_fork', ['small']);
      // The program: fill, fork, child writes page 0, parent writes page 2, each checks the other.
      expectPassed(run);
    });
  });

  it('child and parent writes stay private (THP), and each write copies one 4 KiB page', async (ctx) => {
    need(ctx, 'thp');
    await withCleanup(async (c) => {
      const run = await runCheck(ctx, c, 'cow_fork', ['thp']);
      expectPassed(run);
      // With PFNs visible (root): page 1, written by nobody, is still shared after the child's
      // write: the THP was not copied whole; only the written 4 KiB page was.
      const shared = bound(run, 'page1_shared_after_child_write');
      if (shared !== -1) expect(shared).toBe(1);
      // The child's write split only the child's PMD: the parent still maps the THP by PMD.
      expect(bound(run, 'parent_thp_kib_after_child_write')).toBe(2048);
      // The parent's own write then finds the folio shared with the child's PTEs (refcount > 1),
      // so it cannot reuse it whole: its PMD is split too and one 4 KiB page copied.
      expect(bound(run, 'parent_thp_kib_after_parent_write')).toBe(0);
    });
  });
});
