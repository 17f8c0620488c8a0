/**
 * Writes through a pin after writeback cleaned the page (Jan Kara, 2018; bugzoo C1): writeback
 * (folio_clear_dirty_for_io + folio_mkclean) cleans a pinned page-cache folio and write-protects
 * its PTEs, but a device keeps writing through the pin. Unless the pin holder marks the folio
 * dirty again, the data never reaches the disk (fs.pin-write-after-clean); if the file system
 * freed its private state meanwhile, dirtying it is the fs-state corruption of the report.
 */
import { describe, expect, it } from 'vitest';
import { O_CREAT, O_RDWR } from '../../../src/kernel/include/fcntl.js';
import { FOLL_WRITE } from '../../../src/kernel/include/gup_flags.js';
import { MAP_SHARED, PROT_READ, PROT_WRITE } from '../../../src/kernel/include/mman.js';
import { user_write } from '../../../src/kernel/arch/x86/mm/fault.js';
import { do_fsync } from '../../../src/kernel/fs/sync.js';
import { do_sys_ftruncate } from '../../../src/kernel/fs/open.js';
import { pin_user_pages_fast } from '../../../src/kernel/mm/gup.js';
import { unpin_user_pages } from '../../../src/kernel/mm/gup_unpin.js';
import { unpin_user_pages_dirty_lock } from '../../../src/kernel/mm/gup_unpin_dirty.js';
import { folio_lock, folio_unlock } from '../../../src/kernel/mm/filemap.js';
import { filemap_release_folio } from '../../../src/kernel/mm/truncate.js';
import { folio_test_dirty, folio_test_private } from '../../../src/mm/index.js';
import type { FsName } from '../../../src/kernel/fs/super.js';
import type { task_struct } from '../../../src/kernel/sched/task.js';
import type { Sched } from '../../../src/sim/index.js';
import {
  PAGE,
  boot,
  cached,
  dmaWrite,
  finish,
  mmapFile,
  onDisk,
  open,
  pwrite,
  thread,
  violations,
  type World,
} from './helpers.js';

/** Steps 1-4 of the report: a shared mapping, written (page_mkwrite), pinned, written back. */
function* pinAndClean(
  w: World,
  t: task_struct,
  fs: FsName,
): Sched<{ fd: number; pages: number[] }> {
  // 1. a file with one page on disk, mapped shared and writable
  const fd = yield* open(w, '/data', O_CREAT | O_RDWR, fs);
  expect(yield* pwrite(w, fd, 0x11, PAGE, 0)).toBe(PAGE);
  expect(yield* do_fsync(w.k, w.p.tgid, fd)).toBe(0);
  const addr = yield* mmapFile(w, fd, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED);
  expect(addr).toBeGreaterThan(0);
  // 2. a store: write fault -> ->page_mkwrite (the file system is told), folio dirty
  expect(yield* user_write(w.k, t, addr, PAGE, 0x22)).toBe(0);
  // 3. a short-term write pin of the page (like O_DIRECT read into it)
  const pages: number[] = [];
  expect(yield* pin_user_pages_fast(w.k, addr, 1, FOLL_WRITE, pages)).toBe(1);
  // 4. writeback: the folio is cleaned and its PTE write-protected; the disk gets 0x22
  expect(yield* do_fsync(w.k, w.p.tgid, fd)).toBe(0);
  expect(onDisk(w, fd, 0)).toBe(0x22);
  expect(folio_test_dirty(w.k.mem, cached(w, fd, 0))).toBe(false);
  return { fd, pages };
}

describe('writes through a pin after writeback cleaned the page', () => {
  it('are lost when the pin holder does not dirty the page again (fs.pin-write-after-clean)', () => {
    const w = boot();
    thread(w, 'main', function* (t) {
      const { pages } = yield* pinAndClean(w, t, 'ext4');
      // 5. the device writes through the pin: no fault, no page_mkwrite, the folio stays clean
      yield* dmaWrite(w, pages[0]!, 0x33);
      // 6. the pin is released without marking the page dirty
      unpin_user_pages(w.k, pages, 1);
    });
    const r = finish(w, true);
    expect(violations(r)).toHaveLength(1);
    expect(r.violations[0]!.id).toBe('fs.pin-write-after-clean');
    expect(r.violations[0]!.message).toMatch(/page 0 .* holds 0x33 .* disk block holds 0x22/);
  });

  it('reach the disk when the pin holder unpins with make_dirty and the buffers are still there', () => {
    const w = boot();
    let fd = -1;
    thread(w, 'main', function* (t) {
      const r = yield* pinAndClean(w, t, 'ext4');
      fd = r.fd;
      yield* dmaWrite(w, r.pages[0]!, 0x33);
      // unpin_user_pages_dirty_lock -> folio_mark_dirty -> ext4_dirty_folio (buffers present)
      yield* unpin_user_pages_dirty_lock(w.k, r.pages, 1, true);
      expect(yield* do_fsync(w.k, w.p.tgid, fd)).toBe(0);
    });
    finish(w);
    expect(onDisk(w, fd, 0)).toBe(0x33);
  });

  it('dirty a folio ext4 has no buffers for once reclaim freed them: WARN, then the data is dropped', () => {
    const w = boot();
    thread(w, 'main', function* (t) {
      const { fd, pages } = yield* pinAndClean(w, t, 'ext4');
      const folio = cached(w, fd, 0);
      // reclaim releases the clean folio's buffers (filemap_release_folio -> try_to_free_buffers)
      yield* folio_lock(w.k, folio);
      expect(filemap_release_folio(w.k, folio)).toBe(true);
      yield* folio_unlock(w.k, folio);
      expect(folio_test_private(w.k.mem, folio)).toBe(false);
      yield* dmaWrite(w, pages[0]!, 0x33);
      // set_page_dirty_lock behind ext4's back: ext4_dirty_folio WARNs
      yield* unpin_user_pages_dirty_lock(w.k, pages, 1, true);
      // writeback finds a dirty folio without buffers: warns, clears the dirty bit, drops it
      expect(yield* do_fsync(w.k, w.p.tgid, fd)).toBe(0);
      expect(onDisk(w, fd, 0)).toBe(0x22);
    });
    const r = finish(w, true);
    expect(r.violations.map((v) => v.id)).toEqual([
      'fs.warn.ext4-dirty-without-buffers',
      'fs.warn.ext4-no-buffers',
      'fs.pin-write-after-clean',
    ]);
  });

  it('hit the old ext4_writepage BUG with quirk ext4-writepage-bug', () => {
    const w = boot({}, ['ext4-writepage-bug']);
    thread(w, 'main', function* (t) {
      const { fd, pages } = yield* pinAndClean(w, t, 'ext4');
      const folio = cached(w, fd, 0);
      yield* folio_lock(w.k, folio);
      filemap_release_folio(w.k, folio);
      yield* folio_unlock(w.k, folio);
      yield* dmaWrite(w, pages[0]!, 0x33);
      yield* unpin_user_pages_dirty_lock(w.k, pages, 1, true);
      yield* do_fsync(w.k, w.p.tgid, fd);
    });
    const r = finish(w, true);
    expect(r.violations.map((v) => v.id)).toContain('fs.ext4-writepage-bug');
  });

  it('on btrfs are kept by the COW fixup when the page is dirtied again', () => {
    const w = boot();
    let fd = -1;
    thread(w, 'main', function* (t) {
      const r = yield* pinAndClean(w, t, 'btrfs');
      fd = r.fd;
      yield* dmaWrite(w, r.pages[0]!, 0x33);
      yield* unpin_user_pages_dirty_lock(w.k, r.pages, 1, true);
      // first writeback: no delalloc reservation -> cow fixup reserves and redirties
      expect(yield* do_fsync(w.k, w.p.tgid, fd)).toBe(0);
      expect(folio_test_dirty(w.k.mem, cached(w, fd, 0))).toBe(true);
      // second writeback writes it
      expect(yield* do_fsync(w.k, w.p.tgid, fd)).toBe(0);
    });
    finish(w);
    expect(onDisk(w, fd, 0)).toBe(0x33);
  });

  it('are not tracked on tmpfs, which has no writeback (nothing to lose)', () => {
    const w = boot();
    thread(w, 'main', function* () {
      const fd = yield* open(w, '/shm', O_CREAT | O_RDWR, 'tmpfs');
      expect(yield* pwrite(w, fd, 0x11, PAGE, 0)).toBe(PAGE);
      const addr = yield* mmapFile(w, fd, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED);
      const pages: number[] = [];
      expect(yield* pin_user_pages_fast(w.k, addr, 1, FOLL_WRITE, pages)).toBe(1);
      expect(yield* do_fsync(w.k, w.p.tgid, fd)).toBe(0);
      yield* dmaWrite(w, pages[0]!, 0x33);
      unpin_user_pages(w.k, pages, 1);
    });
    finish(w);
  });

  it('on xfs a folio dirtied behind its back over a hole maps no block: writeback drops it', () => {
    const w = boot();
    thread(w, 'main', function* () {
      // a 1-page file that is all hole, mapped shared read-only and read-pinned (no page_mkwrite)
      const fd = yield* open(w, '/sparse', O_CREAT | O_RDWR, 'xfs');
      expect(yield* do_sys_ftruncate(w.k, w.p.tgid, fd, PAGE)).toBe(0);
      const addr = yield* mmapFile(w, fd, PAGE, PROT_READ, MAP_SHARED);
      const pages: number[] = [];
      expect(yield* pin_user_pages_fast(w.k, addr, 1, 0, pages)).toBe(1);
      // the device writes anyway and the driver dirties the page when it unpins
      yield* dmaWrite(w, pages[0]!, 0x44);
      yield* unpin_user_pages_dirty_lock(w.k, pages, 1, true);
      // xfs_map_blocks finds a hole without a reservation (IOMAP_HOLE): nothing is written
      expect(yield* do_fsync(w.k, w.p.tgid, fd)).toBe(0);
      expect(onDisk(w, fd, 0)).toBe(0);
    });
    const r = finish(w, true);
    expect(r.violations.map((v) => v.id)).toEqual(['fs.pin-write-after-clean']);
  });
});
