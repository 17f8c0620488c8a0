/**
 * The Xen x86 PV memory model of one simulated machine (model-only bookkeeping, kept per kernel
 * in a WeakMap): the domains with their p2m arrays, the hypervisor's global m2p table, the
 * m2p_override of Linux 2.6.38-3.19, the grant tables, and the blkif requests in flight.
 *
 * The mapping onto the simulated machine: the simulated physical frames ARE the machine frames
 * (mfn). The simulated kernel is dom0; its pseudo-physical frames (pfn, the numbers its struct
 * pages carry) are the machine frames one to one (`p2m[pfn] == pfn`, `m2p[mfn] == mfn`) unless
 * an entry says otherwise: a ballooned page has INVALID, a grant-mapped page FOREIGN(mfn). A guest
 * domain (domU) is passive: machine frames allocated for it, its own p2m for its pfns 0..n-1,
 * and m2p entries pointing at those pfns; no guest kernel runs.
 *
 * Encoding: a p2m entry is a JS number, not a 64-bit word. INVALID_P2M_ENTRY (~0UL) is -1;
 * FOREIGN_FRAME_BIT and IDENTITY_FRAME_BIT are bits 51 and 50 instead of 63 and 62 (frames stay
 * below 2^50). The kernel's tests (`entry & FOREIGN_FRAME_BIT`) are the helpers of page.ts.
 * @fidelity custom
 */
import type { Completion } from '../../../../sim/locking/waitqueue.js';
import { objectSpace, objId, type ObjId } from '../../../../sim/footprint.js';
import type { Kernel } from '../../../kernel.js';

/** dom0's domain id: the simulated kernel runs in domain 0. */
export const DOMID_0 = 0;

export interface xen_domain {
  readonly domid: number;
  /** Explicit p2m entries; a pfn without one is `defaultP2m` of it. */
  readonly p2m: Map<number, number>;
  /** dom0: an unset entry is the identity (its own frame); a guest: INVALID. */
  readonly identityByDefault: boolean;
  /** Guest pfns 0..nr_pages-1 (dom0: every simulated frame). */
  readonly nr_pages: number;
}

/** include/xen/interface/grant_table.h: one grant entry (v1), plus how often it is mapped. */
export interface grant_entry {
  /** The domain allowed to map it. */
  readonly domid: number;
  /** The machine frame granted. */
  readonly frame: number;
  readonly readonly: boolean;
  /** GTF_reading/GTF_writing: the number of mappings in use by the grantee. */
  mapcount: number;
  /** Ended by gnttab_end_foreign_access. */
  ended: boolean;
}

/** The override bookkeeping of a backend page: page_private (the foreign mfn) and page->index. */
export interface OverridePage {
  readonly mfn: number;
  /** The p2m entry of the page before the override (page->index). */
  readonly index: number;
}

/** One blkif request in flight (drivers/block/xen-blkfront.c: struct blk_shadow, simplified). */
export interface BlkifRequest {
  readonly gref: number;
  /** The frontend's page (its pfn in dom0) and the domain that granted it. */
  readonly page: number;
  readonly domid: number;
  readonly done: Completion;
}

export class XenState {
  readonly domains = new Map<number, xen_domain>();
  /** machine_to_phys_mapping: explicit entries; an unset mfn below dom0's size maps to itself. */
  readonly m2p = new Map<number, number>();
  /** m2p_overrides: mfn -> backend pages, most recent first (the kernel's list_add at the head). */
  readonly overrides = new Map<number, number[]>();
  /** PagePrivate backend pages of the override, by pfn. */
  readonly overridePages = new Map<number, OverridePage>();
  /** Grant tables by granting domain; a grant reference is an index. */
  readonly grants = new Map<number, grant_entry[]>();
  /** blkif requests by grant reference (one ring, dom0 to dom0). */
  readonly requests = new Map<number, BlkifRequest>();

  constructor(readonly nrFrames: number) {
    this.domains.set(DOMID_0, {
      domid: DOMID_0,
      p2m: new Map(),
      identityByDefault: true,
      nr_pages: nrFrames,
    });
  }
}

const states = new WeakMap<Kernel, XenState>();

/** The Xen state of a kernel, created (dom0 only) on first use. */
export function xenState(k: Kernel): XenState {
  let s = states.get(k);
  if (s === undefined) {
    s = new XenState(k.mem.nr_pages);
    states.set(k, s);
  }
  return s;
}

const P2M_SPACE = objectSpace('xen-p2m');
const M2P_SPACE = objectSpace('xen-m2p');
const GNTTAB_SPACE = objectSpace('xen-grant');
const OVERRIDE_SPACE = objectSpace('xen-m2p-override');

/** Footprint of a domain's p2m entry for `pfn` (domains get disjoint stripes of 2^24 frames). */
export function p2mObj(domid: number, pfn: number): ObjId {
  return objId(P2M_SPACE, (domid % 256) * 2 ** 24 + (pfn % 2 ** 24));
}

/** Footprint of the m2p entry of `mfn`. */
export function m2pObj(mfn: number): ObjId {
  return objId(M2P_SPACE, mfn % 2 ** 32);
}

/** Footprint of one grant entry. */
export function grantObj(domid: number, gref: number): ObjId {
  return objId(GNTTAB_SPACE, (domid % 4096) * 2 ** 20 + (gref % 2 ** 20));
}

/** Footprint of the override list of `mfn` (the kernel's hash bucket, per mfn here). */
export function overrideObj(mfn: number): ObjId {
  return objId(OVERRIDE_SPACE, mfn % 2 ** 32);
}
