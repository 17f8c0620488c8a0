/**
 * Ballooned pages and guest domains (drivers/xen/balloon.c and the hypervisor's domain builder,
 * reduced to what grant mapping needs).
 *
 * alloc_xenballooned_pages gives dom0 pages whose machine frames went back to Xen: the struct
 * page stays (the simulated frame stays allocated, so the page exists), its p2m entry is INVALID
 * and the m2p entry of the frame reads ~0. A backend maps foreign frames into such pages.
 * xen_domain_create builds a passive guest: machine frames, a p2m for its pfns and m2p entries.
 * @fidelity simplified: no balloon worker, no reservation hypercalls; frames are never reused
 * while ballooned
 */
import { GFP_KERNEL, alloc_page, __free_page } from '../../../mm/index.js';
import type { Kernel } from '../../kernel.js';
import { ENOMEM } from '../../include/errno.js';
import { INVALID_P2M_ENTRY, set_phys_to_machine } from '../../arch/x86/xen/p2m.js';
import { xenState } from '../../arch/x86/xen/xen_state.js';

/** drivers/xen/balloon.c: alloc_xenballooned_pages(nr_pages, pages): 0 or -ENOMEM. @fidelity simplified */
export function alloc_xenballooned_pages(k: Kernel, nr_pages: number, pages: number[]): number {
  const s = xenState(k);
  for (let i = 0; i < nr_pages; i++) {
    const pfn = alloc_page(k.mem, GFP_KERNEL);
    if (pfn < 0) {
      free_xenballooned_pages(k, i, pages);
      return -ENOMEM;
    }
    set_phys_to_machine(k, pfn, INVALID_P2M_ENTRY);
    s.m2p.set(pfn, INVALID_P2M_ENTRY);
    pages[i] = pfn;
  }
  return 0;
}

/** drivers/xen/balloon.c: free_xenballooned_pages(nr_pages, pages): the frames come back. @fidelity simplified */
export function free_xenballooned_pages(
  k: Kernel,
  nr_pages: number,
  pages: readonly number[],
): void {
  const s = xenState(k);
  for (let i = 0; i < nr_pages; i++) {
    const pfn = pages[i]!;
    set_phys_to_machine(k, pfn, pfn);
    s.m2p.delete(pfn);
    __free_page(k.mem, pfn);
  }
}

/**
 * A guest domain `domid` with `nr_pages` machine frames (the hypervisor's domain builder): its
 * p2m maps pfn i to the i-th frame, the m2p maps the frame back to i, and dom0's p2m no longer
 * claims the frame. Returns the frames (mfns),
 * or null when memory runs out. @fidelity custom
 */
export function xen_domain_create(k: Kernel, domid: number, nr_pages: number): number[] | null {
  const s = xenState(k);
  if (s.domains.has(domid)) throw new Error(`xen: domain ${domid} exists`);
  const d = { domid, p2m: new Map<number, number>(), identityByDefault: false, nr_pages };
  const frames: number[] = [];
  for (let i = 0; i < nr_pages; i++) {
    const mfn = alloc_page(k.mem, GFP_KERNEL);
    if (mfn < 0) return null;
    d.p2m.set(i, mfn);
    s.m2p.set(mfn, i);
    set_phys_to_machine(k, mfn, INVALID_P2M_ENTRY); // not dom0's frame any more
    frames.push(mfn);
  }
  s.domains.set(domid, d);
  return frames;
}
