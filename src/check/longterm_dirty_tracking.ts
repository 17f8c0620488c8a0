/**
 * gup.longterm-dirty-tracking (invariant 20): a FOLL_LONGTERM|FOLL_WRITE pin of a file mapping
 * succeeds only if the mapping needs no dirty tracking (private, shmem, hugetlbfs, no writeback).
 */
import { vma_is_anonymous } from '../mm/index.js';
import { FOLL_LONGTERM, FOLL_WRITE } from '../kernel/include/gup_flags.js';
import { vma_needs_dirty_tracking } from '../kernel/mm/gup_vma.js';
import type { Checker } from './types.js';
import { eachReturned, observe, report } from './util.js';

const LONGTERM_WRITE = FOLL_LONGTERM | FOLL_WRITE;

export const longtermDirtyTracking: Checker = {
  id: 'gup.longterm-dirty-tracking',
  description: 'A long-term write pin never lands in a file mapping that needs dirty tracking.',
  kernelRef: 'mm/gup.c: writable_file_mapping_allowed; mm/mmap.c: vma_needs_dirty_tracking',
  alwaysOn: true,
  invariant: 20,
  install(k) {
    observe(k, longtermDirtyTracking, {
      callReturned(kk, info) {
        if (
          info.flags === null ||
          (info.flags & LONGTERM_WRITE) !== LONGTERM_WRITE ||
          info.ret <= 0
        )
          return;
        eachReturned(kk, info, (page, vma, addr) => {
          if (!vma_is_anonymous(vma) && vma_needs_dirty_tracking(vma)) {
            report(
              kk,
              longtermDirtyTracking,
              `${info.api} long-term write-pinned page ${page} at 0x${addr.toString(16)} of a dirty-tracked file mapping`,
            );
          }
        });
      },
    });
  },
};
