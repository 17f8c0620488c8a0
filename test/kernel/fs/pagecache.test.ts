/**
 * Buffered I/O through the page cache (mm/filemap.c, mm/shmem.c): what a write leaves in the
 * cache, what a read finds, holes, i_size, and where the bytes of a file live.
 */
import { describe, expect, it } from 'vitest';
import {
  NR_FILE_PAGES,
  NR_SHMEM,
  copy_highpage,
  folio_mark_uptodate,
  folio_put,
  folio_ref_add,
  folio_ref_count,
  folio_ref_sub,
  folio_test_dirty,
  folio_test_lru,
  folio_test_private,
  folio_test_swapbacked,
  folio_test_uptodate,
  node_page_state,
} from '../../../src/mm/index.js';
import { O_CREAT, O_RDWR } from '../../../src/kernel/include/fcntl.js';
import { i_size_read } from '../../../src/kernel/fs/inode.js';
import { do_fsync } from '../../../src/kernel/fs/sync.js';
import { setupScenarioFiles } from '../../../src/scenario/exec/files.js';
import { filemap_alloc_folio, filemap_lock_folio } from '../../../src/kernel/mm/pagecache.js';
import { folio_migrate_mapping_pagecache } from '../../../src/kernel/mm/pagecache_batch.js';
import { folio_unlock } from '../../../src/kernel/mm/filemap.js';
import { EAGAIN } from '../../../src/kernel/include/errno.js';
import { O_RDONLY } from '../../../src/kernel/include/fcntl.js';
import {
  PAGE,
  boot,
  cached,
  fileOf,
  finish,
  onDisk,
  open,
  pread,
  pwrite,
  runTask,
  thread,
} from './helpers.js';

describe('the page cache', () => {
  it('a buffered write leaves uptodate dirty folios that hold the data; a read finds them', () => {
    runTask(function* (w) {
      const fd = yield* open(w, '/f', O_CREAT | O_RDWR, 'ext4');
      expect(yield* pwrite(w, fd, 0x41, 2 * PAGE, PAGE)).toBe(2 * PAGE);
      // pages 1 and 2 are cached; page 0 is a hole below the write
      expect(cached(w, fd, 0)).toBe(-1);
      for (const index of [1, 2]) {
        const folio = cached(w, fd, index);
        expect(folio_test_uptodate(w.k.mem, folio) && folio_test_dirty(w.k.mem, folio)).toBe(true);
        // ext4: the write gave the folio buffer heads (folio->private, one more reference)
        expect(folio_test_private(w.k.mem, folio)).toBe(true);
        expect(folio_ref_count(w.k.mem, folio)).toBe(2);
        expect(folio_test_lru(w.k.mem, folio)).toBe(true);
        expect(w.k.mem.content[folio]).toBe(0x41);
      }
      expect(i_size_read(fileOf(w, fd).f_inode)).toBe(3 * PAGE);
      // the hole reads as zeros, the data as written; nothing is on disk yet (delalloc)
      const [n, vals] = yield* pread(w, fd, 3 * PAGE, 0);
      expect(n).toBe(3 * PAGE);
      expect(vals).toEqual([0, 0x41, 0x41]);
      expect(onDisk(w, fd, 1)).toBe(0);
      expect(node_page_state(w.k.mem.vmstat, NR_FILE_PAGES)).toBe(3);
    });
  });

  it('a read stops at i_size and past it returns 0', () => {
    runTask(function* (w) {
      const fd = yield* open(w, '/f', O_CREAT | O_RDWR, 'xfs');
      yield* pwrite(w, fd, 9, 100, 0);
      expect((yield* pread(w, fd, 2 * PAGE, 0))[0]).toBe(100);
      expect((yield* pread(w, fd, PAGE, PAGE))[0]).toBe(0);
    });
  });

  it('tmpfs: swap-backed folios (NR_SHMEM); a hole read does not allocate (SGP_READ)', () => {
    runTask(function* (w) {
      const fd = yield* open(w, '/shm', O_CREAT | O_RDWR, 'tmpfs');
      yield* pwrite(w, fd, 5, PAGE, 2 * PAGE);
      const [n, vals] = yield* pread(w, fd, 3 * PAGE, 0);
      expect(n).toBe(3 * PAGE);
      expect(vals).toEqual([0, 0, 5]);
      expect(cached(w, fd, 0)).toBe(-1);
      const folio = cached(w, fd, 2);
      expect(folio_test_swapbacked(w.k.mem, folio)).toBe(true);
      expect(node_page_state(w.k.mem.vmstat, NR_SHMEM)).toBe(1);
      // tmpfs has no writeback: fsync has nothing to do
      expect(yield* do_fsync(w.k, w.p.tgid, fd)).toBe(0);
      expect(folio_test_dirty(w.k.mem, folio)).toBe(true);
    });
  });

  it('a file on disk is read into the cache by the disk (device agent), uptodate and clean', () => {
    const w = boot();
    setupScenarioFiles(w.k, [
      {
        path: '/disk',
        fs: 'ext4',
        size: 2 * PAGE,
        fill: 0x5c,
        mode: 'ro',
        pos: { file: 't', line: 1, column: 1 },
      },
    ]);
    let fd = -1;
    thread(w, 'main', function* () {
      fd = yield* open(w, '/disk', O_RDONLY);
      const [n, vals] = yield* pread(w, fd, 2 * PAGE, 0);
      expect(n).toBe(2 * PAGE);
      expect(vals).toEqual([0x5c, 0x5c]);
    });
    const r = finish(w);
    // one read request per page went to the disk's device agent
    expect(r.trace.filter((e) => e.kind === 'fs.io').length).toBe(2);
    const folio = cached(w, fd, 0);
    expect(folio_test_uptodate(w.k.mem, folio) && !folio_test_dirty(w.k.mem, folio)).toBe(true);
    // a folio read in has no buffers: only write_begin and page_mkwrite attach them
    expect(folio_test_private(w.k.mem, folio)).toBe(false);
  });

  it('the migration hook moves a cached folio: new folio in every slot, the old one keeps only its callers', () => {
    runTask(function* (w) {
      const fd = yield* open(w, '/m', O_CREAT | O_RDWR, 'tmpfs');
      yield* pwrite(w, fd, 0x42, PAGE, 0);
      const mapping = fileOf(w, fd).f_mapping;
      const old = yield* filemap_lock_folio(w.k, mapping, 0);
      const dst = filemap_alloc_folio(w.k, mapping.gfp_mask, 0);
      // folio_migrate_copy + folio_migrate_flags: content and uptodate
      copy_highpage(w.k.mem, dst, old);
      folio_mark_uptodate(w.k.mem, dst);
      // the cache's reference and ours: anything more (a pin) refuses the move
      folio_ref_add(w.k.mem, old, 1024);
      expect(folio_migrate_mapping_pagecache(w.k, mapping, dst, old, 2)).toBe(-EAGAIN);
      folio_ref_sub(w.k.mem, old, 1024);
      expect(folio_migrate_mapping_pagecache(w.k, mapping, dst, old, 2)).toBe(0);
      expect(cached(w, fd, 0)).toBe(dst);
      expect(folio_ref_count(w.k.mem, old)).toBe(1);
      expect(folio_ref_count(w.k.mem, dst)).toBe(2);
      expect(folio_test_dirty(w.k.mem, dst) && folio_test_swapbacked(w.k.mem, dst)).toBe(true);
      w.k.mem.mapping[old] = 0;
      yield* folio_unlock(w.k, old);
      folio_put(w.k.mem, old);
      folio_put(w.k.mem, dst);
      expect((yield* pread(w, fd, PAGE, 0))[1]).toEqual([0x42]);
    });
  });
});
