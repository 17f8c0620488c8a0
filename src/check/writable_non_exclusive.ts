/**
 * gup.writable-non-exclusive (invariant 15): a non-exclusive anon page is never mapped writable
 * (checked over every mm at the end of the run), and an unshare fault never makes an entry
 * writable.
 */
import {
  PageAnonExclusive,
  folio_test_anon,
  folio_test_ksm,
  page_folio,
  pte_pfn,
  pte_write,
} from '../mm/index.js';
import type { Kernel } from '../kernel/kernel.js';
import type { Checker } from './types.js';
import { liveMms, walkMapped } from './pt_scan.js';
import { atEnd, observe, report } from './util.js';

function scan(k: Kernel): void {
  const mem = k.mem;
  for (const mm of liveMms(k)) {
    walkMapped(k, mm, (vpn, entry, pages) => {
      if (!pte_write(entry)) return;
      const pfn = pte_pfn(entry);
      if (pfn >= mem.nr_pages) return;
      const folio = page_folio(mem, pfn);
      if (!folio_test_anon(mem, folio) || folio_test_ksm(mem, folio)) return;
      const exclusive = pages > 1 ? PageAnonExclusive(mem, folio) : PageAnonExclusive(mem, pfn);
      if (!exclusive) {
        report(
          k,
          writableNonExclusive,
          `mm${mm.mm_id} maps non-exclusive anon page ${pfn} writable at 0x${(vpn * 4096).toString(16)}`,
          undefined,
          `${mm.mm_id}:${vpn}`,
        );
      }
    });
  }
}

export const writableNonExclusive: Checker = {
  id: 'gup.writable-non-exclusive',
  description:
    'A non-exclusive anonymous page is never mapped writable; an unshare fault never maps writable.',
  kernelRef:
    'mm/memory.c: do_wp_page, wp_page_copy (PageAnonExclusive before write access; unshare keeps R/O)',
  alwaysOn: true,
  invariant: 15,
  install(k) {
    atEnd(k, writableNonExclusive, () => scan(k));
    observe(
      k,
      { id: 'gup.writable-non-exclusive@unshare' },
      {
        unshareDone(kk, info) {
          if (!info.writableBefore && info.writableAfter) {
            report(
              kk,
              writableNonExclusive,
              `an unshare fault at 0x${info.addr.toString(16)} in mm${info.mm.mm_id} made the entry writable`,
            );
          }
        },
      },
    );
  },
};
