/** open, memfd_create, ftruncate, fallocate, pread, pwrite, fsync, close. */
import { fallocTable } from '../../../kernel/include/falloc.js';
import { openTable } from '../../../kernel/include/fcntl.js';
import {
  mfdTable,
  MFD_HUGE_1GB,
  MFD_HUGE_2MB,
  MFD_HUGETLB,
} from '../../../kernel/include/memfd.js';
import { argsOf, type FsType } from '../../../scenario/index.js';
import {
  close,
  fallocate,
  fsync,
  ftruncate,
  memfd_create,
  open,
  pread,
  pwrite,
} from '../../../scenario/ops/index.js';
import {
  bindLines,
  cAddr,
  cByte,
  cHandle,
  cSize,
  cString,
  pagesOf,
  type Emitter,
} from './context.js';

const MiB = 1024 * 1024;

export const fileEmitters: Readonly<Record<string, Emitter>> = {
  open(cx) {
    const a = argsOf(cx.step, open);
    const declared = cx.spec.files.find((f) => f.path === a.path);
    const fs: FsType = declared?.fs ?? a.fs ?? 'tmpfs';
    cx.need('files');
    return [
      'char path[1024];',
      `int fd = open(path_in(${cx.fsDir(fs)}, ${cString(a.path)}, path, sizeof(path)), ${cx.defs.flags(a.flags, openTable)}, 0644);`,
      ...bindLines(cx, 'fd', 'sys(fd)'),
    ];
  },
  memfd_create(cx) {
    const a = argsOf(cx.step, memfd_create);
    let flags = cx.defs.flags(a.flags, mfdTable);
    if (a.hugetlb_size !== undefined) {
      if ((a.flags.value & MFD_HUGETLB) === 0)
        flags += ` | ${cx.defs.use('MFD_HUGETLB', MFD_HUGETLB)}`;
      flags +=
        a.hugetlb_size === 2 * MiB
          ? ` | ${cx.defs.use('MFD_HUGE_2MB', MFD_HUGE_2MB)}`
          : ` | ${cx.defs.use('MFD_HUGE_1GB', MFD_HUGE_1GB)}`;
    }
    if (flags === '0') flags = '0U';
    return [
      `int fd = memfd_create(${cString(a.name)}, ${flags});`,
      ...bindLines(cx, 'fd', 'sys(fd)'),
    ];
  },
  ftruncate(cx) {
    const a = argsOf(cx.step, ftruncate);
    return [
      `int64_t r = sys(ftruncate(${cHandle(cx, a.fd)}, (off_t)${cSize(a.length)}));`,
      ...bindLines(cx, 'r', 'r'),
    ];
  },
  fallocate(cx) {
    const a = argsOf(cx.step, fallocate);
    const mode = cx.defs.flags(a.mode, fallocTable);
    return [
      `int64_t r = sys(fallocate(${cHandle(cx, a.fd)}, ${mode}, ${a.offset}, (off_t)${cSize(a.length)}));`,
      ...bindLines(cx, 'r', 'r'),
    ];
  },
  pread(cx) {
    const a = argsOf(cx.step, pread);
    const fd = cHandle(cx, a.fd);
    if (a.addr !== undefined) {
      return [
        `int64_t r = sys(pread(${fd}, ${cAddr(cx, a.addr)}, ${cSize(a.length)}, ${a.offset}));`,
        ...bindLines(cx, 'r', 'r'),
      ];
    }
    cx.need('files');
    const n = pagesOf(a.length);
    const bind = cx.bound === undefined ? [] : [`bind_pages(${cx.bound}, v, n, r);`];
    return [
      '/* the contents, read through a buffered descriptor when this one is O_DIRECT */',
      `int fd = ${fd}, twin = fcntl(fd, F_GETFL) & O_DIRECT ? buffered_twin(fd) : fd;`,
      `char *buf = scratch(${cSize(a.length)});`,
      `int16_t *v = scratch(${n} * sizeof(*v));`,
      `int64_t r = sys(pread(twin, buf, ${cSize(a.length)}, ${a.offset}));`,
      'int n = buffer_pages(buf, r > 0 ? (size_t)r : 0, v);',
      ...bind,
      'if (twin != fd)',
      '\tclose(twin);',
      'free(buf), free(v);',
    ];
  },
  pwrite(cx) {
    const a = argsOf(cx.step, pwrite);
    const fd = cHandle(cx, a.fd);
    if (a.addr !== undefined) {
      return [
        `int64_t r = sys(pwrite(${fd}, ${cAddr(cx, a.addr)}, ${cSize(a.length)}, ${a.offset}));`,
        ...bindLines(cx, 'r', 'r'),
      ];
    }
    return [
      `char *buf = scratch(${cSize(a.length)});`,
      `memset(buf, ${cByte(a.value ?? 0)}, ${cSize(a.length)});`,
      `int64_t r = sys(pwrite(${fd}, buf, ${cSize(a.length)}, ${a.offset}));`,
      ...bindLines(cx, 'r', 'r'),
      'free(buf);',
    ];
  },
  fsync(cx) {
    const a = argsOf(cx.step, fsync);
    return [`int64_t r = sys(fsync(${cHandle(cx, a.fd)}));`, ...bindLines(cx, 'r', 'r')];
  },
  close(cx) {
    const a = argsOf(cx.step, close);
    return [`int64_t r = sys(close(${cHandle(cx, a.fd)}));`, ...bindLines(cx, 'r', 'r')];
  },
};
