/**
 * Block direct I/O on user memory: fs/iomap/direct-io.c (__iomap_dio_rw, iomap_dio_bio_iter,
 * iomap_dio_bio_end_io) over block/bio.c (bio_iov_iter_get_pages, bio_release_pages,
 * bio_set_pages_dirty): the pages are pinned while the disk's device agent moves them, released
 * at completion, dirtied for a read; misaligned requests are -EINVAL.
 */
import { describe, expect, it } from 'vitest';
import { user_read, user_write } from '../../../src/kernel/arch/x86/mm/fault.js';
import { bdev_create } from '../../../src/kernel/block/bdev.js';
import {
  BIO_PAGE_PINNED,
  BIO_PAGE_REFFED,
  REQ_OP_READ,
  bio,
  bio_flagged,
} from '../../../src/kernel/block/bio.js';
import { bio_iov_iter_get_pages, bio_release_pages } from '../../../src/kernel/block/bio_pages.js';
import { user_page_at } from '../../../src/kernel/block/dio_target.js';
import { ksys_pread64, ksys_pwrite64 } from '../../../src/kernel/fs/read_write.js';
import { EINVAL } from '../../../src/kernel/include/errno.js';
import { O_CREAT, O_DIRECT, O_RDWR } from '../../../src/kernel/include/fcntl.js';
import {
  MAP_ANONYMOUS,
  MAP_PRIVATE,
  PROT_READ,
  PROT_WRITE,
} from '../../../src/kernel/include/mman.js';
import {
  ITER_DEST,
  ITER_SOURCE,
  iov_iter_init,
  iov_iter_ubuf,
} from '../../../src/kernel/lib/iov_iter.js';
import { gupState } from '../../../src/kernel/mm/gup_state.js';
import { ksys_mmap_pgoff } from '../../../src/kernel/mm/mmap.js';
import type { task_struct } from '../../../src/kernel/sched/task.js';
import { folio_test_dirty, page_folio } from '../../../src/mm/index.js';
import type { Sched } from '../../../src/sim/index.js';
import { PAGE, boot, finish, open, pread, pwrite, thread, type World } from '../fs/helpers.js';

function* anon(w: World, t: task_struct, pages: number, fill: number): Sched<number> {
  const buf = yield* ksys_mmap_pgoff(
    w.k,
    w.mm,
    0,
    pages * PAGE,
    PROT_READ | PROT_WRITE,
    MAP_PRIVATE | MAP_ANONYMOUS,
    null,
    0,
  );
  expect(yield* user_write(w.k, t, buf, pages * PAGE, fill)).toBe(0);
  return buf;
}

/** Run `body` as one thread; the run must end with no violation (no pin left, no leak). */
function runClean(body: (w: World, t: task_struct) => Sched<void>, quirks: string[] = []): void {
  const w = boot({}, quirks);
  thread(w, 'main', (t) => body(w, t));
  finish(w);
}

describe('O_DIRECT on ext4 through iov_iter and GUP', () => {
  it('a read lands in the user buffer, dirties it, and leaves no pin behind', () => {
    runClean(function* (w, t) {
      const fd = yield* open(w, '/f', O_CREAT | O_RDWR | O_DIRECT, 'ext4');
      // O_DIRECT with a kernel source: the data goes straight to the disk
      expect(yield* pwrite(w, fd, 0x42, 2 * PAGE, 0)).toBe(2 * PAGE);
      const buf = yield* anon(w, t, 2, 0x01);
      const before = user_page_at(w.k, w.mm, buf);
      expect(folio_test_dirty(w.k.mem, page_folio(w.k.mem, before))).toBe(false);
      const it = iov_iter_ubuf(ITER_DEST, t, buf, 2 * PAGE);
      expect(yield* ksys_pread64(w.k, w.p.tgid, fd, it, 0)).toBe(2 * PAGE);
      expect(yield* user_read(w.k, t, buf, 2 * PAGE)).toEqual([0x42, 0x42]);
      // IOMAP_DIO_DIRTY: bio_set_pages_dirty marked the buffer's folio dirty
      const page = user_page_at(w.k, w.mm, buf);
      expect(folio_test_dirty(w.k.mem, page_folio(w.k.mem, page))).toBe(true);
      const s = gupState(w.k);
      expect(s.outstanding).toBe(0);
    });
  });

  it('a write sends the user buffer to the disk (the pages are pinned without FOLL_WRITE)', () => {
    runClean(function* (w, t) {
      const fd = yield* open(w, '/f', O_CREAT | O_RDWR | O_DIRECT, 'ext4');
      const buf = yield* anon(w, t, 1, 0x5a);
      const it = iov_iter_ubuf(ITER_SOURCE, t, buf, PAGE);
      expect(yield* ksys_pwrite64(w.k, w.p.tgid, fd, it, 0)).toBe(PAGE);
      expect(yield* pread(w, fd, PAGE, 0)).toEqual([PAGE, [0x5a]]);
    });
  });

  it('a misaligned file position, length or buffer is -EINVAL (iomap_dio_bio_iter)', () => {
    runClean(function* (w, t) {
      const fd = yield* open(w, '/f', O_CREAT | O_RDWR | O_DIRECT, 'ext4');
      expect(yield* pwrite(w, fd, 0x42, PAGE, 0)).toBe(PAGE);
      const buf = yield* anon(w, t, 2, 0x01);
      const read = (addr: number, len: number, pos: number) =>
        ksys_pread64(w.k, w.p.tgid, fd, iov_iter_ubuf(ITER_DEST, t, addr, len), pos);
      expect(yield* read(buf + 100, 512, 0)).toBe(-EINVAL);
      expect(yield* read(buf, 100, 0)).toBe(-EINVAL);
      expect(yield* read(buf, 512, 100)).toBe(-EINVAL);
      // 512-byte alignment is enough: the logical block size of the model's disks
      expect(yield* read(buf + 512, 512, 512)).toBe(512);
    });
  });
});

describe('bio_iov_iter_get_pages', () => {
  it('pins user pages and flags the bio BIO_PAGE_PINNED; release unpins them', () => {
    runClean(function* (w, t) {
      const buf = yield* anon(w, t, 1, 0x01);
      const b = new bio(bdev_create(w.k, 'd', 1 << 20, false), REQ_OP_READ, function* () {}, 't');
      const it = iov_iter_ubuf(ITER_DEST, t, buf, PAGE);
      expect(yield* bio_iov_iter_get_pages(w.k, b, it, 511)).toBe(0);
      expect(bio_flagged(b, BIO_PAGE_PINNED)).toBe(true);
      const page = b.bi_io_vec[0]!.folio;
      expect(gupState(w.k).pinned[page]).toBe(1);
      yield* bio_release_pages(w.k, b, true);
      expect(gupState(w.k).pinned[page]).toBe(0);
      // mark_dirty: the folio was dirtied before it was unpinned
      expect(folio_test_dirty(w.k.mem, page_folio(w.k.mem, page))).toBe(true);
    });
  });

  it('keeps one pin per page when two iovec fragments share it (the merge unpin)', () => {
    runClean(function* (w, t) {
      const buf = yield* anon(w, t, 1, 0x01);
      const b = new bio(bdev_create(w.k, 'd', 1 << 20, false), REQ_OP_READ, function* () {}, 't');
      const it = iov_iter_init(
        ITER_DEST,
        t,
        [
          { iov_base: buf, iov_len: 512 },
          { iov_base: buf + 512, iov_len: 512 },
        ],
        1024,
      );
      expect(yield* bio_iov_iter_get_pages(w.k, b, it, 511)).toBe(0);
      expect(b.bi_io_vec.length).toBe(1);
      expect(b.bi_size).toBe(1024);
      expect(gupState(w.k).pinned[b.bi_io_vec[0]!.folio]).toBe(1);
      yield* bio_release_pages(w.k, b, false);
    });
  });

  it('with quirk dio-get-not-pin takes FOLL_GET references (BIO_PAGE_REFFED) and puts them', () => {
    runClean(
      function* (w, t) {
        const buf = yield* anon(w, t, 1, 0x01);
        const b = new bio(bdev_create(w.k, 'd', 1 << 20, false), REQ_OP_READ, function* () {}, 't');
        const it = iov_iter_ubuf(ITER_DEST, t, buf, PAGE);
        expect(yield* bio_iov_iter_get_pages(w.k, b, it, 511)).toBe(0);
        expect(bio_flagged(b, BIO_PAGE_REFFED)).toBe(true);
        const page = b.bi_io_vec[0]!.folio;
        expect([gupState(w.k).gotten[page], gupState(w.k).pinned[page]]).toEqual([1, 0]);
        yield* bio_release_pages(w.k, b, false);
        expect(gupState(w.k).gotten[page]).toBe(0);
      },
      ['dio-get-not-pin'],
    );
  });
});
