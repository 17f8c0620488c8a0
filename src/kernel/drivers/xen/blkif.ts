/**
 * The block path of the 2012 same-domain deadlock, reduced to the pieces that matter: a dom0
 * page-cache read served by xen-blkfront whose backend (QEMU's qdisk, through gntdev) also runs
 * in dom0 (drivers/block/xen-blkfront.c: blkif_queue_request, blkif_interrupt; the backend's
 * make_response).
 *
 * The reader locks the page-cache page F (do_read_cache_page -> filemap_read_folio: PG_locked is
 * held until the read completes), blkfront grants F's machine frame to the backend domain and
 * queues the request; the completion (blkif_interrupt -> blkif_completion ->
 * gnttab_end_foreign_access, then the bio's end_io -> folio_end_read) marks F uptodate and
 * unlocks it. The backend answers with make_response.
 * @fidelity simplified: one page per request, one ring shared by dom0 with itself, the page is a
 * fresh kernel page standing for the page-cache page; the reader thread holds PG_locked and waits
 * for the response itself (in the kernel the lock belongs to the I/O and the reader sleeps in
 * folio_wait_locked: the same wait-for cycle)
 */
import {
  GFP_KERNEL,
  alloc_page,
  folio_mark_uptodate,
  folio_put,
  page_content,
} from '../../../mm/index.js';
import { Access } from '../../../sim/footprint.js';
import { Completion, complete, wait_for_completion } from '../../../sim/locking/waitqueue.js';
import type { Sched } from '../../../sim/thread.js';
import type { Kernel } from '../../kernel.js';
import { EINVAL, ENOMEM } from '../../include/errno.js';
import { folioObj } from '../../objects.js';
import { folio_lock, folio_unlock } from '../../mm/filemap.js';
import { pfn_to_mfn } from '../../arch/x86/xen/page.js';
import { DOMID_0, grantObj, xenState } from '../../arch/x86/xen/xen_state.js';
import { gnttab_end_foreign_access, gnttab_grant_foreign_access } from './grant-table.js';

/**
 * drivers/block/xen-blkfront.c: blkif_queue_request, with the page-cache read around it: lock a
 * fresh page F, grant its frame (writable: the
 * backend writes the data) to `backend`, queue the request. The grant reference, or -ENOMEM /
 * -ENOSPC.
 * @fidelity simplified: see the file comment
 */
export function* blkif_queue_request(k: Kernel, backend: number): Sched<number> {
  const m = k.m;
  const page = alloc_page(k.mem, GFP_KERNEL);
  if (page < 0) return -ENOMEM;
  m.enter('mm/filemap.c: do_read_cache_page');
  yield* folio_lock(k, page);
  m.leave();
  const s = xenState(k);
  const next = s.grants.get(DOMID_0)?.length ?? 0;
  yield m.at('blkif_queue_request', grantObj(DOMID_0, next), Access.Write);
  const gref = gnttab_grant_foreign_access(k, backend, pfn_to_mfn(k, page), false);
  if (gref < 0) return gref;
  s.requests.set(gref, {
    gref,
    page,
    domid: DOMID_0,
    done: new Completion(m, `blkif response ${gref}`),
  });
  m.emit(
    'xen.blk',
    {
      what: 'read queued',
      page,
      why: `page ${page} stays locked until the read completes; its frame ${pfn_to_mfn(k, page)} is granted to domain ${backend} (ref ${gref})`,
    },
    'drivers/block/xen-blkfront.c: blkif_queue_request',
  );
  return gref;
}

/**
 * drivers/block/xen-blkfront.c: blkif_interrupt, from the reader's side: wait for the backend's response (notify_remote_via_irq ->
 * blkif_interrupt), end the grant, mark the page uptodate and unlock it (folio_end_read). The
 * page's contents, or -EINVAL for an unknown request.
 * @fidelity simplified: see the file comment
 */
export function* blkif_interrupt(k: Kernel, gref: number): Sched<number> {
  const m = k.m;
  const req = xenState(k).requests.get(gref);
  if (req === undefined) return -EINVAL;
  m.enter('mm/filemap.c: folio_wait_locked (the read in flight)');
  yield* wait_for_completion(req.done);
  m.leave();
  yield m
    .at('blkif_completion', grantObj(DOMID_0, gref), Access.Write)
    .also(folioObj(req.page), Access.Write);
  gnttab_end_foreign_access(k, gref);
  const value = page_content(k.mem, req.page);
  folio_mark_uptodate(k.mem, req.page);
  yield* folio_unlock(k, req.page);
  folio_put(k.mem, req.page);
  xenState(k).requests.delete(gref);
  return value;
}

/** drivers/block/xen-blkback/blkback.c: make_response + notify: completes request `gref`. 0 or -EINVAL. @fidelity simplified */
export function* make_response(k: Kernel, gref: number): Sched<number> {
  const req = xenState(k).requests.get(gref);
  if (req === undefined) return -EINVAL;
  yield* complete(req.done);
  return 0;
}
