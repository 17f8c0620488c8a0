/**
 * Allocating a given physical range (mm/page_alloc.c, v6.18: alloc_contig_range and
 * __alloc_contig_migrate_range), what cma_alloc is built on.
 *
 * The range's pageblocks are isolated (a CMA pageblock only by a CMA caller), the folios in it
 * isolated with compaction's scanner (alloc_contig set: large and hugetlb folios too, free
 * hugetlb folios dissolved) and migrated; a list that keeps failing is given up after 5 rounds
 * (-EBUSY); then every page must be free (test_pages_isolated), and the free pages are taken.
 * A pinned anon folio is skipped by the scanner (it could not migrate) and is what the final
 * check trips over: -EBUSY.
 * @fidelity simplified: no reclaim of clean page-cache folios (reclaim_clean_pages_from_list),
 * no partial-pageblock ranges beyond isolating whole pageblocks, no fatal-signal check; the
 * scanner isolates the whole range at once instead of 32 folios at a time
 */
import { GFP_KERNEL, isolate_freepages_range, pageblock_nr_pages } from '../../mm/index.js';
import type { Sched } from '../../sim/thread.js';
import { EBUSY, ENOMEM } from '../include/errno.js';
import type { Kernel } from '../kernel.js';
import {
  compact_control_init,
  isolate_migratepages_block,
  type compact_control,
} from './compaction.js';
import { dissolve_free_hugetlb_folios } from './memory_hotplug.js';
import { alloc_migration_target_gfp, migrate_pages, putback_movable_pages } from './migrate.js';
import { MIGRATE_SYNC, MR_CONTIG_RANGE } from './migrate_mode.js';
import {
  describe_blocker,
  migrate_rc_text,
  range_blockers,
  type FolioBlocker,
} from './migrate_why.js';
import {
  PB_ISOLATE_MODE_CMA_ALLOC,
  PB_ISOLATE_MODE_OTHER,
  start_isolate_page_range,
  test_pages_isolated,
  undo_isolate_page_range,
} from './page_isolation.js';

/** include/linux/gfp.h: acr_flags_t. @fidelity exact */
export const ACR_FLAGS_NONE = 0;
export const ACR_FLAGS_CMA = 1 << 0;

/** What alloc_contig_range did: its return, the kernel's reason, and what was in the way. */
export interface ContigResult {
  readonly ret: number;
  readonly reason: string;
  readonly blockers: readonly FolioBlocker[];
}

/**
 * mm/page_alloc.c: __alloc_contig_migrate_range(cc, start, end, migratetype): isolate and
 * migrate until the range is scanned and the list is empty; -EBUSY after 5 rounds of the same
 * list, -ENOMEM when migration finds no target.
 * @fidelity simplified (see the file comment)
 */
export function* __alloc_contig_migrate_range(
  k: Kernel,
  cc: compact_control,
  start: number,
  end: number,
  gfp: number,
): Sched<number> {
  let pfn = start;
  let tries = 0;
  let ret = 0;
  const target = alloc_migration_target_gfp(gfp);
  while (pfn < end || cc.migratepages.length > 0) {
    if (cc.migratepages.length === 0) {
      isolate_migratepages_block(k, cc, pfn, end);
      pfn = end;
      tries = 0;
      if (cc.migratepages.length === 0) break;
    } else if (++tries === 5) {
      ret = -EBUSY;
      break;
    }
    const why = new Map<number, number>();
    ret = yield* migrate_pages(k, cc.migratepages, target, MIGRATE_SYNC, MR_CONTIG_RANGE, why);
    for (const [folio, rc] of why) cc.skipped.set(folio, migrate_rc_text(rc));
    if (ret === -ENOMEM) break;
  }
  if (ret < 0) putback_movable_pages(k, cc.migratepages);
  return ret < 0 ? ret : 0;
}

/**
 * mm/page_alloc.c: alloc_contig_range(start, end, alloc_flags, gfp_mask): 0 with the pages of
 * [start, end) allocated (order-0 pages, refcount 1 each), or -EBUSY / -ENOMEM / -EINTR.
 * @fidelity simplified (see the file comment)
 */
export function* alloc_contig_range(
  k: Kernel,
  start: number,
  end: number,
  alloc_flags: number,
  gfp: number = GFP_KERNEL,
): Sched<ContigResult> {
  const mode =
    (alloc_flags & ACR_FLAGS_CMA) !== 0 ? PB_ISOLATE_MODE_CMA_ALLOC : PB_ISOLATE_MODE_OTHER;
  const outer_start = start - (start % pageblock_nr_pages);
  const outer_end = Math.ceil(end / pageblock_nr_pages) * pageblock_nr_pages;
  const iso = yield* start_isolate_page_range(k, outer_start, outer_end, mode);
  if (iso.ret !== 0)
    return {
      ret: iso.ret,
      reason: 'failure to isolate range',
      blockers: [describe_blocker(k, iso.pfn, false, iso.why)],
    };
  const cc = compact_control_init(true);
  let ret = yield* __alloc_contig_migrate_range(k, cc, start, end, gfp);
  let result: ContigResult = { ret, reason: ret === 0 ? '' : 'migration failed', blockers: [] };
  if (ret === 0 || ret === -EBUSY) {
    dissolve_free_hugetlb_folios(k, start, end);
    const t = test_pages_isolated(k, start, end);
    if (t.ret !== 0 || isolate_freepages_range(k.mem, start, end - start) < 0) {
      ret = -EBUSY;
      const blockers = range_blockers(k, start, end, cc.skipped);
      result = {
        ret,
        reason: 'pages still in use after migration (test_pages_isolated)',
        blockers,
      };
    } else {
      result = { ret: 0, reason: '', blockers: [] };
    }
  }
  yield* undo_isolate_page_range(k, outer_start, outer_end);
  return result;
}
