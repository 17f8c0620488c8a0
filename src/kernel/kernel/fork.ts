/**
 * fork: kernel/fork.c (v6.18) kernel_clone, copy_process (the parts that concern memory and
 * files), copy_mm and dup_mm. The page-table copy is mm/mmap.ts: dup_mmap and
 * mm/memory_copy.ts: copy_page_range.
 * @fidelity simplified: only fork() (SIGCHLD, no CLONE_VM threads: Kernel.spawnUser adds threads
 * to a process); the child process starts with no running task, the scenario decides which
 * thread acts in it
 */
import type { Sched } from '../../sim/thread.js';
import { ENOMEM } from '../include/errno.js';
import { dup_fd } from '../fs/file.js';
import type { Kernel } from '../kernel.js';
import { dup_mmap } from '../mm/mmap.js';
import type { mm_struct } from '../mm/mm_struct.js';
import type { Process } from '../sched/task.js';
import { mmput } from './exit.js';

/**
 * kernel/fork.c: dup_mm(tsk, oldmm): a new mm with a copy of oldmm's address space, or null
 * (the half-built mm is torn down).
 * @fidelity simplified
 */
export function* dup_mm(k: Kernel, oldmm: mm_struct): Sched<mm_struct | null> {
  const mm = k.mm_alloc();
  const err = yield* dup_mmap(k, mm, oldmm);
  if (err !== 0) {
    yield* mmput(k, mm);
    return null;
  }
  return mm;
}

/**
 * kernel/fork.c: kernel_clone(args) for fork(): copy the parent's address space (copy_mm ->
 * dup_mm) and open files (dup_fd), register the child process. Returns the child, or a
 * negative errno.
 * @fidelity simplified
 */
export function* kernel_clone(k: Kernel, parent: Process): Sched<Process | number> {
  const m = k.m;
  m.enter('kernel/fork.c: kernel_clone');
  let mm: mm_struct | null = null;
  if (parent.mm !== null) {
    mm = yield* dup_mm(k, parent.mm as mm_struct);
    if (mm === null) {
      m.leave();
      return -ENOMEM;
    }
  }
  const child = k.addProcess(parent.comm, parent.tgid, mm as mm_struct);
  dup_fd(k, parent.tgid, child.tgid);
  m.leave();
  return child;
}

/** kernel/fork.c: sys_fork(): kernel_clone with SIGCHLD. @fidelity simplified */
export function sys_fork(k: Kernel, parent: Process): Sched<Process | number> {
  return kernel_clone(k, parent);
}
