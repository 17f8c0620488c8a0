/**
 * gup.vmstat-balance (invariant 6): nr_foll_pin_acquired - nr_foll_pin_released equals the pins
 * held on folios other than the zero page (unless folio_add_pin was used, which is not counted
 * as acquired). Checked when no other thread is mid-call and at the end of the run.
 */
import { NR_FOLL_PIN_ACQUIRED, NR_FOLL_PIN_RELEASED, node_page_state } from '../mm/index.js';
import type { Kernel } from '../kernel/kernel.js';
import { gupState } from '../kernel/mm/gup_state.js';
import type { Checker } from './types.js';
import { atEnd, observe, quiescent, report } from './util.js';

function heldPins(k: Kernel): number {
  const s = gupState(k);
  if (s.outstanding === 0) return 0;
  let n = 0;
  for (let p = 0; p < s.pinned.length; p++) if (p !== k.mem.zero_pfn) n += s.pinned[p]!;
  return n;
}

function counted(k: Kernel): number {
  const st = k.mem.vmstat;
  return node_page_state(st, NR_FOLL_PIN_ACQUIRED) - node_page_state(st, NR_FOLL_PIN_RELEASED);
}

export const vmstatBalance: Checker = {
  id: 'gup.vmstat-balance',
  description: 'nr_foll_pin_acquired - nr_foll_pin_released equals the pins held.',
  kernelRef:
    'mm/gup.c: try_grab_folio, gup_put_folio (NR_FOLL_PIN_ACQUIRED / NR_FOLL_PIN_RELEASED)',
  alwaysOn: true,
  invariant: 6,
  install(k) {
    const base = counted(k) - heldPins(k);
    const check = (): void => {
      if (gupState(k).addPinUsed) return;
      const have = counted(k) - base;
      const want = heldPins(k);
      if (have !== want)
        report(
          k,
          vmstatBalance,
          `acquired - released = ${have}, but ${want} pins are held`,
          undefined,
          `${have}/${want}`,
        );
    };
    observe(k, vmstatBalance, {
      callReturned(kk) {
        if (quiescent(kk)) check();
      },
    });
    atEnd(k, { ...vmstatBalance, id: 'gup.vmstat-balance@end' }, check);
  },
};
