// access_remote_vm on a userfaultfd hole (consumers.md C.7, C.8 #8): mm/memory.c
// __access_remote_vm takes pages with get_user_pages_remote(..., NULL): no `locked`, so no
// FAULT_FLAG_ALLOW_RETRY, and fs/userfaultfd.c handle_userfault may not sleep: VM_FAULT_SIGBUS,
// GUP -EFAULT, nothing copied, and fs/proc/base.c mem_rw answers -EIO. The async page fault
// worker passes &locked and would sleep there instead (postcopy.test.ts). This is the "don't
// hang gdb on a userfault" rule of the 2014 thread "kvm: Faults which trigger IO release the
// mmap_sem".
import { describe, expect, it } from 'vitest';
import { run, scenario, steps } from '../../scenario/interp/helpers.js';

describe('access_remote_vm on a userfaultfd hole', () => {
  it('fails at once with nothing copied instead of blocking (no locked: no ALLOW_RETRY)', () => {
    const r = run(
      scenario(
        steps(
          'mmap: { as: guest, length: 4KiB, prot: [PROT_READ, PROT_WRITE], flags: [MAP_PRIVATE, MAP_ANONYMOUS] }',
          'userfaultfd: { as: uffd }',
          'UFFDIO_REGISTER: { uffd: uffd, start: guest, length: 4KiB, mode: [UFFDIO_REGISTER_MODE_MISSING] }',
          'proc_mem_read: { as: v, addr: guest, length: 4KiB }',
          'expect: { value: v.ret, equals: -EIO }',
        ),
      ),
    );
    expect(r.result.status).toBe('done');
    expect(r.verdict.reasons).toEqual([]);
  });
});
