/** gup.pin-leak: a FOLL_PIN pin handed out by GUP is never released (reported with the call that took it). */
import type { Checker } from './types.js';
import { scan } from './leak_scan.js';
import { atEnd } from './util.js';

export const pinLeak: Checker = {
  id: 'gup.pin-leak',
  description: 'A FOLL_PIN pin taken through GUP is still held when the run ends.',
  kernelRef:
    'mm/gup.c: unpin_user_page (every pin_user_pages* pin is released with unpin_user_page*)',
  alwaysOn: true,
  invariant: 7,
  install(k) {
    atEnd(k, pinLeak, () => scan(k, true, pinLeak));
  },
};
