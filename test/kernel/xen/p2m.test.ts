/**
 * arch/x86/xen/p2m.c and arch/x86/include/asm/xen/page.h of the m2p_override era (3.5-3.19), with
 * drivers/xen/grant-table.c: gnttab_map_refs / gnttab_unmap_refs. Each test builds dom0 (and a
 * guest when it needs one), maps grants from a kernel thread and reads the tables.
 */
import { describe, expect, it } from 'vitest';
import { EINVAL } from '../../../src/kernel/include/errno.js';
import {
  FOREIGN_FRAME,
  get_phys_to_machine,
  IDENTITY_FRAME,
  INVALID_P2M_ENTRY,
  m2p_find_override,
  m2p_remove_override,
  set_phys_to_machine,
} from '../../../src/kernel/arch/x86/xen/p2m.js';
import { mfn_to_local_pfn, mfn_to_pfn, pfn_to_mfn } from '../../../src/kernel/arch/x86/xen/page.js';
import { xenState } from '../../../src/kernel/arch/x86/xen/xen_state.js';
import {
  alloc_xenballooned_pages,
  xen_domain_create,
} from '../../../src/kernel/drivers/xen/balloon.js';
import {
  gntdev_map_grant_pages,
  gntdev_unmap_grant_pages,
  type gntdev_grant_map,
} from '../../../src/kernel/drivers/xen/gntdev.js';
import {
  GNTST_permission_denied,
  gnttab_grant_foreign_access,
} from '../../../src/kernel/drivers/xen/grant-table.js';
import { GFP_KERNEL, alloc_page } from '../../../src/mm/index.js';
import type { Sched } from '../../../src/sim/thread.js';
import { boot, type Dom0 } from './harness.js';

/** Run `body` in a kernel thread of dom0 to the end (a machine runs once). */
function kthread(d: Dom0, body: () => Sched<void>): void {
  d.k.kthread_run('xen', body);
  const r = d.m.run();
  expect(r.violations.map((v) => `${v.id}: ${v.message}`)).toEqual([]);
  expect(r.status).toBe('done');
}

function* mapOne(d: Dom0, dom: number, ref: number): Sched<gntdev_grant_map> {
  const r = yield* gntdev_map_grant_pages(d.k, dom, [ref]);
  if (r.ret !== 0 || r.map === null) throw new Error(`gntdev_map_grant_pages: ${r.ret}`);
  return r.map;
}

function* unmap(d: Dom0, map: gntdev_grant_map): Sched<void> {
  const ret = yield* gntdev_unmap_grant_pages(d.k, map);
  if (ret !== 0) throw new Error(`gntdev_unmap_grant_pages: ${ret}`);
}

describe('p2m and mfn_to_pfn (arch/x86/include/asm/xen/page.h)', () => {
  it('maps a dom0 page to its own frame and back', () => {
    const d = boot();
    const pfn = alloc_page(d.k.mem, GFP_KERNEL);
    expect(pfn_to_mfn(d.k, pfn)).toBe(pfn);
    expect(mfn_to_pfn(d.k, pfn)).toBe(pfn);
    expect(mfn_to_local_pfn(d.k, pfn)).toBe(pfn);
  });

  it('gives a ballooned page an INVALID p2m entry (alloc_xenballooned_pages)', () => {
    const d = boot();
    const pages: number[] = [];
    expect(alloc_xenballooned_pages(d.k, 1, pages)).toBe(0);
    expect(get_phys_to_machine(d.k, pages[0]!)).toBe(INVALID_P2M_ENTRY);
    expect(pfn_to_mfn(d.k, pages[0]!)).toBe(INVALID_P2M_ENTRY);
  });

  it('answers an identity (1:1) frame with itself when the m2p does not map back', () => {
    const d = boot();
    const pfn = 100;
    set_phys_to_machine(d.k, pfn, IDENTITY_FRAME(pfn));
    xenState(d.k).m2p.set(pfn, INVALID_P2M_ENTRY); // an I/O frame: m2p holds garbage
    expect(pfn_to_mfn(d.k, pfn)).toBe(pfn); // the IDENTITY bit is stripped
    expect(mfn_to_pfn(d.k, pfn)).toBe(pfn);
  });

  it('answers ~0 for a foreign frame nobody maps (no override)', () => {
    const d = boot();
    const frames = xen_domain_create(d.k, 1, 2)!;
    expect(mfn_to_pfn(d.k, frames[1]!)).toBe(-1);
  });
});

describe('m2p_override (arch/x86/xen/p2m.c, 3.5-3.19)', () => {
  it('resolves a guest frame mapped by gnttab_map_refs to the backend page, and forgets it on unmap', () => {
    // B.8 #7: domU grants its pfn 0 (machine frame X) to dom0; dom0 maps it into ballooned B
    const d = boot();
    const [x] = xen_domain_create(d.k, 1, 1)!;
    const ref = gnttab_grant_foreign_access(d.k, 0, x!, false, 1);
    const seen: number[] = [];
    let b = -1;
    kthread(d, function* () {
      const map = yield* mapOne(d, 1, ref);
      b = map.pages[0]!;
      seen.push(get_phys_to_machine(d.k, b), mfn_to_pfn(d.k, x!));
      yield* unmap(d, map);
    });
    expect(seen).toEqual([FOREIGN_FRAME(x!), b]); // m2p[X] is the guest's pfn; the override answers B
    expect(get_phys_to_machine(d.k, b)).toBe(b); // freed: dom0's frame again
    expect(mfn_to_pfn(d.k, x!)).toBe(-1);
  });

  it('marks the local page FOREIGN while its own frame is mapped, so mfn_to_pfn answers the backend page', () => {
    // b9e0d95c041c: frontend and backend in dom0; F's frame M is granted to dom0 itself
    const d = boot();
    const f = alloc_page(d.k.mem, GFP_KERNEL);
    const ref = gnttab_grant_foreign_access(d.k, 0, pfn_to_mfn(d.k, f), false);
    const seen: number[] = [];
    let b = -1;
    kthread(d, function* () {
      const map = yield* mapOne(d, 0, ref);
      b = map.pages[0]!;
      seen.push(get_phys_to_machine(d.k, f), mfn_to_pfn(d.k, f));
      yield* unmap(d, map);
    });
    expect(seen).toEqual([FOREIGN_FRAME(f), b]);
    expect(get_phys_to_machine(d.k, f)).toBe(f);
    expect(mfn_to_pfn(d.k, f)).toBe(f);
  });

  it('keeps the local page FOREIGN until the last of two overrides of one frame goes (B.8 #9)', () => {
    const d = boot();
    const f = alloc_page(d.k.mem, GFP_KERNEL);
    const ref = gnttab_grant_foreign_access(d.k, 0, f, false);
    const seen: number[] = [];
    const pages: number[] = [];
    kthread(d, function* () {
      const first = yield* mapOne(d, 0, ref);
      const second = yield* mapOne(d, 0, ref);
      pages.push(first.pages[0]!, second.pages[0]!);
      seen.push(m2p_find_override(d.k, f)); // most recent first
      yield* unmap(d, second);
      seen.push(m2p_find_override(d.k, f), get_phys_to_machine(d.k, f));
      yield* unmap(d, first);
    });
    expect(seen).toEqual([pages[1], pages[0], FOREIGN_FRAME(f)]);
    expect(m2p_find_override(d.k, f)).toBe(-1);
    expect(get_phys_to_machine(d.k, f)).toBe(f);
  });

  it('leaves the local page local under quirk m2p-override-no-foreign: mfn_to_pfn answers the frontend page', () => {
    const d = boot(['m2p-override-no-foreign']);
    const f = alloc_page(d.k.mem, GFP_KERNEL);
    const ref = gnttab_grant_foreign_access(d.k, 0, f, false);
    let b = -1;
    kthread(d, function* () {
      b = (yield* mapOne(d, 0, ref)).pages[0]!;
    });
    expect(get_phys_to_machine(d.k, f)).toBe(f);
    expect(m2p_find_override(d.k, f)).toBe(b); // the override exists, unconsulted
    expect(mfn_to_pfn(d.k, f)).toBe(f);
  });

  it('refuses to remove an override from a page whose p2m entry is not FOREIGN (-EINVAL)', () => {
    const d = boot();
    const pfn = alloc_page(d.k.mem, GFP_KERNEL);
    expect(m2p_remove_override(d.k, pfn, false)).toBe(-EINVAL);
  });

  it('does not map a grant made for another domain (GNTST_permission_denied, no override)', () => {
    const d = boot();
    const [x] = xen_domain_create(d.k, 1, 1)!;
    xen_domain_create(d.k, 2, 1);
    const ref = gnttab_grant_foreign_access(d.k, 2, x!, false, 1);
    let ret = 0;
    kthread(d, function* () {
      ret = (yield* gntdev_map_grant_pages(d.k, 1, [ref])).ret;
    });
    expect(ret).toBe(GNTST_permission_denied);
    expect(m2p_find_override(d.k, x!)).toBe(-1);
  });
});
