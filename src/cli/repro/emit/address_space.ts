/** mmap, munmap, mprotect, madvise, mremap, clear_refs: the system calls themselves. */
import { madvTable, mapTable, mremapTable, protTable } from '../../../kernel/include/mman.js';
import { MAP_HUGE_1GB, MAP_HUGE_2MB, MAP_HUGETLB } from '../../../kernel/include/mman.js';
import { argsOf } from '../../../scenario/index.js';
import {
  clear_refs,
  madvise,
  mmap,
  mprotect,
  mremap,
  munmap,
} from '../../../scenario/ops/index.js';
import { bindLines, cAddr, cHandle, cSize, type Emitter } from './context.js';

const MiB = 1024 * 1024;

/** A mapping's result: the address, or a negative errno. */
const MAPPED = ['int64_t r = p == MAP_FAILED ? -(int64_t)errno : (int64_t)(uintptr_t)p;'];

export const addressSpaceEmitters: Readonly<Record<string, Emitter>> = {
  mmap(cx) {
    const a = argsOf(cx.step, mmap);
    let flags = cx.defs.flags(a.flags, mapTable);
    if (a.hugetlb_size !== undefined) {
      if ((a.flags.value & MAP_HUGETLB) === 0)
        flags += ` | ${cx.defs.use('MAP_HUGETLB', MAP_HUGETLB)}`;
      flags +=
        a.hugetlb_size === 2 * MiB
          ? ` | ${cx.defs.use('MAP_HUGE_2MB', MAP_HUGE_2MB)}`
          : ` | ${cx.defs.use('MAP_HUGE_1GB', MAP_HUGE_1GB)}`;
    }
    const fd = a.file === undefined ? '-1' : cHandle(cx, a.file);
    const prot = cx.defs.flags(a.prot, protTable);
    return [
      `void *p = mmap(${cAddr(cx, a.addr)}, ${cSize(a.length)}, ${prot}, ${flags}, ${fd}, ${a.offset});`,
      ...MAPPED,
      ...bindLines(cx, 'r < 0 ? 0 : r', 'r'),
    ];
  },
  munmap(cx) {
    const a = argsOf(cx.step, munmap);
    return [
      `int64_t r = sys(munmap(${cAddr(cx, a.addr)}, ${cSize(a.length)}));`,
      ...bindLines(cx, 'r', 'r'),
    ];
  },
  mprotect(cx) {
    const a = argsOf(cx.step, mprotect);
    const prot = cx.defs.flags(a.prot, protTable);
    return [
      `int64_t r = sys(mprotect(${cAddr(cx, a.addr)}, ${cSize(a.length)}, ${prot}));`,
      ...bindLines(cx, 'r', 'r'),
    ];
  },
  madvise(cx) {
    const a = argsOf(cx.step, madvise);
    const advice = cx.defs.use(a.advice.name, madvTable.valueOf(a.advice.name) ?? a.advice.value);
    return [
      `int64_t r = sys(madvise(${cAddr(cx, a.addr)}, ${cSize(a.length)}, ${advice}));`,
      ...bindLines(cx, 'r', 'r'),
    ];
  },
  mremap(cx) {
    const a = argsOf(cx.step, mremap);
    const flags = cx.defs.flags(a.flags, mremapTable);
    const target = a.new_addr === undefined ? '' : `, ${cAddr(cx, a.new_addr)}`;
    return [
      `void *p = mremap(${cAddr(cx, a.addr)}, ${cSize(a.old_len)}, ${cSize(a.new_len)}, ${flags}${target});`,
      ...MAPPED,
      ...bindLines(cx, 'r < 0 ? 0 : r', 'r'),
    ];
  },
  clear_refs(cx) {
    const a = argsOf(cx.step, clear_refs);
    return [
      `int64_t r = write_text("/proc/self/clear_refs", "${a.value}");`,
      ...bindLines(cx, 'r', 'r'),
    ];
  },
};
