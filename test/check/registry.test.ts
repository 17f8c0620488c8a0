// The checker registry: every checker has a stable id, a one-line description and the kernel rule
// it enforces; together they cover the 24 invariants of gup-core.md §10; the always-on set
// includes leaks, mismatched and double releases, refcount underflow, lost exclusivity and the
// GUP-fast/fork overlap.
import { describe, expect, it } from 'vitest';
import { CHECKERS, checkerInfos, installAlwaysOnCheckers } from '../../src/check/index.js';
import { Kernel } from '../../src/kernel/kernel.js';
import { gupState } from '../../src/kernel/mm/gup_state.js';
import { Machine } from '../../src/sim/machine.js';

describe('checker registry', () => {
  it('has unique ids, each with a description and a kernel rule', () => {
    const ids = CHECKERS.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const c of checkerInfos()) {
      expect(c.id).toMatch(/^[a-z]+\.[a-z0-9.-]+$/);
      expect(c.description.length).toBeGreaterThan(15);
      expect(c.kernelRef.length).toBeGreaterThan(5);
    }
  });

  it('covers every invariant of gup-core.md §10 (1-24)', () => {
    const covered = new Set(CHECKERS.map((c) => c.invariant).filter((i) => i !== undefined));
    for (let i = 1; i <= 24; i++) expect(covered.has(i), `invariant ${i}`).toBe(true);
  });

  it('runs the required checkers always', () => {
    const always = CHECKERS.filter((c) => c.alwaysOn).map((c) => c.id);
    for (const id of [
      'gup.pin-leak',
      'gup.ref-leak',
      'gup.release-mismatch',
      'gup.double-release',
      'gup.refcount-underflow',
      'gup.pin-lost-exclusive',
      'gup.fast-fork-overlap',
    ]) {
      expect(always).toContain(id);
    }
  });

  it('installs idempotently', () => {
    const k = new Kernel(new Machine(), { memory: 16 * 1024 * 1024 });
    installAlwaysOnCheckers(k);
    const n = gupState(k).observers.length;
    installAlwaysOnCheckers(k);
    expect(gupState(k).observers.length).toBe(n);
  });
});
