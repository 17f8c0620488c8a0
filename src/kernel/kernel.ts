/**
 * The simulated kernel of one run: physical memory and page tables (src/mm), the processes and
 * tasks, and the engine machine they run on. Created by a program's setup:
 *
 *   setup(m) { const k = new Kernel(m, { memory: 64 * MiB }); const p = k.createProcess('init'); ... }
 *
 * Subsystems (GUP, files, swap, consumers) keep their per-kernel state here.
 */
import { boot_physmem, type MachineMemConfig } from '../mm/boot.js';
import { MmIdAllocator } from '../mm/mm_types.js';
import { pgd_alloc } from '../mm/pgtable_walk.js';
import type { PhysMem } from '../mm/physmem.js';
import type { PgtablePool } from '../mm/pgtable.js';
import type { Machine, SpawnOptions } from '../sim/machine.js';
import type { Sched, Thread } from '../sim/thread.js';
import { mm_struct } from './mm/mm_struct.js';
import { PF_KTHREAD, Process, task_struct } from './sched/task.js';

/** THP policy of one folio size (/sys/kernel/mm/transparent_hugepage/hugepages-<size>kB/enabled). */
export interface ThpSize {
  readonly size: number;
  readonly policy: 'never' | 'madvise' | 'always';
}

export interface KernelConfig extends MachineMemConfig {
  /** Per-size THP policy; sizes not listed: 2 MiB madvise, smaller never (the kernel's defaults). */
  readonly thp?: readonly ThpSize[];
  /** Swap space in bytes (0: no swap). */
  readonly swap?: number;
}

export class Kernel {
  readonly mem: PhysMem;
  readonly pool: PgtablePool;
  readonly mmIds = new MmIdAllocator();
  readonly processes: Process[] = [];
  readonly config: KernelConfig;
  /** The task of each engine thread, by thread id. */
  private readonly tasks: (task_struct | undefined)[] = [];
  private nextPid = 1;

  constructor(
    readonly m: Machine,
    config: KernelConfig,
  ) {
    this.config = config;
    this.mem = boot_physmem(config);
    this.pool = this.mem.pgtables;
  }

  /** kernel/fork.c: mm_alloc(): a new, empty address space. */
  mm_alloc(): mm_struct {
    const mm = new mm_struct(this.m, this.mmIds.alloc());
    mm.kernel = this;
    pgd_alloc(this.pool, mm);
    return mm;
  }

  /** A process present at boot, with an empty address space and no threads yet. */
  createProcess(comm: string, ppid = 0): Process {
    const p = new Process(this.nextPid++, comm, this.mm_alloc(), ppid);
    this.processes.push(p);
    return p;
  }

  /** Start a user thread of `p` running `body`. */
  spawnUser(
    p: Process,
    name: string,
    body: () => Sched<unknown>,
    opts: { readonly privateStart?: boolean } = {},
  ): task_struct {
    const pid = p.tasks.length === 0 ? p.tgid : this.nextPid++;
    const task = new task_struct(pid, p.tgid, name, p.mm);
    p.tasks.push(task);
    return this.attach(task, name, body, { kind: 'user', group: p.tgid, ...opts });
  }

  /** kernel/kthread.c: kthread_run(): a kernel thread (no mm). */
  kthread_run(name: string, body: () => Sched<unknown>): task_struct {
    const task = new task_struct(this.nextPid++, 0, name, null);
    task.flags |= PF_KTHREAD;
    return this.attach(task, name, body, { kind: 'kthread' });
  }

  /** A device agent (DMA engine, completion interrupt): runs like a kernel thread. */
  spawnDevice(name: string, body: () => Sched<unknown>): task_struct {
    const task = new task_struct(this.nextPid++, 0, name, null);
    task.flags |= PF_KTHREAD;
    return this.attach(task, name, body, { kind: 'device' });
  }

  private attach(
    task: task_struct,
    name: string,
    body: () => Sched<unknown>,
    o: SpawnOptions,
  ): task_struct {
    const t = this.m.spawn(name, body, o);
    task.thread = t;
    this.tasks[t.id] = task;
    return task;
  }

  /** The task of an engine thread. */
  taskOf(t: Thread): task_struct {
    const task = this.tasks[t.id];
    if (task === undefined) throw new Error(`thread ${t.name} is not a kernel task`);
    return task;
  }

  /** include/asm-generic/current.h: current, the running task. */
  get current(): task_struct {
    return this.taskOf(this.m.self);
  }

  /** The process with this tgid, if any. */
  process(tgid: number): Process | undefined {
    return this.processes.find((p) => p.tgid === tgid);
  }

  /** Register a process created at run time (fork). */
  addProcess(comm: string, ppid: number, mm: mm_struct): Process {
    const p = new Process(this.nextPid++, comm, mm, ppid);
    this.processes.push(p);
    return p;
  }
}
