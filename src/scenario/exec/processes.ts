/**
 * Executors of the processes group: fork (kernel_clone: binds the child process), exit
 * (do_exit of the acting process) and kill (a fatal signal to one thread, or to every thread of
 * the process, whose address space is then torn down as its exit would).
 * @fidelity simplified: only fatal signals exist in the model (SIGKILL); the exit work of a
 * killed process runs in the killing thread
 */
import { SIGKILL } from '../../kernel/include/signal.js';
import { do_exit } from '../../kernel/kernel/exit.js';
import { kernel_clone } from '../../kernel/kernel/fork.js';
import { exit, fork, kill } from '../ops/processes.js';
import { defineExecutor, type ExecutorEntry } from './types.js';

// kernel_clone's first point is taking the parent's mmap_lock; before it, it only allocates the
// child's empty mm.
const forkExecutor = defineExecutor(
  fork,
  function* (ctx) {
    const child = yield* kernel_clone(ctx.k, ctx.process);
    if (typeof child === 'number') return { primary: child, ret: child };
    return { primary: child, ret: child.tgid };
  },
  { narrowStart: true },
);

const exitExecutor = defineExecutor(exit, function* (ctx) {
  yield* do_exit(ctx.k, ctx.process);
  return { primary: 0, ret: 0 };
});

const killExecutor = defineExecutor(kill, function* (ctx, args) {
  if (args.signal.value !== SIGKILL)
    ctx.inputError(`${args.signal.name} is not modelled: only SIGKILL is`);
  if (args.thread !== undefined) {
    const t = ctx.m.threads.find((x) => x.name === args.thread);
    if (t === undefined) return ctx.inputError(`no thread '${args.thread}'`);
    ctx.m.kill(t);
    return { primary: 0, ret: 0 };
  }
  ctx.m.killGroup(ctx.process.tgid);
  yield* do_exit(ctx.k, ctx.process);
  return { primary: 0, ret: 0 };
});

export const processExecutors: readonly ExecutorEntry[] = [
  forkExecutor,
  exitExecutor,
  killExecutor,
];
