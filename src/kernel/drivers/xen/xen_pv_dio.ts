/**
 * An O_DIRECT read into a gntdev grant mapping on x86 PV, as in 2012 (fs/direct-io.c:
 * do_blockdev_direct_IO, READ): GUP takes a reference on the page behind each user PTE, the pages
 * are dirtied before the bio is submitted (fs/bio.c: bio_set_pages_dirty -> set_page_dirty_lock,
 * which takes the page lock), the device writes the data to the machine frame, and completion
 * drops the references.
 *
 * A PV user PTE holds a machine frame: pte_page() goes through mfn_to_pfn, so *which* struct page
 * GUP returns is decided there (arch/x86/include/asm/xen/page.h). With the 2012 fix the backend's
 * own page B comes back; without it (quirk m2p-override-no-foreign), when the frame is one of
 * dom0's own pages, the frontend's page F comes back, and F is locked by the read that waits for
 * this very I/O: set_page_dirty_lock(F) never returns.
 * @fidelity simplified: this is not mm/gup.c but a stand-in for get_user_pages_fast on the
 * gntdev mapping (one FOLL_GET reference per page, the 2012 DIO's kind, outside the GUP ledger);
 * one bio, no block device, no iov_iter; the device writes one byte value per page
 */
import { folio_get, folio_put, page_folio, set_page_content } from '../../../mm/index.js';
import { PAGE_SIZE } from '../../../mm/layout.js';
import { Access } from '../../../sim/footprint.js';
import type { Sched } from '../../../sim/thread.js';
import type { Kernel } from '../../kernel.js';
import { EFAULT, EINVAL } from '../../include/errno.js';
import { folioObj } from '../../objects.js';
import { set_page_dirty_lock } from '../../mm/page-writeback.js';
import { machine_to_phys_read } from '../../arch/x86/xen/p2m.js';
import { mfn_to_pfn, pfn_to_mfn } from '../../arch/x86/xen/page.js';
import { DOMID_0, m2pObj, overrideObj, p2mObj } from '../../arch/x86/xen/xen_state.js';
import { GNTST_okay } from './grant-table.js';
import type { gntdev_grant_map } from './gntdev.js';

/** get_user_pages_fast on one PV user PTE holding `mfn`: the page, with a reference; -1 if none. */
function* pv_gup_one(k: Kernel, mfn: number): Sched<number> {
  const local = machine_to_phys_read(k, mfn);
  const point = k.m
    .at('get_user_pages_fast', m2pObj(mfn), Access.Read)
    .also(overrideObj(mfn), Access.Read);
  if (local !== null && local >= 0) point.also(p2mObj(DOMID_0, local), Access.Read);
  yield point;
  const pfn = mfn_to_pfn(k, mfn); // pte_page(): pte_pfn() goes through the m2p
  if (pfn < 0) return -1;
  const folio = page_folio(k.mem, pfn);
  yield k.m.at('get_user_pages_fast', folioObj(folio), Access.Write);
  folio_get(k.mem, folio);
  return pfn;
}

/**
 * fs/direct-io.c: do_blockdev_direct_IO (2012, READ) of a gntdev mapping's pages, the device returning `value` in every page:
 * the bytes read, -EFAULT when a PTE's frame has no struct page, -EINVAL for an unmapped map.
 * @fidelity simplified: see the file comment
 */
export function* xen_pv_dio_read(k: Kernel, map: gntdev_grant_map, value: number): Sched<number> {
  if (map.unmapped) return -EINVAL;
  const m = k.m;
  m.enter('fs/direct-io.c: do_blockdev_direct_IO');
  const pages: number[] = [];
  let ret = 0;
  for (const op of map.map_ops) {
    if (op.status !== GNTST_okay) continue;
    const pfn = yield* pv_gup_one(k, op.mfn);
    if (pfn < 0) {
      ret = -EFAULT;
      break;
    }
    pages.push(pfn);
  }
  if (ret === 0) {
    m.enter('fs/bio.c: bio_set_pages_dirty');
    for (const pfn of pages) {
      m.emit(
        'xen.blk',
        {
          what: 'set_page_dirty_lock',
          page: pfn,
          why: `the DIO read dirties page ${pfn} before submission: lock_page`,
        },
        'fs/bio.c: bio_set_pages_dirty',
      );
      m.enter('mm/page-writeback.c: set_page_dirty_lock');
      yield* set_page_dirty_lock(k, page_folio(k.mem, pfn));
      m.leave();
    }
    m.leave();
    for (const pfn of pages) {
      const frame = pfn_to_mfn(k, pfn);
      yield m.at('dio_bio_end_io (device DMA)', folioObj(frame), Access.Write);
      set_page_content(k.mem, frame, value); // the device writes the machine frame
    }
    ret = pages.length * PAGE_SIZE;
  }
  for (const pfn of pages) {
    const folio = page_folio(k.mem, pfn);
    yield m.at('dio_bio_complete', folioObj(folio), Access.Write);
    folio_put(k.mem, folio);
  }
  m.leave();
  return ret;
}
