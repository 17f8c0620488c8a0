/**
 * Tasks and processes. A `task_struct` is one simulated thread (an engine Thread) with its
 * kernel identity: pid, thread group, comm, mm (null for kernel threads) and flags
 * (PF_MEMALLOC_PIN...). A process is a thread group sharing one mm.
 */
import type { Thread } from '../../sim/thread.js';
import type { mm_struct } from '../mm/mm_struct.js';

/** include/linux/sched.h: PF_KTHREAD. */
export const PF_KTHREAD = 0x00200000;

/** include/linux/sched.h: struct task_struct (the fields the model uses). @fidelity simplified */
export class task_struct {
  /** current->flags (PF_*). */
  flags = 0;
  /** The engine thread running this task, set when it is spawned. */
  thread: Thread | null = null;

  constructor(
    readonly pid: number,
    /** The thread group (process) id. */
    readonly tgid: number,
    readonly comm: string,
    public mm: mm_struct | null,
  ) {}
}

/** A thread group: the tasks sharing one mm. @fidelity custom */
export class Process {
  readonly tasks: task_struct[] = [];
  exited = false;

  constructor(
    readonly tgid: number,
    readonly comm: string,
    public mm: mm_struct | null,
    /** The parent's tgid, or 0 for processes present at boot. */
    readonly ppid: number,
  ) {}
}
