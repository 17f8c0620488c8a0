/** Process operations: fork, exit, kill. */
import { SIGKILL, signalTable } from '../../kernel/include/signal.js';
import { optional, t, withDefault } from '../args.js';
import { defineOperation } from '../operation.js';

export const fork = defineOperation({
  name: 'fork',
  group: 'processes',
  kernel: 'kernel/fork.c: kernel_clone',
  doc: 'Fork the process: the child gets a copy of the address space (copy_page_range).',
  args: {},
  binds: { kind: 'process', doc: 'the child process' },
  example: 'fork: { as: child }',
});

export const exit = defineOperation({
  name: 'exit',
  group: 'processes',
  kernel: 'kernel/exit.c: do_group_exit',
  doc: 'The process exits; its address space is torn down (exit_mmap).',
  args: {},
  example: 'exit: { process: child }',
});

export const kill = defineOperation({
  name: 'kill',
  group: 'processes',
  kernel: 'kernel/signal.c: kill_pid_info',
  doc: 'Send a signal (default SIGKILL) to a thread, or to every thread of the process.',
  args: {
    thread: optional(t.thread(), 'the thread to signal; default: the whole process'),
    signal: withDefault(
      t.constant(signalTable),
      'one SIG* name',
      { value: SIGKILL, name: 'SIGKILL' },
      'SIGKILL',
    ),
  },
  example: 'kill: { thread: pinner }',
});

export const processOps = [fork, exit, kill];
