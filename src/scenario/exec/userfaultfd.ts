/**
 * Executors of the userfaultfd group (docs/userfaultfd.md): the system call with UFFDIO_API, the
 * UFFDIO_* ioctls and the handler's read. Each returns what the kernel returns; the ioctls bind
 * their struct's output field (`NAME.copy`...), `uffd_read` the fault address and the fields of
 * the message (`NAME.ufd` of a fork event is a descriptor later steps may name as their uffd).
 */
import {
  new_userfaultfd,
  userfaultfd_ctx_fdget,
  userfaultfd_read,
  type uffd_msg,
  type userfaultfd_ctx,
} from '../../kernel/fs/userfaultfd.js';
import {
  userfaultfd_api,
  userfaultfd_close,
  userfaultfd_continue,
  userfaultfd_copy,
  userfaultfd_register,
  userfaultfd_unregister,
  userfaultfd_wake,
  userfaultfd_writeprotect,
  userfaultfd_zeropage,
  type UffdioResult,
} from '../../kernel/fs/userfaultfd_ioctl.js';
import { uffd_event_name } from '../../kernel/fs/userfaultfd_event.js';
import { EBADF } from '../../kernel/include/errno.js';
import {
  UFFD_API,
  UFFD_EVENT_FORK,
  UFFD_EVENT_PAGEFAULT,
  UFFD_EVENT_REMAP,
  UFFD_EVENT_REMOVE,
  UFFD_EVENT_UNMAP,
} from '../../kernel/include/userfaultfd.js';
import type { Sched } from '../../sim/thread.js';
import type { BindingRef } from '../spec.js';
import {
  UFFDIO_CONTINUE,
  UFFDIO_COPY,
  UFFDIO_REGISTER,
  UFFDIO_UNREGISTER,
  UFFDIO_WAKE,
  UFFDIO_WRITEPROTECT,
  UFFDIO_ZEROPAGE,
  uffd_close,
  uffd_read,
  userfaultfd,
} from '../ops/userfaultfd.js';
import { actingMm } from './acting.js';
import { fdOf } from './files.js';
import { defineExecutor, type ExecContext, type ExecutorEntry, type StepOutcome } from './types.js';

const NARROW = { narrowStart: true };

/** The context behind a uffd name, or null (a closed or foreign descriptor: -EBADF). */
function uffdOf(ctx: ExecContext, ref: BindingRef): userfaultfd_ctx | null {
  return userfaultfd_ctx_fdget(ctx.k, ctx.process.tgid, fdOf(ctx, ref));
}

function outcome(ret: number, fields?: Record<string, unknown>): StepOutcome {
  return fields === undefined ? { primary: ret, ret } : { primary: ret, ret, fields };
}

/** Run an ioctl on the step's uffd as the kernel function `fn`; -EBADF for a bad descriptor. */
function* ioctl(
  ctx: ExecContext,
  ref: BindingRef,
  fn: string,
  range: readonly [number, number],
  body: (c: userfaultfd_ctx) => Sched<number | UffdioResult>,
  field?: string,
): Sched<StepOutcome> {
  const c = uffdOf(ctx, ref);
  if (c === null) return outcome(-EBADF);
  ctx.m.enter(fn);
  const r = yield* body(c);
  ctx.m.leave();
  const ret = typeof r === 'number' ? r : r.ret;
  if (ctx.m.trace.enabled) {
    ctx.m.emit(
      'uffd.call',
      { call: fn.split(': ')[1] ?? fn, start: range[0], len: range[1], ret },
      fn,
    );
  }
  if (typeof r === 'number' || field === undefined) return outcome(ret);
  return outcome(ret, { [field]: r.out });
}

const userfaultfdExecutor = defineExecutor(userfaultfd, function* (ctx, args) {
  yield* [];
  const fd = new_userfaultfd(ctx.k, ctx.process.tgid, actingMm(ctx), args.flags.value);
  if (fd < 0) return outcome(fd);
  const api = userfaultfd_api(
    userfaultfd_ctx_fdget(ctx.k, ctx.process.tgid, fd)!,
    UFFD_API,
    args.features.value,
  );
  return { primary: fd, ret: api.ret < 0 ? api.ret : fd };
});

const registerExecutor = defineExecutor(
  UFFDIO_REGISTER,
  function* (ctx, args) {
    const start = ctx.addr(args.start);
    return yield* ioctl(
      ctx,
      args.uffd,
      UFFDIO_REGISTER.kernel,
      [start, args.length],
      (c) => userfaultfd_register(ctx.k, c, start, args.length, args.mode.value),
      'ioctls',
    );
  },
  NARROW,
);

const unregisterExecutor = defineExecutor(
  UFFDIO_UNREGISTER,
  function* (ctx, args) {
    const start = ctx.addr(args.start);
    return yield* ioctl(ctx, args.uffd, UFFDIO_UNREGISTER.kernel, [start, args.length], (c) =>
      userfaultfd_unregister(ctx.k, c, start, args.length),
    );
  },
  NARROW,
);

const copyExecutor = defineExecutor(
  UFFDIO_COPY,
  function* (ctx, args) {
    const dst = ctx.addr(args.dst);
    return yield* ioctl(
      ctx,
      args.uffd,
      UFFDIO_COPY.kernel,
      [dst, args.length],
      (c) => userfaultfd_copy(ctx.k, c, dst, args.length, args.value, args.mode.value),
      'copy',
    );
  },
  NARROW,
);

const zeropageExecutor = defineExecutor(
  UFFDIO_ZEROPAGE,
  function* (ctx, args) {
    const start = ctx.addr(args.start);
    return yield* ioctl(
      ctx,
      args.uffd,
      UFFDIO_ZEROPAGE.kernel,
      [start, args.length],
      (c) => userfaultfd_zeropage(ctx.k, c, start, args.length, args.mode.value),
      'zeropage',
    );
  },
  NARROW,
);

const continueExecutor = defineExecutor(
  UFFDIO_CONTINUE,
  function* (ctx, args) {
    const start = ctx.addr(args.start);
    return yield* ioctl(
      ctx,
      args.uffd,
      UFFDIO_CONTINUE.kernel,
      [start, args.length],
      (c) => userfaultfd_continue(ctx.k, c, start, args.length, args.mode.value),
      'mapped',
    );
  },
  NARROW,
);

const writeprotectExecutor = defineExecutor(
  UFFDIO_WRITEPROTECT,
  function* (ctx, args) {
    const start = ctx.addr(args.start);
    return yield* ioctl(ctx, args.uffd, UFFDIO_WRITEPROTECT.kernel, [start, args.length], (c) =>
      userfaultfd_writeprotect(ctx.k, c, start, args.length, args.mode.value),
    );
  },
  NARROW,
);

const wakeExecutor = defineExecutor(
  UFFDIO_WAKE,
  function* (ctx, args) {
    const start = ctx.addr(args.start);
    return yield* ioctl(ctx, args.uffd, UFFDIO_WAKE.kernel, [start, args.length], (c) =>
      userfaultfd_wake(ctx.k, c, start, args.length),
    );
  },
  NARROW,
);

/** The fields of a uffd_msg that its event defines (the union member), with `event`. */
function msgFields(msg: uffd_msg): Record<string, number> {
  switch (msg.event) {
    case UFFD_EVENT_FORK:
      return { event: msg.event, ufd: msg.ufd };
    case UFFD_EVENT_REMAP:
      return { event: msg.event, from: msg.from, to: msg.to, len: msg.len };
    case UFFD_EVENT_REMOVE:
    case UFFD_EVENT_UNMAP:
      return { event: msg.event, start: msg.start, end: msg.end };
    default:
      return { event: msg.event, flags: msg.flags };
  }
}

const readExecutor = defineExecutor(
  uffd_read,
  function* (ctx, args) {
    const c = uffdOf(ctx, args.uffd);
    if (c === null) return outcome(-EBADF);
    ctx.m.enter(uffd_read.kernel);
    const msg = yield* userfaultfd_read(ctx.k, c, args.nonblock, ctx.process.tgid);
    ctx.m.leave();
    if (typeof msg === 'number') return outcome(msg);
    if (ctx.m.trace.enabled && msg.event !== UFFD_EVENT_PAGEFAULT) {
      const why = msg.event === UFFD_EVENT_FORK ? `read; the child's uffd is ${msg.ufd}` : 'read';
      ctx.m.emit(
        'uffd.event',
        { uffd: c.id, event: uffd_event_name(msg.event), why },
        uffd_read.kernel,
      );
    } else if (ctx.m.trace.enabled) {
      ctx.m.emit(
        'uffd.call',
        { call: 'userfaultfd_read', start: msg.address, len: 4096, ret: 0 },
        uffd_read.kernel,
      );
    }
    return { primary: msg.address, ret: 0, fields: msgFields(msg) };
  },
  NARROW,
);

const closeExecutor = defineExecutor(
  uffd_close,
  function* (ctx, args) {
    const fd = fdOf(ctx, args.uffd);
    ctx.m.enter(uffd_close.kernel);
    const ret = yield* userfaultfd_close(ctx.k, ctx.process.tgid, fd);
    ctx.m.leave();
    return outcome(ret);
  },
  NARROW,
);

export const userfaultfdExecutors: readonly ExecutorEntry[] = [
  userfaultfdExecutor,
  registerExecutor,
  unregisterExecutor,
  copyExecutor,
  zeropageExecutor,
  continueExecutor,
  writeprotectExecutor,
  wakeExecutor,
  readExecutor,
  closeExecutor,
];
