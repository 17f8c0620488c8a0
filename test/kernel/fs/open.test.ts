/**
 * open(2), close(2), ftruncate(2) and the descriptor table (fs/open.c, fs/namei.c, fs/file.c):
 * who may open what, which descriptor comes back, and what the open mode allows.
 */
import { describe, expect, it } from 'vitest';
import {
  EACCES,
  EBADF,
  EEXIST,
  EINVAL,
  ENOENT,
  ENOTDIR,
} from '../../../src/kernel/include/errno.js';
import {
  O_CREAT,
  O_DIRECT,
  O_DIRECTORY,
  O_EXCL,
  O_RDONLY,
  O_RDWR,
  O_TRUNC,
  O_WRONLY,
} from '../../../src/kernel/include/fcntl.js';
import { do_sys_ftruncate, sys_close } from '../../../src/kernel/fs/open.js';
import { i_size_read } from '../../../src/kernel/fs/inode.js';
import { PAGE, fileOf, open, pread, pwrite, runTask } from './helpers.js';

describe('open', () => {
  it('O_CREAT creates the file; descriptors are the lowest free, from 3', () => {
    runTask(function* (w) {
      // no such file without O_CREAT
      expect(yield* open(w, '/a', O_RDWR)).toBe(-ENOENT);
      expect(yield* open(w, '/a', O_CREAT | O_RDWR)).toBe(3);
      expect(yield* open(w, '/a', O_RDONLY)).toBe(4);
      // O_EXCL refuses an existing file
      expect(yield* open(w, '/a', O_CREAT | O_EXCL | O_RDWR)).toBe(-EEXIST);
      // closing 3 makes it the next descriptor again
      expect(sys_close(w.k, w.p.tgid, 3)).toBe(0);
      expect(sys_close(w.k, w.p.tgid, 3)).toBe(-EBADF);
      expect(yield* open(w, '/a', O_RDONLY)).toBe(3);
    });
  });

  it('a read-only file cannot be opened for writing (may_open: -EACCES)', () => {
    runTask(function* (w) {
      expect(yield* open(w, '/ro', O_CREAT | O_RDONLY, 'ext4', 0o444)).toBe(3);
      expect(yield* open(w, '/ro', O_WRONLY)).toBe(-EACCES);
      expect(yield* open(w, '/ro', O_RDWR)).toBe(-EACCES);
      expect(yield* open(w, '/ro', O_RDONLY | O_TRUNC)).toBe(-EACCES);
      expect(yield* open(w, '/ro', O_RDONLY)).toBe(4);
    });
  });

  it('the open mode limits the calls: pwrite on O_RDONLY and pread on O_WRONLY are -EBADF', () => {
    runTask(function* (w) {
      const rd = yield* open(w, '/f', O_CREAT | O_RDONLY, 'ext4');
      const wr = yield* open(w, '/f', O_WRONLY);
      expect(yield* pwrite(w, rd, 1, PAGE, 0)).toBe(-EBADF);
      expect((yield* pread(w, wr, PAGE, 0))[0]).toBe(-EBADF);
      // ftruncate needs a descriptor open for writing (-EINVAL, as do_ftruncate says)
      expect(yield* do_sys_ftruncate(w.k, w.p.tgid, rd, PAGE)).toBe(-EINVAL);
      expect(yield* do_sys_ftruncate(w.k, w.p.tgid, wr, PAGE)).toBe(0);
      expect(i_size_read(fileOf(w, rd).f_inode)).toBe(PAGE);
    });
  });

  it('O_DIRECT needs FMODE_CAN_ODIRECT: block file systems and tmpfs (6.6+) yes, hugetlbfs no', () => {
    runTask(
      function* (w) {
        for (const fs of ['ext4', 'xfs', 'btrfs', 'tmpfs'] as const) {
          expect(yield* open(w, `/${fs}`, O_CREAT | O_RDWR | O_DIRECT, fs)).toBeGreaterThanOrEqual(
            3,
          );
        }
        expect(yield* open(w, '/huge', O_CREAT | O_RDWR | O_DIRECT, 'hugetlbfs')).toBe(-EINVAL);
      },
      { hugetlb: { '2MiB': 2 } },
    );
  });

  it('O_TRUNC empties the file; O_DIRECTORY on a regular file is -ENOTDIR', () => {
    runTask(function* (w) {
      const fd = yield* open(w, '/t', O_CREAT | O_RDWR, 'xfs');
      expect(yield* pwrite(w, fd, 7, 3 * PAGE, 0)).toBe(3 * PAGE);
      expect(yield* open(w, '/t', O_RDWR | O_TRUNC)).toBe(4);
      expect(i_size_read(fileOf(w, fd).f_inode)).toBe(0);
      expect(fileOf(w, fd).f_mapping.nrpages).toBe(0);
      expect(yield* open(w, '/t', O_RDONLY | O_DIRECTORY)).toBe(-ENOTDIR);
    });
  });
});
