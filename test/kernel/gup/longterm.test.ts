// FOLL_LONGTERM (mm/gup.c: __gup_longterm_locked, check_and_migrate_movable_pages): pages in
// ZONE_MOVABLE (or CMA) are migrated to pinnable memory and the whole range pinned again;
// all or nothing; and the mapping rules (dirty-tracked file mappings, fsdax).
import { describe, expect, it } from 'vitest';
import { EFAULT, ENOMEM } from '../../../src/kernel/include/errno.js';
import { FOLL_LONGTERM, FOLL_WRITE } from '../../../src/kernel/include/gup_flags.js';
import { VM_HUGEPAGE, VM_MAYSHARE, VM_SHARED } from '../../../src/kernel/include/vm_flags.js';
import * as gup from '../../../src/kernel/mm/gup.js';
import { mmap_read_lock, mmap_read_unlock } from '../../../src/kernel/mm/mmap_lock.js';
import {
  ZONE_MOVABLE,
  folio_is_longterm_pinnable,
  folio_ref_count,
  insert_vm_struct,
  page_zonenum,
  vm_area_alloc,
  vm_get_page_prot,
  type VmFile,
} from '../../../src/mm/index.js';
import type { RunResult } from '../../../src/sim/machine.js';
import { run as runScenario, scenario } from '../../scenario/interp/helpers.js';
import { BASE, MiB, PAGE, RW, anonVma, boot, ids, mapped, run, touch } from './harness.js';

const MOVABLE = { memory: 128 * MiB, movable: 64 * MiB };

function migrations(r: RunResult): number {
  return r.trace.filter((e) => e.kind === 'gup.longterm-migrate').length;
}

describe('FOLL_LONGTERM', () => {
  it('migrates pages out of ZONE_MOVABLE, re-pins, and keeps the contents and the mapping (C8)', () => {
    const w = boot(MOVABLE);
    anonVma(w, BASE, 4 * PAGE);
    const pages = new Int32Array(4);
    const before: number[] = [];
    let ret = 0;
    const r = run(w, function* () {
      yield* touch(w, BASE, 4 * PAGE);
      for (let i = 0; i < 4; i++) {
        before.push(mapped(w, BASE + i * PAGE));
        w.k.mem.content[mapped(w, BASE + i * PAGE)] = 0x40 + i;
      }
      ret = yield* gup.pin_user_pages_fast(w.k, BASE, 4, FOLL_WRITE | FOLL_LONGTERM, pages);
      for (let i = 0; i < 4; i++) {
        expect(mapped(w, BASE + i * PAGE)).toBe(pages[i]); // the page tables point at the copy
        expect(w.k.mem.content[pages[i]!]).toBe(0x40 + i);
        expect(folio_is_longterm_pinnable(w.k.mem, pages[i]!)).toBe(true);
      }
      gup.unpin_user_pages(w.k, pages, ret);
    });
    expect(before.every((p) => page_zonenum(w.k.mem, p) === ZONE_MOVABLE)).toBe(true);
    expect(ret).toBe(4);
    expect([...pages].some((p, i) => p !== before[i])).toBe(true);
    expect(migrations(r)).toBe(1);
    expect(ids(r)).toEqual([]);
  });

  it('migrates a PMD-mapped THP out of ZONE_MOVABLE as a whole', () => {
    const w = boot(MOVABLE);
    anonVma(w, BASE, 512 * PAGE, RW | VM_HUGEPAGE);
    const pages = new Int32Array(512);
    let ret = 0;
    const r = run(w, function* () {
      yield* touch(w, BASE, PAGE);
      yield* mmap_read_lock(w.mm);
      ret = yield* gup.pin_user_pages(w.k, BASE, 512, FOLL_WRITE | FOLL_LONGTERM, pages);
      yield* mmap_read_unlock(w.mm);
      expect(folio_is_longterm_pinnable(w.k.mem, pages[0]!)).toBe(true);
      expect(mapped(w, BASE + 100 * PAGE)).toBe(pages[100]);
      gup.unpin_user_pages(w.k, pages, ret);
    });
    expect(ret).toBe(512);
    expect(ids(r)).toEqual([]);
  });

  it('all or nothing: a page someone else holds pinned cannot move, the call fails with -ENOMEM holding nothing', () => {
    const w = boot(MOVABLE);
    anonVma(w, BASE, 2 * PAGE);
    const other = new Int32Array(1);
    const pages = new Int32Array(2).fill(-1);
    let ret = 0;
    let refs = 0;
    const r = run(w, function* () {
      yield* touch(w, BASE, 2 * PAGE);
      // a short-term pin of page 1 keeps it in place (an unexpected reference for migration)
      expect(yield* gup.pin_user_pages_fast(w.k, BASE + PAGE, 1, FOLL_WRITE, other)).toBe(1);
      refs = folio_ref_count(w.k.mem, other[0]!);
      ret = yield* gup.pin_user_pages_fast(w.k, BASE, 2, FOLL_WRITE | FOLL_LONGTERM, pages);
      expect(folio_ref_count(w.k.mem, other[0]!)).toBe(refs); // nothing left behind
      gup.unpin_user_pages(w.k, other, 1);
    });
    expect(ret).toBe(-ENOMEM);
    expect(ids(r)).toEqual([]);
    const why = r.trace
      .filter((e) => e.kind === 'gup.longterm-migrate')
      .map((e) => (e.args as { rule: string }).rule);
    expect(why.at(-1)).toContain('could not be migrated');
  });

  it('pages already in ZONE_NORMAL are pinned in place', () => {
    const w = boot({ memory: 64 * MiB });
    anonVma(w, BASE, 2 * PAGE);
    const pages = new Int32Array(2);
    const r = run(w, function* () {
      yield* touch(w, BASE, 2 * PAGE);
      const p0 = mapped(w, BASE);
      expect(yield* gup.pin_user_pages_fast(w.k, BASE, 2, FOLL_LONGTERM, pages)).toBe(2);
      expect(pages[0]).toBe(p0);
      gup.unpin_user_pages(w.k, pages, 2);
    });
    expect(migrations(r)).toBe(0);
    expect(ids(r)).toEqual([]);
  });

  it('refuses FOLL_LONGTERM|FOLL_WRITE on a shared file mapping that needs dirty tracking', () => {
    const w = boot();
    const flags = RW | VM_SHARED | VM_MAYSHARE;
    const file: VmFile = Object.assign({ id: 77 }, { writeback: true });
    const vma = vm_area_alloc(w.mm, BASE, BASE + PAGE, flags, vm_get_page_prot(flags), 0, file);
    insert_vm_struct(w.mm, vma);
    const pages = new Int32Array(1);
    let ret = 0;
    run(w, function* () {
      yield* mmap_read_lock(w.mm);
      ret = yield* gup.pin_user_pages(w.k, BASE, 1, FOLL_WRITE | FOLL_LONGTERM, pages);
      yield* mmap_read_unlock(w.mm);
    });
    expect(ret).toBe(-EFAULT);
  });

  it('allows the same pin of a shared tmpfs mapping (shmem needs no dirty tracking)', () => {
    const text = [
      'scenario: t',
      'files:',
      '  shm: { fs: tmpfs, size: 8KiB, fill: 0x22 }',
      'threads:',
      '  main:',
      '    steps:',
      '      - open: { as: f, path: shm, flags: [O_RDWR] }',
      '      - mmap: { as: m, length: 8KiB, prot: [PROT_READ, PROT_WRITE], flags: [MAP_SHARED], file: f }',
      '      - pin_user_pages: { as: p, start: m, nr_pages: 2, gup_flags: [FOLL_WRITE, FOLL_LONGTERM] }',
      '      - expect: { value: p.ret, equals: 2 }',
      '      - expect: { pages: p, contents: 0x22 }',
      '      - unpin_user_pages: { pages: p }',
      '',
    ].join('\n');
    expect(runScenario(scenario(text)).verdict.reasons).toEqual([]);
  });
});
