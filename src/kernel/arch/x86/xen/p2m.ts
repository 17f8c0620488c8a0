/**
 * The PV p2m and the m2p_override (arch/x86/xen/p2m.c, Linux 3.5-3.19; the override was removed
 * in v4.0): get_phys_to_machine, set_phys_to_machine, m2p_add_override, m2p_remove_override,
 * m2p_find_override, m2p_find_override_pfn.
 *
 * The override records, for a foreign machine frame mapped into one of our (ballooned) pages B,
 * that B is the page mfn_to_pfn(mfn) should answer with. The 2012 fix (b9e0d95c041c "xen: mark
 * local pages as FOREIGN in the m2p_override") also marks the p2m entry of the *local* page F
 * FOREIGN when the granted frame is one of our own (frontend and backend in one domain), so that
 * mfn_to_pfn falls through to the override instead of answering F; quirk
 * `m2p-override-no-foreign` is the kernel before it.
 *
 * These are plain functions: the caller declares the footprint (p2mObj, m2pObj, overrideObj)
 * of the step that runs them.
 * @fidelity simplified: the three-level p2m tree is a map (no leaf allocation, so
 * set_phys_to_machine fails only beyond a domain's size); the 1024 hash buckets are one list per
 * mfn; m2p_override_lock is not a lock (each operation is one atomic step); the kernel-mapping
 * multicall of kmap_op (gntdev) changes nothing here.
 */
import type { Kernel } from '../../../kernel.js';
import { ENOMEM, EINVAL } from '../../../include/errno.js';
import { DOMID_0, xenState, type XenState, type xen_domain } from './xen_state.js';
import './xen_trace.js';

/** arch/x86/include/asm/xen/page.h: INVALID_P2M_ENTRY (~0UL), as -1. */
export const INVALID_P2M_ENTRY = -1;
/** arch/x86/include/asm/xen/page.h: FOREIGN_FRAME_BIT (bit 63 there, bit 51 here). */
export const FOREIGN_FRAME_BIT = 2 ** 51;
/** arch/x86/include/asm/xen/page.h: IDENTITY_FRAME_BIT (bit 62 there, bit 50 here). */
export const IDENTITY_FRAME_BIT = 2 ** 50;
const FRAME_MASK = 2 ** 50;

/** arch/x86/include/asm/xen/page.h: FOREIGN_FRAME(m). @fidelity exact */
export function FOREIGN_FRAME(mfn: number): number {
  return p2m_strip(mfn) + FOREIGN_FRAME_BIT;
}

/** arch/x86/include/asm/xen/page.h: IDENTITY_FRAME(m). @fidelity exact */
export function IDENTITY_FRAME(mfn: number): number {
  return p2m_strip(mfn) + IDENTITY_FRAME_BIT;
}

/** `entry & FOREIGN_FRAME_BIT` for an entry that is not INVALID. @fidelity custom */
export function p2m_is_foreign(entry: number): boolean {
  return entry !== INVALID_P2M_ENTRY && Math.floor(entry / FOREIGN_FRAME_BIT) % 2 === 1;
}

/** `entry & IDENTITY_FRAME_BIT` for an entry that is not INVALID. @fidelity custom */
export function p2m_is_identity(entry: number): boolean {
  return entry !== INVALID_P2M_ENTRY && Math.floor(entry / IDENTITY_FRAME_BIT) % 2 === 1;
}

/** `entry & ~(FOREIGN_FRAME_BIT | IDENTITY_FRAME_BIT)`. @fidelity custom */
export function p2m_strip(entry: number): number {
  return entry === INVALID_P2M_ENTRY ? entry : entry % FRAME_MASK;
}

function domain(s: XenState, domid: number): xen_domain {
  const d = s.domains.get(domid);
  if (d === undefined) throw new Error(`xen: no domain ${domid}`);
  return d;
}

/** arch/x86/xen/p2m.c: get_phys_to_machine(pfn), of dom0 unless `domid` says. @fidelity simplified */
export function get_phys_to_machine(k: Kernel, pfn: number, domid = DOMID_0): number {
  const d = domain(xenState(k), domid);
  if (pfn < 0 || pfn >= d.nr_pages) return INVALID_P2M_ENTRY;
  const e = d.p2m.get(pfn);
  if (e !== undefined) return e;
  return d.identityByDefault ? pfn : INVALID_P2M_ENTRY;
}

/**
 * arch/x86/xen/p2m.c: set_phys_to_machine(pfn, mfn): false when the entry cannot be stored
 * (here: a pfn beyond the domain, for anything but INVALID). @fidelity simplified
 */
export function set_phys_to_machine(k: Kernel, pfn: number, mfn: number, domid = DOMID_0): boolean {
  const d = domain(xenState(k), domid);
  if (pfn < 0 || pfn >= d.nr_pages) return mfn === INVALID_P2M_ENTRY;
  if (d.identityByDefault && mfn === pfn) d.p2m.delete(pfn);
  else d.p2m.set(pfn, mfn);
  return true;
}

/**
 * The m2p read of mfn_to_pfn (`__get_user(pfn, &machine_to_phys_mapping[mfn])`): the pfn, or
 * null when the read faults (an mfn beyond the table). @fidelity simplified
 */
export function machine_to_phys_read(k: Kernel, mfn: number): number | null {
  const s = xenState(k);
  if (mfn < 0 || mfn >= s.nrFrames) return null;
  return s.m2p.get(mfn) ?? mfn;
}

/** arch/x86/xen/p2m.c: m2p_find_override(mfn): the most recent backend page, or -1. @fidelity exact */
export function m2p_find_override(k: Kernel, mfn: number): number {
  return xenState(k).overrides.get(mfn)?.[0] ?? -1;
}

/** arch/x86/xen/p2m.c: m2p_find_override_pfn(mfn, pfn): the override's pfn, else `pfn`. @fidelity exact */
export function m2p_find_override_pfn(k: Kernel, mfn: number, pfn: number): number {
  const p = m2p_find_override(k, mfn);
  return p >= 0 ? p : pfn;
}

/** The pfn the m2p gives for `mfn` when our p2m maps it back (a local frame), else -1. */
function local_pfn_of(k: Kernel, mfn: number, entry: number): number {
  const pfn = machine_to_phys_read(k, mfn);
  if (pfn === null || pfn < 0) return -1;
  return get_phys_to_machine(k, pfn) === entry ? pfn : -1;
}

/**
 * arch/x86/xen/p2m.c: m2p_add_override(mfn, page, kmap_op) (3.5-3.19): remember the page's own
 * p2m entry in page->index, point its p2m entry at FOREIGN(mfn), put it at the head of the
 * override list of mfn; and (the 2012 fix) when mfn is one of our own frames, at pfn F, mark
 * p2m[F] FOREIGN too. 0, or -ENOMEM when the p2m entry cannot be set.
 * @fidelity simplified: see the file comment
 */
export function m2p_add_override(k: Kernel, mfn: number, page: number, _kmap_op: boolean): number {
  const s = xenState(k);
  // WARN_ON(PagePrivate(page)): a page already carrying an override.
  const own = p2m_strip(get_phys_to_machine(k, page));
  if (!set_phys_to_machine(k, page, FOREIGN_FRAME(mfn))) return -ENOMEM;
  s.overridePages.set(page, { mfn, index: own });
  s.overrides.set(mfn, [page, ...(s.overrides.get(mfn) ?? [])]);
  const local = local_pfn_of(k, mfn, mfn);
  if (local < 0) return 0;
  const fn = 'arch/x86/xen/p2m.c: m2p_add_override';
  if (k.m.quirk('m2p-override-no-foreign')) {
    const why = `mfn ${mfn} is our own frame at pfn ${local}, left local (before b9e0d95c041c): mfn_to_pfn(${mfn}) still answers ${local}, never the override`;
    k.m.emit('xen.p2m', { pfn: local, entry: `${mfn}`, why }, fn);
    return 0;
  }
  set_phys_to_machine(k, local, FOREIGN_FRAME(mfn));
  const why = `mfn ${mfn} is our own frame at pfn ${local}: marked FOREIGN so mfn_to_pfn uses the override (b9e0d95c041c)`;
  k.m.emit('xen.p2m', { pfn: local, entry: `FOREIGN(${mfn})`, why }, fn);
  return 0;
}

/**
 * arch/x86/xen/p2m.c: m2p_remove_override(page, kmap_op) (3.5-3.19): -EINVAL unless the page's
 * p2m entry is FOREIGN; take it off the list, restore its p2m entry from page->index; and (the
 * 2012 fix) when the local pfn of the mfn is marked FOREIGN and no other override of the mfn
 * remains, give the local pfn its frame back.
 * @fidelity simplified: see the file comment
 */
export function m2p_remove_override(k: Kernel, page: number, _kmap_op: boolean): number {
  const s = xenState(k);
  const entry = get_phys_to_machine(k, page);
  if (entry === INVALID_P2M_ENTRY || !p2m_is_foreign(entry)) return -EINVAL;
  const mfn = p2m_strip(entry);
  const rest = (s.overrides.get(mfn) ?? []).filter((p) => p !== page);
  if (rest.length > 0) s.overrides.set(mfn, rest);
  else s.overrides.delete(mfn);
  const saved = s.overridePages.get(page);
  s.overridePages.delete(page);
  set_phys_to_machine(k, page, saved?.index ?? INVALID_P2M_ENTRY);
  if (k.m.quirk('m2p-override-no-foreign')) return 0;
  const local = local_pfn_of(k, mfn, FOREIGN_FRAME(mfn));
  if (local >= 0 && m2p_find_override(k, mfn) < 0) {
    set_phys_to_machine(k, local, mfn);
    k.m.emit(
      'xen.p2m',
      {
        pfn: local,
        entry: `${mfn}`,
        why: `last override of mfn ${mfn} removed: pfn ${local} is local again`,
      },
      'arch/x86/xen/p2m.c: m2p_remove_override',
    );
  }
  return 0;
}
