/**
 * arch/x86/include/asm/xen/page.h (Linux 3.5-3.19, the m2p_override era): pfn_to_mfn,
 * mfn_to_pfn, mfn_to_local_pfn for dom0 (the simulated kernel). A PV page table holds machine
 * frames, so pte_pfn() / pte_page() (and with them GUP) go through mfn_to_pfn: it decides which
 * struct page a user mapping of a machine frame stands for.
 * @fidelity simplified: never auto-translated (XENFEAT_auto_translated_physmap is off: x86 PV)
 */
import type { Kernel } from '../../../kernel.js';
import {
  get_phys_to_machine,
  IDENTITY_FRAME,
  INVALID_P2M_ENTRY,
  m2p_find_override_pfn,
  machine_to_phys_read,
  p2m_strip,
} from './p2m.js';
import './xen_trace.js';

/** `~0` as a pfn: no page. */
export const NO_PFN = -1;

/** arch/x86/include/asm/xen/page.h: pfn_to_mfn(pfn): the p2m entry without its flag bits. @fidelity exact */
export function pfn_to_mfn(k: Kernel, pfn: number): number {
  const mfn = get_phys_to_machine(k, pfn);
  return mfn === INVALID_P2M_ENTRY ? mfn : p2m_strip(mfn);
}

/**
 * arch/x86/include/asm/xen/page.h: mfn_to_pfn(mfn) (3.x, with the override): the m2p's pfn when
 * our p2m maps it back to mfn (the frame is ours); otherwise the m2p_override's page, if any; an
 * identity (1:1) frame maps to itself; else ~0 (-1).
 * @fidelity exact
 */
export function mfn_to_pfn(k: Kernel, mfn: number): number {
  const read = machine_to_phys_read(k, mfn);
  let pfn = read ?? NO_PFN;
  let why: string;
  if (read !== null && get_phys_to_machine(k, pfn) === mfn) {
    why = `m2p[${mfn}] = ${pfn} and p2m[${pfn}] maps back to it: a local frame`;
  } else {
    pfn = m2p_find_override_pfn(k, mfn, NO_PFN);
    why =
      pfn === NO_PFN
        ? `m2p[${mfn}] does not map back and no m2p_override holds it`
        : `m2p[${mfn}] = ${read ?? '~0'} does not map back to it: the m2p_override gives pfn ${pfn}`;
  }
  if (pfn === NO_PFN && get_phys_to_machine(k, mfn) === IDENTITY_FRAME(mfn)) {
    pfn = mfn;
    why = `mfn ${mfn} is an identity (1:1) frame`;
  }
  k.m.emit('xen.mfn_to_pfn', { mfn, pfn, why }, 'arch/x86/include/asm/xen/page.h: mfn_to_pfn');
  return pfn;
}

/** arch/x86/include/asm/xen/page.h: mfn_to_local_pfn(mfn): mfn_to_pfn, -1 unless ours. @fidelity exact */
export function mfn_to_local_pfn(k: Kernel, mfn: number): number {
  const pfn = mfn_to_pfn(k, mfn);
  return get_phys_to_machine(k, pfn) === mfn ? pfn : NO_PFN;
}
