/**
 * gup.access-unpinned: a kernel mapping or a device reads or writes a page through a pages array
 * after the pin (or reference) was released: the page may be reused or migrated by then.
 * Reported by the "through a pin" operations (src/scenario/exec/through_pin.ts).
 */
import type { Kernel } from '../kernel/kernel.js';
import { gupState } from '../kernel/mm/gup_state.js';
import type { Checker } from './types.js';
import { report } from './util.js';

export const accessUnpinned: Checker = {
  id: 'gup.access-unpinned',
  description: 'A page is accessed through a pages array after its pin or reference was released.',
  kernelRef:
    'Documentation/core-api/pin_user_pages.rst (the pin must be held while the page is accessed)',
  alwaysOn: true,
  install: () => undefined,
};

/** Report an access to `pfn` by `who` (kernel_read, dma_write...) when no pin or reference holds it. */
export function checkAccessHeld(k: Kernel, pfn: number, who: string, where: string): void {
  const s = gupState(k);
  if (s.pinned[pfn]! > 0 || s.gotten[pfn]! > 0) return;
  report(
    k,
    accessUnpinned,
    `${who} accesses page ${pfn}, which no pin or GUP reference holds any more`,
    where,
    `${pfn}:${who}`,
  );
}
