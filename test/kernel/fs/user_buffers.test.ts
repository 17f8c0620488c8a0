/**
 * Buffered read and write with user buffers: copy_to_user may fault (filemap_read holds no
 * lock); the write path copies with faults disabled under the folio lock, and when the source
 * page is not mapped it faults it in with the folio unlocked and tries again
 * (generic_perform_write: fault_in_iov_iter_readable).
 */
import { describe, expect, it } from 'vitest';
import { O_CREAT, O_RDWR } from '../../../src/kernel/include/fcntl.js';
import {
  MAP_ANONYMOUS,
  MAP_PRIVATE,
  PROT_READ,
  PROT_WRITE,
} from '../../../src/kernel/include/mman.js';
import { EFAULT } from '../../../src/kernel/include/errno.js';
import { user_read, user_write } from '../../../src/kernel/arch/x86/mm/fault.js';
import { ksys_pread64, ksys_pwrite64 } from '../../../src/kernel/fs/read_write.js';
import { ITER_DEST, ITER_SOURCE, iov_iter_ubuf } from '../../../src/kernel/fs/uio.js';
import { ksys_mmap_pgoff } from '../../../src/kernel/mm/mmap.js';
import { PAGE, open, pread, runTask } from './helpers.js';

describe('user buffers', () => {
  it('pread copies file data into user memory, faulting the buffer in', () => {
    runTask(function* (w, t) {
      const fd = yield* open(w, '/f', O_CREAT | O_RDWR, 'ext4');
      const buf = yield* ksys_mmap_pgoff(
        w.k,
        w.mm,
        0,
        2 * PAGE,
        PROT_READ | PROT_WRITE,
        MAP_PRIVATE | MAP_ANONYMOUS,
        null,
        0,
      );
      expect(yield* user_write(w.k, t, buf, 2 * PAGE, 0x66)).toBe(0);
      // pwrite from the buffer, then read it back into a fresh (never touched) buffer
      expect(
        yield* ksys_pwrite64(w.k, w.p.tgid, fd, iov_iter_ubuf(ITER_SOURCE, t, buf, 2 * PAGE), 0),
      ).toBe(2 * PAGE);
      const out = yield* ksys_mmap_pgoff(
        w.k,
        w.mm,
        0,
        2 * PAGE,
        PROT_READ | PROT_WRITE,
        MAP_PRIVATE | MAP_ANONYMOUS,
        null,
        0,
      );
      expect(
        yield* ksys_pread64(w.k, w.p.tgid, fd, iov_iter_ubuf(ITER_DEST, t, out, 2 * PAGE), 0),
      ).toBe(2 * PAGE);
      expect(yield* user_read(w.k, t, out, 2 * PAGE)).toEqual([0x66, 0x66]);
    });
  });

  it('pwrite from a source page that is not mapped yet faults it in and retries', () => {
    runTask(function* (w, t) {
      const fd = yield* open(w, '/f', O_CREAT | O_RDWR, 'tmpfs');
      // an anonymous buffer never touched: the atomic copy fails, fault_in maps the zero page
      const buf = yield* ksys_mmap_pgoff(
        w.k,
        w.mm,
        0,
        PAGE,
        PROT_READ,
        MAP_PRIVATE | MAP_ANONYMOUS,
        null,
        0,
      );
      expect(
        yield* ksys_pwrite64(w.k, w.p.tgid, fd, iov_iter_ubuf(ITER_SOURCE, t, buf, PAGE), 0),
      ).toBe(PAGE);
      expect((yield* pread(w, fd, PAGE, 0))[1]).toEqual([0]);
      // a source that cannot be faulted in (no VMA): -EFAULT, nothing written
      expect(
        yield* ksys_pwrite64(w.k, w.p.tgid, fd, iov_iter_ubuf(ITER_SOURCE, t, 0x1000, PAGE), PAGE),
      ).toBe(-EFAULT);
    });
  });
});
