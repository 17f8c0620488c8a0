/**
 * Executors of the address-space group: mmap, munmap, mprotect, madvise, mremap and clear_refs,
 * each the system call of the acting process (docs/mm-semantics.md). They return what the
 * system call returns: an address (mmap, mremap) or 0, or a negative errno.
 */
import { fget } from '../../kernel/fs/file.js';
import { clear_refs_write } from '../../kernel/fs/proc/task_mmu.js';
import { EBADF } from '../../kernel/include/errno.js';
import { hugetlbEncode } from '../../kernel/include/hugetlb_encode.js';
import { MAP_ANONYMOUS } from '../../kernel/include/mman.js';
import { do_madvise } from '../../kernel/mm/madvise.js';
import { sys_mmap, vm_munmap } from '../../kernel/mm/mmap.js';
import { do_mprotect_pkey } from '../../kernel/mm/mprotect.js';
import { do_mremap } from '../../kernel/mm/mremap.js';
import { clear_refs, madvise, mmap, mprotect, mremap, munmap } from '../ops/address_space.js';
import { actingMm } from './acting.js';
import { fdOf } from './files.js';
import { defineExecutor, type ExecutorEntry, type StepOutcome } from './types.js';

function outcome(ret: number): StepOutcome {
  return { primary: ret, ret };
}

const mmapExecutor = defineExecutor(mmap, function* (ctx, args) {
  const mm = actingMm(ctx);
  let flags = args.flags.value;
  if (args.hugetlb_size !== undefined) flags += hugetlbEncode(args.hugetlb_size);
  let file = null;
  if (args.file !== undefined && (flags & MAP_ANONYMOUS) === 0) {
    file = fget(ctx.k, ctx.process.tgid, fdOf(ctx, args.file));
    if (file === null) return outcome(-EBADF);
  }
  ctx.m.enter(mmap.kernel);
  const ret = yield* sys_mmap(
    ctx.k,
    mm,
    ctx.addr(args.addr),
    args.length,
    args.prot.value,
    flags,
    file,
    args.offset,
  );
  ctx.m.leave();
  return outcome(ret);
});

const munmapExecutor = defineExecutor(munmap, function* (ctx, args) {
  return outcome(yield* vm_munmap(ctx.k, actingMm(ctx), ctx.addr(args.addr), args.length));
});

const mprotectExecutor = defineExecutor(mprotect, function* (ctx, args) {
  return outcome(
    yield* do_mprotect_pkey(
      ctx.k,
      actingMm(ctx),
      ctx.addr(args.addr),
      args.length,
      args.prot.value,
    ),
  );
});

// do_madvise checks its arguments, then takes mmap_lock (its first point): a narrow start.
const madviseExecutor = defineExecutor(
  madvise,
  function* (ctx, args) {
    return outcome(
      yield* do_madvise(ctx.k, actingMm(ctx), ctx.addr(args.addr), args.length, args.advice.value),
    );
  },
  { narrowStart: true },
);

const mremapExecutor = defineExecutor(mremap, function* (ctx, args) {
  const to = args.new_addr === undefined ? 0 : ctx.addr(args.new_addr);
  return outcome(
    yield* do_mremap(
      ctx.k,
      actingMm(ctx),
      ctx.addr(args.addr),
      args.old_len,
      args.new_len,
      args.flags.value,
      to,
    ),
  );
});

const clearRefsExecutor = defineExecutor(clear_refs, function* (ctx, args) {
  return outcome(yield* clear_refs_write(ctx.k, actingMm(ctx), args.value));
});

export const addressSpaceExecutors: readonly ExecutorEntry[] = [
  mmapExecutor,
  munmapExecutor,
  mprotectExecutor,
  madviseExecutor,
  mremapExecutor,
  clearRefsExecutor,
];
