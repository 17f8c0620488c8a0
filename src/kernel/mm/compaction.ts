/**
 * Compaction, reduced to one pass over a pfn range (mm/compaction.c, v6.18:
 * isolate_migratepages_block and its skip rules, compaction_alloc's free scanner,
 * compact_zone's migrate loop). alloc_contig_range (cma_alloc) uses the same isolation with
 * `alloc_contig` set.
 *
 * The migration scanner skips, without isolating: free pages; pages not on the LRU; large
 * folios and hugetlb folios (compaction; alloc_contig_range takes them); and "an anonymous
 * folio that is pinned" — the admittedly racy check that a folio without a page-cache mapping
 * whose reference count (less the scanner's own) exceeds its mapcount cannot migrate, so it is
 * not worth isolating. Page-cache folios are isolated and fail later, in
 * folio_migrate_mapping. The free scanner takes free order-0 pages from the top of the zone.
 * @fidelity simplified: one synchronous pass (MIGRATE_SYNC); no deferral, no suitability or
 * watermark checks, no pageblock skip bits, no async/dirty rules, no movable_ops pages; the
 * free scanner works page by page
 */
import {
  NR_ISOLATED_ANON,
  NR_ISOLATED_FILE,
  buddy_order,
  folio_clear_lru,
  folio_mapcount,
  folio_nr_pages,
  folio_put,
  folio_ref_count,
  folio_test_anon,
  folio_test_hugetlb,
  folio_test_large,
  folio_test_lru,
  folio_try_get,
  get_pageblock_isolate,
  isolate_freepages_range,
  mod_node_page_state,
  page_folio,
  page_zone,
  pageblock_nr_pages,
} from '../../mm/index.js';
import { PG_buddy } from '../../mm/page_flags.js';
import type { Sched } from '../../sim/thread.js';
import type { Kernel } from '../kernel.js';
import { migrate_pages, putback_movable_pages, type NewFolio } from './migrate.js';
import { folio_isolate_hugetlb } from './migrate_hugetlb.js';
import { MIGRATE_SYNC, MR_COMPACTION } from './migrate_mode.js';
import { migrate_rc_text } from './migrate_why.js';
import { lruvec_del_folio } from './swap_lru.js';

/** mm/internal.h: struct compact_control, the fields the model uses. @fidelity simplified */
export interface compact_control {
  /** alloc_contig_range's scan: large and hugetlb folios are isolated too. */
  readonly alloc_contig: boolean;
  /** Isolated folios waiting for migration (cc->migratepages). */
  readonly migratepages: number[];
  /** Why each folio (head pfn) was skipped or left behind: the report, not kernel state. */
  readonly skipped: Map<number, string>;
}

/** A fresh compact_control. @fidelity custom */
export function compact_control_init(alloc_contig: boolean): compact_control {
  return { alloc_contig, migratepages: [], skipped: new Map() };
}

function isBuddy(k: Kernel, pfn: number): boolean {
  return (k.mem.flags[pfn]! & (1 << PG_buddy)) !== 0;
}

/** The scanner's decision for the folio at `folio` (with a reference held): a skip reason or ''. */
function skip_reason(k: Kernel, cc: compact_control, folio: number): string {
  const mem = k.mem;
  if (!folio_test_lru(mem, folio)) return 'not on the LRU';
  const anon_or_no_mapping = folio_test_anon(mem, folio) || mem.mapping[folio] === 0;
  if (anon_or_no_mapping && folio_ref_count(mem, folio) - 1 > folio_mapcount(mem, folio))
    return 'skipped by isolate_migratepages_block: an anon folio with more references than mappings (pinned?)';
  if (folio_test_large(mem, folio) && !cc.alloc_contig) return 'large folio (compaction leaves it)';
  return '';
}

/**
 * mm/compaction.c: isolate_migratepages_block(cc, low_pfn, end_pfn, mode): put the folios of
 * [low_pfn, end_pfn) that may migrate on cc->migratepages, each taken off the LRU with a
 * reference; record why the others were skipped.
 * @fidelity simplified (see the file comment)
 */
export function isolate_migratepages_block(
  k: Kernel,
  cc: compact_control,
  low_pfn: number,
  end_pfn: number,
): void {
  const mem = k.mem;
  for (let pfn = low_pfn; pfn < end_pfn; pfn++) {
    if (isBuddy(k, pfn)) {
      pfn += (1 << buddy_order(mem, pfn)) - 1;
      continue;
    }
    const folio = page_folio(mem, pfn);
    const last = folio + folio_nr_pages(mem, folio) - 1;
    if (folio_test_hugetlb(mem, folio)) {
      if (!cc.alloc_contig) cc.skipped.set(folio, 'hugetlb folio (compaction leaves it)');
      else if (!folio_isolate_hugetlb(k, folio, cc.migratepages) && mem._refcount[folio]! > 0)
        cc.skipped.set(folio, 'hugetlb folio already isolated');
      pfn = last;
      continue;
    }
    if (!folio_try_get(mem, folio)) continue;
    const why = skip_reason(k, cc, folio);
    if (why !== '') {
      cc.skipped.set(folio, why);
      folio_put(mem, folio);
      pfn = Math.max(pfn, last);
      continue;
    }
    folio_clear_lru(mem, folio);
    lruvec_del_folio(k, folio);
    cc.migratepages.push(folio);
    const item = folio_test_anon(mem, folio) ? NR_ISOLATED_ANON : NR_ISOLATED_FILE;
    mod_node_page_state(mem.vmstat, item, folio_nr_pages(mem, folio));
    pfn = Math.max(pfn, last);
  }
}

/**
 * mm/compaction.c: compaction_alloc(src, data): a free order-0 page from the top of the zone
 * (the free scanner), never in a pageblock being compacted (`sources`) nor an isolated one.
 * @fidelity simplified (order-0 targets only; large sources get none)
 */
export function compaction_alloc(sources: ReadonlySet<number>): NewFolio {
  return (k, src) => {
    const mem = k.mem;
    if (folio_test_large(mem, src)) return -1;
    const zone = page_zone(mem, src);
    for (
      let pfn = zone.zone_start_pfn + zone.spanned_pages - 1;
      pfn >= zone.zone_start_pfn;
      pfn--
    ) {
      const pb = pfn - (pfn % pageblock_nr_pages);
      if (sources.has(pb) || get_pageblock_isolate(mem, pfn)) {
        pfn = pb;
        continue;
      }
      if (mem._refcount[pfn] !== 0) continue;
      if (isolate_freepages_range(mem, pfn, 1) !== 1) continue;
      mem.priv[pfn] = 0; // post_alloc_hook: page->private of a buddy page was its order
      return pfn;
    }
    return -1;
  };
}

/** What one compaction pass did. */
export interface CompactResult {
  /** Folios isolated and migrated. */
  readonly migrated: number;
  /** migrate_pages's return: isolated folios that did not move. */
  readonly failed: number;
  /** Why each folio that stayed (head pfn) stayed. */
  readonly skipped: ReadonlyMap<number, string>;
}

/**
 * mm/compaction.c: compact_zone, one synchronous pass of the migration scanner over the given
 * pageblocks (first pfns): isolate, migrate to free pages elsewhere in the zone, taken from its
 * top (MR_COMPACTION), put back what did not move.
 * @fidelity simplified (see the file comment)
 */
export function* compact_pageblocks(
  k: Kernel,
  pageblocks: readonly number[],
): Sched<CompactResult> {
  const cc = compact_control_init(false);
  const sources = new Set(pageblocks);
  let migrated = 0;
  let failed = 0;
  for (const pb of [...sources].sort((a, b) => a - b)) {
    isolate_migratepages_block(k, cc, pb, Math.min(pb + pageblock_nr_pages, k.mem.nr_pages));
    if (cc.migratepages.length === 0) continue;
    const n = cc.migratepages.length;
    const why = new Map<number, number>();
    const alloc = compaction_alloc(sources);
    const rc = yield* migrate_pages(k, cc.migratepages, alloc, MIGRATE_SYNC, MR_COMPACTION, why);
    for (const [folio, e] of why)
      if (cc.migratepages.includes(folio)) cc.skipped.set(folio, migrate_rc_text(e));
    migrated += n - cc.migratepages.length;
    failed += rc;
    putback_movable_pages(k, cc.migratepages);
  }
  return { migrated, failed, skipped: cc.skipped };
}
