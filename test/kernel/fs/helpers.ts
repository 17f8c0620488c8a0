/**
 * Helpers for the file-layer selftests: boot a kernel with one process, run simulated threads
 * of it, and make the calls a selftest would (open, pwrite, pread, mmap, pin) from a thread.
 */
import { expect } from 'vitest';
import { Kernel, type KernelConfig } from '../../../src/kernel/kernel.js';
import type { mm_struct } from '../../../src/kernel/mm/mm_struct.js';
import type { Process, task_struct } from '../../../src/kernel/sched/task.js';
import { Machine, type RunResult, type Sched } from '../../../src/sim/index.js';
import { do_sys_open } from '../../../src/kernel/fs/open.js';
import { ksys_pread64, ksys_pwrite64 } from '../../../src/kernel/fs/read_write.js';
import {
  iov_iter_collect,
  iov_iter_collected,
  iov_iter_value,
} from '../../../src/kernel/fs/uio.js';
import type { FsName } from '../../../src/kernel/fs/super.js';
import { fget } from '../../../src/kernel/fs/file.js';
import type { file } from '../../../src/kernel/fs/file_table.js';
import { installAlwaysOnCheckers } from '../../../src/check/index.js';
import { ksys_mmap_pgoff } from '../../../src/kernel/mm/mmap.js';
import { folioObj } from '../../../src/kernel/objects.js';
import { page_folio } from '../../../src/mm/index.js';
import { Access } from '../../../src/sim/footprint.js';

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const PAGE = 4096;

export interface World {
  readonly m: Machine;
  readonly k: Kernel;
  readonly p: Process;
  readonly mm: mm_struct;
}

/** Boot a machine (trace on) and a kernel with one process, with the always-on checkers. */
export function boot(config: Partial<KernelConfig> = {}, quirks: string[] = []): World {
  const m = new Machine({ trace: true, quirks, maxSteps: 5_000_000 });
  const k = new Kernel(m, { memory: 64 * MiB, ...config } as KernelConfig);
  installAlwaysOnCheckers(k);
  const p = k.createProcess('test');
  return { m, k, p, mm: p.mm as mm_struct };
}

/** Violations as `id: message` lines. */
export function violations(r: RunResult): string[] {
  return r.violations.map((v) => `${v.id}: ${v.message}`);
}

/** Run to the end; expect it to finish with no violation unless `allow` is set. */
export function finish(w: World, allow = false): RunResult {
  const r = w.m.run();
  if (!allow) {
    expect(violations(r)).toEqual([]);
    expect(r.status).toBe('done');
  }
  return r;
}

/** Spawn `body` as a thread of the world's process. */
export function thread(w: World, name: string, body: (t: task_struct) => Sched<void>): task_struct {
  const box: { t: task_struct | null } = { t: null };
  box.t = w.k.spawnUser(w.p, name, () => body(box.t!));
  return box.t;
}

/** Boot, run `body` as the only thread, finish cleanly. */
export function runTask(
  body: (w: World, t: task_struct) => Sched<void>,
  config: Partial<KernelConfig> = {},
): World {
  const w = boot(config);
  thread(w, 'main', (t) => body(w, t));
  finish(w);
  return w;
}

/** open(path, flags) on `fs` (for O_CREAT), as the world's process. */
export function open(
  w: World,
  path: string,
  flags: number,
  fs: FsName = 'tmpfs',
  mode = 0o644,
): Sched<number> {
  return do_sys_open(w.k, w.p.tgid, path, flags, mode, fs);
}

/** pwrite(fd, <value repeated>, len, pos): bytes written or -errno. */
export function pwrite(
  w: World,
  fd: number,
  value: number,
  len: number,
  pos: number,
): Sched<number> {
  return ksys_pwrite64(w.k, w.p.tgid, fd, iov_iter_value(value, len), pos);
}

/** pread(fd, len, pos): [ret, one value per page read]. */
export function* pread(w: World, fd: number, len: number, pos: number): Sched<[number, number[]]> {
  const iter = iov_iter_collect(len);
  const ret = yield* ksys_pread64(w.k, w.p.tgid, fd, iter, pos);
  return [ret, [...iov_iter_collected(iter)]];
}

/** The open file of `fd` in the world's process. */
export function fileOf(w: World, fd: number): file {
  const f = fget(w.k, w.p.tgid, fd);
  if (f === null) throw new Error(`fd ${fd} is not open`);
  return f;
}

/** mmap(NULL, len, prot, flags, fd, 0) in the world's process: the address or -errno. */
export function* mmapFile(
  w: World,
  fd: number,
  len: number,
  prot: number,
  flags: number,
  pgoff = 0,
): Sched<number> {
  return yield* ksys_mmap_pgoff(w.k, w.mm, 0, len, prot, flags, fileOf(w, fd), pgoff);
}

/** A device writes `value` to `page` through a pin (DMA): one step touching the folio. */
export function* dmaWrite(w: World, page: number, value: number): Sched<void> {
  yield w.m.at('dma_write', folioObj(page_folio(w.k.mem, page)), Access.Write);
  w.k.mem.content[page] = value;
}

/** The page-cache folio of `fd` at page index `index`, or -1. */
export function cached(w: World, fd: number, index: number): number {
  return fileOf(w, fd).f_mapping.i_pages.get(index) ?? -1;
}

/** The disk content of page `index` of `fd` (0 for a hole). */
export function onDisk(w: World, fd: number, index: number): number {
  const ino = fileOf(w, fd).f_inode;
  const b = ino.i_extents?.block(index) ?? -1;
  return b < 0 || ino.i_sb.s_bdev === null ? 0 : ino.i_sb.s_bdev.data[b]!;
}
