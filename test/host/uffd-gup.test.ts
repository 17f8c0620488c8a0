/**
 * GUP on a userfaultfd hole (test/host/c/uffd_gup.c): process_vm_readv pins with `locked`
 * (mm/process_vm_access.c: pin_user_pages_remote), so its fault may drop mmap_lock and waits in
 * handle_userfault for the handler's UFFDIO_COPY; /proc/self/mem uses get_user_pages_remote
 * without `locked` (mm/memory.c: __access_remote_vm), so the fault has no
 * FAULT_FLAG_ALLOW_RETRY, handle_userfault answers VM_FAULT_SIGBUS and the read fails with EIO
 * (fs/userfaultfd.c: handle_userfault). The model's counterparts: scenarios uffd-postcopy-gup
 * and uffd-pin-no-locked. Skips when userfaultfd is unavailable.
 */
import { describe, it } from 'vitest';
import { withCleanup } from '../../src/cli/host/index.js';
import { expectPassed, need, runCheck } from './helpers.js';

describe('host: GUP on a userfaultfd hole', () => {
  it('blocks until UFFDIO_COPY with locked; EIO without locked, no message', async (ctx) => {
    need(ctx);
    await withCleanup(async (c) => {
      expectPassed(await runCheck(ctx, c, 'uffd_gup', [], ['-lpthread']));
    });
  });
});
