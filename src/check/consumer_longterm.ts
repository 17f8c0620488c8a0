/**
 * consumer.longterm-movable: a long-lived consumer of pins (a vfio DMA mapping or emulated-device
 * pin, an RDMA umem, an io_uring fixed buffer) holds no page in ZONE_MOVABLE or CMA. These
 * holders keep their pins for as long as user space wants, so they are long-term whatever flags
 * they pass to GUP (Documentation/core-api/pin_user_pages.rst, CASE 2); a page they hold in
 * movable memory can never be migrated, so memory hot-unplug (offline_pages) and cma_alloc fail
 * on it. The kernel enforces this by pinning with FOLL_LONGTERM (mm/gup.c:
 * check_and_migrate_movable_pages); quirk vfio-no-longterm shows a consumer that did not.
 */
import { folio_is_longterm_pinnable, page_folio, page_zonenum, ZONE_MOVABLE } from '../mm/index.js';
import { longterm_hold_observe } from '../kernel/mm/longterm_hold.js';
import type { Checker } from './types.js';
import { once, report } from './util.js';

export const consumerLongtermMovable: Checker = {
  id: 'consumer.longterm-movable',
  description:
    'A long-lived consumer of pins (vfio, RDMA umem, io_uring fixed buffer) holds no page in ZONE_MOVABLE or CMA.',
  kernelRef:
    'Documentation/core-api/pin_user_pages.rst (CASE 2); mm/gup.c: check_and_migrate_movable_pages; include/linux/mm.h: folio_is_longterm_pinnable',
  alwaysOn: true,
  install(k) {
    once(k, consumerLongtermMovable, () =>
      longterm_hold_observe(k, (kk, hold) => {
        for (const p of hold.pages) {
          if (p < 0 || folio_is_longterm_pinnable(kk.mem, page_folio(kk.mem, p))) continue;
          const where = page_zonenum(kk.mem, p) === ZONE_MOVABLE ? 'ZONE_MOVABLE' : 'CMA';
          report(
            kk,
            consumerLongtermMovable,
            `${hold.consumer} (${hold.fn}) holds page ${p} in ${where}: it can never be migrated, so offline_pages/cma_alloc of its range fail`,
            hold.where ?? undefined,
            `${hold.fn}:${p}`,
          );
        }
      }),
    );
  },
};
