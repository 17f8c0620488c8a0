/** gup.release-mismatch: a pin released with put_page, or a GET reference with unpin_*. */
import { reportedByKernel } from './types.js';

export const releaseMismatch = reportedByKernel({
  id: 'gup.release-mismatch',
  description:
    'A FOLL_PIN pin was released with put_page, or a FOLL_GET reference with unpin_user_page*.',
  kernelRef:
    'Documentation/core-api/pin_user_pages.rst (pins go back with unpin_user_page*, GET references with put_page)',
  alwaysOn: true,
  invariant: 7,
});
