/**
 * The task a user-memory or address-space step acts as: the running task, seen in the step's
 * process (a thread may act in a forked child with `process:`), so loads and stores use that
 * process's page tables.
 */
import type { mm_struct } from '../../kernel/mm/mm_struct.js';
import type { task_struct } from '../../kernel/sched/task.js';
import type { ExecContext } from './types.js';

/** The running task with the acting process's mm (the task itself when they agree). */
export function actingTask(ctx: ExecContext): task_struct {
  const t = ctx.task;
  if (t.mm === ctx.process.mm) return t;
  return Object.assign(Object.create(Object.getPrototypeOf(t) as object) as task_struct, t, {
    mm: ctx.process.mm,
  });
}

/** The acting process's mm; a step in a process that has exited is an input error. */
export function actingMm(ctx: ExecContext): mm_struct {
  const mm = ctx.process.mm;
  if (mm === null) ctx.inputError(`process '${ctx.process.comm}' (${ctx.process.tgid}) has exited`);
  return mm as mm_struct;
}
