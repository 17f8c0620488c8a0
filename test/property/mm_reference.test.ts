/**
 * Law: for random sequences of address-space operations (mmap private/shared, munmap, mprotect,
 * stores, loads, fork, exit, MADV_DONTNEED / DONTFORK / WIPEONFORK), the kernel model
 * (typed-array page tables, folios, COW) and the slow reference model (src/mm/reference) agree
 * after every step on what user space can observe: which pages are mapped with which
 * protection, what each load returns, and what each operation returns. At the end every process
 * exits and every page must be free again. Runs with small pages, and with 16-64 KiB mTHP
 * (PTE-mapped large folios) enabled.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { user_read, user_write } from '../../src/kernel/arch/x86/mm/fault.js';
import {
  MADV_DONTFORK,
  MADV_DONTNEED,
  MADV_WIPEONFORK,
  MAP_ANONYMOUS,
  MAP_PRIVATE,
  MAP_SHARED,
} from '../../src/kernel/include/mman.js';
import { Kernel } from '../../src/kernel/kernel.js';
import { do_exit } from '../../src/kernel/kernel/exit.js';
import { kernel_clone } from '../../src/kernel/kernel/fork.js';
import { do_madvise } from '../../src/kernel/mm/madvise.js';
import { ksys_mmap_pgoff, vm_munmap } from '../../src/kernel/mm/mmap.js';
import { do_mprotect_pkey } from '../../src/kernel/mm/mprotect.js';
import type { mm_struct } from '../../src/kernel/mm/mm_struct.js';
import type { file } from '../../src/kernel/mm/mm_types.js';
import type { Process, task_struct } from '../../src/kernel/sched/task.js';
import {
  addr_to_vpn,
  entry_table,
  pmd_leaf,
  pmd_lookup,
  pte_pfn,
  pte_present,
} from '../../src/mm/index.js';
import { find_vma } from '../../src/mm/vma.js';
import { PAGE, ReferenceModel } from '../../src/mm/reference/model.js';
import { Machine } from '../../src/sim/index.js';

const MiB = 1024 * 1024;

type Op =
  | { op: 'mmap'; p: number; pages: number; prot: number; shared: boolean }
  | {
      op: 'munmap' | 'dontneed' | 'dontfork' | 'wipeonfork';
      p: number;
      m: number;
      off: number;
      len: number;
    }
  | { op: 'mprotect'; p: number; m: number; off: number; len: number; prot: number }
  | { op: 'store'; p: number; m: number; off: number; value: number }
  | { op: 'load'; p: number; m: number; off: number }
  | { op: 'fork' | 'exit'; p: number };

const PROTS = [0, 1, 2, 3];
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('mmap' as const),
      p: fc.nat(3),
      pages: fc.integer({ min: 1, max: 16 }),
      prot: fc.constantFrom(3, 3, 1, 0),
      shared: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constantFrom(
        'munmap' as const,
        'dontneed' as const,
        'dontfork' as const,
        'wipeonfork' as const,
      ),
      p: fc.nat(3),
      m: fc.nat(7),
      off: fc.nat(15),
      len: fc.integer({ min: 1, max: 16 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('mprotect' as const),
      p: fc.nat(3),
      m: fc.nat(7),
      off: fc.nat(15),
      len: fc.integer({ min: 1, max: 16 }),
      prot: fc.constantFrom(...PROTS),
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      op: fc.constant('store' as const),
      p: fc.nat(3),
      m: fc.nat(7),
      off: fc.nat(15),
      value: fc.integer({ min: 1, max: 255 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('load' as const),
      p: fc.nat(3),
      m: fc.nat(7),
      off: fc.nat(15),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constantFrom('fork' as const, 'exit' as const), p: fc.nat(3) }),
  },
);

/** What a load of addr would return in the kernel model, without faulting; null when unmapped. */
function peek(k: Kernel, mm: mm_struct, addr: number): { prot: number; value: number } | null {
  const vma = find_vma(mm, addr);
  if (vma === null || vma.vm_start > addr) return null;
  const prot = vma.vm_flags & 7;
  const pmdp = pmd_lookup(k.pool, mm, addr_to_vpn(addr));
  if (pmdp >= 0) {
    const pmd = k.pool.get(pmdp);
    if (pmd !== 0 && !pmd_leaf(pmd)) {
      const pte = k.pool.get(entry_table(pmd) * 512 + (addr_to_vpn(addr) & 511));
      if (pte_present(pte)) return { prot, value: k.mem.content[pte_pfn(pte)]! };
    }
  }
  const f = vma.vm_file as file | null;
  if (f === null) return { prot, value: 0 };
  const folio = f.f_mapping.i_pages.get((addr - vma.vm_start) / PAGE + vma.vm_pgoff);
  return { prot, value: folio === undefined ? 0 : k.mem.content[folio]! };
}

function runSequence(ops: readonly Op[], mthp: boolean): string[] {
  const m = new Machine({ trace: false, maxSteps: Infinity });
  const k = new Kernel(m, {
    memory: 64 * MiB,
    thp: mthp
      ? [
          { size: 16384, policy: 'always' },
          { size: 65536, policy: 'always' },
        ]
      : [],
  });
  const ref = new ReferenceModel();
  const errors: string[] = [];
  const procs: Process[] = [k.createProcess('p0')];
  ref.addProcess(procs[0]!.tgid);
  const maps = new Map<number, { addr: number; pages: number }[]>([[procs[0]!.tgid, []]]);
  let task: task_struct | null = null;
  const taskFor = (p: Process): task_struct =>
    Object.assign(Object.create(Object.getPrototypeOf(task) as object) as task_struct, task, {
      mm: p.mm,
    });
  let free0 = 0;
  task = k.spawnUser(procs[0]!, 'main', function* () {
    free0 = freePages(k);
    for (const [i, o] of ops.entries()) {
      const p = procs[o.p % procs.length]!;
      const mm = p.mm as mm_struct;
      const mine = maps.get(p.tgid)!;
      const target = 'm' in o && mine.length > 0 ? mine[o.m % mine.length]! : null;
      const where = (off: number) => target!.addr + (off % target!.pages) * PAGE;
      let got: number | null = null;
      let want: number | null = null;
      switch (o.op) {
        case 'mmap': {
          const a = yield* ksys_mmap_pgoff(
            k,
            mm,
            0,
            o.pages * PAGE,
            o.prot,
            (o.shared ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS,
            null,
            0,
          );
          if (a < 0) errors.push(`#${i} mmap failed ${a}`);
          else {
            ref.mmap(p.tgid, a, o.pages * PAGE, o.prot, o.shared);
            mine.push({ addr: a, pages: o.pages });
          }
          break;
        }
        case 'munmap':
          if (target === null) break;
          got = yield* vm_munmap(k, mm, where(o.off), o.len * PAGE);
          want = ref.munmap(p.tgid, where(o.off), o.len * PAGE);
          break;
        case 'dontneed':
          if (target === null) break;
          got = yield* do_madvise(k, mm, where(o.off), o.len * PAGE, MADV_DONTNEED);
          want = ref.dontneed(p.tgid, where(o.off), o.len * PAGE);
          break;
        case 'dontfork':
        case 'wipeonfork':
          if (target === null) break;
          got = yield* do_madvise(
            k,
            mm,
            target.addr,
            target.pages * PAGE,
            o.op === 'dontfork' ? MADV_DONTFORK : MADV_WIPEONFORK,
          );
          want = ref.advise(p.tgid, target.addr, target.pages * PAGE, o.op);
          break;
        case 'mprotect':
          if (target === null) break;
          got = yield* do_mprotect_pkey(k, mm, where(o.off), o.len * PAGE, o.prot);
          want = ref.mprotect(p.tgid, where(o.off), o.len * PAGE, o.prot);
          break;
        case 'store':
          if (target === null) break;
          got = yield* user_write(k, taskFor(p), where(o.off), 1, o.value);
          want = ref.store(p.tgid, where(o.off), o.value);
          break;
        case 'load': {
          if (target === null) break;
          const r = yield* user_read(k, taskFor(p), where(o.off), 1);
          got = typeof r === 'number' ? r : r[0]!;
          want = ref.load(p.tgid, where(o.off));
          break;
        }
        case 'fork': {
          if (procs.length >= 4) break;
          const c = yield* kernel_clone(k, p);
          if (typeof c === 'number') {
            errors.push(`#${i} fork failed ${c}`);
            break;
          }
          procs.push(c);
          ref.fork(p.tgid, c.tgid);
          maps.set(
            c.tgid,
            mine.map((x) => ({ ...x })),
          );
          break;
        }
        case 'exit':
          if (procs.length <= 1) break;
          yield* do_exit(k, p);
          ref.exit(p.tgid);
          procs.splice(procs.indexOf(p), 1);
          break;
      }
      if (got !== want) errors.push(`#${i} ${JSON.stringify(o)}: kernel ${got}, reference ${want}`);
      compare(k, ref, procs, maps, i, errors);
      if (errors.length > 0) return;
    }
    for (const p of procs) yield* do_exit(k, p);
    if (freePages(k) !== free0) errors.push(`leak: ${free0 - freePages(k)} pages not freed`);
  });
  const r = m.run();
  for (const v of r.violations) errors.push(`${v.id}: ${v.message}`);
  return errors;
}

function compare(
  k: Kernel,
  ref: ReferenceModel,
  procs: readonly Process[],
  maps: Map<number, { addr: number; pages: number }[]>,
  i: number,
  errors: string[],
): void {
  for (const p of procs) {
    const rp = ref.processes.get(p.tgid)!;
    for (const mp of maps.get(p.tgid)!) {
      for (let j = 0; j < mp.pages; j++) {
        const a = mp.addr + j * PAGE;
        const kv = peek(k, p.mm as mm_struct, a);
        const rv = rp.pages.get(a / PAGE);
        const r = rv === undefined ? null : { prot: rv.prot, value: ref.valueOf(rv) };
        if (JSON.stringify(kv) !== JSON.stringify(r)) {
          errors.push(
            `after #${i}: pid ${p.tgid} page 0x${a.toString(16)}: kernel ${JSON.stringify(kv)}, reference ${JSON.stringify(r)}`,
          );
          return;
        }
      }
    }
  }
}

function freePages(k: Kernel): number {
  let n = 0;
  for (const z of k.mem.zones) n += z.vm_stat[0]!;
  return n;
}

describe('kernel model vs reference model', () => {
  for (const mthp of [false, true]) {
    it(`random operation sequences agree (${mthp ? 'mTHP 16-64 KiB' : 'small pages'})`, () => {
      fc.assert(
        fc.property(fc.array(opArb, { minLength: 1, maxLength: 30 }), (ops) => {
          const errors = runSequence(ops, mthp);
          expect(errors).toEqual([]);
        }),
        { numRuns: 150, seed: mthp ? 4242 : 1717 },
      );
    });
  }
});
