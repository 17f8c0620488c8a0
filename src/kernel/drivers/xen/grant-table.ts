/**
 * Grant tables (drivers/xen/grant-table.c, Linux 3.5-3.19, and the hypervisor's
 * GNTTABOP_map_grant_ref / GNTTABOP_unmap_grant_ref): a domain grants another domain access to
 * one of its machine frames; the grantee maps the grant into one of its (ballooned) pages, and on
 * x86 PV gnttab_map_refs records the mapping in the m2p_override (m2p_add_override), which is
 * what later lets mfn_to_pfn find the backend page.
 *
 * Each grant operation on one entry is one step declaring the grant entry, the p2m entries and the
 * override list it writes.
 * @fidelity simplified: grant table v1 only, no grant frames or status frames, no GNTST_eagain
 * retries (no paging), no lazy-MMU batching; a map's handle is its (domain, reference) pair
 */
import { Access } from '../../../sim/footprint.js';
import type { Sched } from '../../../sim/thread.js';
import type { Kernel } from '../../kernel.js';
import { ENOSPC } from '../../include/errno.js';
import {
  m2p_add_override,
  m2p_remove_override,
  machine_to_phys_read,
} from '../../arch/x86/xen/p2m.js';
import {
  DOMID_0,
  grantObj,
  m2pObj,
  overrideObj,
  p2mObj,
  xenState,
  type grant_entry,
} from '../../arch/x86/xen/xen_state.js';
import '../../arch/x86/xen/xen_trace.js';

/** include/xen/interface/grant_table.h: GNTST_okay, and the other status codes below. */
export const GNTST_okay = 0;
export const GNTST_general_error = -1;
export const GNTST_bad_domain = -2;
export const GNTST_bad_gntref = -3;
export const GNTST_permission_denied = -8;

/** include/xen/interface/grant_table.h: GNTMAP_host_map, and the other GNTMAP_* flags below. */
export const GNTMAP_host_map = 1 << 1;
export const GNTMAP_readonly = 1 << 2;
export const GNTMAP_contains_pte = 1 << 4;

/** The grants of a domain can hold this many entries (NR_GRANT_FRAMES of 4 KiB v1 entries). */
export const NR_GRANT_ENTRIES = 512;

/** include/xen/interface/grant_table.h: struct gnttab_map_grant_ref (in: dom, ref, flags). */
export interface gnttab_map_grant_ref {
  readonly dom: number;
  readonly ref: number;
  readonly flags: number;
  /** Out: GNTST_*. */
  status: number;
  /** Out: the machine frame mapped (the PTE Xen wrote, or dev_bus_addr >> PAGE_SHIFT). */
  mfn: number;
}

/** include/xen/interface/grant_table.h: struct gnttab_unmap_grant_ref (the handle: dom, ref). */
export interface gnttab_unmap_grant_ref {
  readonly dom: number;
  readonly ref: number;
  status: number;
}

function table(k: Kernel, domid: number): grant_entry[] {
  const s = xenState(k);
  let t = s.grants.get(domid);
  if (t === undefined) {
    t = [];
    s.grants.set(domid, t);
  }
  return t;
}

/**
 * drivers/xen/grant-table.c: gnttab_grant_foreign_access(domid, frame, readonly): grant `domid`
 * access to machine frame `frame` of the granting domain (dom0, the simulated kernel, unless
 * `granter` names a guest). The grant reference, or -ENOSPC when the table is full.
 * @fidelity simplified
 */
export function gnttab_grant_foreign_access(
  k: Kernel,
  domid: number,
  frame: number,
  readonly: boolean,
  granter = DOMID_0,
): number {
  const t = table(k, granter);
  if (t.length >= NR_GRANT_ENTRIES) return -ENOSPC;
  t.push({ domid, frame, readonly, mapcount: 0, ended: false });
  const ref = t.length - 1;
  k.m.emit(
    'xen.grant',
    { op: 'grant_foreign_access', domid, ref, frame, status: 0 },
    'drivers/xen/grant-table.c: gnttab_grant_foreign_access',
  );
  return ref;
}

/**
 * drivers/xen/grant-table.c: gnttab_end_foreign_access(ref): revoke the grant. False when the
 * grantee still maps it (the kernel then defers the revocation and keeps the page).
 * @fidelity simplified
 */
export function gnttab_end_foreign_access(k: Kernel, ref: number, granter = DOMID_0): boolean {
  const e = table(k, granter)[ref];
  if (e === undefined || e.ended) throw new Error(`xen: grant ${ref} of ${granter} is not active`);
  if (e.mapcount > 0) return false;
  e.ended = true;
  return true;
}

/** The hypervisor's GNTTABOP_map_grant_ref on one op, mapping into dom0. */
function map_one(k: Kernel, op: gnttab_map_grant_ref): void {
  const e = xenState(k).grants.get(op.dom)?.[op.ref];
  if (!xenState(k).domains.has(op.dom)) op.status = GNTST_bad_domain;
  else if (e === undefined || e.ended) op.status = GNTST_bad_gntref;
  else if (e.domid !== DOMID_0 || (e.readonly && (op.flags & GNTMAP_readonly) === 0))
    op.status = GNTST_permission_denied;
  else {
    e.mapcount++;
    op.mfn = e.frame;
    op.status = GNTST_okay;
  }
}

/** Footprint of mapping or unmapping `frame` into `page`: p2m of both, m2p, override list. */
function mapPoint(k: Kernel, label: string, dom: number, ref: number, page: number, frame: number) {
  const point = k.m
    .at(label, grantObj(dom, ref), Access.Write)
    .also(p2mObj(DOMID_0, page), Access.Write);
  if (frame < 0) return point;
  const local = machine_to_phys_read(k, frame);
  point.also(m2pObj(frame), Access.Read).also(overrideObj(frame), Access.Write);
  return local === null || local < 0 ? point : point.also(p2mObj(DOMID_0, local), Access.Write);
}

function frameOf(k: Kernel, dom: number, ref: number): number {
  return xenState(k).grants.get(dom)?.[ref]?.frame ?? -1;
}

/**
 * drivers/xen/grant-table.c: gnttab_map_refs(map_ops, kmap_ops, pages, count) (3.5-3.19): the
 * map hypercall, then for each op that succeeded m2p_add_override(mfn, pages[i], kmap_op); the
 * first override error is returned. Per-op failures stay in map_ops[i].status.
 * @fidelity simplified: see the file comment
 */
export function* gnttab_map_refs(
  k: Kernel,
  map_ops: gnttab_map_grant_ref[],
  kmap_ops: boolean,
  pages: readonly number[],
  count: number,
): Sched<number> {
  for (let i = 0; i < count; i++) {
    const op = map_ops[i]!;
    yield mapPoint(k, 'gnttab_map_refs', op.dom, op.ref, pages[i]!, frameOf(k, op.dom, op.ref));
    map_one(k, op);
    k.m.emit(
      'xen.grant',
      { op: 'map_grant_ref', domid: op.dom, ref: op.ref, frame: op.mfn, status: op.status },
      'drivers/xen/grant-table.c: gnttab_map_refs',
    );
    if (op.status !== GNTST_okay) continue; // do not add to override if the map failed
    const ret = m2p_add_override(k, op.mfn, pages[i]!, kmap_ops);
    if (ret !== 0) return ret;
  }
  return 0;
}

/**
 * drivers/xen/grant-table.c: gnttab_unmap_refs(unmap_ops, kmap_ops, pages, count) (3.5-3.19):
 * the unmap hypercall, then m2p_remove_override(pages[i], kmap_op) for each page; the first
 * error is returned.
 * @fidelity simplified: see the file comment
 */
export function* gnttab_unmap_refs(
  k: Kernel,
  unmap_ops: gnttab_unmap_grant_ref[],
  kmap_ops: boolean,
  pages: readonly number[],
  count: number,
): Sched<number> {
  for (let i = 0; i < count; i++) {
    const op = unmap_ops[i]!;
    yield mapPoint(k, 'gnttab_unmap_refs', op.dom, op.ref, pages[i]!, frameOf(k, op.dom, op.ref));
    const e = xenState(k).grants.get(op.dom)?.[op.ref];
    if (e === undefined || e.mapcount === 0) op.status = GNTST_general_error;
    else {
      e.mapcount--;
      op.status = GNTST_okay;
    }
    const ret = m2p_remove_override(k, pages[i]!, kmap_ops);
    if (ret !== 0) return ret;
  }
  return 0;
}
