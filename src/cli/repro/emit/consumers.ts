/** vmsplice and pipe_read, io_uring fixed buffers, process_vm_readv/writev, /proc/PID/mem. */
import { argsOf, type BindingRef } from '../../../scenario/index.js';
import {
  io_uring_register_buffers,
  io_uring_unregister_buffers,
  io_uring_read_fixed,
  io_uring_write_fixed,
  pipe_read,
  proc_mem_write,
  process_vm_readv,
  process_vm_writev,
  vmsplice,
} from '../../../scenario/ops/index.js';
import { bindLines, cAddr, cByte, cHandle, cSize, type Emitter, type StepCx } from './context.js';

/** The pid of the target process: `pid:` if given, else the acting process. */
function pidOf(cx: StepCx, pid: BindingRef | undefined): string {
  const name = pid?.name ?? cx.planned.acting;
  return `(pid_t)S->b[${cx.slot(name)}].value`;
}

function ring(cx: StepCx, buffers: BindingRef): string {
  cx.need('io_uring');
  return `&rings[${cx.slot(buffers.name)}]`;
}

export const consumerEmitters: Readonly<Record<string, Emitter>> = {
  vmsplice(cx) {
    const a = argsOf(cx.step, vmsplice);
    const pipe = cx.bound === undefined ? undefined : `S->b[${cx.bound}]`;
    const make = pipe === undefined ? ['int fds[2];', 'make_pipe(fds, 0);'] : [];
    const fds =
      pipe === undefined ? [] : [`int fds[2] = { (int)${pipe}.value, (int)${pipe}.aux };`];
    return [
      ...(pipe === undefined
        ? make
        : ['/* the supervisor made the pipe at start: every process has it */', ...fds]),
      `struct iovec iov = { .iov_base = ${cAddr(cx, a.addr)}, .iov_len = ${cSize(a.length)} };`,
      'int64_t r = sys(vmsplice(fds[1], &iov, 1, 0));',
      ...(cx.bound === undefined
        ? ['(void)r; /* not bound */']
        : [`bind(${cx.bound}, fds[0], r);`]),
    ];
  },
  pipe_read(cx) {
    const a = argsOf(cx.step, pipe_read);
    const bind = cx.bound === undefined ? [] : [`bind_pages(${cx.bound}, v, n, r);`];
    return [
      `int fd = ${cHandle(cx, a.pipe)}, avail = 0;`,
      'ioctl(fd, FIONREAD, &avail);',
      'char *buf = scratch((size_t)avail);',
      'int16_t *v = scratch(((size_t)avail / PAGE + 1) * sizeof(*v));',
      'int64_t r = avail ? sys(read(fd, buf, (size_t)avail)) : 0;',
      'int n = buffer_pages(buf, r > 0 ? (size_t)r : 0, v);',
      ...bind,
      'free(buf), free(v);',
    ];
  },
  io_uring_register_buffers(cx) {
    const a = argsOf(cx.step, io_uring_register_buffers);
    cx.need('io_uring');
    const r = cx.bound === undefined ? '&anonymous_buffers' : `&rings[${cx.bound}]`;
    const declare = cx.bound === undefined ? ['static struct ring anonymous_buffers;'] : [];
    return [
      ...declare,
      `int64_t r = ring_register(${r}, ${cAddr(cx, a.addr)}, ${cSize(a.length)});`,
      ...bindLines(cx, `(${r})->fd`, 'r'),
    ];
  },
  io_uring_write_fixed(cx) {
    const a = argsOf(cx.step, io_uring_write_fixed);
    const r = ring(cx, a.buffers);
    const from = a.addr === undefined ? `(${r})->addr` : cAddr(cx, a.addr);
    return [
      `int64_t r = ring_rw_fixed(${r}, IORING_OP_WRITE_FIXED, ${cHandle(cx, a.fd)}, ${from}, ${cSize(a.length)}, ${a.offset});`,
      ...bindLines(cx, 'r', 'r'),
    ];
  },
  io_uring_read_fixed(cx) {
    const a = argsOf(cx.step, io_uring_read_fixed);
    const r = ring(cx, a.buffers);
    const into = a.addr === undefined ? `(${r})->addr` : cAddr(cx, a.addr);
    return [
      `int64_t r = ring_rw_fixed(${r}, IORING_OP_READ_FIXED, ${cHandle(cx, a.fd)}, ${into}, ${cSize(a.length)}, ${a.offset});`,
      ...bindLines(cx, 'r', 'r'),
    ];
  },
  io_uring_unregister_buffers(cx) {
    const a = argsOf(cx.step, io_uring_unregister_buffers);
    return [`int64_t r = ring_unregister(${ring(cx, a.buffers)});`, ...bindLines(cx, 'r', 'r')];
  },
  process_vm_writev(cx) {
    const a = argsOf(cx.step, process_vm_writev);
    return [
      `struct iovec local = { .iov_base = ${cAddr(cx, a.local)}, .iov_len = ${cSize(a.length)} };`,
      `struct iovec remote = { .iov_base = ${cAddr(cx, a.remote)}, .iov_len = ${cSize(a.length)} };`,
      `int64_t r = sys(process_vm_writev(${pidOf(cx, a.pid)}, &local, 1, &remote, 1, 0));`,
      ...bindLines(cx, 'r', 'r'),
    ];
  },
  process_vm_readv(cx) {
    const a = argsOf(cx.step, process_vm_readv);
    return [
      `struct iovec local = { .iov_base = ${cAddr(cx, a.local)}, .iov_len = ${cSize(a.length)} };`,
      `struct iovec remote = { .iov_base = ${cAddr(cx, a.remote)}, .iov_len = ${cSize(a.length)} };`,
      `int64_t r = sys(process_vm_readv(${pidOf(cx, a.pid)}, &local, 1, &remote, 1, 0));`,
      ...bindLines(cx, 'r', 'r'),
    ];
  },
  proc_mem_write(cx) {
    const a = argsOf(cx.step, proc_mem_write);
    return [
      'char path[64];',
      `snprintf(path, sizeof(path), "/proc/%d/mem", (int)${pidOf(cx, a.pid)});`,
      `char *buf = scratch(${cSize(a.length)});`,
      `memset(buf, ${cByte(a.value)}, ${cSize(a.length)});`,
      'int fd = open(path, O_RDWR);',
      `int64_t r = fd < 0 ? -(int64_t)errno : sys(pwrite(fd, buf, ${cSize(a.length)}, (off_t)(uintptr_t)${cAddr(cx, a.addr)}));`,
      'if (fd >= 0)',
      '\tclose(fd);',
      ...bindLines(cx, 'r', 'r'),
      'free(buf);',
    ];
  },
};
