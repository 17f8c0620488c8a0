/**
 * Executors of the locks group: mmap_lock of the acting process, taken and released as the
 * thread's task through the kernel's wrappers (src/kernel/mm/mmap_lock.ts). A thread may hold it
 * across steps; a GUP step that needs it then keeps the thread's hold. Releasing a hold the
 * thread does not have is the model's to report (lockdep.bad-unlock), not an input error.
 */
import * as mmap_lock from '../../kernel/mm/mmap_lock.js';
import type { mm_struct } from '../../kernel/mm/mm_struct.js';
import type { Sched } from '../../sim/thread.js';
import {
  mmap_read_lock,
  mmap_read_unlock,
  mmap_write_lock,
  mmap_write_unlock,
} from '../ops/locks.js';
import type { OperationDescriptor } from '../operation.js';
import { defineExecutor, type ExecContext, type ExecutorEntry } from './types.js';

function mmOf(ctx: ExecContext): mm_struct {
  const { mm, comm } = ctx.process;
  if (mm === null) ctx.inputError(`process '${comm}' has no mm (it has exited)`);
  return mm;
}

/** One wrapper of include/linux/mmap_lock.h as a step, on the call stack while it runs. */
function lockExecutor(
  op: OperationDescriptor<Record<string, never>>,
  fn: (mm: mm_struct) => Sched<void>,
): ExecutorEntry {
  return defineExecutor(
    op,
    function* (ctx) {
      const mm = mmOf(ctx);
      ctx.m.enter(op.kernel);
      yield* fn(mm);
      ctx.m.leave();
      return { primary: 0, ret: 0 };
    },
    { narrowStart: true },
  ); // the rwsem operation's point comes before it touches the lock
}

export const lockExecutors: readonly ExecutorEntry[] = [
  lockExecutor(mmap_read_lock, mmap_lock.mmap_read_lock),
  lockExecutor(mmap_read_unlock, mmap_lock.mmap_read_unlock),
  lockExecutor(mmap_write_lock, mmap_lock.mmap_write_lock),
  lockExecutor(mmap_write_unlock, mmap_lock.mmap_write_unlock),
];
