/**
 * Allocating pages: mm/page_alloc.c (v6.18): __alloc_frozen_pages / get_page_from_freelist /
 * rmqueue / __rmqueue, prep_new_page and prep_compound_page. Allocation failure returns -1.
 *
 * Placement rules, in the kernel's words:
 *  - highest zone: gfp_zone(gfp); only __GFP_MOVABLE|__GFP_HIGHMEM (GFP_HIGHUSER_MOVABLE) may
 *    use ZONE_MOVABLE;
 *  - zonelist order (one node): ZONE_MOVABLE, ZONE_NORMAL, ZONE_DMA32, ZONE_DMA, starting at the
 *    highest allowed zone, skipping unpopulated zones;
 *  - CMA: only MIGRATE_MOVABLE allocations get ALLOC_CMA (gfp_to_alloc_flags_cma). __rmqueue
 *    takes from CMA first when more than half of the zone's free pages are CMA, otherwise
 *    from the regular lists and from CMA only as a fallback;
 *  - PF_MEMALLOC_PIN (memalloc_pin_save, the FOLL_LONGTERM migration target) clears
 *    __GFP_MOVABLE in current_gfp_context, which excludes both ZONE_MOVABLE and CMA.
 * Watermarks, lowmem_reserve, reclaim and compaction are not modelled: a zone serves any
 * request its free lists can satisfy, and an empty zonelist means failure.
 */
import { __rmqueue_smallest } from './buddy.js';
import {
  current_gfp_context,
  gfp_migratetype,
  gfp_zone,
  GFP_TRANSHUGE,
  __GFP_COMP,
  __GFP_MOVABLE,
  __GFP_ZERO,
} from './gfp.js';
import { HPAGE_PMD_ORDER, MAX_PAGE_ORDER } from './layout.js';
import { folio_init_large_fields } from './mapcount.js';
import { PG_head, folio_set_large_rmappable } from './page_flags.js';
import type { PhysMem } from './physmem.js';
import { NR_FREE_CMA_PAGES, NR_FREE_PAGES } from './vmstat.js';
import {
  MIGRATE_CMA,
  MIGRATE_MOVABLE,
  ZONE_MOVABLE,
  ZONE_NORMAL,
  populated_zone,
  type Zone,
} from './zone.js';

/** mm/internal.h: ALLOC_* flags (subset). @fidelity exact */
export const ALLOC_WMARK_LOW = 0x01;
export const ALLOC_CMA = 0x80;

/** Placement requests a scenario may make; honoured only where the kernel rules allow them. @fidelity custom */
export const PLACE_DEFAULT = 0;
export const PLACE_ZONE_NORMAL = 1;
export const PLACE_ZONE_MOVABLE = 2;
export const PLACE_CMA = 3;

/** mm/page_alloc.c: gfp_to_alloc_flags_cma(gfp_mask, alloc_flags) (after current_gfp_context). @fidelity exact */
export function gfp_to_alloc_flags_cma(gfp: number, alloc_flags: number): number {
  return gfp_migratetype(gfp) === MIGRATE_MOVABLE ? alloc_flags | ALLOC_CMA : alloc_flags;
}

/** Whether a placement request is allowed for this gfp and task flags. @fidelity custom */
export function placement_allowed(
  m: PhysMem,
  gfp: number,
  pflags: number,
  placement: number,
): boolean {
  const g = current_gfp_context(gfp, pflags);
  if (placement === PLACE_ZONE_NORMAL) return gfp_zone(g) >= ZONE_NORMAL;
  if (placement === PLACE_ZONE_MOVABLE)
    return gfp_zone(g) >= ZONE_MOVABLE && populated_zone(m.zones[ZONE_MOVABLE]);
  if (placement === PLACE_CMA)
    return (gfp_to_alloc_flags_cma(g, 0) & ALLOC_CMA) !== 0 && m.cma_end_pfn > m.cma_start_pfn;
  return placement === PLACE_DEFAULT;
}

/** mm/page_alloc.c: __rmqueue(zone, order, migratetype, alloc_flags) (no claim/steal fallbacks). @fidelity simplified */
export function __rmqueue(
  m: PhysMem,
  zone: Zone,
  order: number,
  mt: number,
  alloc_flags: number,
): number {
  const cma = (alloc_flags & ALLOC_CMA) !== 0;
  if (cma && zone.vm_stat[NR_FREE_CMA_PAGES] > zone.vm_stat[NR_FREE_PAGES] / 2) {
    const pfn = __rmqueue_smallest(m, zone, order, MIGRATE_CMA);
    if (pfn >= 0) return pfn;
  }
  const pfn = __rmqueue_smallest(m, zone, order, mt);
  if (pfn >= 0 || !cma) return pfn;
  return __rmqueue_smallest(m, zone, order, MIGRATE_CMA);
}

/** mm/page_alloc.c: get_page_from_freelist() over the single node's zonelist. @fidelity simplified */
function get_page_from_freelist(
  m: PhysMem,
  order: number,
  mt: number,
  alloc_flags: number,
  highest: number,
  placement: number,
): number {
  if (placement === PLACE_CMA) {
    const pfn = __rmqueue_smallest(m, m.zones[ZONE_NORMAL], order, MIGRATE_CMA);
    if (pfn >= 0) return pfn;
  }
  const preferred =
    placement === PLACE_ZONE_MOVABLE
      ? ZONE_MOVABLE
      : placement === PLACE_ZONE_NORMAL
        ? ZONE_NORMAL
        : -1;
  if (preferred >= 0) {
    const pfn = __rmqueue(m, m.zones[preferred], order, mt, alloc_flags);
    if (pfn >= 0) return pfn;
  }
  for (let z = highest; z >= 0; z--) {
    const zone = m.zones[z];
    if (z === preferred || !populated_zone(zone)) continue;
    const pfn = __rmqueue(m, zone, order, mt, alloc_flags);
    if (pfn >= 0) return pfn;
  }
  return -1;
}

/** mm/page_alloc.c: prep_compound_page(page, order) with prep_compound_head/tail. @fidelity simplified */
export function prep_compound_page(m: PhysMem, pfn: number, order: number): void {
  const nr = 1 << order;
  m.compound_order.fill(order, pfn, pfn + nr);
  m.flags[pfn] = m.flags[pfn] | (1 << PG_head);
  folio_init_large_fields(m, pfn);
}

/** mm/page_alloc.c: prep_new_page(page, order, gfp_flags, alloc_flags) and post_alloc_hook. @fidelity simplified */
export function prep_new_page(m: PhysMem, pfn: number, order: number, gfp: number): void {
  const nr = 1 << order;
  m.priv[pfn] = 0;
  m._refcount[pfn] = 1;
  if ((gfp & __GFP_ZERO) !== 0) {
    if (nr === 1) m.content[pfn] = 0;
    else m.content.fill(0, pfn, pfn + nr);
  }
  if (order > 0 && (gfp & __GFP_COMP) !== 0) prep_compound_page(m, pfn, order);
}

/**
 * mm/page_alloc.c: __alloc_frozen_pages / __alloc_pages(gfp, order, preferred_nid, nodemask),
 * with `pflags` standing for current->flags. Returns the first pfn, or -1.
 * @fidelity simplified
 */
export function __alloc_pages(
  m: PhysMem,
  gfp: number,
  order: number,
  pflags = 0,
  placement = PLACE_DEFAULT,
): number {
  if (order > MAX_PAGE_ORDER) return -1;
  const g = current_gfp_context(gfp, pflags);
  const mt = gfp_migratetype(g);
  const alloc_flags = gfp_to_alloc_flags_cma(g, ALLOC_WMARK_LOW);
  const honoured =
    placement === PLACE_DEFAULT || !placement_allowed(m, gfp, pflags, placement)
      ? PLACE_DEFAULT
      : placement;
  const pfn = get_page_from_freelist(m, order, mt, alloc_flags, gfp_zone(g), honoured);
  if (pfn >= 0) prep_new_page(m, pfn, order, g);
  return pfn;
}

/** include/linux/gfp.h: alloc_pages(gfp, order). @fidelity simplified */
export function alloc_pages(m: PhysMem, gfp: number, order: number, pflags = 0): number {
  return __alloc_pages(m, gfp, order, pflags);
}

/** include/linux/gfp.h: alloc_page(gfp). @fidelity simplified */
export function alloc_page(m: PhysMem, gfp: number, pflags = 0): number {
  return __alloc_pages(m, gfp, 0, pflags);
}

/** mm/page_alloc.c: folio_alloc(gfp, order) + page_rmappable_folio(). @fidelity simplified */
export function folio_alloc(
  m: PhysMem,
  gfp: number,
  order: number,
  pflags = 0,
  placement = PLACE_DEFAULT,
): number {
  const pfn = __alloc_pages(m, gfp | __GFP_COMP, order, pflags, placement);
  if (pfn >= 0 && order > 0) folio_set_large_rmappable(m, pfn);
  return pfn;
}

/** mm/huge_memory.c: the huge zero folio, allocated on first use (get_huge_zero_folio). @fidelity simplified */
export function get_huge_zero_folio(m: PhysMem): number {
  if (m.huge_zero_pfn >= 0) return m.huge_zero_pfn;
  const pfn = folio_alloc(m, (GFP_TRANSHUGE | __GFP_ZERO) & ~__GFP_MOVABLE, HPAGE_PMD_ORDER);
  if (pfn >= 0) m.huge_zero_pfn = pfn;
  return pfn;
}
