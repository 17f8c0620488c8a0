/** Address-space operations: mmap, munmap, mprotect, madvise, mremap, clear_refs. */
import { madvTable, mapTable, mremapTable, protTable } from '../../kernel/include/mman.js';
import { optional, required, t, withDefault } from '../args.js';
import { defineOperation } from '../operation.js';
import type { AddressExpr } from '../spec.js';

const NULL_ADDRESS: AddressExpr = { kind: 'literal', value: 0, text: '0' };
const HUGETLB_SIZES = [2 ** 21, 2 ** 30];

export const mmap = defineOperation({
  name: 'mmap',
  group: 'address space',
  kernel: 'mm/mmap.c: do_mmap',
  doc: 'Map anonymous memory, a file (`file`: an fd) or hugetlb pages into the process.',
  args: {
    addr: withDefault(t.address(), 'address hint, or the address for MAP_FIXED', NULL_ADDRESS, '0'),
    length: required(t.size(), 'bytes to map'),
    prot: required(t.flags(protTable), 'PROT_* protections'),
    flags: required(t.flags(mapTable), 'MAP_* flags'),
    file: optional(t.ref('fd'), 'the file to map: an fd bound by open or memfd_create'),
    offset: withDefault(t.size(), 'offset in the file', 0, '0'),
    hugetlb_size: optional(
      t.sizeIn(HUGETLB_SIZES),
      'hugetlb page size; sets MAP_HUGE_2MB or MAP_HUGE_1GB',
    ),
  },
  binds: { kind: 'address', doc: 'the start of the mapping' },
  example:
    'mmap: { as: buf, length: 4KiB, prot: [PROT_READ, PROT_WRITE], flags: [MAP_PRIVATE, MAP_ANONYMOUS] }',
});

export const munmap = defineOperation({
  name: 'munmap',
  group: 'address space',
  kernel: 'mm/mmap.c: do_munmap',
  doc: 'Unmap a range.',
  args: {
    addr: required(t.address(), 'start of the range'),
    length: required(t.size(), 'bytes to unmap'),
  },
  example: 'munmap: { addr: buf, length: 4KiB }',
});

export const mprotect = defineOperation({
  name: 'mprotect',
  group: 'address space',
  kernel: 'mm/mprotect.c: do_mprotect_pkey',
  doc: 'Change the protection of a range.',
  args: {
    addr: required(t.address(), 'start of the range'),
    length: required(t.size(), 'bytes'),
    prot: required(t.flags(protTable), 'new PROT_* protections'),
  },
  example: 'mprotect: { addr: buf, length: 4KiB, prot: [PROT_READ] }',
});

export const madvise = defineOperation({
  name: 'madvise',
  group: 'address space',
  kernel: 'mm/madvise.c: do_madvise',
  doc: 'Give advice about a range (MADV_DONTNEED, MADV_DONTFORK, MADV_POPULATE_WRITE, ...).',
  args: {
    addr: required(t.address(), 'start of the range'),
    length: required(t.size(), 'bytes'),
    advice: required(t.constant(madvTable), 'one MADV_* value'),
  },
  example: 'madvise: { addr: buf, length: 4KiB, advice: MADV_DONTNEED }',
});

export const mremap = defineOperation({
  name: 'mremap',
  group: 'address space',
  kernel: 'mm/mremap.c: sys_mremap',
  doc: 'Grow, shrink or move a mapping.',
  args: {
    addr: required(t.address(), 'start of the old mapping'),
    old_len: required(t.size(), 'old length'),
    new_len: required(t.size(), 'new length'),
    flags: withDefault(t.flags(mremapTable), 'MREMAP_* flags', { value: 0, names: [] }, '[]'),
    new_addr: optional(t.address(), 'target address with MREMAP_FIXED'),
  },
  binds: { kind: 'address', doc: 'the (possibly new) start of the mapping' },
  example:
    'mremap: { as: moved, addr: buf, old_len: 4KiB, new_len: 8KiB, flags: [MREMAP_MAYMOVE] }',
});

export const clear_refs = defineOperation({
  name: 'clear_refs',
  group: 'address space',
  kernel: 'fs/proc/task_mmu.c: clear_refs_write',
  doc: 'Write to /proc/PID/clear_refs: 1 all, 2 anon, 3 mapped, 4 soft-dirty, 5 peak RSS.',
  args: {
    value: required(t.int(1, 5), 'the number written (4 clears the soft-dirty bits)'),
  },
  example: 'clear_refs: { value: 4 }',
});

export const addressSpaceOps = [mmap, munmap, mprotect, madvise, mremap, clear_refs];
