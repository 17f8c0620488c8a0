/**
 * File and writeback trace events (`fs.*`, `mm.writeback*`) and the WARN-class reports of the
 * file systems. Emitters test `m.trace.enabled` before building arguments.
 *
 *   fs.open               a file was opened (path, flags, fd or errno)
 *   fs.syscall            a file syscall returned (name, fd, ret)
 *   fs.pagecache-add      a folio entered a file's page cache
 *   fs.pagecache-remove   a folio left it (truncate, hole punch); its refcount says who still holds it
 *   fs.io                 the device moved a folio to or from a disk block
 *   fs.private            a folio gained or lost its file-system private state (buffer heads...)
 *   fs.warn               a file system warned (the kernel's WARN or ext4_warning)
 *   mm.writeback          folio_clear_dirty_for_io cleaned a folio for I/O (pinned: maybe DMA-pinned)
 *   mm.writeback-end      folio_end_writeback
 *   mm.writeback-mkclean  folio_mkclean write-protected and cleaned the PTEs mapping a folio
 */
import type { Kernel } from '../kernel.js';
import type { TraceKinds } from '../../sim/trace.js';

declare module '../../sim/trace.js' {
  interface TraceKinds {
    'fs.open': { path: string; flags: string; ret: number };
    'fs.syscall': { name: string; fd: number; ret: number };
    'fs.pagecache-add': { mapping: string; index: number; folio: number; nr: number };
    'fs.pagecache-remove': { mapping: string; index: number; folio: number; refcount: number };
    'fs.io': { dev: string; op: string; block: number; folio: number; value: number };
    'fs.private': { folio: number; state: string; attached: boolean };
    'fs.warn': { id: string; message: string };
    'mm.writeback': { mapping: string; index: number; folio: number; pinned: boolean };
    'mm.writeback-end': { folio: number };
    'mm.writeback-mkclean': { folio: number; cleaned: number };
  }
}

type FsKind = {
  [K in keyof TraceKinds]: K extends `fs.${string}` | `mm.writeback${string}` ? K : never;
}[keyof TraceKinds];

/** Record a file-layer event for the running thread. @fidelity custom */
export function fs_trace<K extends FsKind>(
  k: Kernel,
  kind: K,
  args: TraceKinds[K],
  fn?: string,
): void {
  k.m.emit(kind, args, fn);
}

/**
 * A file-system WARN (WARN_ON_ONCE, ext4_warning, btrfs_err): reported as `fs.warn.<id>`, once
 * per id and message, and traced. Returns true, so it reads like `if (WARN_ON_ONCE(cond))`.
 * @fidelity custom
 */
export function fs_warn(k: Kernel, id: string, message: string, rule: string): true {
  const m = k.m;
  m.report({ id: `fs.warn.${id}`, message, rule }, message);
  if (m.trace.enabled) m.emit('fs.warn', { id, message }, rule);
  return true;
}
