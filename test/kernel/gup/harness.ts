/**
 * Kernel-selftest-style harness for GUP: boot a small machine, give a process VMAs, fault pages
 * in, run a thread, and look at what it left. Every test runs a real simulated machine.
 */
import { installCheckers } from '../../../src/check/index.js';
import { FAULT_FLAG_USER, FAULT_FLAG_WRITE } from '../../../src/kernel/include/fault_flags.js';
import {
  VM_MAYEXEC,
  VM_MAYREAD,
  VM_MAYWRITE,
  VM_READ,
  VM_WRITE,
} from '../../../src/kernel/include/vm_flags.js';
import { Kernel, type KernelConfig } from '../../../src/kernel/kernel.js';
import { handle_mm_fault } from '../../../src/kernel/mm/memory.js';
import { mmap_read_lock, mmap_read_unlock } from '../../../src/kernel/mm/mmap_lock.js';
import type { mm_struct } from '../../../src/kernel/mm/mm_struct.js';
import { anon_vma_prepare } from '../../../src/kernel/mm/rmap.js';
import type { Process } from '../../../src/kernel/sched/task.js';
import {
  find_vma,
  insert_vm_struct,
  pmd_leaf,
  pmd_lookup,
  pte_lookup,
  pte_pfn,
  pte_present,
  vm_area_alloc,
  vm_get_page_prot,
  type VmAreaStruct,
} from '../../../src/mm/index.js';
import { Machine, type MachineOptions, type RunResult } from '../../../src/sim/machine.js';
import type { Sched } from '../../../src/sim/thread.js';

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const PAGE = 4096;
/** Where test mappings start: a 1 GiB-aligned user address. */
export const BASE = 0x7f0000000000;

export const RW = VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;
export const RO = VM_READ | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;

export interface World {
  readonly m: Machine;
  readonly k: Kernel;
  readonly p: Process;
  readonly mm: mm_struct;
}

/** A machine with one process and every GUP checker installed. */
export function boot(config: Partial<KernelConfig> = {}, opts: MachineOptions = {}): World {
  const m = new Machine({ trace: true, ...opts });
  const k = new Kernel(m, { memory: 64 * MiB, ...config });
  const p = k.createProcess('test');
  installCheckers(k);
  return { m, k, p, mm: p.mm! };
}

/** An anonymous private VMA [start, start + len) with these VM_* flags. */
export function anonVma(w: World, start: number, len: number, flags = RW): VmAreaStruct {
  const vma = vm_area_alloc(w.mm, start, start + len, flags, vm_get_page_prot(flags), 0, null);
  if (insert_vm_struct(w.mm, vma) !== 0) throw new Error('anonVma: overlap');
  anon_vma_prepare(w.k, vma);
  return vma;
}

/** A user write (or read) fault at each page of [start, start + len), as a store from user space would take. */
export function* touch(w: World, start: number, len: number, write = true): Sched<void> {
  yield* mmap_read_lock(w.mm);
  for (let a = start; a < start + len; a += PAGE) {
    const vma = find_vma(w.mm, a)!;
    const ret = yield* handle_mm_fault(vma, a, (write ? FAULT_FLAG_WRITE : 0) | FAULT_FLAG_USER);
    if (ret !== 0)
      throw new Error(`touch: fault at 0x${a.toString(16)} returned 0x${ret.toString(16)}`);
  }
  yield* mmap_read_unlock(w.mm);
}

/** Run `body` as the process's thread and return the run's result. */
export function run(w: World, body: () => Sched<unknown>, name = 'main'): RunResult {
  w.k.spawnUser(w.p, name, body);
  return w.m.run();
}

/** The pfn mapped at addr (PTE or huge PMD), or -1. */
export function mapped(w: World, addr: number): number {
  const vpn = addr / PAGE;
  const pmdp = pmd_lookup(w.k.pool, w.mm, vpn);
  if (pmdp < 0) return -1;
  const pmd = w.k.pool.entries[pmdp]!;
  if (pmd_leaf(pmd)) return pte_pfn(pmd) + (vpn % 512);
  const ptep = pte_lookup(w.k.pool, w.mm, vpn);
  if (ptep < 0) return -1;
  const pte = w.k.pool.entries[ptep]!;
  return pte_present(pte) ? pte_pfn(pte) : -1;
}

/** The raw PTE at addr (0 if none). */
export function pteAt(w: World, addr: number): number {
  const ptep = pte_lookup(w.k.pool, w.mm, addr / PAGE);
  return ptep < 0 ? 0 : w.k.pool.entries[ptep]!;
}

/** Violation ids of a run, sorted. */
export function ids(r: RunResult): string[] {
  return r.violations.map((v) => v.id);
}
