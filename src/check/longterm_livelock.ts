/** gup.longterm-livelock: the pin-migrate-re-pin loop of FOLL_LONGTERM did not converge (the model bounds it). */
import { reportedByKernel } from './types.js';

export const longtermLivelock = reportedByKernel({
  id: 'gup.longterm-livelock',
  description:
    'FOLL_LONGTERM kept migrating and re-pinning without success (isolation keeps failing).',
  kernelRef:
    'mm/gup.c: __gup_longterm_locked (loops while check_and_migrate_movable_pages returns -EAGAIN)',
  alwaysOn: true,
});
