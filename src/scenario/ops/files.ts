/** File operations: open, memfd_create, ftruncate, fallocate, pread, pwrite, fsync, close. */
import { fallocTable } from '../../kernel/include/falloc.js';
import { O_CREAT, openTable } from '../../kernel/include/fcntl.js';
import { mfdTable } from '../../kernel/include/memfd.js';
import { optional, required, t, withDefault } from '../args.js';
import { defineOperation, type BindSpec } from '../operation.js';
import { listAccepted } from '../suggest.js';

export const FS_TYPES = ['tmpfs', 'ext4', 'xfs', 'btrfs', 'hugetlbfs'] as const;
const FD: BindSpec = { kind: 'fd', doc: 'the file descriptor' };
const NO_FLAGS = { value: 0, names: [] };
const fd = () => required(t.ref('fd'), 'a file descriptor bound by open or memfd_create');

export const open = defineOperation({
  name: 'open',
  group: 'files',
  kernel: 'fs/open.c: do_sys_open',
  doc: 'Open a file declared under `files` (or a new one, with O_CREAT).',
  args: {
    path: required(t.text(), 'a file declared under `files`'),
    fs: optional(
      t.word(FS_TYPES),
      'file system of a new file (default: the declared one, else tmpfs)',
    ),
    flags: withDefault(
      t.flags(openTable),
      'O_* flags, O_DIRECT included',
      { value: 0, names: ['O_RDONLY'] },
      '[O_RDONLY]',
    ),
  },
  binds: FD,
  example: 'open: { as: f, path: passwd, flags: [O_RDWR, O_DIRECT] }',
  refine(args, cx) {
    if (cx.files.has(args.path) || (args.flags.value & O_CREAT) !== 0) return;
    cx.fail(
      'GS148',
      'path',
      `no file '${args.path}' is declared under files`,
      cx.files.size === 0
        ? 'a path declared under files (none is), or any path with O_CREAT'
        : `${listAccepted([...cx.files])}, or any path with O_CREAT`,
    );
  },
});

export const memfd_create = defineOperation({
  name: 'memfd_create',
  group: 'files',
  kernel: 'mm/memfd.c: sys_memfd_create',
  doc: 'Create an anonymous shmem (or hugetlbfs, with MFD_HUGETLB) file.',
  args: {
    name: required(t.text(), 'the name shown in /proc'),
    flags: withDefault(t.flags(mfdTable), 'MFD_* flags', NO_FLAGS, '[]'),
    hugetlb_size: optional(
      t.sizeIn([2 ** 21, 2 ** 30]),
      'hugetlb page size; sets MFD_HUGE_2MB or MFD_HUGE_1GB',
    ),
  },
  binds: FD,
  example: 'memfd_create: { as: m, name: guest, flags: [MFD_HUGETLB], hugetlb_size: 2MiB }',
});

export const ftruncate = defineOperation({
  name: 'ftruncate',
  group: 'files',
  kernel: 'fs/open.c: do_sys_ftruncate',
  doc: 'Set the size of a file.',
  args: { fd: fd(), length: required(t.size(), 'the new size') },
  example: 'ftruncate: { fd: m, length: 2MiB }',
});

export const fallocate = defineOperation({
  name: 'fallocate',
  group: 'files',
  kernel: 'fs/open.c: vfs_fallocate',
  doc: 'Allocate, or with FALLOC_FL_PUNCH_HOLE free, the blocks of a file range.',
  args: {
    fd: fd(),
    mode: withDefault(t.flags(fallocTable), 'FALLOC_FL_* flags', NO_FLAGS, '[]'),
    offset: withDefault(t.size(), 'start of the range', 0, '0'),
    length: required(t.size(), 'bytes'),
  },
  example: 'fallocate: { fd: m, mode: [FALLOC_FL_PUNCH_HOLE, FALLOC_FL_KEEP_SIZE], length: 4KiB }',
});

export const pread = defineOperation({
  name: 'pread',
  group: 'files',
  kernel: 'fs/read_write.c: ksys_pread64',
  doc: 'Read a file range into user memory at `addr` (through iov_iter and GUP with O_DIRECT), or bind its contents.',
  args: {
    fd: fd(),
    offset: withDefault(t.size(), 'file offset', 0, '0'),
    length: required(t.size(), 'bytes'),
    addr: optional(t.address(), 'the user buffer; without it the contents are bound'),
  },
  binds: { kind: 'value', doc: 'bytes read (NAME.ret); without addr, the contents' },
  example: 'pread: { fd: f, length: 4KiB, addr: buf }',
});

export const pwrite = defineOperation({
  name: 'pwrite',
  group: 'files',
  kernel: 'fs/read_write.c: ksys_pwrite64',
  doc: 'Write user memory at `addr` (through iov_iter and GUP with O_DIRECT), or `value` bytes, to a file range.',
  args: {
    fd: fd(),
    offset: withDefault(t.size(), 'file offset', 0, '0'),
    length: required(t.size(), 'bytes'),
    addr: optional(t.address(), 'the user buffer written'),
    value: optional(t.int(0, 255), 'the byte written, without addr'),
  },
  example: 'pwrite: { fd: f, length: 4KiB, addr: buf }',
  refine(_args, cx) {
    if (cx.has('addr') !== cx.has('value')) return;
    cx.fail(
      'GS135',
      cx.has('addr') ? 'value' : null,
      'pwrite takes either addr or value',
      '{ fd, offset, length, addr } or { fd, offset, length, value }',
    );
  },
});

export const fsync = defineOperation({
  name: 'fsync',
  group: 'files',
  kernel: 'fs/sync.c: vfs_fsync_range',
  doc: 'Write back the dirty pages of a file and wait for them.',
  args: { fd: fd() },
  example: 'fsync: { fd: f }',
});

export const close = defineOperation({
  name: 'close',
  group: 'files',
  kernel: 'fs/open.c: close_fd',
  doc: 'Close a file descriptor.',
  args: { fd: fd() },
  example: 'close: { fd: f }',
});

export const fileOps = [open, memfd_create, ftruncate, fallocate, pread, pwrite, fsync, close];
