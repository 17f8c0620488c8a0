/** gup.ref-leak: a FOLL_GET reference handed out by GUP is never released (reported with the call that took it). */
import type { Checker } from './types.js';
import { scan } from './leak_scan.js';
import { atEnd } from './util.js';

export const refLeak: Checker = {
  id: 'gup.ref-leak',
  description: 'A FOLL_GET reference taken through GUP is still held when the run ends.',
  kernelRef:
    'include/linux/mm.h: put_page (every get_user_pages* reference is released with put_page)',
  alwaysOn: true,
  invariant: 7,
  install(k) {
    atEnd(k, refLeak, () => scan(k, false, refLeak));
  },
};
