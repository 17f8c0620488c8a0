/**
 * What the iov_iter and block direct I/O code reports itself: the direction WARN of the copy
 * helpers (src/kernel/lib/iov_iter_copy.ts) and a direct I/O read whose DMA target the issuing
 * process no longer maps (src/kernel/block/dio_target.ts). One registry entry per report id.
 */
import { DIO_PAGE_LOST } from '../kernel/block/dio_target.js';
import { COPY_DIRECTION_WARN } from '../kernel/lib/iov_iter_copy.js';
import { reportedByKernel, type Checker } from './types.js';

export const iovIterCheckers: readonly Checker[] = [
  reportedByKernel({
    id: COPY_DIRECTION_WARN,
    description:
      'A copy into an ITER_SOURCE iterator or out of an ITER_DEST one: the caller built its iterator with the wrong direction (the kernel WARNs and copies nothing).',
    kernelRef: 'lib/iov_iter.c: _copy_to_iter, _copy_from_iter (a41dad905e5a, v6.2)',
    alwaysOn: true,
  }),
  reportedByKernel({
    id: DIO_PAGE_LOST,
    description:
      'A direct I/O read DMAs into a page that the issuing process no longer maps at the buffer address (the page was COWed away under a FOLL_GET reference): the data is lost to the process.',
    kernelRef:
      'block/bio.c: bio_iov_iter_get_pages (user pages are pinned, so fork and COW keep them with the process)',
    alwaysOn: true,
  }),
];
