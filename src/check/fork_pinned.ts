/**
 * gup.fork-pinned-shared (invariant 16): a pinned exclusive anon page stays with the mm that
 * pinned it: fork gives the child a copy instead of sharing it, so no other mm maps that page.
 * Checked over every mm at the end of the run.
 */
import {
  PageAnonExclusive,
  folio_test_anon,
  folio_test_ksm,
  page_folio,
  pte_pfn,
} from '../mm/index.js';
import type { Kernel } from '../kernel/kernel.js';
import { gupState } from '../kernel/mm/gup_state.js';
import type { Checker } from './types.js';
import { liveMms, walkMapped } from './pt_scan.js';
import { atEnd, report } from './util.js';

function pinnedExclusive(k: Kernel, page: number): boolean {
  const mem = k.mem;
  if (gupState(k).pinned[page] === 0 || page === mem.zero_pfn) return false;
  const folio = page_folio(mem, page);
  return folio_test_anon(mem, folio) && !folio_test_ksm(mem, folio) && PageAnonExclusive(mem, page);
}

function scan(k: Kernel): void {
  if (gupState(k).outstanding === 0) return;
  const mappers = new Map<number, Set<number>>();
  for (const mm of liveMms(k)) {
    walkMapped(k, mm, (_vpn, entry, pages) => {
      const first = pte_pfn(entry);
      for (let p = first; p < first + pages && p < k.mem.nr_pages; p++) {
        if (!pinnedExclusive(k, p)) continue;
        const set = mappers.get(p) ?? new Set<number>();
        set.add(mm.mm_id);
        mappers.set(p, set);
      }
    });
  }
  for (const [page, mms] of mappers) {
    if (mms.size > 1)
      report(
        k,
        forkPinnedShared,
        `pinned exclusive anon page ${page} is mapped by mm ${[...mms].join(' and mm ')}`,
        undefined,
        String(page),
      );
  }
}

export const forkPinnedShared: Checker = {
  id: 'gup.fork-pinned-shared',
  description:
    'A pinned exclusive anonymous page is mapped by one mm only (fork copies it for the child).',
  kernelRef: 'include/linux/rmap.h: __folio_try_dup_anon_rmap; mm/memory.c: copy_present_page',
  alwaysOn: true,
  invariant: 16,
  install(k) {
    atEnd(k, forkPinnedShared, () => scan(k));
  },
};
