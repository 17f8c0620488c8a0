/** mmap_lock of the thread's process (or `process:`). */
import { defineOperation } from '../operation.js';

function lockOp(name: string, doc: string) {
  return defineOperation({
    name,
    group: 'locks',
    kernel: `include/linux/mmap_lock.h: ${name}`,
    doc,
    args: {},
    example: `${name}: {}`,
  });
}

export const mmap_read_lock = lockOp('mmap_read_lock', 'Take mmap_lock for reading.');
export const mmap_read_unlock = lockOp('mmap_read_unlock', 'Release a read hold of mmap_lock.');
export const mmap_write_lock = lockOp('mmap_write_lock', 'Take mmap_lock for writing.');
export const mmap_write_unlock = lockOp('mmap_write_unlock', 'Release mmap_lock held for writing.');

export const lockOps = [mmap_read_lock, mmap_read_unlock, mmap_write_lock, mmap_write_unlock];
