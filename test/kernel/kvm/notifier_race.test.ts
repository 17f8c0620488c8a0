// The mmu notifier against a racing guest fault (virt/kvm/kvm_main.c:
// kvm_mmu_notifier_invalidate_range_start/_end; arch/x86/kvm/mmu/mmu.c: kvm_mmu_faultin_pfn,
// is_page_fault_stale): whatever the interleaving with MADV_DONTNEED of the backing memory, the
// guest never uses a page the host dropped (checker kvm.stale-spte) and the two views agree.
import { describe, expect, it } from 'vitest';
import { explore } from '../../../src/explore/explore.js';
import { scenario } from '../../scenario/interp/helpers.js';

const RACE = `
scenario: t
processes: [vmm]
threads:
  vmm:
    steps:
      - mmap: { as: mem, length: 4KiB, prot: [PROT_READ, PROT_WRITE], flags: [MAP_PRIVATE, MAP_ANONYMOUS] }
      - memset: { addr: mem, length: 4KiB, value: 0x11 }
      - kvm_create_vm: { as: vm }
      - kvm_set_user_memory_region: { vm: vm, slot: 0, guest_phys_addr: 0, memory_size: 4KiB, userspace_addr: mem }
      - signal: ready
      - madvise: { addr: mem, length: 4KiB, advice: MADV_DONTNEED }
      - signal: zapped
  vcpu:
    steps:
      - wait: ready
      - kvm_guest_write: { vm: vm, gpa: 0, value: 0x42 }
      - wait: zapped
      - kvm_guest_read: { as: guest, vm: vm, gpa: 0 }
      - read: { as: host, addr: mem, length: 4KiB }
      - expect: { value: guest, equals: host }
`;

describe('mmu notifier vs a racing guest fault', () => {
  it('a guest store racing with MADV_DONTNEED never leaves a stale spte (up to one preemption)', () => {
    let executions = 0;
    const o = explore(
      scenario(RACE),
      { strategy: 'dpor', maxExecutions: 3000, seed: 1, preemptionBound: 1 },
      { onExecution: () => executions++ },
    );
    expect(o.exploration.complete).toBe(true);
    expect(executions).toBeGreaterThan(10);
    expect(o.counterexample).toBeUndefined();
  });
});
