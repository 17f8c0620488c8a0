/**
 * gup.longterm-all-or-nothing (invariant 22): the long-term migration step keeps every pin
 * (result 0) or releases every pin (-EAGAIN to re-pin, or an error): never a mixture.
 */
import type { Checker } from './types.js';
import { observe, report } from './util.js';

export const longtermAllOrNothing: Checker = {
  id: 'gup.longterm-all-or-nothing',
  description: 'check_and_migrate_movable_pages keeps all pins or releases all of them.',
  kernelRef: 'mm/gup.c: migrate_longterm_unpinnable_folios',
  alwaysOn: true,
  invariant: 22,
  install(k) {
    observe(k, longtermAllOrNothing, {
      migrateDone(kk, info) {
        const want = info.ret === 0 ? info.entries : 0;
        if (info.stillPinned !== want) {
          report(
            kk,
            longtermAllOrNothing,
            `result ${info.ret} but ${info.stillPinned} of ${info.entries} pins are still held`,
          );
        }
      },
    });
  },
};
