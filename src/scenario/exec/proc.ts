/**
 * Executors of /proc/PID/mem: proc_mem_write and proc_mem_read open the file of the target
 * process (`pid:`, default the acting one), pwrite or pread `length` bytes at `addr`
 * (fs/proc/base.c mem_rw), and close it. `.ret` is what pwrite/pread return: the bytes copied,
 * or -EIO when nothing could be.
 */
import { mem_rw } from '../../kernel/fs/proc/base.js';
import type { RemoteBuf } from '../../kernel/mm/memory_remote.js';
import { gupState } from '../../kernel/mm/gup_state.js';
import type { mm_struct } from '../../kernel/mm/mm_struct.js';
import type { Process } from '../../kernel/sched/task.js';
import type { Sched } from '../../sim/thread.js';
import type { BindingRef } from '../spec.js';
import { proc_mem_read, proc_mem_write } from '../ops/proc.js';
import { defineExecutor, type ExecContext, type ExecutorEntry } from './types.js';

/** The mm of the target process: `pid:` if given, else the acting process (null once exited). */
function targetMm(ctx: ExecContext, pid: BindingRef | undefined): mm_struct | null {
  if (pid === undefined) return ctx.process.mm as mm_struct | null;
  const p = ctx.lookup(pid) as Process | undefined;
  if (p === undefined || typeof p !== 'object' || !('tgid' in p))
    ctx.inputError(`'${pid.name}' is not a process`);
  return p.mm as mm_struct | null;
}

/** One pread/pwrite of /proc/PID/mem, with the step's place recorded for leak reports. */
function* rw(
  ctx: ExecContext,
  mm: mm_struct | null,
  addr: number,
  len: number,
  buf: RemoteBuf,
  write: boolean,
): Sched<number> {
  const s = gupState(ctx.k);
  s.where = `${ctx.threadName} at ${ctx.where}`;
  const ret = yield* mem_rw(ctx.k, mm, buf, len, { value: addr }, write);
  s.where = null;
  return ret;
}

const writeExecutor = defineExecutor(proc_mem_write, function* (ctx, args) {
  const buf: RemoteBuf = { fill: args.value & 0xff, got: [] };
  const ret = yield* rw(ctx, targetMm(ctx, args.pid), ctx.addr(args.addr), args.length, buf, true);
  return { primary: ret, ret };
});

const readExecutor = defineExecutor(proc_mem_read, function* (ctx, args) {
  const buf: RemoteBuf = { fill: 0, got: [] };
  const ret = yield* rw(ctx, targetMm(ctx, args.pid), ctx.addr(args.addr), args.length, buf, false);
  const got = buf.got;
  const one = got.length > 0 && got.every((v) => v === got[0]);
  return { primary: one ? got[0] : got, ret };
});

export const procExecutors: readonly ExecutorEntry[] = [writeExecutor, readExecutor];
