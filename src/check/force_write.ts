/**
 * gup.force-write (invariant 17): a FOLL_FORCE|FOLL_WRITE access to a mapping without VM_WRITE
 * only ever gets an exclusive anon page of a private mapping with VM_MAYWRITE (COW broken for
 * this process): never a page-cache page, never in a shared mapping.
 */
import { PageAnonExclusive, folio_test_anon, folio_test_ksm, page_folio } from '../mm/index.js';
import { FOLL_FORCE, FOLL_WRITE } from '../kernel/include/gup_flags.js';
import { VM_MAYSHARE, VM_MAYWRITE, VM_SHARED, VM_WRITE } from '../kernel/include/vm_flags.js';
import type { Checker } from './types.js';
import { eachReturned, observe, report } from './util.js';

const FORCE_WRITE = FOLL_FORCE | FOLL_WRITE;

export const forceWrite: Checker = {
  id: 'gup.force-write',
  description:
    'A FOLL_FORCE write to a read-only mapping only gets an exclusive anon page of a private mapping.',
  kernelRef: 'mm/gup.c: check_vma_flags, can_follow_write_common (the post-Dirty-COW rule)',
  alwaysOn: true,
  invariant: 17,
  install(k) {
    observe(k, forceWrite, {
      callReturned(kk, info) {
        if (info.flags === null || (info.flags & FORCE_WRITE) !== FORCE_WRITE || info.ret <= 0)
          return;
        const mem = kk.mem;
        eachReturned(kk, info, (page, vma, addr) => {
          if ((vma.vm_flags & VM_WRITE) !== 0) return;
          const f = page_folio(mem, page);
          const shared =
            (vma.vm_flags & (VM_SHARED | VM_MAYSHARE)) !== 0 || (vma.vm_flags & VM_MAYWRITE) === 0;
          const anonEx =
            folio_test_anon(mem, f) && !folio_test_ksm(mem, f) && PageAnonExclusive(mem, page);
          if (shared || !anonEx) {
            report(
              kk,
              forceWrite,
              `${info.api}: FOLL_FORCE write at 0x${addr.toString(16)} got ${anonEx ? '' : 'non-exclusive or page-cache '}page ${page}${shared ? ' in a shared or non-writable mapping' : ''}`,
            );
          }
        });
      },
    });
  },
};
