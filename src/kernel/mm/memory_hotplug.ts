/**
 * Memory offlining (mm/memory_hotplug.c, v6.18: offline_pages, scan_movable_pages,
 * do_migrate_range; mm/hugetlb.c: dissolve_free_hugetlb_folios), what
 * `echo offline > /sys/devices/system/memory/memoryN/state` runs.
 *
 * The range's pageblocks are isolated (nothing new is allocated there), then the kernel loops:
 * find an in-use LRU or hugetlb folio, isolate and migrate everything from there to the end,
 * again and again until no movable folio is left; then dissolve the free hugetlb folios and
 * check that every page is free. A folio that cannot move (a pin: more references than its
 * mappings explain) is found again on every pass, so the kernel never gives up by itself: it
 * loops until the writer gets a signal (-EINTR, "signal backoff"). The model stands in for
 * that signal after `max_passes` passes. Every folio still in the range is then reported with
 * its holders (migrate_why.ts).
 *
 * Memory blocks: the kernel offlines whole memory blocks (128 MiB and up on x86); the model's
 * block is MAX_ORDER_NR_PAGES (4 MiB), the granularity of its ZONE_MOVABLE.
 * @fidelity simplified: no memory notifiers, no node state, no hwpoisoned folios, no
 * PageOffline pages (so scan_movable_pages never returns -EBUSY); offlined pages stay on the
 * isolate free list (where the allocator never looks) instead of leaving the buddy allocator;
 * no onlining.
 */
import {
  GFP_KERNEL,
  MAX_ORDER_NR_PAGES,
  __GFP_MOVABLE,
  __GFP_RETRY_MAYFAIL,
  folio_nr_pages,
  folio_put,
  folio_test_hugetlb,
  folio_test_large,
  folio_test_lru,
  folio_try_get,
  page_folio,
  page_zone,
  pageblock_nr_pages,
  type Hstate,
} from '../../mm/index.js';
import { free_frozen_pages } from '../../mm/page_free.js';
import { PG_hugetlb } from '../../mm/page_flags.js';
import type { Sched } from '../../sim/thread.js';
import { EINTR, EINVAL, ENOENT } from '../include/errno.js';
import type { Kernel } from '../kernel.js';
import {
  alloc_migration_target_gfp,
  isolate_folio_to_list,
  migrate_pages,
  putback_movable_pages,
} from './migrate.js';
import { MIGRATE_SYNC, MR_MEMORY_HOTPLUG } from './migrate_mode.js';
import { folio_hugetlb_migratable } from './migrate_hugetlb.js';
import {
  describe_blocker,
  migrate_rc_text,
  range_blockers,
  type FolioBlocker,
} from './migrate_why.js';
import {
  PB_ISOLATE_MODE_MEM_OFFLINE,
  start_isolate_page_range,
  test_pages_isolated,
  undo_isolate_page_range,
} from './page_isolation.js';

/** The model's memory_block_size_bytes() in pages (see the file comment). @fidelity custom */
export const MEMORY_BLOCK_PAGES = MAX_ORDER_NR_PAGES;

/** Passes of the migration loop before the model delivers the writer's signal. @fidelity custom */
export const OFFLINE_DEFAULT_PASSES = 4;

/** What offline_pages did: the kernel's return and reason, and what stayed behind. */
export interface OfflineResult {
  readonly ret: number;
  /** The kernel's pr_debug reason ("failure to isolate range", "signal backoff"...), or ''. */
  readonly reason: string;
  readonly blockers: readonly FolioBlocker[];
  /** Passes of the scan-and-migrate loop. */
  readonly passes: number;
}

/** Memory blocks offlined per kernel (by first pfn). */
const offlined = new WeakMap<Kernel, Set<number>>();

/** Whether the memory block starting at `pfn` has been offlined. @fidelity custom */
export function memory_block_offline(k: Kernel, pfn: number): boolean {
  return offlined.get(k)?.has(pfn) ?? false;
}

/**
 * mm/memory_hotplug.c: scan_movable_pages(start, end, &movable_pfn): the first LRU folio or
 * in-use (migratable) hugetlb folio at or after `start`, or -ENOENT.
 * @fidelity simplified (no movable_ops, no PageOffline)
 */
export function scan_movable_pages(k: Kernel, start: number, end: number): number {
  const mem = k.mem;
  for (let pfn = start; pfn < end; pfn++) {
    const folio = page_folio(mem, pfn);
    if (folio_test_lru(mem, folio)) return pfn;
    if (!folio_test_hugetlb(mem, folio)) continue;
    if (folio_hugetlb_migratable(k, folio)) return pfn;
    pfn = folio + folio_nr_pages(mem, folio) - 1;
  }
  return -ENOENT;
}

/**
 * mm/memory_hotplug.c: do_migrate_range(start_pfn, end_pfn): isolate every folio of the range
 * that can be (isolate_folio_to_list), migrate them (GFP_KERNEL|__GFP_MOVABLE|
 * __GFP_RETRY_MAYFAIL, MIGRATE_SYNC, MR_MEMORY_HOTPLUG) and put back what did not move.
 * Records why each folio stayed in `reasons`.
 * @fidelity simplified (no hwpoison handling, no rate-limited dump_page)
 */
export function* do_migrate_range(
  k: Kernel,
  start_pfn: number,
  end_pfn: number,
  reasons: Map<number, string>,
): Sched<void> {
  const mem = k.mem;
  const source: number[] = [];
  for (let pfn = start_pfn; pfn < end_pfn; pfn++) {
    const folio = page_folio(mem, pfn);
    if (!folio_try_get(mem, folio)) continue;
    if (folio_test_large(mem, folio)) pfn = folio + folio_nr_pages(mem, folio) - 1;
    if (!isolate_folio_to_list(k, folio, source)) reasons.set(folio, 'failed to isolate');
    folio_put(mem, folio);
  }
  if (source.length === 0) return;
  const why = new Map<number, number>();
  const gfp = GFP_KERNEL | __GFP_MOVABLE | __GFP_RETRY_MAYFAIL;
  const ret = yield* migrate_pages(
    k,
    source,
    alloc_migration_target_gfp(gfp),
    MIGRATE_SYNC,
    MR_MEMORY_HOTPLUG,
    why,
  );
  for (const [folio, rc] of why) reasons.set(folio, migrate_rc_text(rc));
  if (ret !== 0) putback_movable_pages(k, source);
}

/**
 * mm/hugetlb.c: dissolve_free_hugetlb_folios(start_pfn, end_pfn): free hugetlb folios in the
 * range leave their pool for the buddy allocator (here: the isolate free list).
 * @fidelity simplified (no vmemmap, no reservations)
 */
export function dissolve_free_hugetlb_folios(
  k: Kernel,
  start_pfn: number,
  end_pfn: number,
): number {
  const mem = k.mem;
  for (const h of mem.hstates) {
    for (let i = h.free.length - 1; i >= 0; i--) {
      const folio = h.free[i]!;
      if (folio < start_pfn || folio >= end_pfn) continue;
      dissolve(k, h, folio, i);
    }
  }
  return 0;
}

function dissolve(k: Kernel, h: Hstate, folio: number, at: number): void {
  const mem = k.mem;
  h.free.splice(at, 1);
  h.free_huge_pages--;
  h.nr_huge_pages--;
  mem.flags[folio] = mem.flags[folio]! & ~(1 << PG_hugetlb);
  free_frozen_pages(mem, folio, h.order);
}

function fail(
  ret: number,
  reason: string,
  blockers: FolioBlocker[] = [],
  passes = 0,
): OfflineResult {
  return { ret, reason, blockers, passes };
}

/**
 * mm/memory_hotplug.c: offline_pages(start_pfn, nr_pages, zone, group): 0 when every page of
 * the range is free and the range is offline; -EINVAL (unaligned, multizone), -EBUSY ("failure
 * to isolate range": an unmovable page), -EINTR ("signal backoff": the model's signal after
 * `max_passes` passes of a loop the kernel would repeat until one arrives).
 * @fidelity simplified (see the file comment)
 */
export function* offline_pages(
  k: Kernel,
  start_pfn: number,
  nr_pages: number,
  max_passes = OFFLINE_DEFAULT_PASSES,
): Sched<OfflineResult> {
  const mem = k.mem;
  const end_pfn = start_pfn + nr_pages;
  if (
    nr_pages <= 0 ||
    start_pfn % pageblock_nr_pages !== 0 ||
    end_pfn % MEMORY_BLOCK_PAGES !== 0 ||
    end_pfn > mem.nr_pages
  )
    return fail(-EINVAL, 'range not aligned to memory blocks');
  if (page_zone(mem, start_pfn) !== page_zone(mem, end_pfn - 1))
    return fail(-EINVAL, 'multizone range');
  const iso = yield* start_isolate_page_range(k, start_pfn, end_pfn, PB_ISOLATE_MODE_MEM_OFFLINE);
  if (iso.ret !== 0) {
    const b = describe_blocker(k, iso.pfn, false, iso.why);
    return fail(iso.ret, 'failure to isolate range', [b]);
  }
  const reasons = new Map<number, string>();
  let passes = 0;
  for (;;) {
    let pfn = start_pfn;
    for (;;) {
      if (passes >= max_passes) {
        const blockers = range_blockers(k, start_pfn, end_pfn, reasons);
        yield* undo_isolate_page_range(k, start_pfn, end_pfn);
        return fail(-EINTR, 'signal backoff', blockers, passes);
      }
      pfn = scan_movable_pages(k, pfn, end_pfn);
      if (pfn < 0) break;
      passes++;
      yield* do_migrate_range(k, pfn, end_pfn, reasons);
    }
    dissolve_free_hugetlb_folios(k, start_pfn, end_pfn);
    if (test_pages_isolated(k, start_pfn, end_pfn).ret === 0) break;
    passes++;
  }
  __offline_isolated_pages(k, start_pfn, end_pfn);
  return fail(0, '', [], passes);
}

/** mm/page_alloc.c: __offline_isolated_pages + the zone's managed pages. @fidelity simplified */
function __offline_isolated_pages(k: Kernel, start_pfn: number, end_pfn: number): void {
  let set = offlined.get(k);
  if (set === undefined) {
    set = new Set();
    offlined.set(k, set);
  }
  for (let pfn = start_pfn; pfn < end_pfn; pfn += MEMORY_BLOCK_PAGES) set.add(pfn);
  page_zone(k.mem, start_pfn).managed_pages -= end_pfn - start_pfn;
}
