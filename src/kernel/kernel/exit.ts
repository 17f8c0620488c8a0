/**
 * Process exit: kernel/exit.c (v6.18) do_exit / do_group_exit (exit_mm, exit_files) and
 * kernel/fork.c mmput / mmdrop: when the last user of an mm goes, exit_mmap tears the address
 * space down (every page unmapped, page tables and VMAs freed) and the mm is freed.
 * @fidelity simplified: no zombie/reaping, no exit signals; other threads of the process are
 * sent SIGKILL (zap_other_threads) and their tasks lose the mm
 */
import { __mmdrop } from '../../mm/mm_types.js';
import type { Sched } from '../../sim/thread.js';
import { exit_files } from '../fs/file.js';
import type { Kernel } from '../kernel.js';
import { exit_mmap } from '../mm/mmap.js';
import type { mm_struct } from '../mm/mm_struct.js';
import type { Process } from '../sched/task.js';

/** kernel/fork.c: mmget(mm): one more user of the address space. @fidelity exact */
export function mmget(mm: mm_struct): void {
  mm.mm_users++;
}

/** kernel/fork.c: mmget_not_zero(mm). @fidelity exact */
export function mmget_not_zero(mm: mm_struct): boolean {
  if (mm.mm_users === 0) return false;
  mm.mm_users++;
  return true;
}

/**
 * kernel/fork.c: mmput(mm): drop a user; the last one runs exit_mmap and frees the mm
 * (__mmput + mmdrop).
 * @fidelity simplified (mm_count is not separated from mm_users)
 */
export function* mmput(k: Kernel, mm: mm_struct): Sched<void> {
  if (--mm.mm_users > 0) return;
  k.m.enter('kernel/fork.c: mmput');
  yield* exit_mmap(k, mm);
  __mmdrop(k.pool, k.mmIds, mm);
  k.m.leave();
}

/**
 * kernel/exit.c: do_group_exit(code) / do_exit: the process's threads are killed, its files
 * closed, and its mm released (exit_mm -> mmput).
 * @fidelity simplified
 */
export function* do_exit(k: Kernel, p: Process): Sched<void> {
  if (p.exited) return;
  const m = k.m;
  m.enter('kernel/exit.c: do_exit');
  p.exited = true;
  for (const t of p.tasks) {
    if (t.thread !== null && t.thread !== m.current && !t.thread.done) m.kill(t.thread);
  }
  exit_files(k, p.tgid);
  const mm = p.mm as mm_struct | null;
  p.mm = null;
  for (const t of p.tasks) t.mm = null;
  if (mm !== null) yield* mmput(k, mm);
  m.leave();
}
