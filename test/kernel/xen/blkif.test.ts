/**
 * The 2012 same-domain deadlock (b9e0d95c041c "xen: mark local pages as FOREIGN in the
 * m2p_override"): blkfront reads into a locked page F and grants its frame to dom0's own QEMU,
 * which maps the grant (gnttab_map_refs) and does an O_DIRECT read into the mapping
 * (do_blockdev_direct_IO: GUP through mfn_to_pfn, then bio_set_pages_dirty -> lock_page).
 */
import { describe, expect, it } from 'vitest';
import {
  blkif_interrupt,
  blkif_queue_request,
  make_response,
} from '../../../src/kernel/drivers/xen/blkif.js';
import {
  gntdev_map_grant_pages,
  gntdev_unmap_grant_pages,
} from '../../../src/kernel/drivers/xen/gntdev.js';
import { xen_pv_dio_read } from '../../../src/kernel/drivers/xen/xen_pv_dio.js';
import { Completion, complete, wait_for_completion } from '../../../src/sim/locking/waitqueue.js';
import { boot, PAGE, type Dom0 } from './harness.js';

interface Outcome {
  status: string;
  ids: string[];
  read: number;
  dio: number;
}

/** blkfront and QEMU as two kernel threads, in the default schedule. */
function sameDomainRead(d: Dom0): Outcome {
  const queued = new Completion(d.m, 'queued');
  let gref = -1;
  const out = { read: -1, dio: 0 };
  d.k.kthread_run('blkfront', function* () {
    gref = yield* blkif_queue_request(d.k, 0); // locks F, grants its frame to dom0
    yield* complete(queued);
    out.read = yield* blkif_interrupt(d.k, gref); // waits for the response, unlocks F
  });
  d.k.kthread_run('qemu', function* () {
    yield* wait_for_completion(queued);
    const r = yield* gntdev_map_grant_pages(d.k, 0, [gref]);
    out.dio = yield* xen_pv_dio_read(d.k, r.map!, 0x5a);
    yield* gntdev_unmap_grant_pages(d.k, r.map!);
    yield* make_response(d.k, gref);
  });
  const res = d.m.run();
  return { status: res.status, ids: res.violations.map((v) => v.id), ...out };
}

describe('same-domain blkfront + QEMU backend (x86 PV, m2p_override era)', () => {
  it('completes: GUP on the grant mapping returns the backend page, whose lock is free (m2p_add_override)', () => {
    const o = sameDomainRead(boot());
    expect(o).toEqual({ status: 'done', ids: [], read: 0x5a, dio: PAGE });
  });

  it('deadlocks under quirk m2p-override-no-foreign: GUP returns the frontend page, locked by the read', () => {
    const o = sameDomainRead(boot(['m2p-override-no-foreign']));
    expect(o.status).toBe('deadlock');
    expect(o.ids).toEqual(['sched.deadlock']);
    expect(o.read).toBe(-1); // the read never completes
  });
});
