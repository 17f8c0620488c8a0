import { describe, expect, it } from 'vitest';
import { O_CREAT, O_RDWR } from '../../../src/kernel/include/fcntl.js';
import { do_fsync } from '../../../src/kernel/fs/sync.js';
import { PAGE, open, pread, pwrite, runTask } from './helpers.js';

describe('smoke', () => {
  it('ext4 write, read, fsync', () => {
    runTask(function* (w) {
      const fd = yield* open(w, '/f', O_CREAT | O_RDWR, 'ext4');
      expect(fd).toBe(3);
      expect(yield* pwrite(w, fd, 0x11, 2 * PAGE, 0)).toBe(2 * PAGE);
      const [n, vals] = yield* pread(w, fd, 2 * PAGE, 0);
      expect(n).toBe(2 * PAGE);
      expect(vals).toEqual([0x11, 0x11]);
      expect(yield* do_fsync(w.k, w.p.tgid, fd)).toBe(0);
    });
  });
});
