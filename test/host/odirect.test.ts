/**
 * O_DIRECT reads into an anonymous buffer (test/host/c/odirect_read.c): the read pins the buffer
 * (FOLL_WRITE; here it is not yet faulted in, so GUP faults it) and fills it.
 *
 * tmpfs accepts O_DIRECT since 6.6 (mm/shmem.c: shmem_file_open sets FMODE_CAN_ODIRECT) and
 * serves it from the page cache, so even a misaligned buffer works; before 6.6 open() says
 * EINVAL. ext4 does real direct I/O (fs/iomap/direct-io.c: iomap_dio_rw), which needs the
 * buffer aligned to statx's dio_mem_align (EINVAL otherwise).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loopMount, makeFsImage, mountFs, sh, withCleanup } from '../../src/cli/host/index.js';
import { HOST, bound, expectPassed, need, runCheck } from './helpers.js';

const EINVAL = 22;
const tmpfsHasODirect =
  HOST.kernel.major > 6 || (HOST.kernel.major === 6 && HOST.kernel.minor >= 6);

describe('host: O_DIRECT read into an anonymous buffer', () => {
  it('on tmpfs: works as the kernel version says (6.6+: opens and fills, any alignment)', async (ctx) => {
    need(ctx);
    await withCleanup(async (c) => {
      // A private tmpfs when root; otherwise /dev/shm.
      let dir = '/dev/shm';
      if (HOST.root) {
        dir = join(c.scratchDir(), 'tmpfs');
        mkdirSync(dir);
        mountFs(c, 'tmpfs', dir, 'tmpfs', ['size=4m']);
      }
      const run = await runCheck(ctx, c, 'odirect_read', [dir]);
      expectPassed(run);
      ctx.skip(bound(run, 'fs') !== 'tmpfs', `${dir} is not tmpfs`);
      if (tmpfsHasODirect) {
        expect(bound(run, 'open_errno')).toBe(0);
        expect(bound(run, 'filled')).toBe(true);
        expect(bound(run, 'misaligned_errno')).toBe(0); // buffered underneath
      } else expect(bound(run, 'open_errno')).toBe(EINVAL);
    });
  });

  it('on an ext4 loop mount: fills the buffer; a misaligned buffer is EINVAL', async (ctx) => {
    need(ctx, 'loop-ext4');
    let image = '';
    await withCleanup(async (c) => {
      // A 32 MiB ext4 image in a scratch directory, loop-mounted; undone in reverse order.
      const dir = c.scratchDir();
      image = join(dir, 'ext4.img');
      const mnt = join(dir, 'mnt');
      mkdirSync(mnt);
      makeFsImage(image, 32, 'ext4');
      loopMount(c, image, mnt);
      const run = await runCheck(ctx, c, 'odirect_read', [mnt]);
      expectPassed(run);
      expect(bound(run, 'fs')).toBe('ext4');
      expect(bound(run, 'open_errno')).toBe(0);
      expect(bound(run, 'filled')).toBe(true);
      if (Number(bound(run, 'dio_mem_align')) > 1)
        expect(bound(run, 'misaligned_errno')).toBe(EINVAL);
    });
    // Cleanup unmounted and detached: no loop device is left on the image.
    expect(sh('losetup', ['-j', image]).trim()).toBe('');
  });
});
