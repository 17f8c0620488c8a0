// Postcopy live migration (consumers.md C.8 #3): guest memory registered with userfaultfd
// (UFFDIO_REGISTER_MODE_MISSING). fs/userfaultfd.c: handle_userfault answers KVM's FOLL_NOWAIT
// attempt (FAULT_FLAG_RETRY_NOWAIT) with VM_FAULT_RETRY at once, lock held, no message; the async
// page fault worker (virt/kvm/async_pf.c: async_pf_execute, get_user_pages_remote with &locked)
// sleeps in handle_userfault with mmap_lock dropped until the handler's UFFDIO_COPY.
import { describe, expect, it } from 'vitest';
import { explore } from '../../../src/explore/explore.js';
import { run, scenario } from '../../scenario/interp/helpers.js';

const POSTCOPY = `
scenario: t
processes: [vmm]
threads:
  vcpu:
    steps:
      - mmap: { as: guest, length: 4KiB, prot: [PROT_READ, PROT_WRITE], flags: [MAP_PRIVATE, MAP_ANONYMOUS] }
      - userfaultfd: { as: uffd }
      - UFFDIO_REGISTER: { uffd: uffd, start: guest, length: 4KiB, mode: [UFFDIO_REGISTER_MODE_MISSING] }
      - kvm_create_vm: { as: vm }
      - kvm_set_user_memory_region: { vm: vm, slot: 0, guest_phys_addr: 0, memory_size: 4KiB, userspace_addr: guest }
      - signal: registered
      - kvm_guest_read: { as: v, vm: vm, gpa: 0 }
      - expect: { value: v, equals: 0x5a } # the page the handler copied in
      - expect: { value: v.async_pf, equals: 1 }
  handler:
    steps:
      - wait: registered
      - uffd_read: { as: ev, uffd: uffd } # blocks until the worker's fault is queued
      - UFFDIO_COPY: { uffd: uffd, dst: ev, length: 4KiB, value: 0x5a }
`;

describe('postcopy with userfaultfd', () => {
  it('the vCPU never sleeps in handle_userfault; the async PF worker does, and the guest reads the copied page', () => {
    const r = run(scenario(POSTCOPY));
    expect(r.verdict.reasons).toEqual([]);
    const names = new Map(
      r.result.trace
        .filter((e) => e.kind === 'sched.start')
        .map((e) => [e.thread, (e.args as { name: string }).name]),
    );
    const faults = r.result.trace
      .filter((e) => e.kind === 'gup.fault')
      .map((e) => ({
        who: names.get(e.thread) ?? '',
        flags: (e.args as { fault_flags: string }).fault_flags,
      }));
    const vcpu = faults.filter((f) => f.who === 'vcpu');
    expect(vcpu.length).toBeGreaterThan(0);
    expect(vcpu.every((f) => f.flags.includes('FAULT_FLAG_RETRY_NOWAIT'))).toBe(true);
    const worker = faults.filter((f) => f.who.startsWith('kworker/apf'));
    expect(worker.some((f) => !f.flags.includes('FAULT_FLAG_RETRY_NOWAIT'))).toBe(true);
  });

  it('holds under sampled interleavings', () => {
    const o = explore(scenario(POSTCOPY), { strategy: 'random', maxExecutions: 40, seed: 7 }, {});
    expect(o.counterexample).toBeUndefined();
  });
});
