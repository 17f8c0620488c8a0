/** gup.double-release: releasing a pin (or GET reference) the caller does not hold. */
import { reportedByKernel } from './types.js';

export const doubleRelease = reportedByKernel({
  id: 'gup.double-release',
  description:
    'A pin or GUP reference was released that is not held (released twice, or never taken).',
  kernelRef: 'mm/gup.c: gup_put_folio (each pin is released exactly once)',
  alwaysOn: true,
  invariant: 7,
});
