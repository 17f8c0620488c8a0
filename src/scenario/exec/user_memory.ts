/**
 * Executors of the user-memory group: memset (user stores) and read (user loads), through the
 * acting process's page tables, faulting as the MMU would (arch/x86/mm/fault.ts). A store that
 * ends in SIGSEGV/SIGBUS returns -EFAULT. `read` binds the contents: one value when every page
 * holds it, else the list per page. (`expect` is exec/expect.ts.)
 */
import { user_read, user_write } from '../../kernel/arch/x86/mm/fault.js';
import { memset, read } from '../ops/user_memory.js';
import { actingTask } from './acting.js';
import { defineExecutor, type ExecutorEntry } from './types.js';

// The MMU model walks the page tables before each access's scheduling point only to declare
// what the access touches, and walks again after it: the start of a step reads only its
// arguments and the acting mm (or, with every other thread finished, does the whole access).
const NARROW = { narrowStart: true };

const memsetExecutor = defineExecutor(
  memset,
  function* (ctx, args) {
    const ret = yield* user_write(
      ctx.k,
      actingTask(ctx),
      ctx.addr(args.addr),
      args.length,
      args.value,
    );
    return { primary: ret, ret };
  },
  NARROW,
);

const readExecutor = defineExecutor(
  read,
  function* (ctx, args) {
    const r = yield* user_read(ctx.k, actingTask(ctx), ctx.addr(args.addr), args.length);
    if (typeof r === 'number') return { primary: r, ret: r };
    const one = r.every((v) => v === r[0]);
    return { primary: one ? (r[0] ?? 0) : r, ret: 0 };
  },
  NARROW,
);

export const userMemoryExecutors: readonly ExecutorEntry[] = [memsetExecutor, readExecutor];
