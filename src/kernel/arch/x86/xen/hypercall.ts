/**
 * The simulated hypervisor's side of HYPERVISOR_dm_op (arch/x86/include/asm/xen/hypercall.h;
 * Xen's xen/arch/x86/hvm/dm.c: do_dm_op with copy_from_guest / copy_to_guest on the buffers).
 *
 * Xen reaches the buffers through the caller's virtual addresses, so it walks the caller's page
 * tables: a page that is not present fails the copy (-EFAULT). It reads every page of every
 * buffer (the op and its arguments) and, when the device model asks for output, writes `value`
 * into every page (the op's results), one page per step with the page-table entry and the folio
 * in the step's footprint. Every page it touches must be one privcmd locked for the call
 * (`locked`): one it touches without a pin is reported (`xen.dm-op-unpinned`), since nothing kept
 * it in place (2020's short-pin path ran the hypercall on such pages).
 * @fidelity simplified: the dm_op is not interpreted (no ioreq servers, no target domain state);
 * the hypervisor runs in the caller's thread, as a preemptible hypercall does
 */
import { set_page_content, page_content, page_folio } from '../../../../mm/index.js';
import { PAGE_SIZE, PMD_NR_PAGES, addr_to_vpn } from '../../../../mm/layout.js';
import type { MmStruct } from '../../../../mm/mm_types.js';
import type { PgtablePool } from '../../../../mm/pgtable.js';
import { pmd_leaf, pte_none, pte_pfn, pte_present } from '../../../../mm/pgtable_types.js';
import { pmd_lookup, pte_lookup } from '../../../../mm/pgtable_walk.js';
import { Access } from '../../../../sim/footprint.js';
import type { Sched } from '../../../../sim/thread.js';
import type { Kernel } from '../../../kernel.js';
import { EFAULT } from '../../../include/errno.js';
import { folioObj, pteObj } from '../../../objects.js';
import './xen_trace.js';

/** include/xen/interface/hvm/dm_op.h: struct xen_dm_op_buf (the guest handle is an address). */
export interface xen_dm_op_buf {
  readonly h: number;
  readonly size: number;
}

/** What the simulated device-model op does with its buffers. */
export interface DmOpEffect {
  /** The byte written into every buffer page as the op's output; null: the op only reads. */
  readonly value: number | null;
}

/** The entry mapping `vpn` and the pfn it maps (-1 when not present). */
function walk(pool: PgtablePool, mm: MmStruct, vpn: number): { ptep: number; pfn: number } {
  const pmdp = pmd_lookup(pool, mm, vpn);
  if (pmdp < 0) return { ptep: -1, pfn: -1 };
  const pmd = pool.get(pmdp);
  if (pmd_leaf(pmd))
    return { ptep: pmdp, pfn: pte_present(pmd) ? pte_pfn(pmd) + (vpn % PMD_NR_PAGES) : -1 };
  const ptep = pte_lookup(pool, mm, vpn);
  if (ptep < 0) return { ptep: -1, pfn: -1 };
  const pte = pool.get(ptep);
  return { ptep, pfn: pte_none(pte) || !pte_present(pte) ? -1 : pte_pfn(pte) };
}

/** One page of a buffer: the step's footprint, then the copy. 0 or -EFAULT. */
function* access_page(
  k: Kernel,
  mm: MmStruct,
  vpn: number,
  effect: DmOpEffect,
  locked: ReadonlySet<number>,
): Sched<number> {
  const { ptep, pfn } = walk(k.pool, mm, vpn);
  const acc = effect.value === null ? Access.Read : Access.Write;
  if (ptep < 0) yield k.m.point('HYPERVISOR_dm_op');
  else {
    const point = k.m.at('HYPERVISOR_dm_op', pteObj(ptep), Access.Read);
    yield pfn >= 0 ? point.also(folioObj(page_folio(k.mem, pfn)), acc) : point;
  }
  const now = walk(k.pool, mm, vpn).pfn;
  if (now < 0) return -EFAULT;
  if (!locked.has(now))
    k.m.report({
      id: 'xen.dm-op-unpinned',
      message: `HYPERVISOR_dm_op touches page ${now} (address 0x${(vpn * PAGE_SIZE).toString(16)}), which privcmd did not pin`,
      rule: 'drivers/xen/privcmd.c: lock_pages (every buffer page is pinned before the hypercall)',
    });
  page_content(k.mem, now);
  if (effect.value !== null) set_page_content(k.mem, now, effect.value);
  return 0;
}

/**
 * arch/x86/include/asm/xen/hypercall.h: HYPERVISOR_dm_op(dom, nr_bufs, bufs), and the simulated
 * hypervisor's do_dm_op on the caller's buffers: 0, or -EFAULT when a buffer page is not mapped.
 * `locked` holds the pages privcmd pinned for the call.
 * @fidelity simplified: see the file comment
 */
export function* HYPERVISOR_dm_op(
  k: Kernel,
  dom: number,
  bufs: readonly xen_dm_op_buf[],
  effect: DmOpEffect,
  locked: ReadonlySet<number>,
): Sched<number> {
  const mm = k.current.mm;
  if (mm === null) return -EFAULT;
  let pages = 0;
  for (const b of bufs) {
    if (b.size === 0) continue;
    for (let vpn = addr_to_vpn(b.h); vpn <= addr_to_vpn(b.h + b.size - 1); vpn++) {
      const ret = yield* access_page(k, mm, vpn, effect, locked);
      if (ret !== 0) {
        k.m.emit(
          'xen.privcmd',
          {
            what: 'HYPERVISOR_dm_op',
            pages: 0,
            ret,
            why: `dom ${dom}: buffer page at 0x${(vpn * PAGE_SIZE).toString(16)} is not mapped`,
          },
          'arch/x86/include/asm/xen/hypercall.h: HYPERVISOR_dm_op',
        );
        return ret;
      }
      pages++;
    }
  }
  const did = effect.value === null ? 'read' : `read and wrote 0x${effect.value.toString(16)} into`;
  k.m.emit(
    'xen.privcmd',
    { what: 'HYPERVISOR_dm_op', pages, ret: 0, why: `dom ${dom}: ${did} ${pages} buffer pages` },
    'arch/x86/include/asm/xen/hypercall.h: HYPERVISOR_dm_op',
  );
  return 0;
}
