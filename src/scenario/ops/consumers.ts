/** Kernel consumers of GUP: vmsplice and pipes, io_uring fixed buffers, remote writes. */
import { optional, required, t, withDefault } from '../args.js';
import { defineOperation } from '../operation.js';

const buffers = () => required(t.ref('buffers'), 'a name bound by io_uring_register_buffers');
const pid = () => optional(t.ref('process'), 'the target process; default: the acting process');

export const vmsplice = defineOperation({
  name: 'vmsplice',
  group: 'consumers',
  kernel: 'fs/splice.c: vmsplice_to_pipe',
  doc: 'Splice user pages into a new pipe, which holds references to them.',
  args: { addr: required(t.address(), 'start of the range'), length: required(t.size(), 'bytes') },
  binds: { kind: 'pipe', doc: 'the pipe holding the page references' },
  example: 'vmsplice: { as: pipe, addr: buf, length: 4KiB }',
});

export const pipe_read = defineOperation({
  name: 'pipe_read',
  group: 'consumers',
  kernel: 'fs/pipe.c: pipe_read',
  doc: 'Read a pipe filled by vmsplice, releasing its page references.',
  args: { pipe: required(t.ref('pipe'), 'a name bound by vmsplice') },
  binds: {
    kind: 'value',
    doc: 'the contents: one value if every page holds it, else the list per page',
  },
  example: 'pipe_read: { as: v, pipe: pipe }',
});

export const io_uring_register_buffers = defineOperation({
  name: 'io_uring_register_buffers',
  group: 'consumers',
  kernel: 'io_uring/rsrc.c: io_sqe_buffers_register',
  doc: 'Register a fixed buffer: its pages are pinned with FOLL_LONGTERM.',
  args: { addr: required(t.address(), 'start of the buffer'), length: required(t.size(), 'bytes') },
  binds: { kind: 'buffers', doc: 'the registered buffer' },
  example: 'io_uring_register_buffers: { as: fixed, addr: buf, length: 2MiB }',
});

export const io_uring_write_fixed = defineOperation({
  name: 'io_uring_write_fixed',
  group: 'consumers',
  kernel: 'io_uring/rw.c: io_write',
  doc: 'IORING_OP_WRITE_FIXED: write from a registered buffer to a file.',
  args: {
    buffers: buffers(),
    fd: required(t.ref('fd'), 'the file written'),
    offset: withDefault(t.size(), 'file offset', 0, '0'),
    length: required(t.size(), 'bytes'),
    addr: optional(t.address(), 'where in the buffer to start; default: its start'),
  },
  example: 'io_uring_write_fixed: { buffers: fixed, fd: f, length: 4KiB }',
});

export const io_uring_unregister_buffers = defineOperation({
  name: 'io_uring_unregister_buffers',
  group: 'consumers',
  kernel: 'io_uring/rsrc.c: io_sqe_buffers_unregister',
  doc: 'Unregister a fixed buffer, unpinning its pages.',
  args: { buffers: buffers() },
  example: 'io_uring_unregister_buffers: { buffers: fixed }',
});

export const process_vm_writev = defineOperation({
  name: 'process_vm_writev',
  group: 'consumers',
  kernel: 'mm/process_vm_access.c: process_vm_rw_core',
  doc: 'Copy from local memory to another process through pin_user_pages_remote.',
  args: {
    pid: pid(),
    local: required(t.address(), 'source address in the acting process'),
    remote: required(t.address(), 'destination address in the target'),
    length: required(t.size(), 'bytes'),
  },
  example: 'process_vm_writev: { pid: child, local: src, remote: buf, length: 4KiB }',
});

export const proc_mem_write = defineOperation({
  name: 'proc_mem_write',
  group: 'consumers',
  kernel: 'fs/proc/base.c: mem_rw',
  doc: 'Write `value` bytes through /proc/PID/mem (access_remote_vm with FOLL_FORCE).',
  args: {
    pid: pid(),
    addr: required(t.address(), 'address in the target'),
    length: required(t.size(), 'bytes'),
    value: required(t.int(0, 255), 'the byte written'),
  },
  example: 'proc_mem_write: { addr: text, length: 4KiB, value: 0x90 }',
});

export const consumerOps = [
  vmsplice,
  pipe_read,
  io_uring_register_buffers,
  io_uring_write_fixed,
  io_uring_unregister_buffers,
  process_vm_writev,
  proc_mem_write,
];
