/**
 * Executors of the files group (open, memfd_create, ftruncate, fallocate, pread, pwrite, fsync,
 * close) and the scenario's `files:` section. Each step is the system call made by the acting
 * process's task; an fd name binds the descriptor number (NAME.ret too), so a step resolves it
 * in its own process's table (fget), as the kernel does. `pread` without `addr` binds the
 * contents read (one value if every page holds it, else the list per page); with `addr` the
 * data goes to user memory through copy_to_user; on a file opened with O_DIRECT it goes through
 * iov_iter and GUP instead: the buffer is pinned and the disk's device agent moves each page by
 * DMA (src/kernel/fs/direct-io_bio.ts).
 */
import { folio_nr_pages } from '../../mm/folio.js';
import { folio_mark_uptodate, folio_set_swapbacked } from '../../mm/page_flags.js';
import { folio_put } from '../../mm/page_free.js';
import { bdev_alloc_block } from '../../kernel/block/bdev.js';
import { kern_mount } from '../../kernel/fs/filesystems.js';
import { alloc_hugetlb_folio } from '../../kernel/fs/hugetlbfs.js';
import { new_inode, type inode } from '../../kernel/fs/inode.js';
import { do_sys_ftruncate, do_sys_open, ksys_fallocate, sys_close } from '../../kernel/fs/open.js';
import { ksys_pread64, ksys_pwrite64 } from '../../kernel/fs/read_write.js';
import type { FsName } from '../../kernel/fs/super.js';
import { do_fsync } from '../../kernel/fs/sync.js';
import {
  ITER_DEST,
  ITER_SOURCE,
  iov_iter_collect,
  iov_iter_collected,
  iov_iter_ubuf,
  iov_iter_value,
} from '../../kernel/fs/uio.js';
import { vfs } from '../../kernel/fs/vfs_state.js';
import { MFD_HUGE_1GB, MFD_HUGE_2MB } from '../../kernel/include/memfd.js';
import type { Kernel } from '../../kernel/kernel.js';
import { folio_add_lru } from '../../kernel/mm/internal.js';
import { sys_memfd_create } from '../../kernel/mm/memfd.js';
import { filemap_alloc_folio, page_cache_store } from '../../kernel/mm/pagecache.js';
import { folio_mark_dirty } from '../../kernel/mm/page-writeback.js';
import type { Sched } from '../../sim/thread.js';
import {
  close,
  fallocate,
  fsync,
  ftruncate,
  memfd_create,
  open,
  pread,
  pwrite,
} from '../ops/files.js';
import type { FileSpec } from '../spec.js';
import type { BindingRef } from '../spec.js';
import { defineExecutor, type ExecContext, type ExecutorEntry, type StepOutcome } from './types.js';

/** The descriptor an fd name is bound to. */
export function fdOf(ctx: ExecContext, ref: BindingRef): number {
  const v = ctx.lookup(ref);
  if (typeof v !== 'number') ctx.inputError(`'${ref.name}' is not a file descriptor`);
  return v;
}

/** A step that returns a C value: the descriptor or count is both NAME and NAME.ret. */
function outcome(ret: number): StepOutcome {
  return { primary: ret, ret };
}

/** Run `body` as the kernel function `fn`, on the thread's call stack. */
function* syscall(ctx: ExecContext, fn: string, body: Sched<number>): Sched<StepOutcome> {
  ctx.m.enter(fn);
  const ret = yield* body;
  ctx.m.leave();
  return outcome(ret);
}

const openExecutor = defineExecutor(open, function* (ctx, args) {
  const declared = vfs(ctx.k).dentries.has(args.path);
  const fs: FsName = declared ? 'tmpfs' : (args.fs ?? 'tmpfs');
  return yield* syscall(
    ctx,
    open.kernel,
    do_sys_open(ctx.k, ctx.process.tgid, args.path, args.flags.value, 0o644, fs),
  );
});

const memfdExecutor = defineExecutor(memfd_create, function* (ctx, args) {
  let flags = args.flags.value;
  if (args.hugetlb_size !== undefined)
    flags |= args.hugetlb_size === 2 ** 30 ? MFD_HUGE_1GB : MFD_HUGE_2MB;
  ctx.m.enter(memfd_create.kernel);
  const fd = sys_memfd_create(ctx.k, ctx.process.tgid, args.name, flags);
  ctx.m.leave();
  yield ctx.m.point('memfd_create');
  return outcome(fd);
});

const ftruncateExecutor = defineExecutor(ftruncate, function* (ctx, args) {
  return yield* syscall(
    ctx,
    ftruncate.kernel,
    do_sys_ftruncate(ctx.k, ctx.process.tgid, fdOf(ctx, args.fd), args.length),
  );
});

const fallocateExecutor = defineExecutor(fallocate, function* (ctx, args) {
  const fd = fdOf(ctx, args.fd);
  return yield* syscall(
    ctx,
    fallocate.kernel,
    ksys_fallocate(ctx.k, ctx.process.tgid, fd, args.mode.value, args.offset, args.length),
  );
});

/** One value if every page read holds it, else the list per page. */
function contents(values: readonly number[]): number | readonly number[] {
  if (values.length > 0 && values.every((v) => v === values[0])) return values[0]!;
  return values;
}

const preadExecutor = defineExecutor(pread, function* (ctx, args) {
  const fd = fdOf(ctx, args.fd);
  ctx.m.enter(pread.kernel);
  let res: StepOutcome;
  if (args.addr !== undefined) {
    const iter = iov_iter_ubuf(ITER_DEST, ctx.task, ctx.addr(args.addr), args.length);
    res = outcome(yield* ksys_pread64(ctx.k, ctx.process.tgid, fd, iter, args.offset));
  } else {
    const iter = iov_iter_collect(args.length);
    const ret = yield* ksys_pread64(ctx.k, ctx.process.tgid, fd, iter, args.offset);
    const values = iov_iter_collected(iter);
    res = { primary: ret < 0 ? ret : contents(values), ret };
  }
  ctx.m.leave();
  return res;
});

const pwriteExecutor = defineExecutor(pwrite, function* (ctx, args) {
  const fd = fdOf(ctx, args.fd);
  const iter =
    args.addr !== undefined
      ? iov_iter_ubuf(ITER_SOURCE, ctx.task, ctx.addr(args.addr), args.length)
      : iov_iter_value(args.value ?? 0, args.length);
  return yield* syscall(
    ctx,
    pwrite.kernel,
    ksys_pwrite64(ctx.k, ctx.process.tgid, fd, iter, args.offset),
  );
});

const fsyncExecutor = defineExecutor(fsync, function* (ctx, args) {
  return yield* syscall(ctx, fsync.kernel, do_fsync(ctx.k, ctx.process.tgid, fdOf(ctx, args.fd)));
});

const closeExecutor = defineExecutor(close, function* (ctx, args) {
  const fd = fdOf(ctx, args.fd);
  yield ctx.m.point('close_fd');
  ctx.m.enter(close.kernel);
  const ret = sys_close(ctx.k, ctx.process.tgid, fd);
  ctx.m.leave();
  return outcome(ret);
});

export const fileExecutors: readonly ExecutorEntry[] = [
  openExecutor,
  memfdExecutor,
  ftruncateExecutor,
  fallocateExecutor,
  preadExecutor,
  pwriteExecutor,
  fsyncExecutor,
  closeExecutor,
];

/** A block-backed file's content: allocated blocks holding `fill`. */
function fillBlocks(ino: inode, pages: number, fill: number): void {
  const bdev = ino.i_sb.s_bdev;
  const map = ino.i_extents;
  if (bdev === null || map === null) return;
  for (let index = 0; index < pages; index++) {
    const b = bdev_alloc_block(bdev);
    if (b < 0)
      throw new Error(`the ${ino.i_sb.s_type.name} disk is full while creating ${ino.name}`);
    bdev.data[b] = fill;
    map.setBlock(index, b);
  }
}

/** A tmpfs file's content: uptodate, dirty page-cache folios holding `fill`. */
function fillShmem(k: Kernel, ino: inode, pages: number, fill: number): void {
  for (let index = 0; index < pages; index++) {
    const folio = filemap_alloc_folio(k, ino.i_mapping.gfp_mask, 0);
    if (folio < 0) throw new Error(`out of memory while creating ${ino.name}`);
    k.mem.content[folio] = fill;
    folio_set_swapbacked(k.mem, folio);
    folio_mark_uptodate(k.mem, folio);
    page_cache_store(k, ino.i_mapping, folio, index);
    folio_add_lru(k, folio);
    folio_mark_dirty(k, folio);
    folio_put(k.mem, folio);
  }
}

/** A hugetlbfs file's content: pool folios holding `fill`. */
function fillHugetlb(k: Kernel, ino: inode, pages: number, fill: number): void {
  const h = ino.i_sb.s_hstate!;
  const nr = h.size / 4096;
  for (let index = 0; index < pages; index += nr) {
    const folio = alloc_hugetlb_folio(k, h);
    if (folio < 0) throw new Error(`the ${h.name} pool has too few pages for ${ino.name}`);
    k.mem.content.fill(fill, folio, folio + folio_nr_pages(k.mem, folio));
    folio_mark_uptodate(k.mem, folio);
    page_cache_store(k, ino.i_mapping, folio, index);
    folio_mark_dirty(k, folio);
    folio_put(k.mem, folio);
  }
}

/**
 * The scenario's `files:` section: create each file before the threads start, on its file
 * system, with its size, every page holding `fill` (on disk for ext4/xfs/btrfs, in the page
 * cache for tmpfs and hugetlbfs), and mode 0444 for `ro`, 0644 for `rw`. Throws if the machine
 * cannot hold a file (disk, memory or hugetlb pool too small).
 */
export function setupScenarioFiles(k: Kernel, files: readonly FileSpec[]): void {
  const st = vfs(k);
  for (const spec of files) {
    const h = spec.fs === 'hugetlbfs' ? (k.mem.hstates[0] ?? null) : null;
    const sb = kern_mount(k, spec.fs, h);
    const ino = new_inode(k, sb, spec.mode === 'ro' ? 0o444 : 0o644, spec.path);
    st.dentries.set(spec.path, ino);
    ino.i_size = spec.size;
    const pages = Math.ceil(spec.size / 4096);
    if (spec.fs === 'tmpfs') fillShmem(k, ino, pages, spec.fill);
    else if (spec.fs === 'hugetlbfs') fillHugetlb(k, ino, pages, spec.fill);
    else fillBlocks(ino, pages, spec.fill);
  }
}
