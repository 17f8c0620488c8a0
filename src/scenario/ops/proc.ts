/**
 * /proc/PID/mem: pread and pwrite of another (or the same) process's memory through
 * fs/proc/base.c mem_rw -> mm/memory.c access_remote_vm, which takes page references with
 * get_user_pages_remote(FOLL_FORCE [| FOLL_WRITE]) one page at a time.
 */
import { optional, required, t } from '../args.js';
import { defineOperation } from '../operation.js';

const pid = () => optional(t.ref('process'), 'the target process; default: the acting process');

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

export const proc_mem_read = defineOperation({
  name: 'proc_mem_read',
  group: 'consumers',
  kernel: 'fs/proc/base.c: mem_rw',
  doc: 'Read bytes through /proc/PID/mem (access_remote_vm with FOLL_FORCE).',
  args: {
    pid: pid(),
    addr: required(t.address(), 'address in the target'),
    length: required(t.size(), 'bytes'),
  },
  binds: {
    kind: 'value',
    doc: 'the contents: one value if every page read holds it, else the list per page; `.ret` is the byte count or the errno',
  },
  example: 'proc_mem_read: { as: v, addr: text, length: 4KiB }',
});

export const procOps = [proc_mem_write, proc_mem_read];
