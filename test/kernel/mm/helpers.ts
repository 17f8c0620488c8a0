/**
 * Helpers for the kernel-behaviour tests: boot a kernel, run one or more simulated threads of
 * a process, and look at the result like a selftest would (addresses, PTEs, folios).
 */
import { expect } from 'vitest';
import {
  GUP_PIN_COUNTING_BIAS,
  MMF_HAS_PINNED,
  NR_FREE_PAGES,
  addr_to_vpn,
  folio_ref_add,
  folio_put_refs,
  mm_flags_set,
  page_folio,
  pte_lookup,
  pte_pfn,
  pte_present,
  pmd_lookup,
  type MachineMemConfig,
} from '../../../src/mm/index.js';
import { Kernel, type KernelConfig } from '../../../src/kernel/kernel.js';
import type { mm_struct } from '../../../src/kernel/mm/mm_struct.js';
import type { Process, task_struct } from '../../../src/kernel/sched/task.js';
import { Machine, type RunResult, type Sched } from '../../../src/sim/index.js';
import { ksys_mmap_pgoff, vm_munmap } from '../../../src/kernel/mm/mmap.js';
import { user_read, user_write } from '../../../src/kernel/arch/x86/mm/fault.js';
import { do_exit } from '../../../src/kernel/kernel/exit.js';
import {
  MAP_ANONYMOUS,
  MAP_PRIVATE,
  PROT_READ,
  PROT_WRITE,
} from '../../../src/kernel/include/mman.js';

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const PAGE = 4096;

export interface World {
  readonly m: Machine;
  readonly k: Kernel;
  readonly p: Process;
  readonly mm: mm_struct;
}

/** Boot a machine and a kernel with one process (no threads yet). */
export function boot(
  config: Partial<KernelConfig> & Partial<MachineMemConfig> = {},
  quirks: string[] = [],
): World {
  const m = new Machine({ trace: true, quirks });
  const k = new Kernel(m, { memory: 64 * MiB, ...config } as KernelConfig);
  const p = k.createProcess('test');
  return { m, k, p, mm: p.mm as mm_struct };
}

/** Run the machine to the end and expect a clean result (no violations). */
export function finish(w: World, allowViolations = false): RunResult {
  const r = w.m.run();
  if (!allowViolations) {
    expect(
      r.violations.map((v) => `${v.id}: ${v.message} ${(v.details ?? []).join(' | ')}`),
    ).toEqual([]);
    expect(r.status).toBe('done');
  }
  return r;
}

/** Free pages of every zone (NR_FREE_PAGES), plus the free hugetlb pool pages. */
export function freePages(k: Kernel): number {
  let n = 0;
  for (const z of k.mem.zones) n += z.vm_stat[NR_FREE_PAGES]!;
  for (const h of k.mem.hstates) n += h.free_huge_pages * 2 ** h.order;
  return n;
}

/**
 * Boot, run `body` as the process's first thread, then exit every process still alive and check
 * that every page came back (no reference leaked, no page lost), and finish.
 */
export function runTask(
  body: (w: World, t: task_struct) => Sched<void>,
  config: Partial<KernelConfig> & Partial<MachineMemConfig> = {},
  quirks: string[] = [],
): World {
  const w = boot(config, quirks);
  const before = freePages(w.k);
  const t: { task: task_struct | null } = { task: null };
  t.task = w.k.spawnUser(w.p, 'main', function* () {
    yield* body(w, t.task!);
    for (const p of [...w.k.processes]) yield* do_exit(w.k, p);
    const hugeZero = w.k.mem.huge_zero_pfn >= 0 ? 512 : 0;
    expect(freePages(w.k) + hugeZero).toBe(before);
    expect(w.k.pool.nr_tables).toBe(w.k.processes.length === 0 ? 0 : w.k.pool.nr_tables);
  });
  finish(w);
  return w;
}

/** mmap(NULL, len, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS) in the task's mm. */
export function* mmapAnon(
  w: World,
  task: task_struct,
  len: number,
  prot = PROT_READ | PROT_WRITE,
  flags = MAP_PRIVATE | MAP_ANONYMOUS,
  addr = 0,
): Sched<number> {
  const ret = yield* ksys_mmap_pgoff(w.k, task.mm as mm_struct, addr, len, prot, flags, null, 0);
  return ret;
}

/** munmap in the task's mm. */
export function munmap(w: World, task: task_struct, addr: number, len: number): Sched<number> {
  return vm_munmap(w.k, task.mm as mm_struct, addr, len);
}

/** A store of `value` to [addr, addr+len) by the task; expects success. */
export function* store(
  w: World,
  task: task_struct,
  addr: number,
  len: number,
  value: number,
): Sched<void> {
  const r = yield* user_write(w.k, task, addr, len, value);
  expect(r).toBe(0);
}

/** A load of the first page at addr by the task; expects success and returns its byte. */
export function* load(w: World, task: task_struct, addr: number): Sched<number> {
  const r = yield* user_read(w.k, task, addr, 1);
  if (typeof r === 'number') throw new Error(`load failed: ${r}`);
  return r[0]!;
}

/** The PTE value mapping addr in mm (0 when none). */
export function pteOf(w: World, mm: mm_struct, addr: number): number {
  const ptep = pte_lookup(w.k.pool, mm, addr_to_vpn(addr));
  return ptep < 0 ? 0 : w.k.pool.get(ptep);
}

/** The PMD value covering addr in mm (0 when none). */
export function pmdOf(w: World, mm: mm_struct, addr: number): number {
  const pmdp = pmd_lookup(w.k.pool, mm, addr_to_vpn(addr));
  return pmdp < 0 ? 0 : w.k.pool.get(pmdp);
}

/** The pfn mapped at addr by a present PTE, or -1. */
export function pfnOf(w: World, mm: mm_struct, addr: number): number {
  const pte = pteOf(w, mm, addr);
  return pte_present(pte) ? pte_pfn(pte) : -1;
}

/** The folio mapped at addr by a present PTE, or -1. */
export function folioOf(w: World, mm: mm_struct, addr: number): number {
  const pfn = pfnOf(w, mm, addr);
  return pfn < 0 ? -1 : page_folio(w.k.mem, pfn);
}

/** Drop a simulated FOLL_PIN of a small folio (unpin_user_page). */
export function fakeUnpin(w: World, folio: number): void {
  folio_put_refs(w.k.mem, folio, GUP_PIN_COUNTING_BIAS);
}

/** Simulate a FOLL_PIN on a small folio as GUP would leave it: bias + MMF_HAS_PINNED. */
export function fakePin(w: World, mm: mm_struct, folio: number): void {
  folio_ref_add(w.k.mem, folio, GUP_PIN_COUNTING_BIAS);
  mm_flags_set(MMF_HAS_PINNED, mm);
}
