/** The end-of-run leak scan shared by gup.pin-leak and gup.ref-leak: leaks grouped by the call that took them. */
import type { Kernel } from '../kernel/kernel.js';
import { gupState } from '../kernel/mm/gup_state.js';
import type { Checker } from './types.js';
import { report } from './util.js';

/** Report the pins (or GET references) still in the ledger, one report per taking call. */
export function scan(k: Kernel, pins: boolean, c: Checker): void {
  const s = gupState(k);
  if (s.outstanding === 0) return;
  const arr = pins ? s.pinned : s.gotten;
  const byTaker = new Map<number, number[]>();
  for (let p = 0; p < arr.length; p++) {
    if (arr[p]! === 0) continue;
    const list = byTaker.get(s.taker[p]!) ?? [];
    for (let n = 0; n < arr[p]!; n++) list.push(p);
    byTaker.set(s.taker[p]!, list);
  }
  for (const [taker, pages] of [...byTaker].sort((a, b) => a[0] - b[0])) {
    const t = s.takers.get(taker);
    const who = t === undefined ? 'an unknown call' : `${t.api} in ${t.thread} at step ${t.step}`;
    const where = t?.where ?? undefined;
    const what = pins ? 'pin(s)' : 'FOLL_GET reference(s)';
    const shown = pages.slice(0, 8).join(', ') + (pages.length > 8 ? ', ...' : '');
    report(
      k,
      c,
      `${pages.length} ${what} taken by ${who} never released (pfns ${shown})`,
      where ?? who,
    );
  }
}
