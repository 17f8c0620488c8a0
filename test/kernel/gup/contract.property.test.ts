// Property: for random entry points, flag sets (internal flags included), address ranges over a
// mixed address space, pages/locked arguments and prefaulted pages, every call obeys the call
// contract (gup-core.md §10, items 9-11): the return value is an errno or a count in
// [0, nr_pages], 0 only where allowed; exactly pages[0..ret) hold one reference each of the
// requested kind and nothing else does; the lock state follows the locked contract. Misuse is
// reported as gup.warn.*, never anything else; releasing what was returned leaves nothing behind.
//
//   BASE  +8        +10         +14        +16
//   [anon RW )[ hole )[ anon RO  )[ VM_IO  )
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_ERRNO } from '../../../src/kernel/include/errno.js';
import {
  FOLL_FAST_ONLY,
  FOLL_NOWAIT,
  FOLL_PIN,
  follTable,
} from '../../../src/kernel/include/gup_flags.js';
import { VM_IO } from '../../../src/kernel/include/vm_flags.js';
import * as gup from '../../../src/kernel/mm/gup.js';
import { gupState } from '../../../src/kernel/mm/gup_state.js';
import {
  mmap_lock_held_by_current,
  mmap_read_lock,
  mmap_read_unlock,
} from '../../../src/kernel/mm/mmap_lock.js';
import type { Sched } from '../../../src/sim/thread.js';
import { BASE, PAGE, RO, anonVma, boot, run, touch, type World } from './harness.js';

const APIS = [
  'get_user_pages',
  'get_user_pages_fast',
  'get_user_pages_fast_only',
  'get_user_pages_unlocked',
  'get_user_pages_remote',
  'pin_user_pages',
  'pin_user_pages_fast',
  'pin_user_pages_unlocked',
  'pin_user_pages_remote',
] as const;
type Api = (typeof APIS)[number];

/** Whether the caller must hold mmap_lock (else it must not). */
const HOLDS: Record<Api, boolean> = {
  get_user_pages: true,
  get_user_pages_remote: true,
  pin_user_pages: true,
  pin_user_pages_remote: true,
  get_user_pages_fast: false,
  get_user_pages_fast_only: false,
  get_user_pages_unlocked: false,
  pin_user_pages_fast: false,
  pin_user_pages_unlocked: false,
};

const FLAG_VALUES = follTable.names.map((n) => follTable.valueOf(n)!);

interface Case {
  readonly api: Api;
  readonly startPage: number;
  readonly nr: number;
  readonly flags: number;
  readonly withPages: boolean;
  readonly locked: null | number;
  readonly prefault: readonly boolean[];
}

const caseArb: fc.Arbitrary<Case> = fc.record({
  api: fc.constantFrom(...APIS),
  startPage: fc.integer({ min: -1, max: 17 }),
  nr: fc.integer({ min: 0, max: 10 }),
  flags: fc.subarray(FLAG_VALUES, { maxLength: 4 }).map((fs) => fs.reduce((a, b) => a | b, 0)),
  withPages: fc.boolean(),
  locked: fc.constantFrom(null, 1, 1, 0),
  prefault: fc.array(fc.boolean(), { minLength: 14, maxLength: 14 }),
});

function layout(w: World): void {
  anonVma(w, BASE, 8 * PAGE);
  anonVma(w, BASE + 10 * PAGE, 4 * PAGE, RO);
  anonVma(w, BASE + 14 * PAGE, 2 * PAGE, RO | VM_IO);
}

function* prefault(w: World, c: Case): Sched<void> {
  for (let i = 0; i < 8; i++) if (c.prefault[i]) yield* touch(w, BASE + i * PAGE, PAGE);
  for (let i = 10; i < 14; i++) if (c.prefault[i]) yield* touch(w, BASE + i * PAGE, PAGE, false);
}

function* callApi(
  w: World,
  c: Case,
  pages: Int32Array | null,
  locked: { value: number } | null,
): Sched<number> {
  const k = w.k;
  const s = BASE + c.startPage * PAGE;
  switch (c.api) {
    case 'get_user_pages':
      return yield* gup.get_user_pages(k, s, c.nr, c.flags, pages);
    case 'get_user_pages_fast':
      return yield* gup.get_user_pages_fast(k, s, c.nr, c.flags, pages);
    case 'get_user_pages_fast_only':
      return yield* gup.get_user_pages_fast_only(k, s, c.nr, c.flags, pages!);
    case 'get_user_pages_unlocked':
      return yield* gup.get_user_pages_unlocked(k, s, c.nr, pages, c.flags);
    case 'get_user_pages_remote':
      return yield* gup.get_user_pages_remote(k, w.mm, s, c.nr, c.flags, pages, locked);
    case 'pin_user_pages':
      return yield* gup.pin_user_pages(k, s, c.nr, c.flags, pages);
    case 'pin_user_pages_fast':
      return yield* gup.pin_user_pages_fast(k, s, c.nr, c.flags, pages);
    case 'pin_user_pages_unlocked':
      return yield* gup.pin_user_pages_unlocked(k, s, c.nr, pages, c.flags);
    case 'pin_user_pages_remote':
      return yield* gup.pin_user_pages_remote(k, w.mm, s, c.nr, c.flags, pages, locked);
  }
}

interface Outcome {
  ret: number;
  held: number;
  lockedOut: number | null;
  heldAfter: boolean;
  stillHeld: number;
}

function execute(c: Case): { o: Outcome; ids: string[] } {
  const w = boot();
  layout(w);
  const pages = c.withPages ? new Int32Array(Math.max(c.nr, 1)).fill(-1) : null;
  const remote = c.api.endsWith('_remote');
  const locked = remote && c.locked !== null ? { value: c.locked } : null;
  const o: Outcome = { ret: NaN, held: 0, lockedOut: null, heldAfter: false, stillHeld: 0 };
  const r = run(w, function* () {
    yield* prefault(w, c);
    if (HOLDS[c.api]) yield* mmap_read_lock(w.mm);
    o.ret = yield* callApi(w, c, pages, locked);
    o.heldAfter = mmap_lock_held_by_current(w.mm);
    o.lockedOut = locked?.value ?? null;
    o.held = gupState(w.k).net[w.m.self.id] ?? 0;
    if (o.heldAfter) yield* mmap_read_unlock(w.mm);
    if (o.ret > 0 && pages !== null && pages[0]! >= 0) {
      if (gupState(w.k).pinned[pages[0]!]! > 0) gup.unpin_user_pages(w.k, pages, o.ret);
      else for (let i = 0; i < o.ret; i++) gup.put_page(w.k, pages[i]!);
    }
    o.stillHeld = gupState(w.k).net[w.m.self.id] ?? 0;
  });
  return { o, ids: r.violations.map((v) => v.id) };
}

describe('the call contract (property)', () => {
  it('holds for random calls', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const { o, ids } = execute(c);
        // 10: an errno, or a count in [0, nr_pages]
        expect(o.ret < 0 ? o.ret >= -MAX_ERRNO : o.ret <= c.nr).toBe(true);
        const invalid = ids.some((id) => id.startsWith('gup.warn.'));
        if (o.ret === 0 && c.nr > 0) {
          const pinInvalid = invalid && c.api.startsWith('pin_') && !c.api.endsWith('_fast');
          expect(
            pinInvalid ||
              (c.flags & (FOLL_NOWAIT | FOLL_FAST_ONLY)) !== 0 ||
              c.api === 'get_user_pages_fast_only',
          ).toBe(true);
        }
        // 10: exactly ret references (or none), all released afterwards
        expect(o.held).toBe(o.ret > 0 && c.withPages ? o.ret : 0);
        expect(o.stillHeld).toBe(0);
        // 11: lock state
        if (o.lockedOut === null || invalid) expect(o.heldAfter).toBe(HOLDS[c.api]);
        else expect(o.heldAfter).toBe(o.lockedOut === 1);
        // 9: misuse is a WARN, and nothing else is ever reported
        expect(ids.filter((id) => !id.startsWith('gup.warn.'))).toEqual([]);
        if ((c.flags & FOLL_PIN) !== 0) expect(invalid).toBe(true);
      }),
      { numRuns: 150, seed: 4242 },
    );
  });
});
