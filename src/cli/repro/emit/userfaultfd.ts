/**
 * userfaultfd: the system call and UFFDIO_API, the range ioctls, and the handler's read of the
 * next message. Each ioctl is the system call itself (fs/userfaultfd.c: userfaultfd_ioctl); a
 * step binds the ioctl's return (0 or a negative errno) and its output field (`NAME.copy`...).
 */
import { argsOf } from '../../../scenario/index.js';
import {
  uffdContinueModeTable,
  uffdCopyModeTable,
  uffdFeatureTable,
  uffdFlagTable,
  uffdRegisterModeTable,
  uffdWriteprotectModeTable,
  uffdZeropageModeTable,
} from '../../../kernel/include/userfaultfd.js';
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
} from '../../../scenario/ops/index.js';
import { cAddr, cByte, cHandle, cSize, type Emitter, type StepCx } from './context.js';

/** `bind(...)` of the return, then the output field, when the step binds a name. */
function bindWithField(cx: StepCx, field: string | undefined): string[] {
  if (cx.bound === undefined) return ['(void)r; /* not bound */'];
  const out = [`bind(${cx.bound}, r, r);`];
  if (field !== undefined) out.push(`S->b[${cx.bound}].field[0] = ${field};`);
  return out;
}

/** The ioctl on a range: `struct uffdio_range` named `range`. */
function rangeLines(start: string, length: number): string[] {
  return [
    `struct uffdio_range range = { .start = (uint64_t)(uintptr_t)${start}, .len = ${cSize(length)} };`,
  ];
}

export const userfaultfdEmitters: Readonly<Record<string, Emitter>> = {
  userfaultfd(cx) {
    const a = argsOf(cx.step, userfaultfd);
    const flags = cx.defs.flags(a.flags, uffdFlagTable);
    const features = cx.defs.flags(a.features, uffdFeatureTable);
    return [
      `int fd = (int)syscall(SYS_userfaultfd, ${flags});`,
      `struct uffdio_api api = { .api = UFFD_API, .features = ${features} };`,
      'int64_t r = fd < 0 ? -(int64_t)errno : sys(ioctl(fd, UFFDIO_API, &api));',
      ...(cx.bound === undefined ? ['(void)r; /* not bound */'] : [`bind(${cx.bound}, fd, r);`]),
    ];
  },
  UFFDIO_REGISTER(cx) {
    const a = argsOf(cx.step, UFFDIO_REGISTER);
    const mode = cx.defs.flags(a.mode, uffdRegisterModeTable);
    return [
      `struct uffdio_register reg = { .range = { .start = (uint64_t)(uintptr_t)${cAddr(cx, a.start)}, .len = ${cSize(a.length)} }, .mode = ${mode} };`,
      `int64_t r = sys(ioctl(${cHandle(cx, a.uffd)}, UFFDIO_REGISTER, &reg));`,
      ...bindWithField(cx, '(int64_t)reg.ioctls'),
    ];
  },
  UFFDIO_UNREGISTER(cx) {
    const a = argsOf(cx.step, UFFDIO_UNREGISTER);
    return [
      ...rangeLines(cAddr(cx, a.start), a.length),
      `int64_t r = sys(ioctl(${cHandle(cx, a.uffd)}, UFFDIO_UNREGISTER, &range));`,
      ...bindWithField(cx, undefined),
    ];
  },
  UFFDIO_WAKE(cx) {
    const a = argsOf(cx.step, UFFDIO_WAKE);
    return [
      ...rangeLines(cAddr(cx, a.start), a.length),
      `int64_t r = sys(ioctl(${cHandle(cx, a.uffd)}, UFFDIO_WAKE, &range));`,
      ...bindWithField(cx, undefined),
    ];
  },
  UFFDIO_COPY(cx) {
    const a = argsOf(cx.step, UFFDIO_COPY);
    const mode = cx.defs.flags(a.mode, uffdCopyModeTable);
    return [
      `char *src = scratch(${cSize(a.length)});`,
      `memset(src, ${cByte(a.value)}, ${cSize(a.length)});`,
      `struct uffdio_copy copy = { .dst = (uint64_t)(uintptr_t)${cAddr(cx, a.dst)}, .src = (uint64_t)(uintptr_t)src, .len = ${cSize(a.length)}, .mode = ${mode} };`,
      `int64_t r = sys(ioctl(${cHandle(cx, a.uffd)}, UFFDIO_COPY, &copy));`,
      ...bindWithField(cx, '(int64_t)copy.copy'),
      'free(src);',
    ];
  },
  UFFDIO_ZEROPAGE(cx) {
    const a = argsOf(cx.step, UFFDIO_ZEROPAGE);
    const mode = cx.defs.flags(a.mode, uffdZeropageModeTable);
    return [
      `struct uffdio_zeropage zp = { .range = { .start = (uint64_t)(uintptr_t)${cAddr(cx, a.start)}, .len = ${cSize(a.length)} }, .mode = ${mode} };`,
      `int64_t r = sys(ioctl(${cHandle(cx, a.uffd)}, UFFDIO_ZEROPAGE, &zp));`,
      ...bindWithField(cx, '(int64_t)zp.zeropage'),
    ];
  },
  UFFDIO_CONTINUE(cx) {
    const a = argsOf(cx.step, UFFDIO_CONTINUE);
    const mode = cx.defs.flags(a.mode, uffdContinueModeTable);
    return [
      `struct uffdio_continue cont = { .range = { .start = (uint64_t)(uintptr_t)${cAddr(cx, a.start)}, .len = ${cSize(a.length)} }, .mode = ${mode} };`,
      `int64_t r = sys(ioctl(${cHandle(cx, a.uffd)}, UFFDIO_CONTINUE, &cont));`,
      ...bindWithField(cx, '(int64_t)cont.mapped'),
    ];
  },
  UFFDIO_WRITEPROTECT(cx) {
    const a = argsOf(cx.step, UFFDIO_WRITEPROTECT);
    const mode = cx.defs.flags(a.mode, uffdWriteprotectModeTable);
    return [
      `struct uffdio_writeprotect wp = { .range = { .start = (uint64_t)(uintptr_t)${cAddr(cx, a.start)}, .len = ${cSize(a.length)} }, .mode = ${mode} };`,
      `int64_t r = sys(ioctl(${cHandle(cx, a.uffd)}, UFFDIO_WRITEPROTECT, &wp));`,
      ...bindWithField(cx, undefined),
    ];
  },
  uffd_read(cx) {
    const a = argsOf(cx.step, uffd_read);
    const fd = cHandle(cx, a.uffd);
    const nonblock = a.nonblock
      ? [
          `int fd = ${fd}, fl = fcntl(fd, F_GETFL);`,
          'fcntl(fd, F_SETFL, fl | O_NONBLOCK);',
          'struct uffd_msg msg = { 0 };',
          'int64_t r = sys(read(fd, &msg, sizeof(msg)));',
          'fcntl(fd, F_SETFL, fl);',
        ]
      : [
          '/* blocks until a fault is queued (userfaultfd_read) */',
          'struct uffd_msg msg = { 0 };',
          `int64_t r = sys(read(${fd}, &msg, sizeof(msg)));`,
        ];
    const b = `S->b[${cx.bound}]`;
    const bind =
      cx.bound === undefined
        ? ['(void)r; /* not bound */']
        : [
            'int pf = r >= 0 && msg.event == UFFD_EVENT_PAGEFAULT;',
            `bind(${cx.bound}, r < 0 ? r : pf ? (int64_t)msg.arg.pagefault.address : 0, r < 0 ? r : 0);`,
            `${b}.field[1] = r < 0 ? r : (int64_t)msg.event;`,
            /* the members of the union uffd_msg.arg the event defines (uffd_fields.ts) */
            'switch (r < 0 ? 0 : msg.event) {',
            'case UFFD_EVENT_FORK:',
            `\t${b}.field[0] = (int64_t)msg.arg.fork.ufd;`,
            '\tbreak;',
            'case UFFD_EVENT_REMAP:',
            `\t${b}.field[0] = (int64_t)msg.arg.remap.from;`,
            `\t${b}.field[2] = (int64_t)msg.arg.remap.to;`,
            `\t${b}.field[3] = (int64_t)msg.arg.remap.len;`,
            '\tbreak;',
            'case UFFD_EVENT_REMOVE:',
            'case UFFD_EVENT_UNMAP:',
            `\t${b}.field[0] = (int64_t)msg.arg.remove.start;`,
            `\t${b}.field[2] = (int64_t)msg.arg.remove.end;`,
            '\tbreak;',
            'default:',
            `\t${b}.field[0] = r < 0 ? r : (int64_t)msg.arg.pagefault.flags;`,
            '}',
          ];
    return [...nonblock, ...bind];
  },
  uffd_close(cx) {
    const a = argsOf(cx.step, uffd_close);
    return [`int64_t r = sys(close(${cHandle(cx, a.uffd)}));`, '(void)r;'];
  },
};
