/**
 * Writeback (mm/page-writeback.c, fs/mpage.c): fsync and background writeback clean dirty folios
 * for I/O, write-protect their shared mappings (folio_mkclean), hand them to the disk's device
 * agent and end writeback when the I/O is done; stable pages make writers wait for it.
 */
import { describe, expect, it } from 'vitest';
import {
  folio_test_dirty,
  folio_test_writeback,
  pte_dirty,
  pte_write,
} from '../../../src/mm/index.js';
import { O_CREAT, O_RDWR } from '../../../src/kernel/include/fcntl.js';
import { FOLL_WRITE } from '../../../src/kernel/include/gup_flags.js';
import { MAP_SHARED, PROT_READ, PROT_WRITE } from '../../../src/kernel/include/mman.js';
import { user_write } from '../../../src/kernel/arch/x86/mm/fault.js';
import { BH_Dirty, BH_Mapped, buffer_test, folio_buffers } from '../../../src/kernel/fs/buffer.js';
import { do_fsync } from '../../../src/kernel/fs/sync.js';
import type { FsName } from '../../../src/kernel/fs/super.js';
import { pin_user_pages_fast } from '../../../src/kernel/mm/gup.js';
import { unpin_user_pages } from '../../../src/kernel/mm/gup_unpin.js';
import { filemap_fdatawrite_wbc } from '../../../src/kernel/mm/filemap_pagecache_wb.js';
import { WB_SYNC_NONE, writeback_control } from '../../../src/kernel/mm/page-writeback.js';
import { Completion, complete, wait_for_completion } from '../../../src/sim/index.js';
import {
  PAGE,
  boot,
  cached,
  dmaWrite,
  fileOf,
  finish,
  mmapFile,
  onDisk,
  open,
  pwrite,
  runTask,
  thread,
  violations,
} from './helpers.js';
import { addr_to_vpn, pte_lookup } from '../../../src/mm/index.js';
import type { World } from './helpers.js';

function pteAt(w: World, addr: number): number {
  const ptep = pte_lookup(w.k.pool, w.mm, addr_to_vpn(addr));
  return ptep < 0 ? 0 : w.k.pool.get(ptep);
}

describe('writeback', () => {
  it('fsync writes dirty folios to disk and waits: clean, not under writeback, buffers mapped', () => {
    runTask(function* (w) {
      const fd = yield* open(w, '/f', O_CREAT | O_RDWR, 'ext4');
      yield* pwrite(w, fd, 0x21, 2 * PAGE, 0);
      expect(yield* do_fsync(w.k, w.p.tgid, fd)).toBe(0);
      for (const index of [0, 1]) {
        const folio = cached(w, fd, index);
        expect(onDisk(w, fd, index)).toBe(0x21);
        expect(folio_test_dirty(w.k.mem, folio) || folio_test_writeback(w.k.mem, folio)).toBe(
          false,
        );
        const bh = folio_buffers(w.k, folio)!;
        expect(buffer_test(bh, BH_Mapped) && !buffer_test(bh, BH_Dirty)).toBe(true);
      }
    });
  });

  it('background writeback (WB_SYNC_NONE) returns with the folio clean and under writeback; the disk ends it', () => {
    const w = boot();
    let fd = -1;
    thread(w, 'flusher', function* () {
      fd = yield* open(w, '/f', O_CREAT | O_RDWR, 'ext4');
      yield* pwrite(w, fd, 0x31, PAGE, 0);
      const folio = cached(w, fd, 0);
      expect(
        yield* filemap_fdatawrite_wbc(
          w.k,
          fileOf(w, fd).f_mapping,
          new writeback_control(WB_SYNC_NONE),
        ),
      ).toBe(0);
      // the I/O is queued: the folio is clean and under writeback, the disk not written yet
      expect(folio_test_dirty(w.k.mem, folio)).toBe(false);
      expect(folio_test_writeback(w.k.mem, folio)).toBe(true);
      expect(onDisk(w, fd, 0)).toBe(0);
    });
    finish(w);
    expect(folio_test_writeback(w.k.mem, cached(w, fd, 0))).toBe(false);
    expect(onDisk(w, fd, 0)).toBe(0x31);
  });

  it('folio_mkclean write-protects and cleans the shared PTE; the next store goes through page_mkwrite', () => {
    runTask(function* (w, t) {
      const fd = yield* open(w, '/f', O_CREAT | O_RDWR, 'ext4');
      yield* pwrite(w, fd, 1, PAGE, 0);
      const addr = yield* mmapFile(w, fd, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED);
      // a store through the mapping: writable, dirty PTE
      expect(yield* user_write(w.k, t, addr, PAGE, 2)).toBe(0);
      expect(pte_write(pteAt(w, addr)) && pte_dirty(pteAt(w, addr))).toBe(true);
      // writeback: the PTE is write-protected and clean, the disk has 2
      expect(yield* do_fsync(w.k, w.p.tgid, fd)).toBe(0);
      expect(pte_write(pteAt(w, addr)) || pte_dirty(pteAt(w, addr))).toBe(false);
      expect(onDisk(w, fd, 0)).toBe(2);
      // the next store faults, ->page_mkwrite dirties the folio again, and fsync writes it
      expect(yield* user_write(w.k, t, addr, PAGE, 3)).toBe(0);
      expect(folio_test_dirty(w.k.mem, cached(w, fd, 0))).toBe(true);
      expect(yield* do_fsync(w.k, w.p.tgid, fd)).toBe(0);
      expect(onDisk(w, fd, 0)).toBe(3);
    });
  });

  /** Thread A writes back (fsync); thread B stores to the mapped page while the I/O is queued. */
  function storeDuringWriteback(fs: FsName): World {
    const w = boot();
    const ready = new Completion(w.m, 'ready');
    let fd = -1;
    let addr = 0;
    thread(w, 'A', function* (t) {
      fd = yield* open(w, '/f', O_CREAT | O_RDWR, fs);
      yield* pwrite(w, fd, 1, PAGE, 0);
      addr = yield* mmapFile(w, fd, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED);
      expect(yield* user_write(w.k, t, addr, PAGE, 2)).toBe(0);
      yield* complete(ready);
      expect(yield* do_fsync(w.k, w.p.tgid, fd)).toBe(0);
    });
    thread(w, 'B', function* (t) {
      yield* wait_for_completion(ready);
      expect(yield* user_write(w.k, t, addr, PAGE, 9)).toBe(0);
    });
    finish(w);
    return w;
  }

  it('stable pages (btrfs: SB_I_STABLE_WRITES): a store during writeback waits for it to end', () => {
    const w = storeDuringWriteback('btrfs');
    // the disk got the data as it was when writeback started; the new store dirtied it again
    expect(w.k.mem.content[cached(w, 3, 0)]).toBe(9);
    expect(onDisk(w, 3, 0)).toBe(2);
    expect(folio_test_dirty(w.k.mem, cached(w, 3, 0))).toBe(true);
  });

  it('without stable pages (ext4 on this disk) the store lands while the folio is under writeback', () => {
    const w = storeDuringWriteback('ext4');
    // the device read the page after the store: the disk has the new data
    expect(onDisk(w, 3, 0)).toBe(9);
  });

  it('a device writing through a pin while btrfs writes the page breaks its checksum (fs.unstable-page-write)', () => {
    const w = boot();
    const ready = new Completion(w.m, 'pinned');
    const pages: number[] = [];
    thread(w, 'A', function* (t) {
      const fd = yield* open(w, '/f', O_CREAT | O_RDWR, 'btrfs');
      yield* pwrite(w, fd, 1, PAGE, 0);
      const addr = yield* mmapFile(w, fd, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED);
      expect(yield* pin_user_pages_fast(w.k, addr, 1, FOLL_WRITE, pages)).toBe(1);
      expect(yield* user_write(w.k, t, addr, PAGE, 2)).toBe(0);
      yield* complete(ready);
      expect(yield* do_fsync(w.k, w.p.tgid, fd)).toBe(0);
      unpin_user_pages(w.k, pages, 1);
    });
    thread(w, 'DEV', function* () {
      yield* wait_for_completion(ready);
      yield* dmaWrite(w, pages[0]!, 7);
    });
    const r = finish(w, true);
    expect(violations(r).map((v) => v.split(':')[0])).toEqual(['fs.unstable-page-write']);
  });
});
