/** gup.maybe-pinned (invariant 4): pins held imply folio_maybe_dma_pinned (no false negatives). */
import { folio_maybe_dma_pinned } from '../mm/index.js';
import { attachFolioRule } from './folio_pins.js';
import type { Checker } from './types.js';

export const maybePinned: Checker = {
  id: 'gup.maybe-pinned',
  description: 'A folio with pins held always reads as folio_maybe_dma_pinned.',
  kernelRef: 'include/linux/mm.h: folio_maybe_dma_pinned (no false negatives)',
  alwaysOn: true,
  invariant: 4,
  install(k) {
    attachFolioRule(k, maybePinned, (kk, f, pins) =>
      pins > 0 && f !== kk.mem.zero_pfn && !folio_maybe_dma_pinned(kk.mem, f)
        ? `${pins} pins held but folio_maybe_dma_pinned() is false`
        : null,
    );
  },
};
